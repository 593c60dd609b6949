"""The location models as a library (issue 17 item 2): any cost matrix, fractional demand and capacity,
pairs not allowed, optional capacities, preselected sites kept open and kept full. Hand cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from countyedu.errors import CountyEduError
from countyedu.planning.siting import (
    SitingInfeasible,
    capacitated_p_median,
    facility_location,
    p_median,
    solve_siting,
)

LINE = np.abs(np.subtract.outer([0.0, 1.0, 2.0, 10.0], [0.0, 1.0, 2.0, 10.0]))  # points = sites at 0, 1, 2, 10


def test_uncapacitated_p_median_on_a_line() -> None:
    # demand 20, 10, 10, 10 at 0, 1, 2, 10; p = 1 opens 1: 20 + 0 + 10 + 90 = 120; p = 2 opens {0 or 1} and 10:
    # 30 either way
    r = p_median(LINE, [20, 10, 10, 10], p=1)
    assert r.sites == [1] and r.objective == pytest.approx(120) and r.model == "p_median"
    assert r.status == "optimal" and r.bound == pytest.approx(120) and r.gap == 0
    two = p_median(LINE, [20, 10, 10, 10], p=2)
    assert two.objective == pytest.approx(30) and 3 in two.sites
    # without demand every point weighs 1: p = 1 at 1 or 2: 1 + 0 + 1 + 9 = 11 = 2 + 1 + 0 + 8
    assert p_median(LINE, p=1).objective == pytest.approx(11)


def test_fractional_demand_and_capacity_are_not_rounded_unless_asked() -> None:
    # a, b with 1.4 pupils each; A holds 2.5, B 2.9; p = 1: at A 2.8 > 2.5 does not fit → B, cost 1.4 · 1.
    # Rounded: 1 + 1 pupils, 2 + 2 seats: either site fits, cost 1.
    cost = np.array([[0.0, 1.0], [1.0, 0.0]])
    r = capacitated_p_median(cost, [1.4, 1.4], [2.5, 2.9], p=1)
    assert r.sites == [1] and r.objective == pytest.approx(1.4, rel=1e-12)
    assert r.load.to_dict() == {0: 0.0, 1: pytest.approx(2.8)}
    rounded = capacitated_p_median(cost, [1.4, 1.4], [2.5, 2.9], p=1, round_demand=True)
    assert rounded.objective == pytest.approx(1.0) and rounded.assignment["demand"].sum() == 2


def test_missing_pairs_are_not_allowed_in_every_form() -> None:
    # c cannot reach A (NaN / inf / a pair left out); p = 1 must open B though A is nearer to a and b
    wide = pd.DataFrame({"A": [0.0, 1.0, np.nan], "B": [2.0, 2.0, 1.0]}, index=["a", "b", "c"])
    long = wide.stack(future_stack=True).dropna()  # the long form without the pair (c, A)
    assert ("c", "A") not in long.index
    for cost in (wide, wide.fillna(np.inf), long):
        r = p_median(cost, pd.Series({"c": 1.0, "b": 1.0, "a": 1.0}), p=1)  # a Series is aligned on the ids
        assert r.sites == ["B"] and r.objective == pytest.approx(5.0)
        assert r.assignment.set_index("demand_id")["site_id"].to_dict() == {"a": "B", "b": "B", "c": "B"}
    alone = wide.copy()
    alone["B"] = [2.0, 2.0, np.nan]
    with pytest.raises(SitingInfeasible) as err:  # c reaches no site at all
        p_median(alone, p=1)
    assert err.value.facts["unreachable"] == ["c"]


def test_preselected_sites_stay_open_and_can_be_kept_full() -> None:
    # points a, b, c at 0, 1, 2; sites A at 0 (capacity 3), C at 2 (capacity 2), p = 2, C preselected.
    # 1 pupil each: a at A (0), b at A or C (1), c at C (0) → 1; kept full, b goes to C (a would cost 2).
    # b with 3 pupils (A holds 5): kept open only, b stays at A → 3 with 1 pupil at C; kept full, b cannot
    # go to C (3 > 2), so a (2 km) and c fill it: 2 + 3 + 0 = 5.
    cost = np.abs(np.subtract.outer([0.0, 1.0, 2.0], [0.0, 2.0]))
    open_only = capacitated_p_median(cost, [1, 1, 1], [3, 2], p=2, preselected=[1])
    assert open_only.objective == pytest.approx(1.0) and open_only.sites == [0, 1]
    full = capacitated_p_median(cost, [1, 1, 1], [3, 2], p=2, preselected=[1], fill_preselected=True)
    assert full.objective == pytest.approx(1.0) and full.load[1] == 2
    heavy = capacitated_p_median(cost, [1, 3, 1], [5, 2], p=2, preselected=np.array([False, True]))
    assert heavy.objective == pytest.approx(3.0) and heavy.load[1] == 1  # kept open only: b's 3 stay at A
    heavy_full = capacitated_p_median(
        cost, [1, 3, 1], [5, 2], p=2, preselected=np.array([False, True]), fill_preselected=True
    )
    assert heavy_full.objective == pytest.approx(5.0) and heavy_full.load[1] == 2  # a (2 km) and c fill C
    with pytest.raises(CountyEduError):  # kept full needs capacities
        p_median(cost, [1, 1, 1], p=2, preselected=[1], fill_preselected=True)


def test_facility_location_weighs_open_cost_against_travel() -> None:
    # the line with demand 20, 10, 10, 10; open costs 100 at 0, 1, 2 and 0 at 10; travel 1 a pupil-unit.
    # Only 10 open: 200 + 90 + 80 = 370. 1 and 10: 100 + 20 + 10 = 130. 0 and 10: 100 + 10 + 20 = 130.
    # 0, 1 and 10: 200 + 10 = 210. So 130, with 10 open.
    r = facility_location(LINE, [20, 10, 10, 10], open_cost=[100, 100, 100, 0])
    assert r.objective == pytest.approx(130) and 3 in r.sites and len(r.sites) == 2 and r.p is None
    assert r.travel == pytest.approx(30)
    with pytest.raises(SitingInfeasible) as err:
        facility_location(LINE, [20, 10, 10, 10], capacity=[10, 10, 10, 10])
    assert err.value.facts == {"demand": 50, "capacity": 40}


def test_the_result_is_plain_data_and_bad_input_is_named() -> None:
    r = capacitated_p_median(LINE, [20, 10, 10, 10], [40, 40, 40, 40], p=2)
    data = json.loads(json.dumps(r.as_dict()))
    assert data["model"] == "capacitated_p_median" and data["status"] == "optimal" and data["gap"] == 0
    assert sum(a["demand"] for a in data["assignment"]) == 50
    with pytest.raises(CountyEduError) as err:
        p_median(LINE, [1, 2], p=1)
    assert "有 2 个值，应为 4 个" in err.value.message_zh
    with pytest.raises(CountyEduError) as err:
        p_median(pd.DataFrame(LINE, columns=list("ABCD")), p=1, preselected=["E"])
    assert err.value.facts["unknown"] == ["E"] and "预选站点" in err.value.message_zh


def test_solve_siting_passes_fractional_demand_when_asked() -> None:
    # solve_siting rounds pupils by default (whole people); round_demand=False keeps 1.4 + 1.4 > 2.5
    pts = pd.DataFrame({"community_id": ["a", "b"], "demand": [1.4, 1.4], "lat": 0.0, "lon": [0.0, 0.01]})
    sites = pd.DataFrame({"site_id": ["A", "B"], "lat": 0.0, "lon": [0.0, 0.01], "capacity": [2.5, 2.9]})
    assert set(solve_siting(pts, sites, p=1).assignments["pupils"]) == {1}
    plan = solve_siting(pts, sites, p=1, round_demand=False)
    assert plan.opened == ["B"] and plan.assignments["pupils"].sum() == pytest.approx(2.8)


def test_solve_siting_keeps_a_site_full_when_asked() -> None:
    # points and sites at 0°, 1°, 2°, 10° of the equator with 20, 10, 10, 10 pupils; D (10°, 20 seats) must
    # stay open, p = 2. Open only: A or B with D → 30°. Kept full, D takes 10 more pupils: c (8°, 80) with
    # a, b at A (0 + 10) → 90°; b at D (90) with a, c at A (0 + 20) → 110°; so 90°, A and D open.
    deg = 2 * np.pi * 6371.0088 / 360
    pts = pd.DataFrame({"community_id": list("abcd"), "demand": [20, 10, 10, 10], "lat": 0.0, "lon": [0, 1, 2, 10.0]})
    sites = pd.DataFrame({"site_id": list("ABCD"), "lat": 0.0, "lon": [0, 1, 2, 10.0], "capacity": [100, 100, 100, 20]})
    sites["must_stay_open"] = [False, False, False, True]
    assert solve_siting(pts, sites, p=2).objective == pytest.approx(30 * deg)
    plan = solve_siting(pts, sites, p=2, fill_must_stay_open=True)
    assert plan.objective == pytest.approx(90 * deg) and plan.opened == ["A", "D"]
    assert plan.sites.set_index("site_id").at["D", "pupils"] == 20

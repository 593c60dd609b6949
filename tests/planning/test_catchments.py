"""Catchments (第4条 划片招生; QB-G13): hand-checked optima, explained infeasibility, the demo county."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from countyedu.census import demo
from countyedu.planning import catchments as cm
from countyedu.planning.catchments import CatchmentInfeasible, census_catchments, solve_catchments

DEG = 2 * math.pi * 6371.0088 / 360  # km per degree of longitude on the equator


@functools.cache
def frames() -> dict[str, pd.DataFrame]:
    return demo.generate(2019)


def line(demands, xs, caps, sx):
    d = pd.DataFrame({"community_id": [f"c{i}" for i in range(len(demands))], "demand": demands, "lat": 0.0, "lon": xs})
    s = pd.DataFrame({"school_id": [f"S{j}" for j in range(len(caps))], "capacity": caps, "lat": 0.0, "lon": sx})
    return d, s


def pairs(plan):
    return {(r.community_id, r.school_id, int(r.pupils)) for r in plan.assignments.itertuples()}


def test_it_sends_each_community_to_the_nearest_school_when_seats_allow():
    # c0 at 0, c1 at 1, c2 at 2 (degrees); schools at 0 and 2 with 40 seats each.
    # c0 → S0 (0), c2 → S1 (0), c1 (20 pupils, 1 degree from either) → S0 (10 + 20 = 30 ≤ 40): 20 pupil-degrees
    d, s = line([10, 20, 30], [0, 1, 2], [40, 40], [0, 2])
    plan = solve_catchments(d, s)
    assert plan.objective == pytest.approx(20 * DEG)
    assert plan.status == "optimal" and plan.gap == 0
    assert plan.assignments["pupils"].sum() == 60


def test_a_capacity_forces_a_split_and_single_costs_more():
    # S0 25 seats, S1 40. Divisible: c0 → S0 (10, at 0), c2 → S1 (30, at 0), c1's 20 pupils are 1 degree
    # from either and fit only split (S0 has 15 left, S1 10): 20 pupil-degrees, any split of c1 is optimal.
    # single: c1 whole cannot join S0 (10 + 20 > 25): c1 → S1 would need 50 > 40 seats, so c0 (10) → S1
    # (2 degrees × 10 = 20) and c1 → S0 (1 × 20 = 20): 40 degrees; the LP bound is 20.
    d, s = line([10, 20, 30], [0, 1, 2], [25, 40], [0, 2])
    div = solve_catchments(d, s)
    assert {("c0", "S0", 10), ("c2", "S1", 30)} <= pairs(div)
    assert div.assignments.groupby("community_id").size()["c1"] == 2
    assert div.objective == pytest.approx(20 * DEG)
    one = solve_catchments(d, s, single=True)
    assert pairs(one) == {("c0", "S1", 10), ("c1", "S0", 20), ("c2", "S1", 30)}
    assert one.objective == pytest.approx(40 * DEG)
    assert one.status == "optimal"
    assert set(one.assignments.groupby("community_id").size()) == {1}


def test_large_path_rounds_the_split_and_repairs_it_whole(monkeypatch):
    # The large-instance path (catchment_gap), forced on the instance above: the flow splits c1 (S0 has
    # 15 seats left, S1 10); c1 whole fits neither beside the others, so the plan moves c0 (10) to S1
    # (2 degrees × 10 = 20) and c1 whole to S0 (1 × 20 = 20): 40 degrees, the optimum. The LP (20 degrees)
    # is 50% below; reduced-cost fixing leaves a MIP small enough for HiGHS to prove 40 the optimum.
    monkeypatch.setattr(cm, "FULL_MIP_ARCS", 0)
    d, s = line([10, 20, 30], [0, 1, 2], [25, 40], [0, 2])
    one = solve_catchments(d, s, single=True, time_limit_s=5)
    assert "large-instance search" in str(one.solver)
    assert pairs(one) == {("c0", "S1", 10), ("c1", "S0", 20), ("c2", "S1", 30)}
    assert one.objective == pytest.approx(40 * DEG)
    assert one.bound == pytest.approx(40 * DEG, rel=1e-6)
    assert one.status == "optimal" and one.gap == pytest.approx(0.0, abs=1e-9)
    assert (one.zones["pupils"] <= one.zones["capacity"]).all()


def test_infeasible_total_gives_the_numbers():
    d, s = line([10, 20, 30], [0, 1, 2], [20, 20], [0, 2])
    with pytest.raises(CatchmentInfeasible) as err:
        solve_catchments(d, s)
    assert err.value.facts["demand"] == 60 and err.value.facts["capacity"] == 40
    assert "60" in err.value.message_en and "40" in err.value.message_zh


def test_max_km_leaves_a_community_unreachable():
    # c1 is 111 km from both schools; 50 km reach
    d, s = line([10, 20, 30], [0, 1, 2], [40, 40], [0, 2])
    with pytest.raises(CatchmentInfeasible) as err:
        solve_catchments(d, s, max_km=50)
    assert err.value.facts["unreachable"] == ["c1"]
    assert err.value.facts["unreachable_demand"] == 20


def test_max_km_names_the_area_where_demand_exceeds_reach():
    # 120 km reach: c0 reaches S0 only (5 seats) — c0 needs 10; total seats 105 ≥ 60.
    d, s = line([10, 20, 30], [0, 1, 2], [5, 100], [0, 2])
    d["township_id"] = ["t1", "t1", "t2"]
    with pytest.raises(CatchmentInfeasible) as err:
        solve_catchments(d, s, max_km=120)
    f = err.value.facts
    assert (f["short_communities"], f["short_demand"], f["short_capacity"]) == (["c0"], 10, 5)
    assert {a["township_id"]: a["demand"] for a in f["areas"]} == {"t1": 30, "t2": 30}


def test_keep_current_is_lexicographic():
    # c1 (20) currently at S1 (1 degree, as S0): keeping it costs nothing more; c0 currently at S1
    # (2 degrees instead of 0): kept too, since seats allow (10 + 20 + 30 = 60 ≤ 70) → 40 degrees, 60 kept
    d, s = line([10, 20, 30], [0, 1, 2], [40, 70], [0, 2])
    d["current_school_id"] = ["S1", "S1", "S1"]
    plan = solve_catchments(d, s, keep_current=True)
    assert plan.kept == 60
    assert plan.objective == pytest.approx(40 * DEG)
    # with S1 at 45 seats, 15 pupils must move: the cheapest to move are c0's 10 (saves 2 each) + 5 of c1
    plan = solve_catchments(d, s.assign(capacity=[40, 45]), keep_current=True)
    assert plan.kept == 45
    assert pairs(plan) == {("c0", "S0", 10), ("c1", "S0", 5), ("c1", "S1", 15), ("c2", "S1", 30)}


def test_the_certificate_widens_when_the_nearest_schools_do_not_suffice():
    # Every community's nearest school is S0 with 1 seat: on k = 1 the graph cannot route 90 pupils,
    # so it widens; then reduced costs decide whether more arcs are needed. The result must equal
    # the optimum on all arcs.
    d = pd.DataFrame({"community_id": ["a", "b", "c"], "demand": [30, 30, 30], "lat": 0.0, "lon": [0.0, 0.1, 0.2]})
    xs = [0.1, 1.0, 1.5, 2.0, 3.0, 0.5]
    s = pd.DataFrame(
        {"school_id": [f"S{j}" for j in range(6)], "capacity": [1, 40, 40, 40, 40, 40], "lat": 0.0, "lon": xs}
    )
    p = cm.build_problem(d, s)
    cost = cm.solver_costs(p, False)
    full = cm._mcf(p, cost, p.allowed)
    assert full is not None
    first = cm.solve_flow(p, cost, k=1, full_below=0)
    assert first.rounds > 1
    assert first.arcs < p.allowed.sum()  # certified without all 18 arcs
    assert first.total == full[1]


def test_the_certificate_adds_an_arc_with_negative_reduced_cost():
    # a (10 pupils) at 0, b (10) at 3; schools S0 at 1 (10 seats), S1 at 2.5 (10 seats), S2 at 4 (10).
    # k = 1: a → S0 (1), b → S1 (0.5): optimal on that graph and overall (S2 is 1 from b, worse). Now S1 has
    # 0 seats: k = 1 gives b's nearest S1 → infeasible → widen to k = 2 (a: S0, S1; b: S1, S2)
    # → b → S2 (1 degree). All-arcs optimum: 10 + 10 = 20 degrees.
    d = pd.DataFrame({"community_id": ["a", "b"], "demand": [10, 10], "lat": 0.0, "lon": [0.0, 3.0]})
    s = pd.DataFrame({"school_id": ["S0", "S1", "S2"], "capacity": [10, 0, 10], "lat": 0.0, "lon": [1.0, 2.5, 4.0]})
    p = cm.build_problem(d, s)
    res = cm.solve_flow(p, cm.solver_costs(p, False), k=1, full_below=0)
    assert res.total == pytest.approx(20 * DEG * 1000, abs=2)
    assert res.rounds >= 2


def test_demo_county_every_pupil_assigned_within_capacity():
    from countyedu.planning.demand import community_demand

    want = community_demand(frames()["population"], "primary", 2021)
    want = np.floor(want["demand"] + 0.5).sum()
    for single in (False, True):
        plan = census_catchments(frames(), "primary", 2021, single=single)
        assert plan.status == "optimal"
        assert plan.assignments["pupils"].sum() == want
        assert (plan.zones["pupils"] <= plan.zones["capacity"]).all()
        assert plan.bound <= plan.objective + 1e-6
        if single:
            assert set(plan.assignments.groupby("community_id").size()) == {1}
        blocks = plan.blocks("zh")
        assert blocks[0].id == "planning.catchments" and "第4条" in blocks[0].clause
        d = plan.as_dict()
        assert d["status"] == "optimal" and len(d["map"]) == len(plan.assignments)

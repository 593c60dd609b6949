"""Siting and consolidation (第4、5条; PN; CS; FD): hand-checked p-medians, infeasibility, the demo county."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from countyedu.census import demo
from countyedu.planning.siting import (
    ConsolidationParams,
    SitingInfeasible,
    consolidation,
    solve_siting,
    transition_schedule,
)

DEG = 2 * math.pi * 6371.0088 / 360


@functools.cache
def frames() -> dict[str, pd.DataFrame]:
    return demo.generate(2019)


def four(demand=(20, 10, 10, 10), capacity=100):
    pts = pd.DataFrame({"community_id": list("abcd"), "demand": list(demand), "lat": 0.0, "lon": [0.0, 1.0, 2.0, 10.0]})
    sites = pd.DataFrame({"site_id": list("ABCD"), "lat": 0.0, "lon": [0.0, 1.0, 2.0, 10.0], "capacity": capacity})
    return pts, sites


def test_p1_opens_the_weighted_median():
    # points at 0, 1, 2, 10 with 20, 10, 10, 10 pupils; open B (at 1): 20·1 + 0 + 10·1 + 10·9 = 120
    # (A: 0 + 10 + 20 + 100 = 130; C: 40 + 10 + 0 + 80 = 130; D: 200 + 90 + 80 = 370)
    plan = solve_siting(*four(), p=1)
    assert plan.opened == ["B"]
    assert plan.objective == pytest.approx(120 * DEG)
    assert plan.status == "optimal"


def test_p2_opens_one_site_per_cluster():
    # {A or B} + D: A,D: 0 + 10 + 20 + 0 = 30; B,D: 20 + 0 + 10 + 0 = 30; C,D: 40 + 10 + 0 + 0 = 50
    # → 30 with A or B; with D always open
    plan = solve_siting(*four(), p=2)
    assert "D" in plan.opened and len(plan.opened) == 2
    assert plan.objective == pytest.approx(30 * DEG)
    assert plan.bound == pytest.approx(plan.objective)


def test_capacity_changes_the_median():
    # capacity 40, p = 2: a, b, c (40 pupils) fit at B (20·1 + 0 + 10·1 = 30) and d at D → 30, as uncapacitated.
    # capacity 35: a, b, c no longer fit one site. With D open one of b, c must go to D (b 90, c 80): c → D,
    # a + b at A (0 + 10) → 90. Without D, d costs ≥ 80 (at C): A(a) + C(b, c, d) = 10 + 0 + 80 = 90. Optimum 90.
    plan = solve_siting(*four(capacity=40), p=2)
    assert plan.objective == pytest.approx(30 * DEG)
    plan = solve_siting(*four(capacity=35), p=2)
    assert plan.objective == pytest.approx(90 * DEG)
    assert (plan.sites["pupils"] <= plan.sites["capacity"]).all()


def test_must_stay_open_is_respected():
    pts, sites = four()
    sites["must_stay_open"] = [False, False, False, True]
    plan = solve_siting(pts, sites, p=1)
    assert plan.opened == ["D"]


def test_infeasible_p_gives_the_numbers():
    with pytest.raises(SitingInfeasible) as err:
        solve_siting(*four(capacity=30), p=1)
    assert err.value.facts["demand"] == 50 and err.value.facts["capacity"] == 30


def test_boarding_reaches_past_the_walking_limit():
    # max 50 km: d (at 10°) reaches only D; p = 1 without boarding is infeasible, with boarding up to 1200 km
    # d boards at B (9° = 1000.8 km): a 20 + c 10 + d 90 = 120 degrees
    with pytest.raises(SitingInfeasible):
        solve_siting(*four(), p=1, max_km=50)
    pts, sites = four()
    with pytest.raises(SitingInfeasible):  # a, b, c at ≥ 111 km from D and from each other
        solve_siting(pts, sites, p=1, max_km=120)
    plan = solve_siting(pts, sites, p=1, max_km=120, boarding_km=1200)
    assert plan.opened == ["B"] and plan.boarders == 10


def test_facility_location_weighs_open_cost_against_travel():
    # no p: open costs 1,000,000 each except D free; travel 380 yuan/pupil-km; all at D would cost
    # 380 · (200 + 90 + 80) · 111.2 km ≈ 15.6 million > opening B (1 M) + 380 · (20 + 10) · 111.2 ≈ 2.3 M
    pts, sites = four()
    sites["open_cost"] = [1e6, 1e6, 1e6, 0.0]
    plan = solve_siting(pts, sites)
    assert set(plan.opened) == {"B", "D"}


def test_transition_default_is_three_years():
    steps = transition_schedule(3, 2022)
    assert [s["year"] for s in steps] == [2022, 2023, 2024]
    assert steps[-1]["step_en"] == "closed"


def test_demo_county_consolidation_scenarios():
    plan = consolidation(frames(), "primary", 2021)
    sc = plan.scenarios.set_index("merged")
    assert 0 in sc.index and len(plan.scenarios) == 2
    merged = plan.candidates[plan.candidates["merge"]]
    assert len(merged) > 0
    assert (merged["km"] <= ConsolidationParams().boarding_km).all()
    # boarders are exactly the merged pupils beyond the walking limit (第5条)
    far = merged["km"] > ConsolidationParams().max_km
    assert (merged.loc[far, "boarders"] == merged.loc[far, "pupils"]).all()
    assert (merged.loc[~far, "boarders"] == 0).all()
    assert plan.blocks("en")[0].id == "planning.consolidation"
    assert plan.as_dict()["schedule"][0]["year"] == 2022


def test_demo_county_p_median_every_pupil_within_capacity():
    from countyedu.planning.catchments import census_catchments

    div = census_catchments(frames(), "junior", 2021)
    dem = div.assignments.groupby("community_id")["pupils"].sum().rename("demand").reset_index()
    comm = frames()["communities"][["community_id", "lat", "lon"]]
    dem = dem.merge(comm, on="community_id")
    sites = frames()["schools"]
    sites = sites[sites["school_id"].isin(div.zones["school_id"])][["school_id", "lat", "lon"]].rename(
        columns={"school_id": "site_id"}
    )
    sites = sites.merge(div.zones[["school_id", "capacity"]].rename(columns={"school_id": "site_id"}), on="site_id")
    p = len(sites) - 1
    plan = solve_siting(dem, sites, p=p)
    assert plan.status == "optimal" and len(plan.opened) == p
    assert plan.assignments["pupils"].sum() == dem["demand"].sum()
    assert (plan.sites["pupils"] <= plan.sites["capacity"]).all()
    assert np.isclose(plan.bound, plan.objective, rtol=1e-5)

"""Seat supply, demand and gap, and the 大班额 plan: hand-computed small cases and the demo county."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest

from countyedu.planning.params import PlanningParams
from countyedu.planning.projection import project
from countyedu.planning.seats import SUPPLY_COLUMNS, big_class_plan, classrooms_needed, seat_plan, stage_supply
from demo_support import demo_frames


@functools.cache
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


def school(sid: str, stage: str, town: str = "T1", community: str = "C1", urban: bool = True) -> dict:
    return {
        "school_id": sid,
        "name": f"school {sid}",
        "stage": stage,
        "ownership": "public",
        "township_id": town,
        "community_id": community,
        "urban": urban,
        "boarding": False,
        "lat": 27.2,
        "lon": 116.5,
        "opened_year": 2000,
        "closed_year": pd.NA,
    }


def small() -> dict[str, pd.DataFrame]:
    """N9: nine-year, P1–P6 one class of 40 each, J1–J3 one class of 50 each, 780 seats.
    TP: teaching point, P1–P3 one class of 10 each, 60 seats. KG: K1 20, K2 25, K3 30, 100 seats.
    P1S: primary, 2019 P1 classes 58, 60, 45 (other grades 40 each); 2020 all grades 45."""
    schools = pd.DataFrame(
        [
            school("N9", "nine_year"),
            school("TP", "teaching_point", urban=False),
            school("KG", "kindergarten"),
            school("P1S", "primary"),
        ]
    )
    classes = []
    for g in ["P1", "P2", "P3", "P4", "P5", "P6"]:
        classes.append(("N9", 2019, g, 1, 40))
    for g in ["J1", "J2", "J3"]:
        classes.append(("N9", 2019, g, 1, 50))
    for g in ["P1", "P2", "P3"]:
        classes.append(("TP", 2019, g, 1, 10))
    for g, n in [("K1", 20), ("K2", 25), ("K3", 30)]:
        classes.append(("KG", 2019, g, 1, n))
    for no, n in enumerate([58, 60, 45], start=1):
        classes.append(("P1S", 2019, "P1", no, n))
    for g in ["P2", "P3", "P4", "P5", "P6"]:
        classes.append(("P1S", 2019, g, 1, 40))
    for g in ["P1", "P2", "P3", "P4", "P5", "P6"]:
        classes.append(("P1S", 2020, g, 1, 45))
    cls = pd.DataFrame(classes, columns=["school_id", "year", "grade", "class_no", "pupils"])
    sy = pd.DataFrame(
        [("N9", 2019, 780), ("TP", 2019, 60), ("KG", 2019, 100), ("P1S", 2019, 400), ("P1S", 2020, 400)],
        columns=["school_id", "year", "seats"],
    )
    return {"schools": schools, "classes": cls, "school_years": sy}


def test_it_counts_classrooms_by_hand() -> None:
    # one grade of 58, 60, 45 at 45 a class: regrouped ⌈163 / 45⌉ = 4 classes → 1 more classroom;
    # class by class: 58 → 2, 60 → 2, 45 → 1 → 2 more
    assert classrooms_needed([58, 60, 45], 45) == 1
    assert classrooms_needed([58, 60, 45], 45, regroup=False) == 2
    # to the 大班额 limit only (≤ 55): ⌈163 / 55⌉ = 3 → none
    assert classrooms_needed([58, 60, 45], 55) == 0
    assert classrooms_needed([], 45) == 0


def test_it_splits_supply_by_grade() -> None:
    s = stage_supply(small(), 2019).set_index(["school_id", "stage"])
    assert list(s.reset_index().columns) == SUPPLY_COLUMNS
    # N9 seats 780 in proportion to pupils 240 : 150 → 480 : 300
    assert s.at[("N9", "primary"), "seats"] == pytest.approx(480)
    assert s.at[("N9", "junior"), "seats"] == pytest.approx(300)
    # class capacity: complete primary 6 × 45 = 270; junior 3 × 50 = 150
    assert s.at[("N9", "primary"), "class_capacity"] == 270
    assert s.at[("N9", "junior"), "class_capacity"] == 150
    # teaching point: incomplete primary (3 grades) 3 × 30 = 90
    assert s.at[("TP", "primary"), "class_capacity"] == 90
    # kindergarten K1 25 + K2 30 + K3 35 = 90 (PP-4)
    assert s.at[("KG", "kindergarten"), "class_capacity"] == 90
    assert s["seats"].sum() == pytest.approx(780 + 60 + 100 + 400)
    # capacity basis: the smaller of seats and class capacity
    m = stage_supply(small(), 2019, PlanningParams(capacity_basis="min")).set_index(["school_id", "stage"])
    assert m.at[("TP", "primary"), "capacity"] == 60 and m.at[("KG", "kindergarten"), "capacity"] == 90


def test_it_plans_big_classes_by_hand() -> None:
    plan = big_class_plan(small())
    r = plan[(plan["school_id"] == "P1S") & (plan["year"] == 2019)].iloc[0]
    assert (r["big"], r["super_big"], r["classrooms_needed"]) == (2, 0, 1)
    # one classroom at the TW norm: 45 pupils ÷ 19 per teacher = 2.37 → 2.4
    assert r["teachers_needed"] == pytest.approx(2.4)
    assert plan[(plan["school_id"] == "P1S") & (plan["year"] == 2020)]["big"].tolist() == [0]


def demo_plan():
    f = demo()
    return f, seat_plan(f, project(f, horizon=2027))


def test_demo_supply_matches_the_census_totals() -> None:
    f = demo()
    for year in (2019, 2025):
        s = stage_supply(f, year)
        census = f["school_years"][f["school_years"]["year"] == year]
        assert s["seats"].sum() == pytest.approx(census["seats"].sum())
        assert s["pupils"].sum() == f["classes"][f["classes"]["year"] == year]["pupils"].sum()
        assert not s.duplicated(["school_id", "stage"]).any()


def test_demo_seat_plan_is_consistent() -> None:
    f, sp = demo_plan()
    a = sp.areas
    assert (a["gap"] == a["supply"] - a["demand"]).all()
    county = sp.county().set_index(["stage", "year"])
    towns = a[a["area_kind"] == "township"].groupby(["stage", "year"])[["demand", "supply"]].sum()
    pd.testing.assert_frame_equal(county[["demand", "supply"]].sort_index(), towns.sort_index(), check_exact=False)
    core = a[a["area_kind"] == "urban_core"]
    assert (core["demand"] > 0).any() and set(core["area_id"]) == {"urban_core"}
    assert county["projected"].any() and not county.loc[("primary", 2019), "projected"]
    # compulsory demand is 100% of ages 6–11 in 2019
    pop = f["population"]
    assert county.loc[("primary", 2019), "demand"] == pytest.approx(
        pop[(pop.year == 2019) & pop.age.between(6, 11)]["persons"].sum()
    )
    # high-school demand is met by high and vocational seats (T-HS-1)
    s19 = stage_supply(f, 2019)
    assert county.loc[("high", 2019), "supply"] == pytest.approx(
        s19[s19["stage"].isin(["high", "vocational"])]["capacity"].sum()
    )


def test_demo_milestones_say_met_or_not_with_years() -> None:
    f, sp = demo_plan()
    assert len(sp.milestones) == 3
    for m in sp.milestones:
        assert m.status in ("met", "not_met") and m.clause and m.explanation
    # the 2019 share is the census's: classes ≥ 56 / compulsory classes
    c = f["classes"][(f["classes"]["year"] == 2019) & f["classes"]["grade"].str[0].isin(["P", "J"])]
    share = (c["pupils"] >= 56).mean()
    assert sp.milestones[0].value == f"{share:.1%}"
    assert sp.milestones[0].status == ("met" if share <= 0.10 else "not_met")
    d = sp.as_dict()
    json.dumps(d)
    assert [m["status"] for m in d["milestones"]] == [m.status for m in sp.milestones]
    blocks = sp.blocks("zh") + sp.blocks("en")
    assert all(b.clause for b in blocks) and blocks[0].charts
    assert blocks[1].findings[0].rule != blocks[3].findings[0].rule  # Chinese and English wording


def test_demo_catchments_give_demand_per_school() -> None:
    f = demo()
    pr = project(f, horizon=2026)
    prim = f["schools"][f["schools"]["stage"] == "primary"]
    by_town = prim.groupby("township_id")["school_id"].first()
    catch = {
        c: by_town[t]
        for c, t in zip(f["communities"]["community_id"], f["communities"]["township_id"], strict=True)
        if t in by_town
    }
    sp = seat_plan(f, pr, catchments=catch)
    cat = sp.areas[
        (sp.areas["area_kind"] == "catchment") & (sp.areas["stage"] == "primary") & (sp.areas["year"] == 2019)
    ]
    county = sp.county().set_index(["stage", "year"]).loc[("primary", 2019), "demand"]
    assert cat["demand"].sum() == pytest.approx(county)  # every community is mapped to a primary school

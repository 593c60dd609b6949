"""Siting and consolidation (第4、5条; PN; CS; FD): hand-checked p-medians, infeasibility, the demo county."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from countyedu.census import demo
from countyedu.planning.siting import (
    ConsolidationParams,
    SitesFileError,
    SitingInfeasible,
    census_siting,
    consolidation,
    read_sites,
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
    assert steps[-1]["step"] == "closed"


@functools.cache
def demo_consolidation():
    """On straight-line km (the demo without its road network; tests/roads test the road basis)."""
    return consolidation({k: v for k, v in frames().items() if k != "roads"}, "primary", 2021)


def test_demo_county_consolidation_scenarios():
    plan = demo_consolidation()
    sc = plan.scenarios.set_index("mode")
    assert list(sc.index) == ["keep", "optimise", "merge_all"] and sc["feasible"].all()
    assert sc.at["keep", "merged"] == 0 and sc.at["merge_all", "merged"] == len(plan.candidates)
    # the optimiser's choice is the cheapest of the three (it may keep any school the others close)
    assert sc.at["optimise", "cost_yuan"] <= sc.at["keep", "cost_yuan"] + 1
    assert sc.at["optimise", "cost_yuan"] <= sc.at["merge_all", "cost_yuan"] + 1
    assert sc.at["keep", "added_pupil_km"] == 0 and sc.at["optimise", "added_pupil_km"] > 0
    assert (sc["seats_short"] == 0).all()
    merged = plan.candidates[plan.candidates["merge"]]
    assert 0 < len(merged) < len(plan.candidates)
    assert (merged["km"] <= ConsolidationParams().boarding_km).all()
    # boarders are exactly the merged pupils beyond the walking limit (第5条)
    far = merged["km"] > ConsolidationParams().max_km
    assert (merged.loc[far, "boarders"] == merged.loc[far, "demand"]).all()
    assert (merged.loc[~far, "boarders"] == 0).all()
    # a school is merged only where it saves money: the move costs less than the top-up to 100 pupils
    assert (merged["move_yuan"] < merged["keep_yuan"]).all()
    kept = plan.candidates[~plan.candidates["merge"]]
    assert set(kept["reason"]) <= {"cost", "reach", "seats"}
    block = plan.blocks("en")[0]
    assert block.id == "planning.consolidation"
    first = plan.candidates.iloc[0]
    assert block.tables[0].rows[0][0] == plan.names[first["school_id"]] != first["school_id"]
    assert plan.as_dict()["schedule"][0]["year"] == 2022
    steps = plan.schedule
    assert [s["year"] for s in steps] == [2022, 2023, 2024]
    assert steps[0]["pupils"] + steps[1]["pupils"] == merged["demand"].sum() and steps[2]["pupils"] == 0


# A tiny county on one meridian: village V1 with a teaching point T (12 pupils, the village's only
# primary-age children), village V2 with the primary school C (200 pupils, 6 classes, 600 seats) `km` to
# the north. Parameters: funded as 100 pupils at 650 yuan (FD), 380 yuan per daily pupil-km, boarders
# 200 yuan + 76 yuan per km (第5条; assumed), walking limit 3 km.
def tiny(km: float, tp_pupils: int = 12, population: bool = True, c_pupils: int = 200) -> dict[str, pd.DataFrame]:
    lat = [27.0, 27.0 + km / DEG]
    towns = pd.DataFrame({"township_id": ["T1"], "name": ["一镇"], "kind": ["town"], "urban_core": [False]})
    comm = pd.DataFrame(
        {
            "community_id": ["V1", "V2"],
            "township_id": "T1",
            "name": ["甲村", "乙村"],
            "kind": "village",
            "households": 100,
            "residents": 400,
            "registered_residents": 400,
            "lat": lat,
            "lon": 116.5,
        }
    )
    pop = pd.DataFrame(
        {"community_id": ["V1", "V2"], "year": 2021 if population else 2020, "age": 8, "persons": [tp_pupils, c_pupils]}
    )
    schools = pd.DataFrame(
        {
            "school_id": ["T", "C"],
            "name": ["甲村教学点", "乙村小学"],
            "stage": ["teaching_point", "primary"],
            "township_id": "T1",
            "community_id": ["V1", "V2"],
            "urban": False,
            "boarding": [False, True],
            "lat": lat,
            "lon": 116.5,
        }
    )
    sy = pd.DataFrame({"school_id": ["T", "C"], "year": 2021, "seats": [120, 600]})
    tp = [tp_pupils // 3 + (1 if k < tp_pupils % 3 else 0) for k in range(3)]
    classes = pd.DataFrame(
        {
            "school_id": ["T"] * 3 + ["C"] * 6,
            "year": 2021,
            "grade": ["P1", "P2", "P3", "P1", "P2", "P3", "P4", "P5", "P6"],
            "class_no": 1,
            "pupils": [*tp, 34, 34, 33, 33, 33, 33],
        }
    )
    return {
        "townships": towns,
        "communities": comm,
        "population": pop,
        "schools": schools,
        "school_years": sy,
        "classes": classes,
    }


def test_teaching_point_closes_where_busing_costs_less():
    # keep T: funded as 100 though it has 12 → top-up (100 − 12) · 650 = 57,200 yuan a year.
    # merge into C 2 km away (within the 3 km walk): 12 · 2 · 380 = 9,120 yuan a year < 57,200 → close.
    # keep all: funds (200 + 100) · 650 = 195,000, no travel (everyone at their village's school);
    # optimised: funds 212 · 650 = 137,800 + travel 9,120 = 146,920 → 48,080 a year saved.
    plan = consolidation(tiny(2.0), "primary", 2021)
    c = plan.candidates.set_index("school_id")
    assert bool(c.at["T", "merge"]) and c.at["T", "receiving_id"] == "C" and c.at["T", "boarders"] == 0
    assert c.at["T", "keep_yuan"] == pytest.approx(57_200)
    assert c.at["T", "move_yuan"] == pytest.approx(9_120, rel=1e-9)
    sc = plan.scenarios.set_index("mode")
    assert sc.at["keep", "cost_yuan"] == pytest.approx(195_000)
    assert sc.at["optimise", "cost_yuan"] == pytest.approx(146_920, rel=1e-9)
    assert sc.at["optimise", "pupil_km"] == pytest.approx(24.0, rel=1e-9)
    assert sc.at["merge_all", "merged"] == 1 and sc.at["optimise", "big_classes"] == 0
    assert plan.basis == "population"
    en = plan.blocks("en")[0]
    assert en.tables[0].rows[0][0] == "甲村教学点" and en.tables[0].rows[0][2] == "乙村小学"
    assert "48,080 yuan a year less" in en.paragraphs[0]


def test_teaching_point_boards_beyond_the_walking_limit():
    # C 10 km away: beyond the 3 km walk, the 12 pupils board at C: 12 · (200 + 76 · 10) = 11,520 < 57,200
    plan = consolidation(tiny(10.0), "primary", 2021)
    c = plan.candidates.set_index("school_id")
    assert bool(c.at["T", "merge"]) and c.at["T", "boarders"] == 12
    assert c.at["T", "move_yuan"] == pytest.approx(11_520, rel=1e-9)
    assert plan.scenarios.set_index("mode").at["optimise", "boarders"] == 12


def test_walking_limit_keeps_the_teaching_point_open():
    # no boarding (boarding_km = the 3 km walk) and C 10 km away: T's pupils have nowhere to go → kept,
    # and "merge every small school" is not possible (said why)
    plan = consolidation(tiny(10.0), "primary", 2021, boarding_km=3.0)
    c = plan.candidates.set_index("school_id")
    assert not bool(c.at["T", "merge"]) and c.at["T", "reason"] == "reach"
    sc = plan.scenarios.set_index("mode")
    assert not bool(sc.at["merge_all", "feasible"]) and "甲村教学点" in str(sc.at["merge_all", "note"])
    assert sc.at["optimise", "merged"] == 0
    assert any("不可行" in p for p in plan.blocks("zh")[0].paragraphs)


def test_cost_keeps_a_large_teaching_point():
    # 95 pupils at T: the top-up is (100 − 95) · 650 = 3,250 yuan; moving them 2 km costs 95 · 2 · 380 = 72,200
    plan = consolidation(tiny(2.0, tp_pupils=95), "primary", 2021)
    c = plan.candidates.set_index("school_id")
    assert not bool(c.at["T", "merge"]) and c.at["T", "reason"] == "cost"
    assert c.at["T", "keep_yuan"] == pytest.approx(3_250) and c.at["T", "move_yuan"] == pytest.approx(72_200)


def test_merging_every_small_school_creates_big_classes():
    # C: 270 pupils in 6 classes (45 each); T: 80 pupils, kept by the optimiser ((100 − 80) · 650 = 13,000 <
    # 80 · 2 · 380 = 60,800). Merging every small school puts 350 in C's 6 classes: 58.3 each ≥ 56 → 6 big
    # classes created (CS); C's 600 seats are enough.
    plan = consolidation(tiny(2.0, tp_pupils=80, c_pupils=270), "primary", 2021)
    sc = plan.scenarios.set_index("mode")
    assert sc.at["optimise", "merged"] == 0 and sc.at["optimise", "big_classes"] == 0
    assert sc.at["merge_all", "big_classes"] == 6 and sc.at["merge_all", "seats_short"] == 0


def test_without_population_the_pupils_at_school_are_the_demand():
    plan = consolidation(tiny(2.0, population=False), "primary", 2021)
    assert plan.basis == "enrolment"
    assert bool(plan.candidates.set_index("school_id").at["T", "merge"])
    assert "population" in plan.blocks("en")[0].paragraphs[0]


def test_read_sites_locates_every_problem(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "site_id,name,lat,lon,capacity,open_cost\n"
        "N1,新校甲,27.2,116.5,900,\n"
        "N2,新校乙,abc,216.5,-5,100\n"
        "N1,,27.1,116.4,800,-1\n",
        encoding="utf-8",
    )
    with pytest.raises(SitesFileError) as err:
        read_sites(path)
    found = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert found == {
        (3, "lat", "type_number"),
        (3, "lon", "lon_range"),
        (3, "capacity", "min"),
        (4, "name", "required"),
        (4, "open_cost", "negative"),
        (4, "site_id", "duplicate_key"),
    }
    assert "第 3 行" in err.value.message_zh and "row 3" in err.value.message_en
    bad = next(p for p in err.value.problems if p.column == "lat")
    assert bad.value == "abc" and bad.as_dict()["message_zh"] == "应为数字"
    path.write_text("site_id,lat,lon\nN1,27,116\n", encoding="utf-8")
    with pytest.raises(SitesFileError) as err:
        read_sites(path)
    assert {(p.row, p.column, p.rule) for p in err.value.problems} == {
        (1, "name", "missing_column"),
        (1, "capacity", "missing_column"),
    }


def test_read_sites_reads_a_good_file(tmp_path):
    path = tmp_path / "sites.xlsx"
    pd.DataFrame(
        {"site_id": ["N1"], "name": ["新校甲"], "lat": [27.2], "lon": [116.5], "capacity": [900], "boarding": ["是"]}
    ).to_excel(path, index=False)
    out = read_sites(path)
    assert out.loc[0, "capacity"] == 900.0 and bool(out.loc[0, "boarding"])


def test_census_siting_opens_the_better_of_two_sites():
    # junior stage, 2021: candidate N1 at 龙坪村 (107 pupils, 5.3 km from the nearest junior school — the
    # largest demand × distance of the county), N2 in an empty corner. p = 1 must open N1, and its
    # objective equals the plan with N1 alone, below the plan with N2 alone (no better than none).
    comm = frames()["communities"].set_index("community_id")
    sites = pd.DataFrame(
        {
            "site_id": ["N1", "N2"],
            "name": ["龙坪新校", "边角新校"],
            "lat": [comm.at["NF02V13", "lat"], 27.0],
            "lon": [comm.at["NF02V13", "lon"], 116.9],
            "capacity": [1000, 1000],
        }
    )
    plan = census_siting(frames(), "junior", 2021, sites, p=1)
    assert "N1" in plan.opened and "N2" not in plan.opened and plan.status == "optimal"
    alone = {
        s: census_siting(frames(), "junior", 2021, sites[sites["site_id"] == s], p=1).objective for s in ("N1", "N2")
    }
    assert plan.objective == pytest.approx(alone["N1"]) and alone["N1"] < alone["N2"]
    none = census_siting(frames(), "junior", 2021, sites, p=0)
    assert none.objective >= alone["N2"] - 1e-6
    block = plan.blocks("zh")[0]
    assert "龙坪新校" in block.paragraphs[0]
    assert any(r[0] == "龙坪新校" for r in block.tables[0].rows)
    with pytest.raises(SitingInfeasible):
        census_siting(frames(), "junior", 2021, sites, p=3)


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


def test_a_county_without_small_schools_gets_a_plan_that_says_so() -> None:
    """The hand county without its teaching point: nothing may merge, and the blocks still read."""
    from countyedu.census.readers import read_source
    from countyedu.census.validate import validate_sheet

    hand = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
    frames = {}
    for name, rs in read_source(hand).sheets.items():
        frame, _problems = validate_sheet(rs)
        frames[name] = frame.drop(columns="_row").reset_index(drop=True)
    for sheet in ("schools", "school_years", "classes", "teachers"):
        frames[sheet] = frames[sheet][frames[sheet]["school_id"] != "TP1"].reset_index(drop=True)
    plan = consolidation(frames, "primary", 2024)
    assert plan.candidates.empty or not plan.candidates["merge"].any()
    for lang in ("zh", "en"):
        assert plan.blocks(lang)[0].paragraphs


def test_consolidation_is_worded_once_in_each_language() -> None:
    """The blocks are computed once with message keys; the scenarios read in one language each (issue 11:
    not "全部保留 / keep all")."""
    from countyedu.messages import Msg

    plan = consolidation(tiny(2.0), "primary", 2021)
    raw = plan.blocks()[0]
    assert isinstance(raw.title, Msg) and all(isinstance(p, Msg) for p in raw.paragraphs)
    zh, en = plan.blocks("zh")[0], plan.blocks("en")[0]
    assert [r[0] for r in zh.tables[1].rows] == ["全部保留", "优化撤并", "撤并全部小规模学校"]
    assert [r[0] for r in en.tables[1].rows] == ["keep all", "optimised", "merge every small school"]
    assert zh.tables[1].rows[0][-1] == "最优" and en.tables[1].rows[0][-1] == "optimal"
    assert zh.tables[2].rows[-1][1].startswith("撤并完成") and en.tables[2].rows[0][1].startswith("no new intake")
    assert plan.as_dict()["scenarios"][0]["name"] == "keep"  # data: the scenario's mode, not words


def test_the_packs_road_parameters_reach_catchments_and_consolidation() -> None:
    # tiny(2.0) with one road: 4.0 km of winding road north from T (and V1), ending 0.7 km short of C
    # (and V2), which snap onto its end: T → C is 4.0 + 0.7 = 4.7 km by road, beyond the 3 km walk, so
    # T's 12 pupils board at C: 12 · (200 + 76 · 4.7) = 6,686.4 yuan < keeping T, 57,200 → merged.
    # The speeds never move a road km: under SLOW (a 10 km/h bus, a 3 km/h walk, snapping limit 0.5 km)
    # the plan is the same, but V2 and C (0.7 km off the road) are reported beyond the snapping limit,
    # and the run records the pack's road parameters; under the default packs (no parameters.roads)
    # nothing is reported beyond the 1 km limit.
    from countyedu.messages import translate
    from countyedu.planning.service import run_planning
    from countyedu.roads.params import RoadParams
    from countyedu.roads.travel import params_of
    from countyedu.runs.store import load_packs
    from road_support import DEG, SLOW, pack, recorded, roads

    f = tiny(2.0)
    f["schools"] = f["schools"].assign(ownership="public", opened_year=2000, closed_year=pd.NA)
    f["roads"] = roads(((27.0, 116.5), (27.0 + 1.3 / DEG, 116.5), 4.0))
    assert params_of(load_packs()) == RoadParams()  # the default packs set no road parameters
    plain, slow = run_planning(f, []), run_planning(f, [pack(roads=SLOW)])
    for run in (plain, slow):
        c = run.parts["consolidation"].candidates.set_index("school_id")
        assert bool(c.at["T", "merge"]) and c.at["T", "boarders"] == 12
        assert c.at["T", "km"] == pytest.approx(4.7, abs=1e-3)
        assert c.at["T", "move_yuan"] == pytest.approx(6_686.4, rel=1e-4)
    for part in ("consolidation", "catchments.primary"):
        plain_basis, slow_basis = plain.parts[part].distance_basis, slow.parts[part].distance_basis
        assert (plain_basis["far"], slow_basis["far"]) == ([], ["V2", "C"])
        assert recorded(plain_basis)["snap_km"] == 1.0 and recorded(slow_basis) == SLOW
    assert "2 place(s) lie more than the snapping limit from any road: V2, C" in translate(
        slow.parts["consolidation"].notes[0], "en"
    )


def test_a_matrix_stored_with_the_packs_road_parameters_is_read_not_rewritten(tmp_path: Path) -> None:
    # `countyedu roads import --pack` stores the version's travel matrix under the pack's road
    # parameters; planning with the same packs reads it as it is (before, planning searched with the
    # default parameters, found the file made from others and wrote it over).
    from countyedu.planning.service import consolidation_for
    from countyedu.roads import stored
    from countyedu.roads.travel import params_of
    from road_support import DEG, SLOW, pack, roads

    f = tiny(2.0)
    f["roads"] = roads(((27.0, 116.5), (27.0 + 1.3 / DEG, 116.5), 4.0))
    f["roads"].attrs["census"] = (str(tmp_path), "v1")  # as the census store tags the frame it reads
    packs = [pack(roads=SLOW)]
    kept = stored.save(tmp_path, "v1", f, params_of(packs))
    assert kept is not None
    written = stored.path(tmp_path, "v1").stat().st_mtime_ns
    plan = consolidation_for(f, "primary", 2021, packs)
    assert stored.path(tmp_path, "v1").stat().st_mtime_ns == written
    assert stored.load(tmp_path, "v1").digest == kept.digest
    assert plan.distance_basis["far"] == ["V2", "C"]

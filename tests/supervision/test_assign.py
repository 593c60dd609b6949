"""The responsible inspectors' assignment (issue 15 item 2): hand counties whose optimum is known, the
zone and load limits, the conflict rule, reassignment when an inspector leaves, and the demo county."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from countyedu.supervision.assign import AssignParams, assign_inspectors, assign_params
from demo_support import demo_frames

KM_PER_DEG = 111.19 * 0.8910  # a degree of longitude at 27° N, km (haversine, 6371.0088 km)


def county(inspectors: list[dict[str, Any]], lons: list[float], **school: Any) -> dict[str, pd.DataFrame]:
    """Schools S1… on the parallel 27° N at `lons`, one township, and the inspectors given."""
    schools = pd.DataFrame(
        {
            "school_id": [f"S{n + 1}" for n in range(len(lons))],
            "name": [f"第{n + 1}小学" for n in range(len(lons))],
            "stage": school.get("stage", "primary"),
            "ownership": "public",
            "township_id": "T1",
            "lat": 27.0,
            "lon": lons,
            "opened_year": 2000,
            "closed_year": pd.array([school.get("closed", {}).get(n) for n in range(len(lons))], dtype="Int64"),
        }
    )
    base = {"employment": "full_time", "phone": "0794-3000000", "township_id": "T1", "lat": 27.0, "active": True}
    rows = [{**base, "former_school_id": None, "zone": None, "max_schools": None, **r} for r in inspectors]
    return {
        "townships": pd.DataFrame({"township_id": ["T1"], "name": ["甲镇"]}),
        "schools": schools,
        "inspectors": pd.DataFrame(rows),
        "school_years": pd.DataFrame({"school_id": ["S1"], "year": [2025]}),
    }


def two_per(**kw: Any) -> AssignParams:
    return AssignParams(schools_per_inspector=2, max_schools=2, **kw)


def test_it_sends_each_school_to_the_nearest_inspector_with_room() -> None:
    # A at 116.0, B at 116.2; schools at 116.0, 116.02, 116.18, 116.2: A takes the two near it
    frames = county(
        [{"inspector_id": "A", "name": "甲", "lon": 116.0}, {"inspector_id": "B", "name": "乙", "lon": 116.2}],
        [116.0, 116.02, 116.18, 116.2],
    )
    a = assign_inspectors(frames, two_per())
    assert a.mapping() == {"S1": "A", "S2": "A", "S3": "B", "S4": "B"}
    assert a.status == "optimal"
    km = {r["inspector_id"]: r["km"] for r in a.as_dict()["inspectors"]}
    assert km["A"] == pytest.approx(0.02 * KM_PER_DEG, abs=0.01)
    assert all(c.ok for c in a.checks)


def test_no_inspector_is_responsible_for_their_former_school() -> None:
    # A worked at S1: the best plan left is A {S2, S3}, B {S1, S4} (39.6 km) — not A {S2, S4} (43.6 km)
    frames = county(
        [
            {"inspector_id": "A", "name": "甲", "lon": 116.0, "former_school_id": "S1"},
            {"inspector_id": "B", "name": "乙", "lon": 116.2},
        ],
        [116.0, 116.02, 116.18, 116.2],
    )
    a = assign_inspectors(frames, two_per())
    assert a.mapping() == {"S1": "B", "S2": "A", "S3": "A", "S4": "B"}
    total = sum(r["km"] for r in a.as_dict()["inspectors"])
    assert total == pytest.approx((0.02 + 0.18 + 0.2 + 0.0) * KM_PER_DEG, abs=0.02)
    conflict = next(c for c in a.checks if c.rule == "conflict")
    assert conflict.ok


def test_a_full_zone_leaves_a_school_unassigned_and_says_so() -> None:
    # three inspectors in one zone of at most 3 schools, four schools: one school has no inspector
    ins = [{"inspector_id": i, "name": i, "lon": 116.0, "zone": "Z"} for i in ("A", "B", "C")]
    frames = county(ins, [116.0, 116.01, 116.02, 116.3])
    a = assign_inspectors(frames, AssignParams(schools_per_inspector=1, zone_max_schools=3))
    assert a.unassigned == ["S4"]  # the farthest school is the one left
    checks = {c.rule: c for c in a.checks}
    assert not checks["coverage"].ok and checks["zone_size"].ok
    assert a.as_dict()["unassigned"] == ["S4"]


def test_load_limits_and_part_time_inspectors() -> None:
    # a part-time inspector takes at most max_schools_part_time; a register's max_schools wins over both
    ins = [
        {"inspector_id": "A", "name": "甲", "lon": 116.0, "employment": "part_time"},
        {"inspector_id": "B", "name": "乙", "lon": 116.5, "max_schools": 3},
    ]
    frames = county(ins, [116.0, 116.01, 116.02, 116.03, 116.04])
    a = assign_inspectors(frames, AssignParams(schools_per_inspector=2, max_schools=5, max_schools_part_time=2))
    load = a.inspectors.set_index("inspector_id")["load"].to_dict()
    assert load == {"A": 2, "B": 3}
    assert set(a.mapping()) == {"S1", "S2", "S3", "S4", "S5"}


def test_closed_schools_and_inspectors_who_left_are_left_out() -> None:
    ins = [
        {"inspector_id": "A", "name": "甲", "lon": 116.0},
        {"inspector_id": "B", "name": "乙", "lon": 116.01, "active": False},
    ]
    frames = county(ins, [116.0, 116.01, 116.02], closed={2: 2024})
    a = assign_inspectors(frames, two_per())
    assert a.mapping() == {"S1": "A", "S2": "A"}
    assert list(a.inspectors["inspector_id"]) == ["A"]


def test_reassignment_keeps_the_schools_of_those_who_stay() -> None:
    ins = [
        {"inspector_id": "A", "name": "甲", "lon": 116.0},
        {"inspector_id": "B", "name": "乙", "lon": 116.1},
        {"inspector_id": "C", "name": "丙", "lon": 116.2},
    ]
    frames = county(ins, [116.0, 116.06, 116.09, 116.11, 116.2, 116.21])
    p = AssignParams(schools_per_inspector=2, max_schools=3)
    first = assign_inspectors(frames, p)
    assert len(first.mapping()) == 6
    # a decided assignment that is not the optimum: A holds S2 too; B leaves
    decided = {"S1": "A", "S2": "A", "S3": "B", "S4": "B", "S5": "C", "S6": "C"}
    after = assign_inspectors(frames, p, previous=decided, leaving=["B"])
    m = after.mapping()
    assert {s: m[s] for s in ("S1", "S2", "S5", "S6")} == {"S1": "A", "S2": "A", "S5": "C", "S6": "C"}
    assert {m["S3"], m["S4"]} == {"A", "C"}  # each of the two with room takes one: 3 schools at most
    assert m["S3"] == "A" and m["S4"] == "C"  # the nearer one
    kept = next(c for c in after.checks if c.rule == "kept")
    assert kept.ok
    assert sorted(r["school_id"] for r in after.moved()) == ["S3", "S4"]
    assert after.as_dict()["leaving"] == ["B"]


def test_a_bad_parameter_names_its_field() -> None:
    from countyedu.errors import CountyEduError

    with pytest.raises(CountyEduError) as e:
        assign_params({"zone_max_schools": 0})
    assert "zone_max_schools" in e.value.message_en


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


def test_the_demo_county_has_every_open_school_assigned(demo: dict[str, pd.DataFrame]) -> None:
    a = assign_inspectors(demo)
    open_ = demo["schools"][demo["schools"]["closed_year"].isna()]
    assert set(a.mapping()) == set(open_["school_id"])
    assert len(a.inspectors) == 30  # the one who left is not assigned
    assert all(c.ok for c in a.checks), [(c.rule, str(c.detail)) for c in a.checks if not c.ok]
    assert set(a.inspectors["load"]) <= {4, 5, 6}  # within one of the target 5 (by road km: roads2)
    doc = a.as_dict()
    assert set(doc) >= {"inspectors", "unassigned", "checks"}
    assert set(doc["inspectors"][0]) >= {"inspector_id", "school_ids", "km"}
    assert set(doc["checks"][0]) == {"rule", "ok", "detail"}


def test_the_packs_road_parameters_reach_the_assignment() -> None:
    # A road of 10 km due north from A's base (27° N, 116° E) to B's; S1 1 km and S2 9 km up it, S3 0.7 km
    # east of its 4 km point. By road A–S1 1, A–S3 4 + 0.7 = 4.7, B–S2 1, B–S3 6.7 km: with two schools
    # at most each, A takes S1 and S3 (5.7 km), B takes S2 (1 km) — under either pack, since the speeds
    # never move a road km. Under SLOW (snapping limit 0.5 km) S3 is reported beyond it; under a pack
    # without road parameters (the default 1 km) nothing is; each run records the parameters it used.
    import math

    from countyedu.supervision.kind import run_supervision
    from road_support import DEG, SLOW, pack, recorded, roads

    north = lambda km: 27.0 + km / DEG  # noqa: E731
    s3_lon = 116.0 + 0.7 / (DEG * math.cos(math.radians(north(4))))
    frames = county(
        [
            {"inspector_id": "A", "name": "甲", "lat": 27.0, "lon": 116.0},
            {"inspector_id": "B", "name": "乙", "lat": north(10), "lon": 116.0},
        ],
        [116.0, 116.0, s3_lon],
    )
    frames["schools"]["lat"] = [north(1), north(9), north(4)]
    frames["roads"] = roads(((27.0, 116.0), (north(10), 116.0), 10.0))
    two = {"assign": {"schools_per_inspector": 2, "max_schools": 2}}
    runs = [
        run_supervision(frames, [pack(supervision=two, **extra)], 2025, only=["assign"])
        for extra in ({}, {"roads": SLOW})
    ]
    for run in runs:
        a = run.parts["assign"]
        assert a.mapping() == {"S1": "A", "S2": "B", "S3": "A"}
        km = {r["inspector_id"]: r["km"] for r in a.as_dict()["inspectors"]}
        assert km == pytest.approx({"A": 5.7, "B": 1.0}, abs=1e-3)
    plain, slow = (run.parts["assign"].distance_basis for run in runs)
    assert (plain["far"], slow["far"]) == ([], ["第3小学"])
    assert recorded(plain)["snap_km"] == 1.0 and recorded(slow) == SLOW

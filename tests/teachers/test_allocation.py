"""县管校聘 on hand-made counties whose plan is known by hand, and every plan checked by rules written
here from RT (not from allocation.py): who moves was surplus, where they go was short of the subject,
no school ends below its posts or floor nor over its posts, in-school moves only to switch subjects."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import pytest
import staffing_county

from countyedu.messages import translate
from countyedu.teachers.allocation import Allocation, allocate, divide_posts
from countyedu.teachers.params import TeachersParams
from countyedu.teachers.staffing import compute_staffing

YEAR = 2024
# every primary grade: one period each of Chinese, maths and PE, so a school's posts split in three
EVEN = {g: {"chinese": 1, "math": 1, "pe": 1} for g in ("P1", "P2", "P3", "P4", "P5", "P6")}
PARAMS = TeachersParams(weekly_periods=EVEN, switch_subjects=["pe"])


def county(schools: list[tuple[str, bool, float, float, dict[str, int], int]]) -> dict[str, pd.DataFrame]:
    """Primary schools (id, urban, lat, lon, {subject: full-time teachers}, pupils per class; six classes)."""
    rows: list[dict[str, Any]] = []
    classes: list[dict[str, Any]] = []
    for sid, _urban, _lat, _lon, staff, per_class in schools:
        for g in EVEN:
            classes.append({"school_id": sid, "year": YEAR, "grade": g, "class_no": 1, "pupils": per_class})
        for subject, n in staff.items():
            for i in range(n):
                rows.append(
                    {
                        "teacher_id": f"{sid}-{subject}-{i}",
                        "school_id": sid,
                        "year": YEAR,
                        "subject": subject,
                        "full_time": True,
                        "years_at_school": i,
                    }
                )
    return {
        "schools": pd.DataFrame(
            [
                {
                    "school_id": s,
                    "name": f"学校{s}",
                    "stage": "primary",
                    "urban": u,
                    "central": False,
                    "lat": la,
                    "lon": lo,
                }
                for s, u, la, lo, _st, _pc in schools
            ]
        ),
        "classes": pd.DataFrame(classes),
        "teachers": pd.DataFrame(rows),
    }


def plan(frames: dict[str, pd.DataFrame], params: TeachersParams = PARAMS) -> Allocation:
    staffing = compute_staffing(frames, params)
    return allocate(staffing, frames["teachers"], params)


def check(frames: dict[str, pd.DataFrame], result: Allocation) -> None:
    """The rules of RT, from the plan and the census alone."""
    teachers = frames["teachers"].set_index("teacher_id")
    moved = [m.teacher_id for m in result.moves]
    assert len(moved) == len(set(moved)), "a teacher moves once"
    posts = result.posts.set_index("school_id")
    weight = teachers["full_time"].map(lambda f: 1.0 if f else 0.5) if "full_time" in teachers else 1.0
    staff: dict[str, float] = teachers.assign(w=weight).groupby("school_id")["w"].sum().to_dict()
    before = dict(staff)
    for m in result.moves:
        assert teachers.loc[m.teacher_id, "school_id"] == m.from_school_id
        assert teachers.loc[m.teacher_id, "subject"] == m.from_subject
        if m.from_school_id == m.to_school_id:
            assert m.phase == "in_school" and m.subject != m.from_subject
        else:
            staff[m.from_school_id] -= 1
            staff[m.to_school_id] += 1
            assert m.phase in ("cross_school", "assignment")
    for sid, row in posts.iterrows():
        after = staff.get(sid, 0.0)
        assert after == pytest.approx(row["after"])
        if after < before.get(sid, 0.0):  # a school that gave teachers keeps its posts and its class floor
            assert after >= row["posts"] and after >= row["floor"], sid
        if after > before.get(sid, 0.0):  # a school that received stays within its posts
            assert after <= row["posts"], sid


def test_surplus_goes_in_school_then_to_a_near_school_then_by_assignment() -> None:
    # norm of each: 6 classes × 38 = 228 / 19 = 12 posts, 4 per subject
    frames = county(
        [
            ("A", True, 27.200, 116.500, {"chinese": 4, "math": 6, "pe": 4}, 38),  # 2 maths over, 2 over posts
            ("B", True, 27.220, 116.510, {"chinese": 4, "math": 3, "pe": 4}, 38),  # 2.4 km: 1 maths short
            ("C", True, 27.560, 116.500, {"chinese": 4, "math": 3, "pe": 4}, 38),  # 40 km: 1 maths short
            ("D", True, 27.205, 116.505, {"chinese": 6, "math": 4, "pe": 2}, 38),  # at its posts: 2 Chinese → PE
        ]
    )
    result = plan(frames)
    check(frames, result)
    got = sorted((m.from_school_id, m.to_school_id, m.from_subject, m.subject, m.phase) for m in result.moves)
    assert got == [
        ("A", "B", "math", "math", "cross_school"),
        ("A", "C", "math", "math", "assignment"),
        ("D", "D", "chinese", "pe", "in_school"),
        ("D", "D", "chinese", "pe", "in_school"),
    ]
    # the maths teachers longest at A move (years 5 and 4)
    assert sorted(m.teacher_id for m in result.moves if m.from_school_id == "A") == ["A-math-4", "A-math-5"]
    assert result.unfilled.empty and result.status == "optimal"
    a = result.posts.set_index("school_id").loc["A"]
    assert (a["posts"], a["actual"], a["after"]) == (12, 14, 12)
    words = {m.phase: translate(m.why, "zh") for m in result.moves}
    assert "跨校竞聘" in words["cross_school"] and "学校A" in words["cross_school"] and "学校B" in words["cross_school"]
    assert "校内竞聘" in words["in_school"] and "体育" in words["in_school"]


def test_a_village_school_never_goes_below_its_class_floor() -> None:
    # E: 6 classes × 10 = 60 pupils: 3.2 by the ratio, floor 6 + PE, music, art = 9 posts; 10 maths teachers,
    # one over its posts; F (urban, 228 pupils, 12 posts) is short of 4 maths teachers
    frames = county(
        [
            ("E", False, 27.30, 116.50, {"math": 10}, 10),
            ("F", True, 27.31, 116.50, {"chinese": 4, "math": 0, "pe": 4}, 38),
        ]
    )
    result = plan(frames)
    check(frames, result)
    assert [(m.from_school_id, m.to_school_id) for m in result.moves if m.phase != "in_school"] == [("E", "F")]
    assert Counter(m.subject for m in result.moves if m.phase == "in_school") == {"pe": 3}  # E's own PE posts
    e = result.posts.set_index("school_id").loc["E"]
    assert (e["floor"], e["posts"], e["after"]) == (9, 9, 9)
    assert result.blocks()[0].findings[0].status == "met"  # F was short before: no move took it below
    assert result.unfilled.set_index(["school_id", "subject"]).loc[("F", "math"), "shortage"] == 3


def test_the_county_quota_divides_posts_above_the_floors_by_largest_remainders() -> None:
    schools = pd.DataFrame({"school_id": ["a", "b", "c"], "norm": [10.0, 20.0, 6.0], "floor": [4.0, 8.0, 6.0]})
    assert list(divide_posts(schools, None)) == [10, 20, 6]
    assert list(divide_posts(schools, 40)) == [10, 20, 6]
    # 30 posts: floors 18, 12 left for 6 + 12 above them → 4 and 8
    assert list(divide_posts(schools, 30)) == [8, 16, 6]
    # 29: 11 left → 3.67 and 7.33 → 3 + 1 (largest remainder) and 7
    assert list(divide_posts(schools, 29)) == [8, 15, 6]
    assert list(divide_posts(schools, 10)) == [4, 8, 6]


def test_the_hand_county_plan_keeps_the_rules() -> None:
    frames = staffing_county.frames()
    result = plan(frames, TeachersParams())
    check(frames, result)
    # U is 2 over its 12 posts with Chinese and maths teachers over and PE, art, science, morality short
    # in the same school: its surplus switches subject in school
    u = [m for m in result.moves if m.from_school_id == "U"]
    assert u and all(m.phase == "in_school" for m in u)
    assert result.as_dict()["moves"][0].keys() >= {"teacher_id", "from_school_id", "to_school_id", "subject", "why"}


@pytest.mark.parametrize("km", [0.0, 100.0])
def test_the_cross_school_radius_decides_competition_or_assignment(km: float) -> None:
    frames = county(
        [
            ("A", True, 27.200, 116.500, {"chinese": 4, "math": 5, "pe": 4}, 38),
            ("B", True, 27.220, 116.510, {"chinese": 4, "math": 3, "pe": 4}, 38),
        ]
    )
    result = plan(frames, TeachersParams(weekly_periods=EVEN, switch_subjects=["pe"], cross_school_km=km))
    check(frames, result)
    [move] = result.moves
    assert move.phase == ("assignment" if km == 0 else "cross_school")


def test_the_packs_road_parameters_reach_the_allocation() -> None:
    # A (one maths teacher over its 4 posts) and B (one short) 2 km apart; the only road runs 4.0 km
    # from A and ends 0.7 km short of B: A → B is 4.7 km by road, within the 20 km of a cross-school
    # move, under either pack (the speeds never move a road km). Under SLOW (snapping limit 0.5 km) B is
    # reported beyond it; under a pack without road parameters (the default 1 km) nothing is; the run
    # records the parameters it used.
    from countyedu.teachers.kind import run_teachers
    from road_support import DEG, SLOW, pack, recorded, roads

    frames = county(
        [
            ("A", True, 27.0, 116.5, {"chinese": 4, "math": 5, "pe": 4}, 38),
            ("B", True, 27.0 + 2.0 / DEG, 116.5, {"chinese": 4, "math": 3, "pe": 4}, 38),
        ]
    )
    frames["roads"] = roads(((27.0, 116.5), (27.0 + 1.3 / DEG, 116.5), 4.0))
    even = {"weekly_periods": EVEN, "switch_subjects": ["pe"]}
    runs = [
        run_teachers(frames, [pack(teachers=even, **extra)], YEAR, only=["allocation"])
        for extra in ({}, {"roads": SLOW})
    ]
    for run in runs:
        moves = run.part("allocation").moves
        assert [(m.from_school_id, m.to_school_id, m.subject, m.phase) for m in moves] == [
            ("A", "B", "math", "cross_school")
        ]
        assert moves[0].km == pytest.approx(4.7, abs=1e-3)
    plain, slow = (run.part("allocation").as_dict()["distance_basis"] for run in runs)
    assert (plain["far"], slow["far"]) == ([], ["学校B"])
    assert recorded(plain)["snap_km"] == 1.0 and recorded(slow) == SLOW

"""The independent rotation checker itself: a hand-made result it passes, and a tampered copy of it
for every rule, each failing on that rule (so a checker that passes everything cannot pass here)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from rotation_checker import assert_passes, check

YEAR = 2024


def _frames() -> dict[str, pd.DataFrame]:
    schools = pd.DataFrame(
        [
            # id, stage, urban, central, closed
            ("U1", "primary", True, False, None),
            ("U2", "junior", True, False, None),
            ("C1", "primary", False, True, None),
            ("V1", "primary", False, False, None),
            ("TP", "teaching_point", False, False, None),
            ("X1", "primary", False, False, 2020),
        ],
        columns=["school_id", "stage", "urban", "central", "closed_year"],
    )
    rows = [
        # id, school, birth, gender, subject, backbone, years, full_time
        ("a1", "U1", 1980, "female", "chinese", "county", 8, True),
        ("a2", "U1", 1982, "female", "math", "none", 7, True),
        ("a3", "U1", 1985, "male", "chinese", "none", 6, True),
        (
            "a4",
            "U1",
            1966,
            "male",
            "math",
            "none",
            20,
            True,
        ),  # 59 in 2025, the year of the moves: within 5 years of 60, exempt
        ("a5", "U1", 1990, "female", "math", "none", 5, True),  # < 6 years
        ("a6", "U1", 1984, "female", "english", "none", 9, False),  # not full-time
        ("a7", "U1", 1986, "female", "music", "none", 6, True),  # personal exemption (illness)
        ("b1", "U2", 1979, "male", "physics", "city", 10, True),
        ("b2", "U2", 1983, "female", "english", "none", 6, True),
        ("c1", "C1", 1981, "male", "math", "none", 12, True),
        ("v1", "V1", 1990, "female", "chinese", "none", 3, True),
    ]
    teachers = pd.DataFrame(
        rows,
        columns=[
            "teacher_id",
            "school_id",
            "birth_year",
            "gender",
            "subject",
            "backbone",
            "years_at_school",
            "full_time",
        ],
    ).assign(year=YEAR)
    exemptions = pd.DataFrame({"teacher_id": ["a7"], "reason": ["illness"], "year": [YEAR]})
    return {"schools": schools, "teachers": teachers, "exemptions": exemptions}


STAFFING = {
    "schools": [
        {"school_id": "U1", "norm": 6, "actual": 7, "floor": 5},
        {"school_id": "U2", "norm": 2, "actual": 2, "floor": 1},
        {"school_id": "C1", "norm": 2, "actual": 2, "floor": 1},
        {"school_id": "V1", "norm": 3, "actual": 1, "floor": 2},
        {"school_id": "TP", "norm": 1, "actual": 0, "floor": 1},
    ],
    "subjects": [
        {"school_id": "V1", "subject": "chinese", "shortage": 1},
        {"school_id": "V1", "subject": "physics", "shortage": 0.4},
        {"school_id": "TP", "subject": "math", "shortage": 1},
        {"school_id": "C1", "subject": "chinese", "shortage": 1},
    ],
}

# eligible: a1 a2 a3 (U1), b1 b2 (U2), c1 (C1); U1 needs ≥ 1 move (10% of 3), U2 ≥ 1 (10% of 2)
GOOD = {
    "census_version": "v1",
    "year": YEAR,
    "params": {"eligible_years": 6, "exempt_years": 5, "retirement_age": {"male": 60, "female": 55}},
    "eligible": ["a1", "a2", "a3", "b1", "b2", "c1"],
    "moves": [
        {"teacher_id": "a1", "from_school_id": "U1", "to_school_id": "V1", "subject": "chinese", "backbone": True},
        {"teacher_id": "b1", "from_school_id": "U2", "to_school_id": "V1", "subject": "physics", "backbone": True},
        {"teacher_id": "c1", "from_school_id": "C1", "to_school_id": "TP", "subject": "math", "backbone": False},
    ],
    "checks": [],
    "objective": 10.0,
    "bound": 9.95,
    "gap": 0.005,
}
LOCKS = [("a1", "V1")]
VETOES = [("a3", "C1")]


def _check(result: dict) -> set[str]:
    return {v.rule for v in check(result, _frames(), staffing=STAFFING, locks=LOCKS, vetoes=VETOES)}


def test_it_passes_the_hand_made_rotation():
    assert_passes(GOOD, _frames(), staffing=STAFFING, locks=LOCKS, vetoes=VETOES)


def _move(tid: str, a: str, b: str, subject: str, backbone: bool = False) -> dict:
    return {"teacher_id": tid, "from_school_id": a, "to_school_id": b, "subject": subject, "backbone": backbone}


def _tampered(kind: str) -> dict:
    r = copy.deepcopy(GOOD)
    moves = r["moves"]
    if kind == "eligible":  # a4 is within 5 years of retirement; a7 personally exempt
        r["eligible"] = [*r["eligible"], "a4"]
    elif kind == "eligible_mover":  # a5 has 5 years at the school
        moves.append(_move("a5", "U1", "TP", "math"))
        r["eligible"] = [*r["eligible"], "a5"]
    elif kind == "share":  # U2 moves nobody
        del moves[1]
    elif kind == "backbone":  # 3 moves, 1 backbone: 33% ≥ 20% — so replace both backbone moves
        moves[0] = _move("a3", "U1", "V1", "chinese")
        moves[1] = _move("b2", "U2", "V1", "english")
    elif kind == "direction":  # rural central → urban
        moves[2] = _move("c1", "C1", "U1", "math")
    elif kind == "subject":  # TP is short of math, not chinese
        moves.append(_move("a3", "U1", "TP", "chinese"))
    elif kind == "norm":  # TP's norm is 1: two arrive
        moves.append(_move("a2", "U1", "TP", "math"))
    elif kind == "floor":  # U1 (7, floor 5) loses three
        moves.append(_move("a2", "U1", "TP", "math"))
        moves.append(_move("a3", "U1", "C1", "chinese"))
    elif kind == "lock":
        moves[0] = _move("a3", "U1", "V1", "chinese")
        moves[1]["backbone"] = True
    elif kind == "veto":
        moves.append(_move("a3", "U1", "C1", "chinese"))
    elif kind == "gap":
        r["bound"] = 10.5
    elif kind == "move":  # the wrong subject
        moves[2]["subject"] = "chinese"
    return r


@pytest.mark.parametrize(
    "kind, rule",
    [
        ("eligible", "eligible"),
        ("eligible_mover", "eligible"),
        ("share", "share"),
        ("backbone", "backbone"),
        ("direction", "direction"),
        ("subject", "subject"),
        ("norm", "norm"),
        ("floor", "floor"),
        ("lock", "lock"),
        ("veto", "veto"),
        ("gap", "gap"),
        ("move", "move"),
    ],
)
def test_it_fails_a_tampered_rotation_on_the_rule_tampered_with(kind, rule):
    assert rule in _check(_tampered(kind))


def test_it_counts_the_backbone_share_against_the_eligible_when_told():
    # 2 backbone of 3 moves ≥ 20%; of 6 eligible 2 ≥ ceil(1.2) = 2 still passes, 1 would not
    assert "backbone" not in _check({**GOOD, "params": {**GOOD["params"], "backbone_denominator": "eligible"}})
    one = _tampered("lock")  # a1 replaced: 1 backbone mover left
    found = check(
        {**one, "params": {**one["params"], "backbone_denominator": "eligible"}}, _frames(), staffing=STAFFING
    )
    assert "backbone" in {v.rule for v in found}


def test_every_rotation_plan_of_this_folder_is_checked():
    """conftest.py wraps plan_rotation: the plans of test_rotation.py (the hand county) and of the
    teachers run pass the checker, or those tests fail."""
    from countyedu.teachers import rotation

    assert rotation.plan_rotation.__name__ == "checked"

"""The independent assignment checker (assign_checker.py) on hand cases whose answers are known: it
passes a right assignment and names the rule of each one tampered with."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from assign_checker import assert_passes, check, check_reassignment

# Two inspectors, five schools on a line (km from A's base at 0, B's base at 10):
# S1 1, S2 2, S3 8, S4 9, S5 5. A's former school is S2.
POS = {"S1": 1.0, "S2": 2.0, "S3": 8.0, "S4": 9.0, "S5": 5.0}
BASE = {"A": 0.0, "B": 10.0, "C": 6.0}
SCHOOLS = pd.DataFrame({"school_id": list(POS)})
INSPECTORS = pd.DataFrame({"inspector_id": ["A", "B"], "former_school_id": ["S2", None], "zone": ["Z1", "Z1"]})
DIST = pd.DataFrame([{"inspector_id": i, "school_id": s, "km": abs(BASE[i] - x)} for i in BASE for s, x in POS.items()])


def result(a: list[str], b: list[str], **extra: object) -> dict:
    km = {i: sum(abs(BASE[i] - POS.get(s, BASE[i])) for s in ss) for i, ss in (("A", a), ("B", b))}
    doc = {
        "inspectors": [
            {"inspector_id": "A", "school_ids": a, "km": km["A"]},
            {"inspector_id": "B", "school_ids": b, "km": km["B"]},
        ],
        "unassigned": [],
        "checks": [{"rule": r, "ok": True, "detail": ""} for r in ("coverage", "load", "zone", "conflict")],
    }
    doc.update(extra)
    return doc


# The optimum by hand, load ≤ 3: S2 cannot go to A (former school), so B takes S2 (8 km);
# A takes S1 (1) and S5 (5); B takes S3 (2), S4 (1): total 1 + 5 + 8 + 2 + 1 = 17 km.
# (A taking S1, S5 and S3 would cost 1 + 5 + 8 = 14 with B on S2, S4: 8 + 1 = 9: total 23.)
BEST = (["S1", "S5"], ["S2", "S3", "S4"])


def test_it_passes_the_known_optimum() -> None:
    rep = assert_passes(result(*BEST), SCHOOLS, INSPECTORS, distance=DIST, max_load=3, optimal=True)
    assert rep.total_km == pytest.approx(17.0)
    assert rep.least_km == pytest.approx(17.0)


def test_it_finds_a_worse_assignment_not_optimal() -> None:
    rep = check(result(["S1", "S5", "S3"], ["S2", "S4"]), SCHOOLS, INSPECTORS, distance=DIST, max_load=3, optimal=True)
    assert rep.rules() == {"travel"}
    assert rep.total_km == pytest.approx(23.0)


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        (["S1", "S5"], ["S2", "S3", "S4", "S1"], "coverage"),  # S1 twice
        (["S1"], ["S2", "S3", "S4"], "coverage"),  # S5 nowhere
        (["S1", "S5", "S9"], ["S2", "S3", "S4"], "register"),  # no such school
        ([], ["S1", "S2", "S3", "S4", "S5"], "load"),
        (["S1", "S2", "S5"], ["S3", "S4"], "conflict"),
    ],
)
def test_it_names_the_rule_broken(a: list[str], b: list[str], rule: str) -> None:
    rep = check(result(a, b), SCHOOLS, INSPECTORS, distance=DIST, max_load=3)
    assert rule in rep.rules()
    if rule in ("load", "conflict"):
        assert "honest" in rep.rules()  # the result said it was ok


def test_it_checks_zone_size() -> None:
    rep = check(result(*BEST), SCHOOLS, INSPECTORS, distance=DIST, max_load=3, zone_max=4)
    assert "zone" in rep.rules()
    assert any(v.subject == "Z1" and "5 schools" in v.detail for v in rep.violations)


def test_it_checks_reported_km() -> None:
    doc = result(*BEST)
    doc["inspectors"][1]["km"] = 5.0
    rep = check(doc, SCHOOLS, INSPECTORS, distance=DIST, max_load=3)
    assert [v.subject for v in rep.violations if v.rule == "travel"] == ["B"]


def test_an_unassigned_school_is_a_breach_unless_reported() -> None:
    doc = result(["S1", "S5"], ["S2", "S3"], unassigned=["S4"])
    assert "coverage" in check(doc, SCHOOLS, INSPECTORS, distance=DIST, max_load=3).rules()
    doc["checks"][0] = {"rule": "coverage", "ok": False, "detail": "S4: no free place"}
    assert check(doc, SCHOOLS, INSPECTORS, distance=DIST, max_load=3).violations == ()


def test_it_computes_great_circle_km_from_coordinates() -> None:
    schools = pd.DataFrame({"school_id": ["S1"], "lat": [27.0], "lon": [116.0]})
    insp = pd.DataFrame({"inspector_id": ["A"], "lat": [27.0], "lon": [117.0], "former_school_id": [None]})
    # one degree of longitude at 27° N: 111.195 km × cos 27° = 99.07 km
    doc = {"inspectors": [{"inspector_id": "A", "school_ids": ["S1"], "km": 99.07}], "unassigned": [], "checks": []}
    rep = assert_passes(doc, schools, insp)
    assert rep.total_km == pytest.approx(99.07, abs=0.01)


def test_reassignment_keeps_others_schools_when_the_leavers_fit() -> None:
    insp = pd.concat([INSPECTORS, pd.DataFrame({"inspector_id": ["C"], "former_school_id": [None], "zone": ["Z2"]})])
    before = result(["S1", "S5"], ["S2", "S3", "S4"])
    before["inspectors"].append({"inspector_id": "C", "school_ids": [], "km": 0.0})
    # B leaves: S2, S3, S4 fit A (one free place: S3) and C (three places): nobody else moves
    kept = copy.deepcopy(before)
    kept["inspectors"] = [
        {"inspector_id": "A", "school_ids": ["S1", "S5", "S3"], "km": 14.0},
        {"inspector_id": "C", "school_ids": ["S2", "S4"], "km": 7.0},
    ]
    rep = check_reassignment(before, kept, "B", SCHOOLS, insp, distance=DIST, max_load=3)
    assert rep.violations == ()
    moved = copy.deepcopy(kept)
    moved["inspectors"] = [
        {"inspector_id": "A", "school_ids": ["S3", "S4"], "km": 17.0},
        {"inspector_id": "C", "school_ids": ["S1", "S2", "S5"], "km": 10.0},
    ]
    rep = check_reassignment(before, moved, "B", SCHOOLS, insp, distance=DIST, max_load=3)
    assert rep.rules() == {"kept"}
    assert "register" in check(before, SCHOOLS, insp, distance=DIST, max_load=3, left=["B"]).rules()

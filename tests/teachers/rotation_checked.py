"""Every rotation plan a test makes, checked by the independent checker (rotation_checker.py): the
plan's JSON contract, the census frames it was made from, the staffing norms, floors and subject
shortages it read, and the locks and vetoes it was given. Used by tests/teachers/conftest.py (every
test of the folder) and by the web tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from rotation_checker import assert_passes

SCHOOL_COLUMNS = ["school_id", "stage", "urban", "central", "township_id"]


def pairs(items: Iterable[Any] | None) -> list[tuple[str, str]]:
    """Locks or vetoes as (teacher, school) pairs: given as pairs or as "TEACHER:SCHOOL"."""
    out = []
    for x in items or ():
        tid, _, school = x.partition(":") if isinstance(x, str) else (x[0], "", x[1])
        out.append((str(tid), str(school)))
    return out


def staffing_doc(staffing: Any) -> dict[str, Any]:
    """The staffing result as the checker reads it: per school norm, actual and floor; per school and
    subject the shortage."""
    s = staffing.schools
    cols = [c for c in ("school_id", "norm", "actual", "floor") if c in s.columns]
    sub = staffing.subjects
    return {
        "schools": s[cols].to_dict("records"),
        "subjects": sub[["school_id", "subject", "shortage"]].to_dict("records") if len(sub) else [],
    }


def check_plan(plan: Any, frames: Mapping[str, pd.DataFrame], staffing: Any, locks: Any = (), vetoes: Any = ()) -> None:
    """Fail unless the plan passes the checker (rules the plan itself reports unmet, with its numbers,
    are not hidden breaches)."""
    f = dict(frames)
    if "schools" not in f:  # a hand county given its staffing directly: the schools as it read them
        s = staffing.schools
        f["schools"] = s[[c for c in SCHOOL_COLUMNS if c in s.columns]]
    # strong and weak (by QB-R score) as the plan classed its schools; the class is checked against
    # the plan's own score and thresholds, the direction of each move against the class
    doc = plan.as_dict()
    prm = doc["params"]
    for s in doc.get("schools") or []:
        if s.get("score") is not None:
            assert bool(s["strong"]) <= (s["score"] >= prm["strong_score"]), s
            assert bool(s["weak"]) == (s["score"] < prm["weak_score"]), s
    strong = {s["school_id"] for s in doc.get("schools") or [] if s.get("strong")}
    weak = {s["school_id"] for s in doc.get("schools") or [] if s.get("weak")}
    assert_passes(
        plan.contract(""),
        f,
        staffing=staffing_doc(staffing),
        locks=pairs(locks),
        vetoes=pairs(vetoes),
        strong=strong,
        weak=weak,
        declared_ok=True,
    )

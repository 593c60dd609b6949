"""The demo's supervision records on a small plan: visits as planned up to `as_of`, a finding on each
routine item, checklist items checked once in the autumn, overdue rectifications, the 重大 hazard."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from countyedu.supervision.demo import CHECKLIST, demo_records
from countyedu.supervision.plan import visit_plan
from countyedu.supervision.records import ROUTINE_ITEMS, Records
from countyedu.supervision.rectify import standing

MAPPING = {f"S{k}": ("A" if k < 5 else "B") for k in range(10)}
INSPECTORS = pd.DataFrame({"inspector_id": ["A", "B"], "employment": ["full_time", "part_time"]})
AS_OF = dt.date(2026, 6, 15)


def _records():
    plan = visit_plan(MAPPING, INSPECTORS, dt.date(2025, 9, 1), 10)
    return plan, demo_records(plan, MAPPING, 2025, AS_OF, hazard_school="S1", open_school="S0")  # checklist: 2025/26


def test_the_demo_year_follows_the_plan_and_checks_every_school():
    plan, d = _records()
    routine = [v for v in d.visits if v["kind"] == "routine"]
    assert len(routine) == int((plan.visits["date"] <= pd.Timestamp(AS_OF)).sum())
    per_visit = pd.DataFrame(d.findings).groupby("visit_id")["item"].apply(set)
    assert all(set(ROUTINE_ITEMS) <= per_visit[v["visit_id"]] for v in routine)
    checked = pd.DataFrame([f for f in d.findings if f["checklist_item"]])
    assert set(checked.groupby("school_id")["checklist_item"].apply(frozenset)) == {frozenset(CHECKLIST)}
    assert len(d.assignments) == 10
    assert d == _records()[1]  # seeded: the same records each time


def test_the_demo_has_overdue_items_and_a_grave_hazard_tracked_daily():
    _plan, d = _records()
    rec = Records.from_rows(
        visits=d.visits,
        findings=d.findings,
        rectifications=d.rectifications,
        followups=d.followups,
        assignments=d.assignments,
    )
    s = standing(rec, AS_OF)
    counts = s.counts()
    assert counts["closed"] > 0 and counts["escalated"] + counts["notice"] > 0
    h = s.hazards
    assert h["school_id"].tolist() == ["S1"] and h["days_open"].tolist() == [3] and h["days_unchecked"].tolist() == [1]
    own = s.states[(s.states["school_id"] == "S0") & (s.states["stage"] == "due")]
    assert len(own) >= 1  # the demo clerk's school has an item to answer

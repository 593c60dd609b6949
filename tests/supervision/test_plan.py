"""The visit plan (issue 15 item 3): every school at least once in each school month, spread over its
inspector's working days; hand cases whose days are counted on the calendar of September 2025."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from countyedu.supervision.plan import PlanParams, visit_plan

SEP = dt.date(2025, 9, 1)  # a Monday; September 2025 has 22 weekdays, 9 Tuesdays and Thursdays


def inspectors(**employment: str) -> pd.DataFrame:
    return pd.DataFrame({"inspector_id": list(employment), "employment": list(employment.values())})


def days(plan, school: str) -> list[str]:  # type: ignore[no-untyped-def]
    v = plan.visits
    return [d.date().isoformat() for d in v.loc[v["school_id"] == school, "date"]]


def test_two_schools_of_a_full_time_inspector_are_evenly_apart() -> None:
    # 22 working days, 2 visits: days ⌊0.5·11⌋ = 5 (8 Sep) and ⌊1.5·11⌋ = 16 (23 Sep); the nearer first
    plan = visit_plan({"S1": "A", "S2": "A"}, inspectors(A="full_time"), SEP, 1, km={"S1": 9.0, "S2": 1.0})
    assert days(plan, "S2") == ["2025-09-08"]
    assert days(plan, "S1") == ["2025-09-23"]
    assert all(c.ok for c in plan.checks)


def test_a_part_time_inspector_visits_on_their_days() -> None:
    # Tuesdays and Thursdays: 2, 4, 9, 11, 16, 18, 23, 25, 30 Sep; visits on days 2 (9 Sep) and 6 (23 Sep)
    plan = visit_plan({"S1": "B", "S2": "B"}, inspectors(B="part_time"), SEP, 1)
    assert days(plan, "S1") == ["2025-09-09"]
    assert days(plan, "S2") == ["2025-09-23"]


def test_holiday_months_have_no_routine_visits_and_twice_a_month_is_half_a_month_apart() -> None:
    plan = visit_plan({"S1": "A"}, inspectors(A="full_time"), dt.date(2025, 7, 1), 3, PlanParams(visits_per_month=2))
    assert plan.as_dict()["months"] == ["2025-09"]
    assert days(plan, "S1") == ["2025-09-08", "2025-09-23"]


def test_a_month_that_cannot_hold_the_visits_says_which() -> None:
    schools = {f"S{n}": "B" for n in range(10)}
    plan = visit_plan(schools, inspectors(B="part_time"), SEP, 1, PlanParams(max_visits_per_day=1))
    assert len(plan.visits) == 9 and len(plan.unplaced) == 1
    checks = {c.rule: c.ok for c in plan.checks}
    assert checks == {"monthly": False, "working_days": True, "own_inspector": True}
    assert plan.as_dict()["unplaced"] == [{"inspector_id": "B", "school_id": "S9", "month": "2025-09"}]
    assert len(plan.on(dt.date(2025, 9, 2), "B")) == 1


def test_a_holiday_month_plans_nothing_and_says_so() -> None:
    plan = visit_plan({"S1": "A"}, inspectors(A="full_time"), dt.date(2025, 8, 1), 1)
    assert plan.visits.empty and plan.as_dict()["months"] == []
    assert all(c.ok for c in plan.checks)

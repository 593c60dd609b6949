"""Pay against civil servants' (第21条, QB-G8) and training hours against 360 in five years (QB-G9)."""

from __future__ import annotations

import pandas as pd
import staffing_county

from countyedu.teachers.training import pay_and_training


def test_teachers_behind_on_training_are_listed_with_the_hours_they_need() -> None:
    frames = staffing_county.frames()
    t = frames["teachers"]
    r = pay_and_training(frames, 360.0)
    full = t[t["full_time"]]
    # the hand county's hours are 300, 330, 360, 390, 420 in turn: 300 and 330 are behind (gaps 60, 30)
    expected = full[full["training_hours_5y"] < 360]
    assert set(r.behind["teacher_id"]) == set(expected["teacher_id"]) and len(expected) > 0
    assert set(r.behind["gap"]) == {60.0, 30.0}
    assert r.behind["gap"].iloc[0] == 60.0  # the furthest behind first
    assert int(r.schools["teachers"].sum()) == len(full)  # part-time teachers are not counted (QB-G9 scope)
    [finding] = r.blocks()[1].findings
    assert finding.status == "not_met"
    assert pay_and_training(frames, 300.0).behind.empty


def test_pay_is_compared_with_civil_servants_from_the_finance_sheet() -> None:
    frames = staffing_county.frames()
    r = pay_and_training(frames, 360.0)
    assert r.civil_pay is None and r.blocks()[0].findings[0].status == "no_data"
    frames["finance"] = pd.DataFrame(
        [
            {"year": 2024, "item": "teacher_avg_salary", "amount": 80000.0},
            {"year": 2024, "item": "civil_servant_avg_salary", "amount": 82000.0},
        ]
    )
    r = pay_and_training(frames, 360.0)
    assert r.as_dict()["pay"] == {
        "teacher_avg_salary": 80000.0,
        "civil_servant_avg_salary": 82000.0,
        "ratio": round(80000 / 82000, 4),
        "source": "finance",
    }
    assert r.blocks()[0].findings[0].status == "not_met"

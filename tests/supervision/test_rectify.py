"""Rectification by date, hand cases: a deadline of 1 October 2026 and the bureau's 15 more days."""

from __future__ import annotations

import datetime as dt

from countyedu.supervision.records import Records
from countyedu.supervision.rectify import RectifyParams, standing

D = dt.date


def _records(status: str = "open", answered_on: dt.date | None = None, severity: str | None = None) -> Records:
    item = "safety" if severity else "teaching"
    return Records.from_rows(
        visits=[
            {
                "visit_id": "V1",
                "school_id": "S1",
                "inspector_id": "I1",
                "date": D(2026, 9, 10),
                "kind": "routine",
                "feedback_given": True,
            }
        ],
        findings=[
            {
                "finding_id": "F1",
                "visit_id": "V1",
                "school_id": "S1",
                "date": D(2026, 9, 10),
                "item": item,
                "severity": severity,
                "problem": "课表未开足体育课",
            }
        ],
        rectifications=[
            {
                "rectification_id": "R1",
                "finding_id": "F1",
                "school_id": "S1",
                "deadline": D(2026, 10, 1),
                "status": status,
                "answered_on": answered_on,
            }
        ],
    )


def _stage(rec: Records, day: dt.date) -> tuple[str, int]:
    s = standing(rec, day).states.iloc[0]
    return s["stage"], int(s["days_overdue"])


def test_it_escalates_an_unanswered_item_to_the_bureau_then_to_a_notice():
    rec = _records()
    assert _stage(rec, D(2026, 10, 1)) == ("due", 0)  # the deadline day itself is in time
    assert _stage(rec, D(2026, 10, 2)) == ("escalated", 1)
    assert _stage(rec, D(2026, 10, 16)) == ("escalated", 15)  # the bureau's second deadline, 1 + 15 days
    assert _stage(rec, D(2026, 10, 17)) == ("notice", 16)
    s = standing(rec, D(2026, 10, 17)).states.iloc[0]
    assert s["second_deadline"].date() == D(2026, 10, 16)


def test_an_answer_in_time_waits_for_the_check_and_a_late_one_stays_escalated():
    assert _stage(_records("answered", D(2026, 9, 30)), D(2026, 11, 1)) == ("awaiting_check", 0)
    assert _stage(_records("answered", D(2026, 10, 5)), D(2026, 10, 6)) == ("escalated", 5)
    assert _stage(_records("returned", D(2026, 9, 30)), D(2026, 10, 3)) == ("escalated", 2)
    assert _stage(_records("closed", D(2026, 9, 30)), D(2027, 1, 1)) == ("closed", 0)


def test_a_grave_hazard_is_tracked_daily_until_closed():
    rec = _records(severity="grave")
    rec = Records(
        visits=rec.visits,
        findings=rec.findings,
        rectifications=rec.rectifications,
        followups=Records.from_rows(
            followups=[
                {"rectification_id": "R1", "date": D(2026, 9, 11), "action": "daily_check"},
                {"rectification_id": "R1", "date": D(2026, 9, 12), "action": "daily_check"},
            ]
        ).followups,
    )
    h = standing(rec, D(2026, 9, 14)).hazards
    assert h[["rectification_id", "days_open", "days_unchecked"]].values.tolist() == [["R1", 4, 2]]
    assert h.iloc[0]["last_check"].date() == D(2026, 9, 12)
    assert standing(_records("closed", D(2026, 9, 12), severity="grave"), D(2026, 9, 14)).hazards.empty
    assert standing(_records(severity="general"), D(2026, 9, 14)).hazards.empty


def test_the_grace_days_and_deadlines_are_parameters():
    p = RectifyParams(grace_days=5, deadline_days=20, grave_deadline_days=3)
    s = standing(_records(), D(2026, 10, 7), p).states.iloc[0]
    assert s["stage"] == "notice"
    assert p.default_deadline(D(2026, 9, 10), None) == D(2026, 9, 30)
    assert p.default_deadline(D(2026, 9, 10), "grave") == D(2026, 9, 13)


def test_the_rectification_part_reports_overdue_items_and_hazards():
    from countyedu.runs.blocks import Block
    from countyedu.supervision import rectify
    from countyedu.supervision.params import SupervisionParams
    from countyedu.supervision.parts import Context

    rec = _records()
    ctx = Context({}, [], 2026, SupervisionParams(), D(2026, 10, 20), records=rec)
    part = rectify.part(ctx)
    assert part is not None
    s = part.summary()
    assert (s["rectification_open"], s["rectification_overdue"], s["rectification_notice"]) == (1, 1, 1)
    (block,) = part.blocks()
    assert isinstance(block, Block) and block.id == "supervision.rectification"
    assert block.findings[0].status == "not_met" and block.tables[0].rows[0][-1] == 19
    assert "逾期 overdue 1" in rectify.summary_lines(s)[0]
    assert rectify.part(Context({}, [], 2026, SupervisionParams(), D(2026, 10, 20), records=Records())) is None

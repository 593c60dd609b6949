"""Checklist evidence: the latest visit's word per school, year and item, laid over an assessment's
needs_evidence rows (indicators.evidence's rule), by hand on two schools."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from countyedu.indicators import evidence
from countyedu.indicators.engine import TABLE_COLUMNS, Assessment
from countyedu.policy.pack import Pack
from countyedu.supervision.checklist import evidence_rows
from countyedu.supervision.records import Records

D = dt.date


def _row(indicator: str, level: str, unit: str, year: int, status: str) -> dict:
    return dict(
        pack="p",
        indicator=indicator,
        level=level,
        unit=unit,
        stage=None,
        year=year,
        value=np.nan,
        num=np.nan,
        den=np.nan,
        trend_at_deadline=np.nan,
        status=status,
    )


def _assessment() -> Assessment:
    a = Assessment("v1", [Pack.model_construct(id="p", items=[])], "C")
    a.add(
        pd.DataFrame(
            [
                _row("Q7", "county", "C", 2026, "needs_evidence"),
                _row("Q8", "county", "C", 2026, "needs_evidence"),
                _row("R1", "school", "S1", 2026, "met"),
                _row("R1", "school", "S2", 2026, "not_met"),
                _row("R1", "county", "C", 2026, "not_met"),
            ],
            columns=TABLE_COLUMNS,
        )
    )
    return a


def _ev(*rows: tuple[str, str, str]) -> evidence.Evidence:
    return evidence.Evidence(
        tuple(
            {
                "school_id": s,
                "year": 2026,
                "indicator": i,
                "status": st,
                "date": "2026-10-09",
                "visit_id": "1",
                "inspector_id": "I1",
            }
            for s, i, st in rows
        ),
        "x",
    )


def _status(a: Assessment, indicator: str, unit: str) -> str:
    t = a.table()
    return t.loc[(t.indicator == indicator) & (t.unit == unit), "status"].item()


def test_a_school_gets_its_own_row_and_the_county_waits_for_every_school():
    a = evidence.apply(_assessment(), _ev(("S1", "Q7", "met")))
    assert _status(a, "Q7", "S1") == "met"
    assert _status(a, "Q7", "C") == "needs_evidence"  # S2 not checked yet
    assert _status(a, "Q8", "C") == "needs_evidence"
    a = evidence.apply(_assessment(), _ev(("S1", "Q7", "met"), ("S2", "Q7", "met"), ("S2", "Q8", "not_met")))
    assert _status(a, "Q7", "C") == "met"
    assert _status(a, "Q8", "C") == "not_met" and _status(a, "Q8", "S2") == "not_met"
    assert _status(a, "R1", "S2") == "not_met"  # a computed indicator is never overridden


def test_evidence_for_a_computed_indicator_or_another_year_changes_nothing():
    before = _assessment().table()
    ev = evidence.Evidence(
        (
            {
                "school_id": "S1",
                "year": 2025,
                "indicator": "Q7",
                "status": "met",
                "date": "2025-10-01",
                "visit_id": "1",
                "inspector_id": "I1",
            },
        ),
        "x",
    )
    assert evidence.apply(_assessment(), ev).table().equals(before)
    assert evidence.apply(_assessment(), _ev(("S2", "R1", "met"))).table().equals(before)


def test_the_latest_visit_of_the_school_year_decides():
    rec = Records.from_rows(
        visits=[
            {
                "visit_id": v,
                "school_id": "S1",
                "inspector_id": "I1",
                "date": d,
                "kind": "routine",
                "feedback_given": True,
            }
            for v, d in (("1", D(2026, 9, 10)), ("2", D(2026, 12, 1)), ("3", D(2026, 8, 1)))
        ],
        findings=[
            {
                "finding_id": f,
                "visit_id": v,
                "school_id": "S1",
                "date": d,
                "item": "teaching",
                "checklist_item": "Q7",
                "checklist_status": st,
            }
            for f, v, d, st in (
                ("a", "1", D(2026, 9, 10), "not_met"),
                ("b", "2", D(2026, 12, 1), "met"),
                ("c", "3", D(2026, 8, 1), "not_met"),
            )
        ],
    )
    rows = evidence_rows(rec)
    assert [(r["year"], r["status"], r["visit_id"]) for r in rows] == [(2025, "not_met", "3"), (2026, "met", "2")]


def test_the_snapshot_reads_back_with_a_digest(tmp_path):
    assert evidence.read(tmp_path) == evidence.Evidence()
    p = evidence.path(tmp_path)
    p.parent.mkdir(parents=True)
    p.write_bytes(
        evidence.dumps(
            [
                {
                    "school_id": "S1",
                    "year": 2026,
                    "indicator": "Q7",
                    "status": "met",
                    "date": "2026-10-09",
                    "visit_id": "1",
                    "inspector_id": "I1",
                }
            ]
        )
    )
    ev = evidence.read(tmp_path)
    assert len(ev.digest) == 12 and ev.of("Q7", "S1", 2026)["status"] == "met"

"""The records frames' one declaration: typed frames from rows, errors for missing columns and codes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from countyedu.supervision import records
from countyedu.supervision.records import Records, RecordsError


def test_it_builds_typed_frames_from_rows():
    visits = records.frame(
        "visits",
        [
            {
                "visit_id": "V1",
                "school_id": "S1",
                "inspector_id": "I1",
                "date": "2026-10-09",
                "kind": "routine",
                "feedback_given": True,
            },
        ],
    )
    assert list(visits.columns) == records.names("visits")
    assert visits.loc[0, "date"] == pd.Timestamp(2026, 10, 9)
    assert str(visits["feedback_given"].dtype) == "boolean"
    assert visits.loc[0, "note"] is None


def test_it_gives_empty_frames_every_declared_column():
    rec = Records()
    for name in records.COLUMNS:
        assert list(getattr(rec, name).columns) == records.names(name)
        assert getattr(rec, name).empty


def test_it_names_a_missing_column_and_a_bad_code():
    with pytest.raises(RecordsError) as missing:
        records.frame("rectifications", [{"rectification_id": "R1", "finding_id": "F1", "school_id": "S1"}])
    assert "deadline" in missing.value.facts["columns"]
    with pytest.raises(RecordsError) as bad:
        Records.from_rows(
            findings=[
                {
                    "finding_id": "F1",
                    "visit_id": "V1",
                    "school_id": "S1",
                    "date": dt.date(2026, 9, 1),
                    "item": "weather",
                }
            ]
        )
    assert "item: unknown codes weather" in bad.value.facts["problems"]
    assert "督导记录" in bad.value.message_zh


def test_it_names_the_school_year_of_a_date():
    assert records.school_year(dt.date(2026, 9, 1)) == 2026
    assert records.school_year(dt.date(2027, 8, 31)) == 2026

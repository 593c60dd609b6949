"""A sheet the vectorised checks pass (census.validate._passes) skips pandera: for any cells, the
typed frame and every problem are the same as pandera's two passes give (the validation contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from countyedu.census import validate
from countyedu.census.readers import RawSheet
from countyedu.census.schema import CODES, SHEET_BY_NAME

SHEET = SHEET_BY_NAME["private_schools"]  # every kind of column: id, str, year, int, float, bool, code, date

CLEAN: dict[str, Any] = {
    "school_id": "P01", "year": 2025.0, "licence_no": "教民 1", "licence_expiry": "2027-08-31",
    "classification": "non_profit", "sponsor": "某公司", "inspection_result": "pass",
    "inspection_date": dt.datetime(2025, 6, 30), "fee_standard": 3200.0, "fee_approved": "是",
    "fee_approval_no": "赣价 7", "staff": 40.0, "staff_contracted": 40.0, "staff_insured": 38.0,
    "inclusive": "否", "inclusive_until": None, "subsidy": 0.0,
}  # fmt: skip

# cells each column may hold: valid ones, and ones each check refuses
POOLS: dict[str, list[Any]] = {
    "id": ["P01", "P02", 3604210001.0, " P01 ", None],
    "str": ["x", "ＡＢ", None],
    "year": [2019.0, 2025.0, "２０２４", 1800.0, 2019.5, "abc", None],
    "int": [0.0, 3.0, "1,234", -1.0, 2.5, "many", 1e16, None],
    "float": [0.0, 12.5, "3.5", -0.5, "n/a", None],
    "bool": ["是", "否", True, 1.0, 2.0, "maybe", None],
    "date": ["2025-06-30", "2025年6月30日", dt.date(2025, 1, 1), "2025-13-01", "soon", None],
}


def _pool(name: str, kind: str) -> list[Any]:
    if kind == "code":
        codes = CODES[SHEET.column(name).codes or ""]
        first = next(iter(codes))
        return [first, codes[first], "zzz", None]
    return POOLS[kind]


def _raw(rows: list[dict[str, Any]]) -> RawSheet:
    frame = pd.DataFrame(rows, dtype=object)
    frame["_row"] = pd.Series(range(2, len(rows) + 2), dtype="int64")
    return RawSheet(SHEET.name, "民办学校", frame, [c for c in frame.columns if c != "_row"])


def _both(raw: RawSheet, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, bool]:
    seen: list[bool] = []
    real = validate._passes

    def spy(*args: Any) -> bool:
        seen.append(real(*args))
        return seen[-1]

    with monkeypatch.context() as m:
        m.setattr(validate, "_passes", spy)
        fast = validate.validate_sheet(raw)
    with monkeypatch.context() as m:
        m.setattr(validate, "_passes", lambda *_a: False)
        slow = validate.validate_sheet(raw)
    return fast, slow, seen[0]


def test_a_clean_sheet_skips_pandera_and_each_bad_cell_goes_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow, skipped = _both(_raw([CLEAN, {**CLEAN, "school_id": "P02"}]), monkeypatch)
    assert skipped and fast[1] == slow[1] == [] and fast[0].equals(slow[0])
    for column, bad in [
        ("year", 1800.0), ("staff", 2.5), ("fee_standard", "n/a"), ("fee_approved", "maybe"),
        ("classification", "zzz"), ("licence_expiry", "2025-13-01"), ("school_id", "P01"),
    ]:  # fmt: skip
        fast, slow, skipped = _both(_raw([CLEAN, {**CLEAN, column: bad}]), monkeypatch)
        assert not skipped, column
        assert fast[1] == slow[1] and fast[1], column


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cells_give_what_pandera_gives(data: st.DataObject, monkeypatch: pytest.MonkeyPatch) -> None:
    n = data.draw(st.integers(1, 4))
    rows = []
    for _ in range(n):
        row = dict(CLEAN)
        for c in data.draw(st.lists(st.sampled_from(SHEET.columns), max_size=3)):
            row[c.name] = data.draw(st.sampled_from(_pool(c.name, c.kind)))
        rows.append(row)
    fast, slow, _skipped = _both(_raw(rows), monkeypatch)
    assert fast[1] == slow[1]
    assert fast[0].equals(slow[0])


# number cells as a workbook gives them (floats, "" for an empty cell), and ones the general way reports
NUMBERS = [0.0, 3.0, 12.5, "", None, float("nan"), float("inf"), -1e16, 1e16, "7", " ", dt.datetime(2025, 1, 1)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_plain_number_columns_give_what_the_general_way_gives(
    data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate._plain_numbers (floats and empty cells, done at once) against normalising cell by cell."""
    rows = [
        {
            **CLEAN,
            "school_id": f"P{i}",
            **{c: data.draw(st.sampled_from(NUMBERS)) for c in ("staff", "subsidy", "year")},
        }
        for i in range(data.draw(st.integers(1, 5)))
    ]
    fast = validate.validate_sheet(_raw(rows))
    with monkeypatch.context() as m:
        m.setattr(validate, "_plain_numbers", lambda _cells: None)
        slow = validate.validate_sheet(_raw(rows))
    assert fast[1] == slow[1]
    assert list(fast[0].dtypes) == list(slow[0].dtypes) and fast[0].equals(slow[0])

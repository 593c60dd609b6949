"""The fields of a school that the bureau decides: who the school is (name, stage, ownership) and where
it counts (township, community, urban, group, partner, its 普惠 and 小区配套 status, its closing).
A township official's scope, the targets a school counts for and the units it is assessed in follow
from them, so a school's own submission may not change them (issue 10: a clerk's workbook moved its
school to another township). The schema marks them `bureau=True`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from countyedu.census.problems import Problem, show_value
from countyedu.census.schema import BOOL_LABELS, CODES, SHEET_BY_NAME, Column


def bureau_columns() -> list[Column]:
    """The schools sheet's columns that only the bureau changes."""
    return [c for c in SHEET_BY_NAME["schools"].columns if c.bureau]


def _same(a: Any, b: Any) -> bool:
    missing_a, missing_b = a is None or bool(pd.isna(a)), b is None or bool(pd.isna(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b)
    return bool(a == b)


def _shown(c: Column, value: Any) -> str:
    """A cell as the workbook shows it: codes by their Chinese label, booleans as 是/否."""
    if value is None or bool(pd.isna(value)):
        return show_value(None)
    if c.kind == "bool":
        return BOOL_LABELS[bool(value)]
    if c.codes:
        label = CODES[c.codes].get(str(value))
        return f"{label}（{value}）" if label else str(value)
    return show_value(value)


def bureau_changes(submitted: pd.DataFrame | None, stored: pd.DataFrame | None, source: str) -> list[Problem]:
    """A located error for every bureau field of a school's row that differs from the stored row
    (sheet, Excel row, column, the submitted value; the stored one in the message). A school not yet
    stored has nothing to compare with."""
    if submitted is None or stored is None or stored.empty or "school_id" not in submitted.columns:
        return []  # without its school_id column the sheet is reported as missing a column
    before = {rec["school_id"]: rec for rec in stored.astype(object).to_dict("records")}
    out: list[Problem] = []
    for rec in submitted.astype(object).to_dict("records"):
        was = before.get(rec["school_id"])
        if was is None:
            continue
        for c in bureau_columns():
            new, old = rec.get(c.name), was.get(c.name)
            if not _same(new, old):
                row = int(rec["_row"]) if rec.get("_row") is not None else None
                out.append(Problem("error", source, row, c.name, _shown(c, new), "bureau_field", _shown(c, old)))
    return out

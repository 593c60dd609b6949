"""The online form of a submission (在线填报): the rows it starts from (the file already sent, else the
pre-filled census rows of the round's year), the rows as posted, the sheet frames an upload of the
pre-filled workbook would give, and the tables of inputs with the problems of each cell. The view is
web.collection.submission_form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings

from countyedu.census import vocabulary
from countyedu.census.readers import read_source, sheet_name_for
from countyedu.census.schema import CODES, SHEET_BY_NAME, Column
from countyedu.census.submission import plain
from countyedu.census.validate import normalise
from countyedu.errors import CountyEduError
from countyedu.web.models import Submission
from countyedu.web.reading import lang

# the sheets a clerk fills; school_id and year are the school's and the round's, not typed
FORM_SHEETS = ("school_years", "classes", "teachers", "after_school")
FIXED = ("school_id", "year")
_FIELD = re.compile(r"^(?P<sheet>[a-z_]+)-(?P<index>\d+)-(?P<column>[A-Za-z0-9_]+)$")


def _form_columns(sheet: str) -> list[Column]:
    return [c for c in SHEET_BY_NAME[sheet].columns if c.name not in FIXED]


def _shown(value: Any) -> str:
    """A cell as the form shows it: missing → '', whole numbers without '.0'."""
    value = plain(value)
    return "" if value is None else str(value)


def stored_rows(sub: Submission | None, census_rows: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """The rows the form starts from: the submission's file as it is (cells normalised, bad values
    kept as written), else the pre-filled rows of the round's year."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in FORM_SHEETS}
    if sub is not None and sub.file:
        try:
            raw = read_source(Path(sub.file.path), limits=settings.UPLOAD_LIMITS)
        except (CountyEduError, OSError, ValueError):
            raw = None
        if raw is not None:
            for name in FORM_SHEETS:
                if name not in raw.sheets:
                    continue
                frame = raw.sheets[name].frame.copy()
                for c in _form_columns(name):
                    if c.name in frame.columns:
                        frame[c.name] = normalise(c, frame[c.name])
                out[name] = frame.astype(object).to_dict("records")
            return out
    for name in FORM_SHEETS:
        frame = census_rows.get(name)
        if frame is not None:
            out[name] = frame.astype(object).to_dict("records")
    return out


def posted_rows(post: Any) -> dict[str, list[dict[str, Any]]]:
    """The form's rows as typed, in the order of their index; removed and blank rows left out."""
    found: dict[str, set[int]] = {name: set() for name in FORM_SHEETS}
    for key in post:
        m = _FIELD.match(key)
        if m and m["sheet"] in found:
            found[m["sheet"]].add(int(m["index"]))
    out: dict[str, list[dict[str, Any]]] = {}
    for name, indexes in found.items():
        rows = []
        for i in sorted(indexes):
            prefix = f"{name}-{i}-"
            if post.get(prefix + "DELETE"):
                continue
            row: dict[str, Any] = {}
            for c in _form_columns(name):
                if c.kind == "bool":
                    row[c.name] = bool(post.get(prefix + c.name))
                else:
                    text = post.get(prefix + c.name, "").strip()
                    row[c.name] = text or None
            if any(v is not None for k, v in row.items() if SHEET_BY_NAME[name].column(k).kind != "bool"):
                rows.append(row)
        out[name] = rows
    return out


def _cell_value(c: Column, text: Any) -> Any:
    """A typed cell for the workbook: numbers as numbers; what is not a number stays as written,
    so the check names it."""
    if text is None or c.kind not in ("int", "year", "float") or not isinstance(text, str):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def form_frames(rows: dict[str, list[dict[str, Any]]], school_id: str, year: int) -> dict[str, pd.DataFrame]:
    """The posted rows as the sheet frames an upload of the pre-filled workbook gives."""
    frames = {}
    for name, sheet_rows in rows.items():
        columns = [c.name for c in SHEET_BY_NAME[name].columns]
        records = [
            {
                "school_id": school_id,
                "year": year,
                **{c.name: _cell_value(c, r.get(c.name)) for c in _form_columns(name)},
            }
            for r in sheet_rows
        ]
        frames[name] = pd.DataFrame(records, columns=columns, dtype=object)
    return frames


def _located(problems: list[dict[str, Any]]) -> dict[tuple[str, int, str], list[dict[str, Any]]]:
    """(sheet code, Excel row, column) → the problems of that cell."""
    out: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for p in problems:
        code = sheet_name_for(str(p.get("sheet") or ""))
        if code and p.get("row") and p.get("column"):
            out.setdefault((code, int(p["row"]), str(p["column"])), []).append(p)
    return out


def _widget(c: Column) -> str:
    if c.kind == "bool":
        return "checkbox"
    if c.codes:
        return "select"
    return "number" if c.kind in ("int", "year", "float") else "text"


def _cells(
    name: str, index: str, row: dict[str, Any], located: dict[Any, list[dict[str, Any]]], excel_row: int
) -> list[dict[str, Any]]:
    """The inputs of one row; a cell the check named carries its problems."""
    out = []
    for c in _form_columns(name):
        value = row.get(c.name)
        found = located.get((name, excel_row, c.name), [])
        widget = _widget(c)
        text = "" if c.kind == "bool" else _shown(value)
        if found and widget == "number":
            widget = "text"  # a number input would blank a value that is not a number
        options = []
        if c.codes:
            options = list(vocabulary.labels(c.codes, lang()).items())  # labels in the reader's language
            if text and text not in CODES[c.codes]:
                options.append((text, text))  # kept as written; the check names it
        out.append(
            {
                "name": f"{name}-{index}-{c.name}",
                "column": c,
                "widget": widget,
                "value": text,
                "checked": bool(plain(value)) if c.kind == "bool" else False,
                "options": options,
                "step": "1" if c.kind in ("int", "year") else "any",
                "errors": found,
            }
        )
    return out


def form_tables(
    rows: dict[str, list[dict[str, Any]]], problems: list[dict[str, Any]], blank_row: bool
) -> list[dict[str, Any]]:
    located = _located(problems)
    tables = []
    for name in FORM_SHEETS:
        sheet = SHEET_BY_NAME[name]
        multi = name != "school_years"
        sheet_rows = rows.get(name, [])
        if not multi and not sheet_rows:
            sheet_rows = [{}]
        shown = []
        for i, r in enumerate(sheet_rows):
            excel_row = int(r.get("_row") or i + 2)  # a stored file's own rows, as its problems name them
            shown.append({"excel_row": excel_row, "index": i, "cells": _cells(name, str(i), r, located, excel_row)})
        if multi and blank_row:  # a row to fill without JavaScript; left blank, it is ignored
            n = len(sheet_rows)
            shown.append({"excel_row": None, "index": n, "cells": _cells(name, str(n), {}, {}, 0)})
        tables.append(
            {
                "name": name,
                "zh": sheet.zh,
                "columns": _form_columns(name),
                "rows": shown,
                "multi": multi,
                "next": len(shown),
                "template": _cells(name, "__i__", {}, {}, 0) if multi else [],
            }
        )
    return tables

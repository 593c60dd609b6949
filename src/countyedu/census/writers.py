"""Write the exchange format: the empty template a bureau sends to schools, and exports of a
stored census (as a workbook, or a folder of CSV or Parquet files).

Headers read "中文 (code)"; every header cell carries a note (Chinese and English); every code and
boolean column has a dropdown of the Chinese labels. Codes are written as their Chinese labels and
booleans as 是/否, which the importer reads back to the same codes: the round trip is lossless.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from countyedu.census.schema import BOOL_LABELS, CODES, FORMAT_VERSION, SHEETS, Column, Sheet

EXCEL_LAST_ROW = 1_048_575  # zero-based
# Text stays text: a name typed as =HYPERLINK(…) must not become a live formula or link in Excel.
TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_FORMAT = {"int": "0", "year": "0", "float": "General"}


def _note(c: Column) -> str:
    lines = [f"{c.zh}（{c.name}）", c.note_zh, c.note_en]
    if c.codes:
        lines.append("可填 / allowed: " + "、".join(f"{label}={code}" for code, label in CODES[c.codes].items()))
    lines.append("可为空 / may be empty" if c.nullable else "必填 / required")
    if c.bureau:
        lines.append("由教育局修改，学校报送不能更改 / the bureau changes this; a school's submission cannot")
    return "\n".join(lines)


def _choice_columns(frame: pd.DataFrame | None, minimum: int) -> list[str]:
    n = minimum
    if frame is not None:
        n = max([n, *(int(c.split("_")[1]) for c in frame.columns if c.startswith("choice_"))])
    return [f"choice_{i}" for i in range(1, n + 1)]


def _headers(sheet: Sheet, frame: pd.DataFrame | None) -> list[tuple[str, Column | None]]:
    heads: list[tuple[str, Column | None]] = [(c.header, c) for c in sheet.columns]
    if sheet.name == "candidates":
        heads += [(f"志愿{c.split('_')[1]} ({c})", None) for c in _choice_columns(frame, 5)]
    return heads


def _labelled(c: Column, s: pd.Series) -> pd.Series:
    if c.kind == "bool":
        return s.map(lambda v: BOOL_LABELS[bool(v)] if pd.notna(v) else None)
    if c.codes:
        labels = CODES[c.codes]
        return s.map(lambda v: labels.get(v, v) if pd.notna(v) else None)
    return s


def workbook(path: str | Path, options: dict[str, object] | None = None) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook in which every string written is text, never a formula or a hyperlink
    (every workbook the project writes is made here)."""
    return xlsxwriter.Workbook(str(path), {**(options or {}), **TEXT_ONLY})


def csv_text(value: object) -> object:
    """A cell for a CSV meant to be opened in Excel: text that Excel would read as a formula gets a
    leading apostrophe (OWASP's advice for CSV injection); other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_workbook(path: Path, frames: dict[str, pd.DataFrame] | None = None, *, note: str = "") -> Path:
    """Write the workbook: empty (template) when frames is None, else the given sheets."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = workbook(path, {"constant_memory": False, "strings_to_numbers": False})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text_fmt = wb.add_format({"num_format": "@"})
    wb.set_properties({"title": "countyedu exchange format v" + FORMAT_VERSION, "comments": note})
    for sheet in SHEETS:
        frame = None if frames is None else frames.get(sheet.name)
        if frames is not None and (frame is None or frame.empty):
            continue
        ws = wb.add_worksheet(sheet.zh)
        heads = _headers(sheet, frame)
        for j, (text, col) in enumerate(heads):
            ws.write_string(0, j, text, head_fmt)
            ws.write_comment(
                0,
                j,
                _note(col) if col else "高中招生志愿（招生计划代码）/ admission choice (programme id)",
                {"x_scale": 2.2, "y_scale": 2.2},
            )
            ws.set_column(
                j,
                j,
                max(12, min(28, len(text) * 1.4)),
                text_fmt if col is None or col.kind in ("id", "str", "date") else None,
            )
            if col is not None:
                _validation(ws, j, col)
        ws.freeze_panes(1, 0)
        if frame is not None:
            _write_rows(ws, sheet, frame, heads)
    wb.close()
    return path


def _validation(ws: Worksheet, j: int, c: Column) -> None:
    options: dict[str, object]
    if c.kind == "bool":
        options = {"validate": "list", "source": ["是", "否"]}
    elif c.codes:
        options = {"validate": "list", "source": list(CODES[c.codes].values())}
    elif c.kind in ("int", "year"):
        lo, hi = (1949, 2100) if c.kind == "year" else (c.min if c.min is not None else -(10**12), c.max or 10**12)
        options = {"validate": "integer", "criteria": "between", "minimum": lo, "maximum": hi}
    elif c.kind == "float" and (c.min is not None or c.max is not None):
        options = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": c.min if c.min is not None else -1e15,
            "maximum": c.max if c.max is not None else 1e15,
        }
    else:
        return
    options |= {"error_title": c.zh, "error_message": f"{c.note_zh}\n{c.note_en}"[:250], "ignore_blank": True}
    ws.data_validation(1, j, EXCEL_LAST_ROW, j, options)


def _write_rows(ws: Worksheet, sheet: Sheet, frame: pd.DataFrame, heads: list[tuple[str, Column | None]]) -> None:
    columns: list[list[object]] = []
    for text, col in heads:
        code = col.name if col else text.split("(")[-1].rstrip(")")
        s = frame[code] if code in frame.columns else pd.Series([None] * len(frame))
        s = _labelled(col, s) if col else s
        columns.append(s.astype(object).where(s.notna(), None).tolist())
    for i, row in enumerate(zip(*columns, strict=True), start=1):
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, j, v)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            else:
                ws.write_number(i, j, float(v))


def write_folder(path: Path, frames: dict[str, pd.DataFrame], fmt: str) -> Path:
    """A folder with one .csv or .parquet file per sheet, named by the sheet's code."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for sheet in SHEETS:
        frame = frames.get(sheet.name)
        if frame is None or frame.empty:
            continue
        cols = [c.name for c in sheet.columns]
        if sheet.name == "candidates":
            cols += _choice_columns(frame, 0)
        out = frame[cols]
        if fmt == "csv":
            out.to_csv(path / f"{sheet.name}.csv", index=False, encoding="utf-8")
        else:
            out.to_parquet(path / f"{sheet.name}.parquet", index=False)
    return path

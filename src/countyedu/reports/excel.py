"""The report as an Excel workbook: overview, all results, schools, townships and definitions."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from countyedu.census.writers import workbook
from countyedu.reports import charts
from countyedu.reports.labels import SHEETS, pick, unit_kind
from countyedu.reports.model import Cell, Column, Report, Status, status_of
from countyedu.runs.blocks import format_value, words
from countyedu.runs.registry import Chapter

NUMBER_FORMATS = {"percent": "0.0%", "count": "#,##0", "yuan": "#,##0", "decimal": "0.00"}
BLOCK_UNITS = {"share": "percent", "count": "count", "yuan": "yuan", "km": "decimal", "year": "", "": "decimal"}


@dataclass
class _Formats:
    """The workbook's cell formats: header, numbers by unit kind, statuses."""

    head: Any
    numbers: dict[str, Any]
    status: dict[str, Any]
    wrap: Any


def _formats(wb: Workbook, report: Report) -> _Formats:
    head = wb.add_format({"bold": True, "bg_color": "#EAF1F9", "border": 1, "text_wrap": True, "valign": "top"})
    numbers = {k: wb.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}
    status = {
        s.code: wb.add_format({"font_color": s.colour, "bg_color": s.tint, "bold": True}) for s in report.statuses()
    }
    return _Formats(head, numbers, status, wb.add_format({"text_wrap": True, "valign": "top"}))


def write_xlsx(report: Report, path: str | Path, pngs: dict[str, bytes] | None = None) -> Path:
    """Write the report's workbook (charts as pictures on the overview sheet)."""
    path = Path(path)
    if pngs is None:
        pngs = {name: charts.png(fig, dpi=110) for name, fig in charts.figures(report).items()}
    wb = workbook(path, {"nan_inf_to_errors": True})
    wb.set_properties(
        {"title": report.text["title"], "comments": f"{report.text['census_version']} {report.census_version}"}
    )
    fmt = _formats(wb, report)
    sheet = {key: wb.add_worksheet(pick(words, report.lang)) for key, words in SHEETS.items()}
    _overview(sheet["overview"], report, fmt, pngs)
    _results(sheet["results"], report, fmt)
    _schools(sheet["schools"], report, fmt)
    _townships(sheet["townships"], report, fmt)
    _definitions(sheet["definitions"], report, fmt)
    for chapter in report.chapters:
        _chapter(wb.add_worksheet(chapter.sheet), chapter, report, fmt, pngs)
    wb.close()
    return path


def _head(ws: Worksheet, heads: list[str], fmt: _Formats, widths: list[int] | None = None) -> None:
    """The header row, frozen, with a filter."""
    for j, h in enumerate(heads):
        ws.write_string(0, j, h, fmt.head)
        ws.set_column(j, j, widths[j] if widths and j < len(widths) else 12)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(heads) - 1)


def _number(ws: Worksheet, i: int, j: int, value: float | None, unit: str, fmt: _Formats) -> None:
    if value is None:
        ws.write_blank(i, j, None)
    else:
        ws.write_number(i, j, value, fmt.numbers[unit_kind(unit)])


def _status(ws: Worksheet, i: int, j: int, status: Status, fmt: _Formats) -> None:
    ws.write_string(i, j, status.label, fmt.status[status.code])


def overview_heads(report: Report) -> list[str]:
    """The overview sheet's header row."""
    t = report.text
    fixed = [
        t["pack"],
        t["id"],
        t["indicator"],
        t["stage"],
        t["value"],
        t["target"],
        t["status"],
        t["trend_at_deadline"],
    ]
    return fixed + [str(y) for y in report.years]


def _overview(ws: Worksheet, report: Report, fmt: _Formats, pngs: dict[str, bytes]) -> None:
    heads = overview_heads(report)
    _head(ws, heads, fmt, [14, 14, 36, 12, 10, 18, 9, 10])
    for i, r in enumerate(report.rows(), start=1):
        ws.write_row(i, 0, [r.pack, r.indicator, r.name, r.stage_label])
        _number(ws, i, 4, r.value, r.unit, fmt)
        ws.write_string(i, 5, r.target_text)
        _status(ws, i, 6, r.status, fmt)
        ws.write_string(i, 7, r.trend_text)
        for j, v in enumerate(r.values, start=8):
            _number(ws, i, j, v, r.unit, fmt)
    if report.partial_note:  # a year in collection: said under the table, as the report's heading says it
        ws.write_string(len(report.rows()) + 2, 0, report.partial_note)
    row = 1
    for name, data in pngs.items():
        ws.insert_image(
            row, len(heads) + 1, f"{name}.png", {"image_data": io.BytesIO(data), "x_scale": 0.8, "y_scale": 0.8}
        )
        row += 30


def results_heads(report: Report) -> list[str]:
    """The all-results sheet's header row."""
    keys = ["pack", "indicator", "name", "level", "unit", "unit_name", "stage", "year", "value", "measure"]
    return [report.text[k] for k in [*keys, "target_op", "target_value", "target_by", "status"]]


def _results(ws: Worksheet, report: Report, fmt: _Formats) -> None:
    _head(ws, results_heads(report), fmt, [14, 16, 36, 8, 10, 16, 10, 7, 12, 14, 8, 10, 8, 10])
    for i, r in enumerate(report.results, start=1):
        ws.write_row(i, 0, [r.pack, r.indicator, r.name, r.level, r.unit, r.unit_name, r.stage, r.year])
        ws.write(i, 8, r.value)
        ws.write_row(i, 9, [r.measure, r.op, r.target_value, r.by, r.status])


def _column_head(c: Column, t: dict[str, str], with_stage: bool = True) -> str:
    stage = t["paren"].format(c.stage_label) if with_stage and c.stage_label else ""
    return f"{c.indicator} {c.name}{stage}"


def _cells(ws: Worksheet, i: int, j: int, cells: list[Cell], columns: list[Column], fmt: _Formats) -> None:
    for k, (cell, col) in enumerate(zip(cells, columns, strict=True)):
        _number(ws, i, j + k, cell.value, col.unit, fmt)


def _schools(ws: Worksheet, report: Report, fmt: _Formats) -> None:
    t, st = report.text, report.schools
    columns = st.columns if st else []
    heads = [
        t["school_id"],
        t["school"],
        t["stage"],
        *(_column_head(c, t, False) for c in columns),
        t["result"],
        t["needs"],
    ]
    _head(ws, heads, fmt, [10, 22, 10, *([14] * len(columns)), 9, 60])
    for i, r in enumerate(st.rows if st else [], start=1):
        ws.write_row(i, 0, [r.school_id, r.name, r.stage_label])
        _cells(ws, i, 3, r.cells, columns, fmt)
        _status(ws, i, 3 + len(columns), r.result, fmt)
        ws.write_string(i, 4 + len(columns), r.needs)


def _township_columns(report: Report) -> list[Column]:
    """Every township column once (a column pooled over stages shows in several stage tables)."""
    seen: dict[tuple[str, str | None], Column] = {}
    for table in report.townships:
        for c in table.columns:
            seen.setdefault((c.indicator, c.stage), c)
    return list(seen.values())


def _townships(ws: Worksheet, report: Report, fmt: _Formats) -> None:
    t, columns = report.text, _township_columns(report)
    _head(
        ws,
        [t["township_id"], t["township"], *(_column_head(c, t) for c in columns)],
        fmt,
        [10, 12, *([16] * len(columns))],
    )
    cells: dict[str, dict[tuple[str, str | None], Cell]] = {}
    names: dict[str, str] = {}
    for table in report.townships:
        for row in table.rows:
            names[row.id] = row.name
            cells.setdefault(row.id, {}).update(
                {(c.indicator, c.stage): cell for c, cell in zip(table.columns, row.cells, strict=True)}
            )
    for i, tid in enumerate(names, start=1):
        ws.write_row(i, 0, [tid, names[tid]])
        for j, c in enumerate(columns, start=2):
            cell = cells[tid].get((c.indicator, c.stage))
            _number(ws, i, j, cell.value if cell else None, c.unit, fmt)


def _definitions(ws: Worksheet, report: Report, fmt: _Formats) -> None:
    t = report.text
    keys = ["pack", "id", "name", "kind", "description", "measure", "target", "clause", "mark"]
    _head(ws, [t[k] for k in keys], fmt, [16, 16, 36, 10, 60, 14, 30, 12, 12])
    for i, d in enumerate(report.definitions, start=1):
        row = [d.pack, d.indicator, d.name, d.kind, d.description, d.unit, d.targets, d.clause, d.mark]
        ws.write_row(i, 0, row, fmt.wrap)


def _chapter(ws: Worksheet, chapter: Chapter, report: Report, fmt: _Formats, pngs: dict[str, bytes]) -> None:
    """A planning or funding chapter: its blocks one under another (findings, then tables), charts at the right."""
    t, bold = report.text, fmt.head
    ws.set_column(0, 0, 16)
    ws.set_column(1, 12, 14)
    ws.write_string(0, 0, chapter.title, bold)
    i, picture_row = 2, 2
    for b in chapter.blocks:
        ws.write_string(i, 0, f"{b.title}（{b.clause}）" if report.lang == "zh" else f"{b.title} ({b.clause})", bold)
        i += 1
        for p in b.paragraphs:
            ws.write_string(i, 0, p)
            i += 1
        if b.findings:
            _head_at(ws, i, [t["clause"], t["rule"], t["value"], t["status"], t["explanation"]], fmt)
            for f in b.findings:
                i += 1
                ws.write_row(i, 0, [f.clause, f.rule, f.value])
                _status(ws, i, 3, status_of(f.status, report.lang), fmt)
                ws.write_string(i, 4, f.explanation)
            i += 2
        keys = [charts.block_chart_key(b.id, k) for k in range(len(b.charts))]
        keys += [charts.block_map_key(b.id, k) for k in range(len(b.maps))]
        for k, key in enumerate(keys):
            data = pngs.get(key)
            if data:
                ws.insert_image(
                    picture_row, 14, f"{b.id}-{k}.png", {"image_data": io.BytesIO(data), "x_scale": 0.7, "y_scale": 0.7}
                )
                picture_row += 24
        for tb in b.tables:
            ws.write_string(i, 0, f"{tb.title} {tb.clause}".strip(), bold)
            i += 1
            _head_at(ws, i, [words(c.label, report.lang) for c in tb.columns], fmt)
            for row in tb.rows:
                i += 1
                for j, (c, v) in enumerate(zip(tb.columns, row, strict=True)):
                    kind = BLOCK_UNITS.get(c.unit, "")
                    if isinstance(v, bool) or v is None or isinstance(v, str):
                        ws.write_string(i, j, format_value(v, c.unit, report.lang) if v is not None else "")
                    elif kind:
                        ws.write_number(i, j, v, fmt.numbers[kind])
                    else:
                        ws.write_number(i, j, v)
            i += 2
        i += 1


def _head_at(ws: Worksheet, row: int, heads: list[str], fmt: _Formats) -> None:
    for j, h in enumerate(heads):
        ws.write_string(row, j, h, fmt.head)

"""The task register's progress report for the leadership (issue 15 item 1; 第33条): the register's
report blocks (already in words of one language) as a self-contained HTML page, an A4 PDF laid out by
the report renderers (their style and PDF engine) or an Excel workbook (a headline sheet, then one
sheet per table)."""

from __future__ import annotations

import io

from countyedu.reports.html import _lang, environment
from countyedu.reports.letter import letter_pdf
from countyedu.runs.blocks import Block, format_value


def progress_html(blocks: list[Block], *, lang: str, title: str, subtitle: str, synthetic: str = "") -> str:
    """The report as one HTML page (every row of every table)."""
    token = _lang.set(lang)
    try:
        return (
            environment()
            .get_template("progress.html")
            .render(blocks=blocks, lang=lang, title=title, subtitle=subtitle, synthetic=synthetic)
        )
    finally:
        _lang.reset(token)


def progress_pdf(html: str) -> bytes:
    """The report as A4 PDF bytes (WeasyPrint, no network)."""
    return letter_pdf(html)


def progress_xlsx(blocks: list[Block], *, title: str, subtitle: str) -> bytes:
    """The report as a workbook: the first sheet the title and each block's findings, then a sheet per table."""
    import xlsxwriter

    from countyedu.census.writers import TEXT_ONLY

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **TEXT_ONLY})  # every string text, as writers.workbook
    head = wb.add_format({"bold": True, "bg_color": "#EAF1F9", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet(title[:31])
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    ws.write_string(1, 0, subtitle)
    row = 3
    for b in blocks:
        for f in b.findings:
            ws.write_string(row, 0, str(b.title), head)
            ws.write_string(row, 1, f"{f.rule}: {f.value}", wrap)
            ws.write_string(row, 2, str(f.explanation), wrap)
            row += 1
        for p in b.paragraphs:
            ws.write_string(row, 0, str(p), wrap)
            row += 1
    ws.set_column(0, 0, 24)
    ws.set_column(1, 2, 60)
    used: set[str] = {title[:31]}
    for i, b in enumerate(blocks, start=1):
        for t in b.tables:
            name = "".join(ch for ch in str(t.title) if ch not in "[]:*?/\\")[:28] or f"table{i}"
            while name in used:
                name = f"{name[:25]}-{i}"
            used.add(name)
            sheet = wb.add_worksheet(name)
            sheet.write_row(0, 0, [str(c.label) for c in t.columns], head)
            for r, values in enumerate(t.rows, start=1):
                for j, (c, v) in enumerate(zip(t.columns, values, strict=True)):
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        sheet.write_number(r, j, v)
                    else:
                        sheet.write_string(r, j, format_value(v, c.unit) if v is not None else "")
            sheet.set_column(0, len(t.columns), 16)
            sheet.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()

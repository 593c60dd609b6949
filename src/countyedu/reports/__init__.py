"""Reports: the assessment as one self-contained HTML file, an A4 PDF or an Excel workbook.

Renderers are pure: they take an Assessment and plain id → name dicts, and write only the output file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.reports.labels import LANGS

if TYPE_CHECKING:
    from countyedu.indicators.engine import Assessment
    from countyedu.reports.model import Names, Report
    from countyedu.runs.blocks import Block

# The report model imports the indicator engine (Ibis, pandas): loaded when a report is made, so that
# `countyedu.runs.blocks` (used by planning, funding and every command) stays light to import.
_LAZY = {"Report", "build_report", "names_from_frames"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from countyedu.reports import model

        return getattr(model, name)
    raise AttributeError(name)


FORMATS = ("html", "pdf", "xlsx")


class ReportError(CountyEduError):
    """A report that cannot be made as asked (unknown format or language)."""


def write_report(
    assessment: Assessment,
    path: str | Path,
    fmt: str,
    *,
    lang: str = "zh",
    names: Names | None = None,
    synthetic: bool = False,
    year: int | None = None,
    generated_at: dt.datetime | None = None,
    blocks: list[Block] | None = None,
    scope: str = "county",
) -> Path:
    """Write the report of an assessment as html, pdf or xlsx; returns the path written. `blocks` (from the
    planning and funding results, in `lang`) are added as chapters."""
    if fmt not in FORMATS:
        raise ReportError(
            Msg("no report format {fmt} (use one of {FORMATS})", fmt=fmt, FORMATS=tuple(FORMATS)),
            fmt=fmt,
        )
    if lang not in LANGS:
        raise ReportError(Msg("no report language {lang} (use zh or en)", lang=lang), lang=lang)
    from countyedu.reports.model import build_report

    report = build_report(
        assessment,
        lang=lang,
        names=names,
        synthetic=synthetic,
        year=year,
        generated_at=generated_at,
        blocks=blocks,
        scope=scope,
        all_results=fmt == "xlsx",  # the HTML and PDF reports show no row of every result
    )
    return _writer(fmt)(report, Path(path))


def _writer(fmt: str) -> Callable[[Report, Path], Path]:
    """The function that writes a report model in a format (imported on demand: WeasyPrint is slow to load)."""
    if fmt == "html":
        from countyedu.reports.html import write_html

        return write_html
    if fmt == "pdf":
        from countyedu.reports.pdf import write_pdf

        return write_pdf
    from countyedu.reports.excel import write_xlsx

    return write_xlsx


__all__ = ["FORMATS", "Report", "ReportError", "build_report", "names_from_frames", "write_report"]

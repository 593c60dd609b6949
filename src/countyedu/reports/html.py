"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no external reference."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from countyedu.reports import svg
from countyedu.reports.model import Report, Status, TargetRow, status_of
from countyedu.runs.blocks import Value, format_value

# The language being rendered, for the filters (set around each render).
_lang: ContextVar[str] = ContextVar("report_lang", default="zh")


@cache
def environment() -> Environment:
    """The Jinja2 environment over the package's templates (HTML autoescaped)."""
    env = Environment(
        loader=PackageLoader("countyedu.reports", "templates"),
        # the templates compiled once per user and kept (checked against their source): half a second a process
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["spark"] = _spark
    env.filters["status"] = _status
    env.filters["cell"] = _cell
    env.globals["chart_key"] = svg.block_chart_key
    env.globals["map_key"] = svg.block_map_key
    # a chapter's table in the HTML/PDF report shows this many rows (the Excel report and the web pages
    # have them all): a register of 800 teachers behind on training is read there, not printed
    env.globals["table_rows"] = REPORT_TABLE_ROWS
    return env


def _bytecode_cache() -> BytecodeCache | None:
    """Jinja's file cache of compiled templates in the user's temp folder (a private folder it makes
    and checks the owner of); None where there is none to be had."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def _spark(row: TargetRow) -> Markup:
    """A row's values over the years as an inline SVG sparkline."""
    target = row.target.value if row.target else None
    return Markup(svg.sparkline(row.values, target, row.status.colour))


def _status(code: str) -> Status:
    """A finding's status code as the report's badge (the language is the Chinese/English pair's first)."""
    return status_of(code, _lang.get())


def _cell(value: Value, unit: str) -> str:
    return format_value(value, unit, _lang.get())


def chart_svgs(report: Report) -> dict[str, Markup]:
    """The report's charts as inline SVG, drawn directly (reports.svg: no matplotlib)."""
    out = {"trend": Markup(svg.trend_svg(report)), "status": Markup(svg.status_svg(report))}
    for chapter in report.chapters:
        for b in chapter.blocks:
            for i, chart in enumerate(b.charts):
                out[svg.block_chart_key(b.id, i)] = Markup(svg.block_chart_svg(chart, report.lang))
            for i, m in enumerate(b.maps):
                out[svg.block_map_key(b.id, i)] = Markup(svg.block_map_svg(m, report.lang))
    return out


REPORT_TABLE_ROWS = 60


def render_html(report: Report, svgs: dict[str, Markup] | None = None) -> str:
    """The whole report as one HTML document."""
    token = _lang.set(report.lang)
    try:
        return _render(report, svgs)
    finally:
        _lang.reset(token)


def _render(report: Report, svgs: dict[str, Markup] | None) -> str:
    return (
        environment()
        .get_template("report.html")
        .render(
            report=report,
            t=report.text,
            charts=chart_svgs(report) if svgs is None else svgs,
            statuses=report.statuses(),
            totals=report.totals(),
        )
    )


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report as one self-contained HTML file."""
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path

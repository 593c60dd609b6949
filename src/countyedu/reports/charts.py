"""Charts of the report model: matplotlib figures with Chinese labels, as inline SVG text or PNG bytes."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from contextlib import AbstractContextManager

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from countyedu.census import vocabulary
from countyedu.reports.labels import STATUS, pick, unit_kind
from countyedu.reports.model import Report, TargetRow
from countyedu.reports.svg import _key_groups, _short, block_chart_key, block_map_key, sparkline
from countyedu.runs.blocks import BlockChart, BlockMap, words

# Text as paths: the SVG then needs no font wherever it is opened; hashsalt keeps ids stable.
RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Noto Sans CJK SC", "DejaVu Sans"],
    "axes.unicode_minus": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "countyedu",
    "font.size": 9,
}
MAP_COLOURS = vocabulary.PALETTE
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _style() -> AbstractContextManager[None]:
    """The chart style (CJK font, ASCII minus, text as paths) for the duration of a block."""
    return mpl.rc_context(RC)  # type: ignore[arg-type]  # matplotlib types rc keys as literals


def trend_figure(report: Report, ids: Sequence[str] | None = None) -> Figure:
    """Small multiples: the county value of each key target (the packs' key_targets) per year, with its
    target line."""
    groups = _key_groups(report, report.key_targets if ids is None else ids)
    ncols = 2 if len(groups) > 1 else 1
    nrows = max(1, math.ceil(len(groups) / ncols))
    with _style():
        fig = Figure(figsize=(8, 2.7 * nrows + 0.4))
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False).flat
        for ax, group in zip(axes, groups, strict=False):
            _trend_axes(ax, group, report.lang)
        for ax in list(axes)[len(groups) :]:
            ax.set_visible(False)
        fig.suptitle(report.text["trend_chart"], fontsize=11)
        fig.tight_layout()
    return fig


def _trend_axes(ax: Axes, group: list[TargetRow], lang: str) -> None:
    first = group[0]
    # a stage's line has the stage's colour (census.vocabulary); several rows of one stage take the palette
    staged = len({r.stage for r in group}) == len(group)
    colours = [vocabulary.colour(r.stage) for r in group] if staged else vocabulary.series_colours([], len(group))
    for colour, row in zip(colours, group, strict=True):
        ys = [math.nan if v is None else v for v in row.values]
        ax.plot(row.years, ys, marker="o", color=colour, label=row.stage_label)
        if row.target is not None:
            ax.axhline(row.target.value, color=colour, linestyle="--", linewidth=1, label=row.target_text)
    ax.set_title(f"{first.indicator} {_short(first.name, 24 if lang == 'zh' else 48)}", fontsize=9)
    _year_axis(ax, first.years)
    if all(v is None for r in group for v in r.values):
        ax.text(
            0.5,
            0.5,
            pick(STATUS["no_data"], lang),
            transform=ax.transAxes,
            ha="center",
            color=STATUS["no_data"][2],
            bbox={"facecolor": "white", "edgecolor": "none"},
        )
    if unit_kind(first.unit) == "percent":
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")


def _year_axis(ax: Axes, years: tuple[int, ...]) -> None:
    """Whole school years on the x axis, one tick per year (every other when there are many)."""
    if not years:
        return
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_xticks(years if len(years) <= 12 else years[::2])


def status_figure(report: Report) -> Figure:
    """Stacked bars: how many county items of each pack are met, at risk, not met, without data, to check."""
    counts = report.status_counts()
    packs = [p for p, _ in report.packs]
    labels = [textwrap.fill(name, 16 if report.lang == "zh" else 30) for _, name in report.packs]
    with _style():
        fig = Figure(figsize=(8, 0.9 * len(packs) + 1.4))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        left = [0] * len(packs)
        for code, words in STATUS.items():
            n = [counts[p][code] for p in packs]
            ax.barh(labels, n, left=left, color=words[2], label=pick(words, report.lang))
            left = [a + b for a, b in zip(left, n, strict=True)]
        ax.invert_yaxis()
        ax.set_xlabel(report.text["items"])
        ax.set_title(report.text["status_chart"].format(year=report.year), fontsize=11)
        fig.legend(ncols=len(STATUS), fontsize=8, loc="lower center", frameon=False)
        fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def svg(fig: Figure) -> str:
    """The figure as an inline <svg> element (no XML prologue, no doctype)."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="svg", metadata=SVG_METADATA)
    out = buf.getvalue().decode("utf-8")
    return out[out.index("<svg") :]


def png(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def block_chart_figure(chart: BlockChart, lang: str = "zh") -> Figure:
    """A planning or funding block's chart: lines or grouped bars over its x labels."""
    with _style():
        fig = Figure(figsize=(8, 3.0))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        xs = list(range(len(chart.x)))
        n = max(1, len(chart.series))
        width = 0.8 / n
        colours = vocabulary.series_colours(chart.colours, len(chart.series))
        for i, (colour, (name, values)) in enumerate(zip(colours, chart.series.items(), strict=True)):
            ys = [float("nan") if v is None else v for v in values]
            if chart.kind == "bar":
                ax.bar(
                    [x - 0.4 + width * (i + 0.5) for x in xs], ys, width=width, color=colour, label=words(name, lang)
                )
            else:
                ax.plot(xs, ys, marker="o", markersize=3, color=colour, label=words(name, lang))
        ax.set_xticks(xs, [words(x, lang) for x in chart.x], fontsize=8, rotation=0 if len(chart.x) <= 12 else 45)
        if chart.unit == "share":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if chart.y_label:
            ax.set_ylabel(words(chart.y_label, lang))
        ax.axhline(0, color="#999", linewidth=0.6)
        ax.grid(axis="y", color="#ddd", linewidth=0.5)
        ax.set_title(words(chart.title, lang), fontsize=10)
        if len(chart.series) > 1:
            ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
    return fig


def block_map_figure(m: BlockMap, lang: str = "zh") -> Figure:
    """Sites (diamonds) and the places joined to them (dots and lines in the site's colour), on longitude
    and latitude scaled for equal ground distances; no tiles, no basemap."""
    sites = [p for p in m.points if p.get("kind") == "school"]
    colour = {str(p["id"]): MAP_COLOURS[i % len(MAP_COLOURS)] for i, p in enumerate(sites)}
    at = {str(p["id"]): (float(p["lon"]), float(p["lat"])) for p in sites}
    lats = [float(p["lat"]) for p in m.points] or [0.0]
    with _style():
        fig = Figure(figsize=(8, 6.4))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        for p in m.points:
            if p.get("kind") != "school" and str(p.get("site_id")) in at:
                x0, y0 = at[str(p["site_id"])]
                c = colour[str(p["site_id"])]
                ax.plot([float(p["lon"]), x0], [float(p["lat"]), y0], color=c, linewidth=0.6, alpha=0.7)
                ax.scatter([float(p["lon"])], [float(p["lat"])], s=9, color=c, zorder=2)
        for p in sites:
            ax.scatter([float(p["lon"])], [float(p["lat"])], s=46, marker="D", color=colour[str(p["id"])],
                       edgecolors="#222", linewidths=0.6, zorder=3)  # fmt: skip
        ax.set_aspect(1 / math.cos(math.radians(sum(lats) / len(lats))))
        ax.set_xlabel("经度 / longitude")
        ax.set_ylabel("纬度 / latitude")
        ax.grid(color="#eee", linewidth=0.5)
        ax.set_title(words(m.title, lang), fontsize=10)
        fig.tight_layout()
    return fig


def figures(report: Report) -> dict[str, Figure]:
    """The report's charts by name (those of planning and funding blocks under block_chart_key)."""
    return {"trend": trend_figure(report), "status": status_figure(report), **block_figures(report)}


def block_figures(report: Report) -> dict[str, Figure]:
    """The planning and funding blocks' charts and maps, by block_chart_key / block_map_key."""
    out = {}
    for chapter in report.chapters:
        for b in chapter.blocks:
            for i, chart in enumerate(b.charts):
                out[block_chart_key(b.id, i)] = block_chart_figure(chart, report.lang)
            for i, m in enumerate(b.maps):
                out[block_map_key(b.id, i)] = block_map_figure(m, report.lang)
    return out


__all__ = ["block_chart_key", "block_map_key", "sparkline"]  # kept here for their callers

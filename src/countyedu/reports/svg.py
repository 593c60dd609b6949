"""The report's two own charts (key targets over the years, statuses per pack) drawn as SVG text
directly: the same content as the matplotlib figures of reports.charts (which the workbook's
pictures and the planning/funding block charts still use), without loading matplotlib — a report
in HTML or PDF is made in a fraction of the time. Text is <text> in the CJK font the report's CSS
and WeasyPrint use (fonts-noto-cjk)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from countyedu.census import vocabulary
from countyedu.reports.labels import STATUS, pick, unit_kind
from countyedu.reports.model import Report, TargetRow
from countyedu.runs.blocks import BlockChart, BlockMap, words

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'DejaVu Sans', sans-serif"
WIDTH = 800.0
PANEL_H = 250.0


def _text(
    x: float, y: float, s: str, size: float = 11, anchor: str = "start", colour: str = "#222", **extra: str
) -> str:
    more = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in extra.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" fill="{colour}"{more}>'
        f"{escape(s)}</text>"
    )


def _svg(width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="{FONT}">' + "".join(body) + "</svg>"
    )


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering lo…hi (about n of them)."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    return [first + i * step for i in range(math.ceil((hi - first) / step) + 1)]


def _tick_text(v: float, percent: bool) -> str:
    if percent:
        return f"{v * 100:.0f}%"
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:.2g}"


def _panel(x0: float, y0: float, w: float, h: float, group: list[TargetRow], lang: str) -> list[str]:
    """One key target: its rows' values per year (a line each, the stage's colour) and targets (dashed)."""
    first = group[0]
    out = [
        _text(x0 + w / 2, y0 + 14, f"{first.indicator} {_short(first.name, 24 if lang == 'zh' else 48)}", 12, "middle")
    ]
    left, top, right, bottom = x0 + 52, y0 + 26, x0 + w - 10, y0 + h - 52
    staged = len({r.stage for r in group}) == len(group)
    colours = [vocabulary.colour(r.stage) for r in group] if staged else vocabulary.series_colours([], len(group))
    values = [v for r in group for v in r.values if v is not None]
    targets = [r.target.value for r in group if r.target is not None]
    years = first.years
    percent = unit_kind(first.unit) == "percent"
    ticks = _ticks(min(values + targets), max(values + targets)) if values or targets else [0.0, 1.0]
    lo, hi = ticks[0], ticks[-1]

    def sx(year: float) -> float:
        if len(years) < 2:
            return (left + right) / 2
        return left + (year - years[0] + 0.5) / (years[-1] - years[0] + 1) * (right - left)

    def sy(v: float) -> float:
        return bottom - (v - lo) / ((hi - lo) or 1.0) * (bottom - top)

    out.append(
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" height="{bottom - top:.1f}" fill="none" stroke="#888" stroke-width="0.8"/>'
    )
    for t in ticks:
        y = sy(t)
        out.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        out.append(_text(left - 4, y + 3.5, _tick_text(t, percent), 9, "end", "#444"))
    shown = years if len(years) <= 12 else years[::2]
    for yr in shown:
        out.append(_text(sx(yr), bottom + 13, str(yr), 9, "middle", "#444"))
    legend: list[tuple[str, str, bool]] = []
    for colour, row in zip(colours, group, strict=True):
        if row.target is not None:
            y = sy(row.target.value)
            out.append(
                f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="1" stroke-dasharray="5,3"/>'
            )
        pts = [(sx(yr), sy(v)) for yr, v in zip(row.years, row.values, strict=True) if v is not None]
        segments: list[list[tuple[float, float]]] = [[]]
        for yr, v in zip(row.years, row.values, strict=True):  # a missing year breaks the line
            if v is None:
                segments.append([])
            else:
                segments[-1].append((sx(yr), sy(v)))
        for seg in segments:
            if len(seg) > 1:
                line = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
                out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        legend.append((colour, row.stage_label, False))
        if row.target is not None:
            legend.append((colour, row.target_text, True))
    if not values:
        nd = STATUS["no_data"]
        out.append(_text((left + right) / 2, (top + bottom) / 2, pick(nd, lang), 11, "middle", nd[2]))
    lx, ly = left, bottom + 28
    for colour, label, dashed in legend:
        if not label:
            continue
        dash = ' stroke-dasharray="5,3"' if dashed else ""
        width = 14 + 7.5 * len(label) * (1.6 if lang == "zh" else 1.0)
        if lx + width > right and lx > left:
            lx, ly = left, ly + 12
        out.append(
            f'<line x1="{lx:.1f}" x2="{lx + 12:.1f}" y1="{ly - 3:.1f}" y2="{ly - 3:.1f}" stroke="{colour}" stroke-width="1.6"{dash}/>'
        )
        out.append(_text(lx + 15, ly, label, 8.5, "start", "#333"))
        lx += width
    return out


def trend_svg(report: Report, ids: Sequence[str] | None = None) -> str:
    """Small multiples: the county value of each key target per year, with its target line."""
    groups = _key_groups(report, report.key_targets if ids is None else ids)
    ncols = 2 if len(groups) > 1 else 1
    nrows = max(1, math.ceil(len(groups) / ncols))
    w = WIDTH / ncols
    body = [_text(WIDTH / 2, 20, report.text["trend_chart"], 14, "middle")]
    for i, group in enumerate(groups):
        body += _panel((i % ncols) * w, 30 + (i // ncols) * PANEL_H, w, PANEL_H, group, report.lang)
    return _svg(WIDTH, 30 + nrows * PANEL_H, body)


def status_svg(report: Report) -> str:
    """Stacked bars: how many county items of each pack are met, at risk, not met, without data, to check."""
    counts = report.status_counts()
    packs = report.packs
    bar_h, gap, label_w, top = 26.0, 14.0, 210.0, 34.0
    left, right = label_w + 10, WIDTH - 20
    total = max([sum(counts[p].values()) for p, _ in packs] or [1]) or 1
    ticks = _ticks(0, total)
    scale = (right - left) / ticks[-1]
    bottom = top + len(packs) * (bar_h + gap)
    body = [_text(WIDTH / 2, 20, report.text["status_chart"].format(year=report.year), 14, "middle")]
    for t in ticks:
        x = left + t * scale
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="#e4e4e4" stroke-width="0.6"/>'
        )
        body.append(_text(x, bottom + 13, f"{t:g}", 9, "middle", "#444"))
    body.append(_text((left + right) / 2, bottom + 28, report.text["items"], 10, "middle", "#333"))
    for i, (pack, name) in enumerate(packs):
        y = top + i * (bar_h + gap) + gap / 2
        body.append(_text(left - 6, y + bar_h / 2 + 4, _short(name, 16 if report.lang == "zh" else 32), 10, "end"))
        x = left
        for code, label_of in STATUS.items():
            n = counts[pack][code]
            if n:
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{n * scale:.1f}" height="{bar_h:.1f}" fill="{label_of[2]}">'
                    f"<title>{escape(pick(label_of, report.lang))} {n}</title></rect>"
                )
                x += n * scale
    lx, ly = left, bottom + 48
    for label_of in STATUS.values():
        label = pick(label_of, report.lang)
        body.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" fill="{label_of[2]}"/>')
        body.append(_text(lx + 14, ly, label, 9.5, "start", "#333"))
        lx += 24 + 9.5 * len(label) * (1.1 if report.lang == "zh" else 0.6)
    return _svg(WIDTH, ly + 10, body)


def _key_groups(report: Report, ids: Sequence[str]) -> list[list[TargetRow]]:
    """One-pager rows of the key targets grouped by indicator; else the first four rows with values."""
    rows = report.rows()
    chosen = [i for i in ids if any(r.indicator == i for r in rows)]
    if not chosen:
        seen = dict.fromkeys(r.indicator for r in rows if any(v is not None for v in r.values))
        chosen = list(seen)[:4]
    return [[r for r in rows if r.indicator == i and r.pack == _first_pack(rows, i)] for i in chosen]


def _first_pack(rows: list[TargetRow], indicator: str) -> str:
    return next(r.pack for r in rows if r.indicator == indicator)


def _short(words: str, width: int) -> str:
    """The words cut to a width (characters, so that Chinese without spaces is cut too)."""
    return words if len(words) <= width else words[: width - 1] + "…"


def block_chart_key(block_id: str, i: int) -> str:
    return f"block:{block_id}:{i}"


def block_map_key(block_id: str, i: int) -> str:
    return f"map:{block_id}:{i}"


def sparkline(values: Sequence[float | None], target: float | None = None, colour: str = "#1f5fa8") -> str:
    """A small inline SVG of values over the years, with the target as a dashed line."""
    w, h, pad = 96.0, 22.0, 3.0
    known = [v for v in values if v is not None]
    if not known:
        return ""
    lo, hi = (
        min([*known, *([target] if target is not None else [])]),
        max([*known, *([target] if target is not None else [])]),
    )
    span = hi - lo or 1.0
    step = (w - 2 * pad) / max(1, len(values) - 1)

    def y(v: float) -> float:
        return h - pad - (v - lo) / span * (h - 2 * pad)

    pts = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None)
    line = (
        f'<line x1="0" x2="{w:g}" y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="#999" stroke-dasharray="2,2"/>'
        if target is not None
        else ""
    )
    dot = pts.split(" ")[-1].split(",")
    return (
        f'<svg class="spark" width="{w:g}" height="{h:g}" viewBox="0 0 {w:g} {h:g}">{line}'
        f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        f'<circle cx="{dot[0]}" cy="{dot[1]}" r="2" fill="{colour}"/></svg>'
    )


def block_chart_svg(chart: BlockChart, lang: str = "zh") -> str:
    """A planning, funding or teachers block's chart: lines or grouped bars over its x labels (the
    content of charts.block_chart_figure)."""
    w, h = WIDTH, 300.0
    left, top, right, bottom = 64.0, 34.0, w - 16, h - 62
    names = list(chart.series)
    colours = vocabulary.series_colours(chart.colours, len(names))
    values = [v for vs in chart.series.values() for v in vs if v is not None]
    ticks = _ticks(min([0.0, *values]), max([0.0, *values]))
    lo, hi = ticks[0], ticks[-1]
    n = max(1, len(chart.x))
    slot = (right - left) / n
    percent = chart.unit == "share"

    def sy(v: float) -> float:
        return bottom - (v - lo) / ((hi - lo) or 1.0) * (bottom - top)

    body = [_text(w / 2, 20, words(chart.title, lang), 12, "middle")]
    for t in ticks:
        y = sy(t)
        body.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.5"/>'
        )
        body.append(_text(left - 4, y + 3.5, _tick_text(t, percent), 9, "end", "#444"))
    body.append(
        f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" stroke="#999" stroke-width="0.6"/>'
    )
    rotate = len(chart.x) > 12
    for i, label in enumerate(chart.x):
        x = left + (i + 0.5) * slot
        extra = {"transform": f"rotate(45 {x:.1f} {bottom + 12:.1f})"} if rotate else {}
        body.append(
            _text(x, bottom + 12, _short(words(label, lang), 14), 8.5, "start" if rotate else "middle", "#444", **extra)
        )
    if chart.y_label:
        yl = words(chart.y_label, lang)
        mid = (top + bottom) / 2
        body.append(_text(14, mid, yl, 9.5, "middle", "#333", transform=f"rotate(-90 14 {mid:.1f})"))
    width = 0.8 * slot / max(1, len(names))
    for k, (colour, name) in enumerate(zip(colours, names, strict=True)):
        vs = chart.series[name]
        label = escape(words(name, lang))
        if chart.kind == "bar":
            for i, v in enumerate(vs):
                if v is None:
                    continue
                x = left + i * slot + 0.1 * slot + k * width
                y0, y1 = sorted((sy(0), sy(v)))
                body.append(
                    f'<rect x="{x:.1f}" y="{y0:.1f}" width="{width:.1f}" height="{y1 - y0:.1f}" fill="{colour}">'
                    f"<title>{label} {v:g}</title></rect>"
                )
        else:
            segments: list[list[tuple[float, float]]] = [[]]
            for i, v in enumerate(vs):
                if v is None:
                    segments.append([])
                else:
                    segments[-1].append((left + (i + 0.5) * slot, sy(v)))
            for seg in segments:
                if len(seg) > 1:
                    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
                    body.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
                body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in seg]
    if len(names) > 1:
        lx, ly = left, h - 8
        for colour, name in zip(colours, names, strict=True):
            label = words(name, lang)
            body.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="10" height="10" fill="{colour}"/>')
            body.append(_text(lx + 14, ly, label, 9, "start", "#333"))
            lx += 24 + 9 * len(label) * (1.1 if lang == "zh" else 0.6)
    return _svg(w, h, body)


def block_map_svg(m: BlockMap, lang: str = "zh") -> str:
    """Sites (diamonds) and the places joined to them (dots and lines in the site's colour), on
    longitude and latitude scaled for equal ground distances (the content of charts.block_map_figure)."""
    sites = [p for p in m.points if p.get("kind") == "school"]
    colour = {str(p["id"]): vocabulary.PALETTE[i % len(vocabulary.PALETTE)] for i, p in enumerate(sites)}
    at = {str(p["id"]): (float(p["lon"]), float(p["lat"])) for p in sites}
    lons = [float(p["lon"]) for p in m.points] or [0.0]
    lats = [float(p["lat"]) for p in m.points] or [0.0]
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    w, top, pad = WIDTH, 34.0, 30.0
    span_x = (max(lons) - min(lons)) * kx or 1e-6
    span_y = max(lats) - min(lats) or 1e-6
    scale = min((w - 2 * pad) / span_x, 560 / span_y)
    h = top + span_y * scale + 2 * pad

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - min(lons)) * kx * scale, top + pad + (max(lats) - lat) * scale

    body = [_text(w / 2, 20, words(m.title, lang), 12, "middle")]
    for p in m.points:
        if p.get("kind") != "school" and str(p.get("site_id")) in at:
            c = colour[str(p["site_id"])]
            x0, y0 = xy(*at[str(p["site_id"])])
            x, y = xy(float(p["lon"]), float(p["lat"]))
            body.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x0:.1f}" y2="{y0:.1f}" stroke="{c}" stroke-width="0.6" stroke-opacity="0.7"/>'
            )
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{c}"><title>{escape(words(p.get("name", ""), lang))}</title></circle>'
            )
    for p in sites:
        x, y = xy(float(p["lon"]), float(p["lat"]))
        c = colour[str(p["id"])]
        body.append(
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" fill="{c}" '
            f'stroke="#222" stroke-width="0.6"><title>{escape(words(p.get("name", ""), lang))}</title></path>'
        )
    return _svg(w, h, body)

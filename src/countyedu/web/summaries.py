"""The summary a long run page (planning, funding) opens on: every finding with its status, problems
first, each linking to its section; a few key charts; and the sections grouped into tabs.

The page holds every section in its HTML with an index of anchor links (it works without scripts);
`web/static/web/tabs.js` turns the index into tabs, showing the summary first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from countyedu.census import vocabulary
from countyedu.reports.model import status_of
from countyedu.runs.blocks import Block

# problems first: what needs doing, then what cannot be judged, then what is met
SEVERITY = ("not_met", "at_risk", "needs_evidence", "no_data", "met")
# the counts, in the order a reader scans them; the first three always shown, the others when there are any
COUNTED = ("met", "at_risk", "not_met", "needs_evidence", "no_data")
ALWAYS_COUNTED = COUNTED[:3]


@dataclass(frozen=True)
class TableChart:
    """A key chart drawn from one of a block's tables: bars of some amount columns over its first column."""

    block: str
    table: int
    series: tuple[str, ...]  # column keys, stacked
    stack: bool = True


@dataclass(frozen=True)
class BlockChartRef:
    """A key chart that a block already has."""

    block: str
    chart: int = 0


# What each run page shows first, beside its findings. A block or table that is not there is skipped.
KEY_CHARTS: dict[str, tuple[BlockChartRef | TableChart, ...]] = {
    "planning": (
        BlockChartRef("planning.seats"),
        BlockChartRef("planning.projects"),
        BlockChartRef("planning.projection"),
    ),
    "funding": (
        TableChart("funding.per_pupil", 0, ("standard", "small_school_floor", "boarding", "special_education")),
        TableChart("funding.per_pupil", 1, ("standard", "small_school_floor", "boarding", "special_education")),
    ),
}


def group_key(block_id: str) -> str:
    """The tab a block sits in: the first two parts of its id ("funding.compliance.2024" → "funding.compliance")."""
    return ".".join(block_id.split(".")[:2])


def _common_title(titles: list[str]) -> str:
    """The words the titles of a group share ("学区划分（划片招生）（小学）", "…（初中）" → "学区划分（划片招生）")."""
    first = titles[0]
    n = 0
    while n < len(first) and all(len(t) > n and t[n] == first[n] for t in titles):
        n += 1
    shared = first[:n].rstrip(" （(·:：")
    return shared or first


def tabs(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's sections grouped into tabs, in page order: id, title and the parts each holds."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for p in parts:
        groups.setdefault(group_key(p["block"].id), []).append(p)
    out = []
    for key, ps in groups.items():
        own = [p["block"].title for p in ps if p["block"].id == key]
        title = own[0] if own else _common_title([p["block"].title for p in ps])
        out.append({"id": f"part-{key}", "title": title, "parts": ps})
    return out


def findings(blocks: list[Block], lg: str) -> dict[str, Any]:
    """Every finding of the blocks, problems first (then in page order), with the section it links to,
    and the count of each status."""
    found = [(b, f) for b in blocks for f in b.findings]
    rank = {code: i for i, code in enumerate(SEVERITY)}
    found.sort(key=lambda bf: rank.get(bf[1].status, len(SEVERITY)))  # stable: page order within a status
    rows = [{"section": b.id, "section_title": b.title, "f": f, "status": status_of(f.status, lg)} for b, f in found]
    counts = [
        {"status": status_of(code, lg), "n": n}
        for code in COUNTED
        if (n := sum(f.status == code for _b, f in found)) or code in ALWAYS_COUNTED
    ]
    return {
        "counts": counts,
        "problems": [r for r, (_b, f) in zip(rows, found, strict=True) if f.status != "met"],
        "met": [r for r, (_b, f) in zip(rows, found, strict=True) if f.status == "met"],
        "total": len(rows),
    }


def key_charts(kind: str, blocks: list[Block]) -> list[dict[str, Any]]:
    """The key charts of a run page, as data for the page's chart script (ids key-chart-N)."""
    by_id = {b.id: b for b in blocks}
    out: list[dict[str, Any]] = []
    for ref in KEY_CHARTS.get(kind, ()):
        b = by_id.get(ref.block)
        if b is None:
            continue
        chart = _block_chart(b, ref) if isinstance(ref, BlockChartRef) else _table_chart(b, ref)
        if chart is not None:
            out.append({"id": f"key-chart-{len(out)}", "section": b.id, "section_title": b.title, **chart})
    return out


def _block_chart(b: Block, ref: BlockChartRef) -> dict[str, Any] | None:
    if ref.chart >= len(b.charts):
        return None
    c = b.charts[ref.chart]
    colours = vocabulary.series_colours(c.colours, len(c.series))
    return {"title": c.title, "kind": c.kind, "x": c.x, "series": c.series, "unit": c.unit, "colours": colours}


def _table_chart(b: Block, ref: TableChart) -> dict[str, Any] | None:
    if ref.table >= len(b.tables):
        return None
    t = b.tables[ref.table]
    keys = [c.key for c in t.columns]
    if not t.columns or any(k not in keys for k in ref.series):
        return None
    labels = {c.key: c.label for c in t.columns}
    units = {t.columns[keys.index(k)].unit for k in ref.series}
    series = {labels[k]: [_number(r[keys.index(k)]) for r in t.rows] for k in ref.series}
    return {
        "title": f"{b.title} · {t.title}",
        "kind": "bar",
        "x": [str(r[0]) for r in t.rows],
        "series": series,
        "unit": units.pop() if len(units) == 1 else "",
        "stack": ref.stack,
        "colours": vocabulary.series_colours([], len(series)),
    }


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def summary(kind: str, parts: list[dict[str, Any]], lg: str) -> dict[str, Any]:
    """The page's summary and tabs, for the template, from its parts (blocks worded in the reader's language)."""
    blocks = [p["block"] for p in parts]
    return {"findings": findings(blocks, lg), "key_charts": key_charts(kind, blocks), "tabs": tabs(parts)}

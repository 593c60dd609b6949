"""Report blocks: the one presentation shape for the planning and funding results.

A computation package (planning, funding) turns its result into a list of `Block`s in one language.
The HTML/PDF report, the Excel report, the web pages and the CLI all lay out these same blocks, so a
number reads the same everywhere and each block names the clause it implements.

Values in `BlockTable.rows` are plain: str, int, float, bool or None. A column's `unit` tells the
renderers how to format its numbers ("share" → percent, "yuan" → thousands separators, "count",
"km", "" → as is).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Value = str | int | float | bool | None


@dataclass(frozen=True)
class BlockColumn:
    key: str
    label: str
    unit: str = ""  # share | yuan | count | km | year | "" (text or plain number)


@dataclass
class BlockTable:
    title: str
    columns: list[BlockColumn]
    rows: list[list[Value]]
    note: str = ""
    clause: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "clause": self.clause,
            "note": self.note,
            "columns": [asdict(c) for c in self.columns],
            "rows": [dict(zip([c.key for c in self.columns], r, strict=True)) for r in self.rows],
        }


@dataclass
class BlockChart:
    """A line or bar chart: x labels and named series of the same length (None = gap)."""

    title: str
    kind: str  # line | bar
    x: list[str]
    series: dict[str, list[float | None]]
    y_label: str = ""
    unit: str = ""  # as BlockColumn.unit


@dataclass
class BlockMap:
    """Places on a map: sites (kind "school") and the places joined to one of them (kind "community",
    with site_id). Each point: kind, id, name, lat, lon[, site_id, detail]."""

    title: str
    points: list[dict[str, Any]]


@dataclass
class Finding:
    """One checked rule: what it says, the value found, the verdict (a status code of the reports:
    met / not_met / at_risk / no_data / needs_evidence) and why."""

    clause: str
    rule: str
    value: str
    status: str
    explanation: str = ""


@dataclass
class Block:
    id: str  # stable key, e.g. "planning.seats"
    title: str
    clause: str  # clause ids this block implements, e.g. "第4条; CS"
    paragraphs: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tables: list[BlockTable] = field(default_factory=list)
    charts: list[BlockChart] = field(default_factory=list)
    maps: list[BlockMap] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "clause": self.clause,
            "paragraphs": list(self.paragraphs),
            "findings": [asdict(f) for f in self.findings],
            "tables": [t.as_dict() for t in self.tables],
            "charts": [asdict(c) for c in self.charts],
            "maps": [asdict(m) for m in self.maps],
        }


def format_value(value: Value, unit: str, lang: str = "zh") -> str:
    """A cell's text: the one formatting rule every renderer uses."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, str):
        return value
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "yuan":
        return f"{value:,.0f}"
    if unit == "km":
        return f"{value:.2f}"
    if unit in ("count", "year"):
        return f"{value:.0f}" if unit == "year" else f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


# The report chapters blocks fall into, by the first part of their id ("planning.seats" → planning).
# key → (Chinese title, English title, Chinese sheet name, English sheet name)
CHAPTERS: dict[str, tuple[str, str, str, str]] = {
    "planning": ("学位与布局规划", "Planning: population, seats and school network", "规划", "Planning"),
    "funding": ("经费与预算", "Funding and budget", "经费", "Funding"),
}


@dataclass
class Chapter:
    key: str
    title: str
    sheet: str  # a short name (an Excel sheet's)
    blocks: list[Block]


def chapters(blocks: list[Block], lang: str = "zh") -> list[Chapter]:
    """Blocks grouped into report chapters, in the order their chapters first appear."""
    out: dict[str, Chapter] = {}
    for b in blocks:
        key = b.id.split(".", 1)[0]
        if key not in out:
            words = CHAPTERS.get(key, (key, key, key[:31], key[:31]))
            zh = lang == "zh"
            out[key] = Chapter(key, words[0] if zh else words[1], words[2] if zh else words[3], [])
        out[key].blocks.append(b)
    return list(out.values())

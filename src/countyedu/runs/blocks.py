"""Report blocks: the one presentation shape for the planning and funding results.

A computation package (planning, funding) turns its result into a list of `Block`s, once. The HTML/PDF
report, the Excel report, the web pages and the CLI all lay out these same blocks, so a number reads the
same everywhere and each block names the clause it implements.

Every text field (titles, paragraphs, findings' rule/value/explanation, column labels, chart series
names and y labels, map titles, a map point's name and detail) is a `Text`: words already made (str)
or a message to word (`countyedu.messages.Msg`). Renderers lay out `localize(blocks, lang)`, where
every Msg is worded. `as_dict`/`Block.from_dict` keep Msgs as keys and parameters (a stored run reads
in either language later).

Values in `BlockTable.rows` are plain: str, int, float, bool or None, or a Msg/Code (a label worded by
`localize`). A column's `unit` tells the renderers how to format its numbers ("share" → percent,
"yuan" → thousands separators, "count", "km", "" → as is).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import countyedu.census.vocabulary  # noqa: F401  (labels the Code values of a block's messages)
from countyedu.messages import Code, Msg, Num, decode, encode, translate
from countyedu.messages import Text as Text  # re-exported: the type of a block's text fields

Value = str | int | float | bool | None | Msg | Code


@dataclass(frozen=True)
class BlockColumn:
    key: str
    label: Text
    unit: str = ""  # share | yuan | count | km | year | "" (text or plain number)


@dataclass
class BlockTable:
    title: Text
    columns: list[BlockColumn]
    rows: list[list[Value]]
    note: Text = ""
    clause: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": encode(self.title),
            "clause": self.clause,
            "note": encode(self.note),
            "columns": [{**asdict(c), "label": encode(c.label)} for c in self.columns],
            "rows": [dict(zip([c.key for c in self.columns], map(encode, r), strict=True)) for r in self.rows],
        }

    @classmethod
    def from_dict(cls, t: dict[str, Any]) -> BlockTable:
        columns = [BlockColumn(**{**c, "label": decode(c["label"])}) for c in t["columns"]]
        rows = [[decode(r.get(c.key)) for c in columns] for r in t["rows"]]
        return cls(decode(t["title"]), columns, rows, decode(t.get("note", "")), t.get("clause", ""))

    def localized(self, lang: str) -> BlockTable:
        return BlockTable(
            translate(self.title, lang),
            [replace(c, label=translate(c.label, lang)) for c in self.columns],
            [[translate(v, lang) for v in r] for r in self.rows],
            translate(self.note, lang),
            self.clause,
        )


@dataclass
class BlockChart:
    """A line or bar chart: x labels and named series of the same length (None = gap). `colours` gives
    series their colours in order (a stage's is census.vocabulary.colour(stage), the same in every
    chart); a series without one takes the vocabulary's palette in turn."""

    title: Text
    kind: str  # line | bar
    x: list[Text]
    series: dict[Text, list[float | None]]
    y_label: Text = ""
    unit: str = ""  # as BlockColumn.unit
    colours: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        # series by name (the shape the API has always had) while every name is plain words
        plain = all(isinstance(k, str) for k in self.series)
        return {
            "title": encode(self.title),
            "kind": self.kind,
            "x": [encode(x) for x in self.x],
            "series": dict(self.series)
            if plain
            else [{"name": encode(k), "values": v} for k, v in self.series.items()],
            "y_label": encode(self.y_label),
            "unit": self.unit,
            "colours": list(self.colours),
        }

    @classmethod
    def from_dict(cls, c: dict[str, Any]) -> BlockChart:
        s = c["series"]
        series = dict(s) if isinstance(s, dict) else {decode(e["name"]): e["values"] for e in s}
        x = [decode(v) for v in c["x"]]
        y_label, unit = decode(c.get("y_label", "")), c.get("unit", "")
        return cls(decode(c["title"]), c["kind"], x, series, y_label, unit, list(c.get("colours", [])))

    def localized(self, lang: str) -> BlockChart:
        return BlockChart(
            translate(self.title, lang),
            self.kind,
            [translate(x, lang) for x in self.x],
            {translate(k, lang): v for k, v in self.series.items()},
            translate(self.y_label, lang),
            self.unit,
            self.colours,
        )


@dataclass
class BlockMap:
    """Places on a map: sites (kind "school") and the places joined to one of them (kind "community",
    with site_id). Each point: kind, id, name, lat, lon[, site_id, detail]."""

    title: Text
    points: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"title": encode(self.title), "points": [{k: encode(v) for k, v in p.items()} for p in self.points]}

    @classmethod
    def from_dict(cls, m: dict[str, Any]) -> BlockMap:
        return cls(decode(m["title"]), [{k: decode(v) for k, v in p.items()} for p in m["points"]])

    def localized(self, lang: str) -> BlockMap:
        return BlockMap(
            translate(self.title, lang), [{k: translate(v, lang) for k, v in p.items()} for p in self.points]
        )


@dataclass
class Finding:
    """One checked rule: what it says, the value found, the verdict (a status code of the reports:
    met / not_met / at_risk / no_data / needs_evidence) and why."""

    clause: str
    rule: Text
    value: Text | Num
    status: str
    explanation: Text = ""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: encode(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, f: dict[str, Any]) -> Finding:
        return cls(**{k: decode(v) for k, v in f.items()})

    def localized(self, lang: str) -> Finding:
        t = translate
        return Finding(self.clause, t(self.rule, lang), t(self.value, lang), self.status, t(self.explanation, lang))


@dataclass
class Block:
    id: str  # stable key, e.g. "planning.seats"
    title: Text
    clause: str  # clause ids this block implements, e.g. "第4条; CS"
    paragraphs: list[Text] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tables: list[BlockTable] = field(default_factory=list)
    charts: list[BlockChart] = field(default_factory=list)
    maps: list[BlockMap] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": encode(self.title),
            "clause": self.clause,
            "paragraphs": [encode(p) for p in self.paragraphs],
            "findings": [f.as_dict() for f in self.findings],
            "tables": [t.as_dict() for t in self.tables],
            "charts": [c.as_dict() for c in self.charts],
            "maps": [m.as_dict() for m in self.maps],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        """The inverse of as_dict (Msgs come back as Msgs)."""
        return cls(
            id=d["id"],
            title=decode(d["title"]),
            clause=d["clause"],
            paragraphs=[decode(p) for p in d["paragraphs"]],
            findings=[Finding.from_dict(f) for f in d["findings"]],
            tables=[BlockTable.from_dict(t) for t in d["tables"]],
            charts=[BlockChart.from_dict(c) for c in d["charts"]],
            maps=[BlockMap.from_dict(m) for m in d.get("maps", [])],
        )

    def localized(self, lang: str) -> Block:
        """This block with every text in words of `lang` (zh / en)."""
        return Block(
            self.id,
            translate(self.title, lang),
            self.clause,
            [translate(p, lang) for p in self.paragraphs],
            [f.localized(lang) for f in self.findings],
            [t.localized(lang) for t in self.tables],
            [c.localized(lang) for c in self.charts],
            [m.localized(lang) for m in self.maps],
        )


def words(text: Text | Num | Code, lang: str) -> str:
    """One text field in words of `lang` (what a renderer writes)."""
    return str(translate(text, lang))


def localize(blocks: list[Block], lang: str) -> list[Block]:
    """Blocks in words of `lang` (what the renderers lay out)."""
    return [b.localized(lang) for b in blocks]


def worded(blocks: list[Block], lang: str | None) -> list[Block]:
    """Blocks as computed (with their messages) when `lang` is None, else in words of `lang`."""
    return blocks if lang is None else localize(blocks, lang)


def format_value(value: Value, unit: str, lang: str = "zh") -> str:
    """A cell's text: the one formatting rule every renderer uses."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, str):
        return value
    if isinstance(value, Msg | Code):
        return str(translate(value, lang))
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

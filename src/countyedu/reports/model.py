"""The report model: an Assessment and place names turned into plain rows that templates and sheets lay out.

Everything here is already in the report's language and formatted by unit; renderers only arrange it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

from countyedu.census import vocabulary
from countyedu.indicators.engine import Assessment, Result
from countyedu.policy.pack import Item, Pack, Target, key_targets
from countyedu.reports.labels import LEVELS, MARKS, OPS, STATUS, pick, stage_label, text, unit_label
from countyedu.reports.values import addition_text, status_meets, target_text, value_text
from countyedu.runs.blocks import Block
from countyedu.runs.registry import Chapter, chapters

STAGE_ORDER = vocabulary.STAGES
SECTION_ORDER = (*STAGE_ORDER, "county")

Names = Mapping[str, Mapping[str, str]]  # "schools" / "townships" / "county" → id → name


@dataclass(frozen=True)
class Status:
    """A status code with its label in the report's language and its colour."""

    code: str
    label: str
    colour: str

    @property
    def tint(self) -> str:
        """The colour mixed with white, for a cell's background."""
        rgb = (int(self.colour[i : i + 2], 16) for i in (1, 3, 5))
        return "#" + "".join(f"{round(c * 0.16 + 255 * 0.84):02x}" for c in rgb)


@dataclass(frozen=True)
class TargetRow:
    """One county indicator (and stage) with a target: the year's value, target, status and trend."""

    pack: str
    indicator: str
    name: str
    stage: str | None
    stage_label: str
    unit: str
    value: float | None
    value_text: str
    target: Target | None
    target_text: str
    status: Status
    years: tuple[int, ...]
    values: tuple[float | None, ...]
    values_text: tuple[str, ...]
    trend_text: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class PackBlock:
    """The one-pager rows of one policy pack."""

    pack: str
    name: str
    rows: list[TargetRow]


@dataclass(frozen=True)
class Section:
    """The county rows of one stage (or the county-wide items)."""

    key: str
    title: str
    rows: list[TargetRow]


@dataclass(frozen=True)
class Cell:
    """A formatted value with its status."""

    text: str
    status: Status
    value: float | None = None


@dataclass(frozen=True)
class Column:
    """An indicator (and stage) shown as a table column."""

    indicator: str
    stage: str | None
    name: str
    stage_label: str
    unit: str = ""


@dataclass(frozen=True)
class PlaceRow:
    """A township (or school) with one cell per column."""

    id: str
    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    """Township results of one stage: one row per township, one column per indicator."""

    key: str
    title: str
    columns: list[Column]
    rows: list[PlaceRow]


@dataclass(frozen=True)
class SchoolRow:
    """A school part against the school resource standard, and what it needs to pass."""

    school_id: str
    name: str
    stage: str
    stage_label: str
    cells: list[Cell]
    result: Status
    needs: str


@dataclass(frozen=True)
class SchoolTable:
    """Every school part's pass or fail on the school resource standard (QB-R-SCHOOL)."""

    indicator: str
    name: str
    columns: list[Column]
    rows: list[SchoolRow]

    @property
    def passed(self) -> int:
        """School parts that pass."""
        return sum(r.result.code == "met" for r in self.rows)


@dataclass(frozen=True)
class ChecklistRow:
    """An item an inspector decides from evidence."""

    pack: str
    indicator: str
    name: str
    clause: str
    mark: str
    status: Status


@dataclass(frozen=True)
class Definition:
    """An item of a pack as the appendix defines it."""

    pack: str
    indicator: str
    name: str
    kind: str
    description: str
    unit: str
    targets: str
    clause: str
    mark: str


@dataclass(frozen=True)
class ResultRow:
    """One result of the assessment, labelled (the "all results" sheet)."""

    pack: str
    indicator: str
    name: str
    level: str
    unit: str
    unit_name: str
    stage: str
    year: int
    value: float | None
    measure: str
    op: str
    target_value: float | None
    by: int | None
    status: str


@dataclass
class Report:
    """Everything a report shows, in one language."""

    lang: str
    text: dict[str, str]
    county_id: str
    county_name: str
    census_version: str
    year: int
    years: list[int]  # the years of trends: every year but those in collection
    generated_at: str
    synthetic: bool
    packs: list[tuple[str, str]]
    one_pager: list[PackBlock]
    sections: list[Section]
    townships: list[Table]
    schools: SchoolTable | None
    checklist: list[ChecklistRow]
    definitions: list[Definition]
    results: list[ResultRow] = field(default_factory=list)
    chapters: list[Chapter] = field(default_factory=list)  # planning, funding (runs.blocks)
    partial_note: str = ""  # the year is in collection: says so with its coverage (census.years)
    key_targets: list[str] = field(default_factory=list)  # shown first: the packs' key_targets

    def rows(self) -> list[TargetRow]:
        """Every one-pager row, pack after pack."""
        return [r for block in self.one_pager for r in block.rows]

    def totals(self) -> list[tuple[Status, int]]:
        """How many one-pager rows have each status (statuses in report order, zeros left out)."""
        counts = Counter(r.status.code for r in self.rows())
        return [(status_of(code, self.lang), counts[code]) for code in STATUS if counts[code]]

    def statuses(self) -> list[Status]:
        """Every status, labelled in the report's language."""
        return [status_of(code, self.lang) for code in STATUS]

    def status_counts(self) -> dict[str, Counter[str]]:
        """Pack id → status code → number of county rows and checklist items in the year."""
        out: dict[str, Counter[str]] = {p: Counter() for p, _ in self.packs}
        for r in self.rows():
            out[r.pack][r.status.code] += 1
        for c in self.checklist:
            out[c.pack][c.status.code] += 1
        return out


# ------------------------------------------------------------------------------ index


class _Index:
    """Results by (pack, indicator, level, stage) → unit → year."""

    def __init__(self, results: list[Result], hidden: frozenset[int] = frozenset()) -> None:
        self.by: dict[tuple[str, str, str, str | None], dict[str, dict[int, Result]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self.stage_sets: dict[tuple[str, str, str], set[str | None]] = defaultdict(set)
        for r in results:
            self.by[(r.pack, r.indicator, r.level, r.stage)][r.unit][r.year] = r
            if r.year not in hidden:  # a year in collection adds no row to the report of another year
                self.stage_sets[(r.pack, r.indicator, r.level)].add(r.stage)

    def units(self, pack: str, item: str, level: str, stage: str | None) -> dict[str, dict[int, Result]]:
        """Unit → year → result."""
        return self.by.get((pack, item, level, stage), {})

    def get(self, pack: str, item: str, level: str, stage: str | None, unit: str, year: int) -> Result | None:
        """One result, or None."""
        return self.units(pack, item, level, stage).get(unit, {}).get(year)

    def stages(self, pack: str, item: str, level: str) -> list[str | None]:
        """The stages an item has results for at a level, in school order."""
        return sorted(self.stage_sets.get((pack, item, level), set()), key=_stage_key)


def _stage_key(stage: str | None) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1


# ------------------------------------------------------------------------------ build


def build_report(
    a: Assessment,
    *,
    lang: str = "zh",
    names: Names | None = None,
    synthetic: bool = False,
    year: int | None = None,
    generated_at: dt.datetime | None = None,
    blocks: list[Block] | None = None,
    scope: str = "county",
    all_results: bool = True,
) -> Report:
    """The report model of an assessment, for its latest closed year unless a year is given; `blocks`
    (planning, funding: already in the report's language) become chapters after the assessment's.
    Years in collection are never in the trends; a report of one says so in its heading. Every
    result as a row (`results`, the Excel report's sheet) unless `all_results` is False."""
    names = names or {}
    years = [y for y in sorted({r.year for r in a.results}) if y not in a.partial_years]
    year = year if year is not None else (a.default_year() if a.results else dt.date.today().year)
    idx = _Index(a.results, a.partial_years - {year})
    one_pager = [
        PackBlock(p.id, pick((p.name_zh, p.name_en), lang), _target_rows(a, p, idx, years, year, lang)) for p in a.packs
    ]
    rows = [r for b in one_pager for r in b.rows]
    return Report(
        lang=lang,
        text=text(lang, scope),
        county_id=a.county_id,
        county_name=names.get("county", {}).get(a.county_id, ""),
        census_version=a.census_version,
        year=year,
        years=years,
        generated_at=(generated_at or dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M"),
        synthetic=synthetic,
        packs=[(p.id, pick((p.name_zh, p.name_en), lang)) for p in a.packs],
        one_pager=one_pager,
        sections=_sections(rows, lang),
        townships=_township_tables(a, idx, names.get("townships", {}), year, lang),
        schools=_school_table(a, idx, names.get("schools", {}), year, lang),
        checklist=_checklist(a, idx, year, lang),
        definitions=[_definition(p, it, lang) for p in a.packs for it in p.items],
        results=_result_rows(a, names, lang) if all_results else [],
        chapters=chapters(blocks or [], lang),
        partial_note=_partial_note(a, year, lang),
        key_targets=key_targets(a.packs),
    )


def _partial_note(a: Assessment, year: int, lang: str) -> str:
    info = a.years.info(year)
    if not info.partial:
        return ""
    return text(lang)["partial_year"].format(year=year, reported=info.reported, schools=info.schools_open)


def county_name(a: Assessment) -> str:
    """The county's name (a pack's parameter county_name), or "" when no pack gives it."""
    return next((str(p.parameters["county_name"]) for p in a.packs if "county_name" in p.parameters), "")


def names_from_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """Plain id → name dicts from the census "schools" and "townships" frames."""
    out: dict[str, dict[str, str]] = {}
    for sheet, key in (("schools", "school_id"), ("townships", "township_id")):
        if sheet in frames:
            df = frames[sheet]
            out[sheet] = {str(i): str(n) for i, n in zip(df[key], df["name"], strict=True)}
    return out


def status_of(code: str, lang: str) -> Status:
    """A status with its label and colour."""
    zh, en, colour = STATUS[code]
    return Status(code, zh if lang == "zh" else en, colour)


def _name(item: Item, lang: str) -> str:
    return pick((item.name_zh, item.name_en), lang)


def _with_target(pack: Pack) -> Iterator[Item]:
    """The pack's county indicators with a target."""
    for it in pack.items:
        if it.kind == "indicator" and it.targets and "county" in it.levels:
            yield it


def _target_rows(a: Assessment, pack: Pack, idx: _Index, years: list[int], year: int, lang: str) -> list[TargetRow]:
    out = []
    for item in _with_target(pack):
        stages = idx.stages(pack.id, item.id, "county") or sorted({t.stage for t in item.targets}, key=_stage_key)
        for stage in stages:
            series = idx.units(pack.id, item.id, "county", stage).get(a.county_id, {})
            out.append(_target_row(pack.id, item, stage, series, years, year, lang))
    return out


def _target_row(
    pack: str, item: Item, stage: str | None, series: dict[int, Result], years: list[int], year: int, lang: str
) -> TargetRow:
    r = series.get(year)
    target = r.target if r else item.target_for(year, stage)
    values = tuple(series[y].value if y in series else None for y in years)
    trend = r.trend_at_deadline if r else None
    return TargetRow(
        pack=pack,
        indicator=item.id,
        name=_name(item, lang),
        stage=stage,
        stage_label=_stages_label(stage, item, lang),
        unit=item.unit,
        value=r.value if r else None,
        value_text=value_text(r.value if r else None, item.unit, target, status_meets(r.status) if r else None),
        target=target,
        target_text=target_text(target, item.unit, lang),
        status=status_of(r.status if r else "no_data", lang),
        years=tuple(years),
        values=values,
        values_text=tuple(value_text(v, item.unit) for v in values),
        trend_text="" if trend is None else value_text(trend, item.unit, target),
        sections=_section_keys(stage, item),
    )


def _section_keys(stage: str | None, item: Item) -> tuple[str, ...]:
    """The stage sections a row belongs to: its stage, else every stage its item pools, else county-wide."""
    if stage:
        return (stage,)
    pooled = tuple(s for s in item.stages if s)
    return pooled or ("county",)


def _stages_label(stage: str | None, item: Item, lang: str) -> str:
    keys = _section_keys(stage, item)
    return ("、" if lang == "zh" else ", ").join(stage_label(k, lang) for k in keys)


def _sections(rows: list[TargetRow], lang: str) -> list[Section]:
    out = []
    for key in SECTION_ORDER:
        mine = [r for r in rows if key in r.sections]
        if mine:
            title = stage_label(key, lang)
            out.append(Section(key, title[:1].upper() + title[1:], mine))  # a heading: "Preschool"
    return out


# ------------------------------------------------------------------------------ townships


def _township_columns(a: Assessment, idx: _Index, lang: str) -> list[tuple[Item, str, Column]]:
    """(item, pack id, column) of every township-level indicator, pack order."""
    out = []
    for pack in a.packs:
        for item in pack.items:
            if item.kind == "indicator" and "township" in item.levels:
                for stage in idx.stages(pack.id, item.id, "township"):
                    col = Column(item.id, stage, _name(item, lang), _stages_label(stage, item, lang), item.unit)
                    out.append((item, pack.id, col))
    return out


def _township_tables(a: Assessment, idx: _Index, names: Mapping[str, str], year: int, lang: str) -> list[Table]:
    cols = _township_columns(a, idx, lang)
    units = {u for item, pack, c in cols for u in idx.units(pack, item.id, "township", c.stage)}
    ids = sorted(set(names) | units)
    out = []
    for key in SECTION_ORDER:
        mine = [(item, pack, c) for item, pack, c in cols if key in _section_keys(c.stage, item)]
        if not mine:
            continue
        rows = [
            PlaceRow(
                t,
                names.get(t, t),
                [_cell(idx.get(p, it.id, "township", c.stage, t, year), it, lang) for it, p, c in mine],
            )
            for t in ids
        ]
        out.append(Table(key, stage_label(key, lang), [c for _, _, c in mine], rows))
    return out


def _cell(r: Result | None, item: Item, lang: str) -> Cell:
    if r is None:
        return Cell("—", status_of("no_data", lang))
    return Cell(value_text(r.value, item.unit, r.target, status_meets(r.status)), status_of(r.status, lang), r.value)


# ------------------------------------------------------------------------------ schools


def _school_item(a: Assessment) -> tuple[Pack, Item] | None:
    """The first pack item that is the school resource standard (formula qb_school_pass)."""
    return next(((p, it) for p in a.packs for it in p.items if it.formula == "qb_school_pass"), None)


def _school_table(a: Assessment, idx: _Index, names: Mapping[str, str], year: int, lang: str) -> SchoolTable | None:
    found = _school_item(a)
    if found is None:
        return None
    pack, item = found
    parts = [pack.item(i) for i in item.params["indicators"]]
    gaps = {(g.school_id, g.stage): g.additions for g in a.school_gaps if g.year == year}
    rows = []
    for stage in idx.stages(pack.id, item.id, "school"):
        for sid, series in idx.units(pack.id, item.id, "school", stage).items():
            r = series.get(year)
            if r is None:
                continue
            cells = [_cell(idx.get(pack.id, p.id, "school", stage, sid, year), p, lang) for p in parts]
            needs = "; ".join(addition_text(n, words, lang) for _, n, words in gaps.get((sid, str(stage)), []))
            rows.append(
                SchoolRow(sid, names.get(sid, sid), str(stage), stage_label(stage, lang), cells, _pass(r, lang), needs)
            )
    rows.sort(key=lambda s: (_stage_key(s.stage), s.result.code == "met", s.school_id))
    columns = [Column(p.id, None, _name(p, lang), "", p.unit) for p in parts]
    return SchoolTable(item.id, _name(item, lang), columns, rows)


def _pass(r: Result, lang: str) -> Status:
    """Pass or fail by the school's value (1 passes, 0 fails), whatever the trend says."""
    if r.value is None:
        return status_of("no_data", lang)
    s = status_of("met" if r.value >= 1 else "not_met", lang)
    return Status(s.code, text(lang)["pass" if s.code == "met" else "fail"], s.colour)


# ------------------------------------------------------------------------------ checklist, definitions, results


def _checklist(a: Assessment, idx: _Index, year: int, lang: str) -> list[ChecklistRow]:
    out = []
    for pack in a.packs:
        for item in pack.items:
            r = idx.get(pack.id, item.id, "county", None, a.county_id, year)
            if r is not None and r.status == "needs_evidence":
                mark = pick(MARKS[item.mark], lang)
                out.append(
                    ChecklistRow(pack.id, item.id, _name(item, lang), item.clause, mark, status_of(r.status, lang))
                )
    return out


def _definition(pack: Pack, item: Item, lang: str) -> Definition:
    words = text(lang)
    targets = words["semicolon"].join(
        (stage_label(t.stage, lang) + words["colon"] if t.stage else "") + target_text(t, item.unit, lang)
        for t in item.targets
    )
    return Definition(
        pack=pack.id,
        indicator=item.id,
        name=_name(item, lang),
        kind=words[f"kind_{item.kind}"],
        description=pick((item.description_zh, item.description_en), lang),
        unit=unit_label(item.unit, lang),
        targets=targets,
        clause=item.clause,
        mark=pick(MARKS[item.mark], lang),
    )


def _result_rows(a: Assessment, names: Names, lang: str) -> list[ResultRow]:
    places = {
        "school": names.get("schools", {}),
        "township": names.get("townships", {}),
        "county": {a.county_id: names.get("county", {}).get(a.county_id, "")},
    }
    items = {(p.id, it.id): it for p in a.packs for it in p.items}
    return [_result_row(r, items[(r.pack, r.indicator)], places[r.level].get(r.unit, ""), lang) for r in a.results]


def _result_row(r: Result, item: Item, place: str, lang: str) -> ResultRow:
    t = r.target
    return ResultRow(
        pack=r.pack,
        indicator=r.indicator,
        name=_name(item, lang),
        level=pick(LEVELS[r.level], lang),
        unit=r.unit,
        unit_name=place,
        stage=stage_label(r.stage, lang) if r.stage else "",
        year=r.year,
        value=r.value,
        measure=unit_label(item.unit, lang),
        op=OPS[t.op] if t else "",
        target_value=t.value if t else None,
        by=t.by if t else None,
        status=status_of(r.status, lang).label,
    )

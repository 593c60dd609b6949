"""`explain`: one indicator at one unit and year — the formula in words, the clause, the target,
the numbers that went in and the census rows they came from, and the census version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.census.vocabulary import stage_label
from countyedu.errors import CountyEduError
from countyedu.indicators import evidence
from countyedu.indicators.engine import Assessment, Result
from countyedu.indicators.explain_tables import STATUS_WORDS, tables, worded
from countyedu.indicators.formulas import FORMULAS, SOURCE_ROWS, SOURCES
from countyedu.indicators.tables import CensusTables
from countyedu.messages import Msg, translate
from countyedu.policy.pack import Item

MAX_ROWS = 200  # source rows listed per sheet; the count is always given


MARK_WORDS = {  # as the reports say them (reports.labels.MARKS, a layer above)
    "policy": ("政策原文", "policy text"),
    "text": ("标准原文", "standard text"),
    "practice": ("通行做法", "common practice"),
    "assumed": ("假定参数", "assumed parameter"),
}
LEVEL_WORDS = {"school": ("学校", "school"), "township": ("乡镇", "township"), "county": ("全县", "county")}


class ExplainError(CountyEduError):
    """No such indicator, unit or year."""


SCOPE_KEYS = {"school_id": "schools", "junior_school_id": "schools", "township_id": "townships"}
SCOPE_KEYS |= {"community_id": "communities"}


@dataclass(frozen=True)
class Scope:
    """The census rows a reader may see, by school, township and community id (None: all of that kind).
    A row is shown when every id it carries is allowed; a sheet without ids (finance) is the county's."""

    schools: frozenset[str] | None = None
    townships: frozenset[str] | None = None
    communities: frozenset[str] | None = None

    def __and__(self, other: Scope) -> Scope:
        def both(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
            return b if a is None else a if b is None else a & b

        return Scope(
            both(self.schools, other.schools),
            both(self.townships, other.townships),
            both(self.communities, other.communities),
        )

    def _allowed(self, column: str) -> frozenset[str] | None:
        kind = SCOPE_KEYS.get(column)
        return None if kind is None else getattr(self, kind)

    def table(self, t: Any) -> Any:
        """An Ibis table cut to the scope (a null id, e.g. a township total's school, is kept)."""
        for column in t.columns:
            allowed = self._allowed(column)
            if allowed is not None:
                t = t.filter(t[column].isnull() | t[column].isin(sorted(allowed)))
        return t

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """A pandas frame cut to the scope, as `table`."""
        keep = pd.Series(True, index=df.index)
        for column in df.columns:
            allowed = self._allowed(str(column))
            if allowed is not None:
                keep &= df[column].isna() | df[column].isin(allowed)
        return df[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Explanation:
    """Everything behind one number."""

    item: Item
    result: Result
    census_version: str
    contributions: pd.DataFrame
    sources: dict[str, tuple[int, pd.DataFrame]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # school, township and community id → name
    reason: Msg | None = None  # why a no_data result has no value (indicators.missing)

    def as_dict(self) -> dict[str, Any]:
        """JSON shape of `countyedu explain --format json`."""
        r = self.result
        return {
            "census_version": self.census_version,
            "indicator": r.indicator,
            "pack": r.pack,
            "name_zh": self.item.name_zh,
            "name_en": self.item.name_en,
            "formula_zh": self.item.description_zh,
            "formula_en": self.item.description_en,
            "clause": self.item.clause,
            "mark": self.item.mark,
            "unit_of_measure": self.item.unit,
            **r.as_dict(),
            "numerator": r.num,
            "denominator": r.den,
            "trend_at_deadline": r.trend_at_deadline,
            "contributions": _records(self.contributions),
            "sources": {sheet: {"rows": n, "shown": _records(df)} for sheet, (n, df) in self.sources.items()},
            "no_data_reason": self.reason.as_dict() if self.reason is not None else None,
        }

    def text(self, lang: str = "zh") -> str:
        """The explanation as a planner reads it."""
        r, it = self.result, self.item
        zh = lang == "zh"
        status = STATUS_WORDS[r.status][0 if zh else 1]
        level = LEVEL_WORDS.get(r.level, (r.level, r.level))[0 if zh else 1]
        lines = [
            f"{r.indicator} {it.name_zh if zh else it.name_en}",
            ("单位" if zh else "unit")
            + f": {level} {self.names.get(r.unit, r.unit)}"
            + (f" / {stage_label(r.stage, lang)}" if r.stage else "")
            + f", {'学年' if zh else 'year'} {r.year}",
            ("公式" if zh else "formula") + f": {it.description_zh if zh else it.description_en}",
            ("依据" if zh else "clause")
            + f": {it.clause} [{MARK_WORDS.get(it.mark, (it.mark, it.mark))[0 if zh else 1]}]",
            ("目标" if zh else "target") + f": {r.target.words(lang) if r.target else '-'}",
            ("数值" if zh else "value")
            + f": {_value(r.value, it.unit, zh)}; "
            + ("分子" if zh else "numerator")
            + f" {_fmt(r.num)}, "
            + ("分母" if zh else "denominator")
            + f" {_fmt(r.den)}",
            ("状态" if zh else "status")
            + f": {status}"
            + (
                f"; {'趋势到期值' if zh else 'trend at deadline'} {_fmt(r.trend_at_deadline)}"
                if r.trend_at_deadline is not None
                else ""
            ),
            ("普查版本" if zh else "census version") + f": {self.census_version}",
        ]
        if self.reason is not None:
            lines.insert(-1, ("无数值的原因" if zh else "why no value") + f": {translate(self.reason, lang)}")
        readable = [worded(t, lang) for t in tables(self)]
        made_of = readable[0]
        if made_of["rows"]:
            lines.append(("构成" if zh else "made of") + f" ({made_of['total']}):")
            lines += ["  " + _row_text(made_of["columns"], row) for row in made_of["rows"][:20]]
        for src in readable[1:]:
            lines.append(("来源" if zh else "source") + f" {src['sheet']}: {src['total']} " + ("行" if zh else "rows"))
            lines += ["  " + _row_text(src["columns"], row) for row in src["rows"][:10]]
        return "\n".join(lines)


def _value(v: float | None, unit: str, zh: bool) -> str:
    """A result's value: a share as a percent; another number with its unit in English (the pack's
    units are English words)."""
    if v is not None and unit.startswith("share"):
        return f"{v * 100:.1f}%"
    return _fmt(v) if zh or not unit else f"{_fmt(v)} ({unit})"


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.4f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = df.astype(object).where(df.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()} for rec in out.to_dict("records")]


def _row_text(columns: list[str], row: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c}={cell['text']}" for c, cell in zip(columns, row, strict=True) if cell["text"])


def explain(
    ct: CensusTables,
    assessment: Assessment,
    indicator: str,
    unit: str,
    year: int,
    stage: str | None = None,
    scope: Scope | None = None,
) -> Explanation:
    """The explanation of one result of an assessment: its rows are the unit's own (a township's
    schools, communities and population; a school's rows), cut further to a reader's `scope`."""
    matches = [
        r
        for r in assessment.results
        if r.indicator == indicator and r.unit == unit and r.year == year and (stage is None or r.stage == stage)
    ]
    if not matches:
        known = sorted({r.unit for r in assessment.results if r.indicator == indicator})
        if not known:
            raise ExplainError(Msg("no indicator {indicator} in the packs", indicator=indicator))
        raise ExplainError(
            Msg(
                "{indicator} has no result for unit {unit} in {year} (units: {value}…)",
                indicator=indicator,
                unit=unit,
                year=year,
                value=tuple(known[:15]),
            ),
        )
    result = matches[0]
    item = assessment.item(indicator)
    rows = unit_scope(ct, result) & (scope or Scope())
    derived = _derived(assessment, item, result, rows)
    if derived is None and item.kind == "checklist":  # the visits' evidence behind it (indicators.evidence)
        derived = evidence.contributions(assessment, item.id, result.level, result.unit, result.year)
    contributions = derived if derived is not None else rows.frame(_contributions(ct, item, result))
    sources = _sources(ct, item, result, rows)
    reason = (
        assessment.no_data_reasons.get((result.pack, result.indicator, result.level, result.year))
        if result.status == "no_data"
        else None
    )
    return Explanation(item, result, assessment.census_version, contributions, sources, _names(ct, rows), reason)


def _names(ct: CensusTables, scope: Scope) -> dict[str, str]:
    """The names of the schools, townships and communities a reader may see (their ids are the keys)."""
    out: dict[str, str] = {}
    for sheet, key in (("schools", "school_id"), ("townships", "township_id"), ("communities", "community_id")):
        if sheet in ct.t:
            df = scope.table(ct[sheet]).select(key, "name").to_pandas()
            out.update(zip(df[key].astype(str), df["name"].astype(str), strict=True))
    return out


def unit_scope(ct: CensusTables, r: Result) -> Scope:
    """The rows behind a result of a unit: the county's are all rows; a township's are its schools,
    its communities and itself; a school's are itself, its township and its community."""
    if r.level == "county":
        return Scope()
    schools, com = ct["schools"], ct["communities"]
    if r.level == "township":
        school_ids = schools.filter(schools.township_id == r.unit).school_id.to_pandas()
        community_ids = com.filter(com.township_id == r.unit).community_id.to_pandas()
        return Scope(frozenset(school_ids), frozenset({r.unit}), frozenset(community_ids))
    own = schools.filter(schools.school_id == r.unit).select("township_id", "community_id").to_pandas()
    return Scope(frozenset({r.unit}), frozenset(own.township_id.dropna()), frozenset(own.community_id.dropna()))


def _unit_filter(t: Any, level: str, unit: str) -> Any:
    if level == "school" and "school_id" in t.columns:
        return t.school_id == unit
    if level == "township" and "township_id" in t.columns:
        return t.township_id == unit
    return None


def _derived(a: Assessment, item: Item, r: Result, scope: Scope) -> pd.DataFrame | None:
    """For items computed from other items' results (CV, QB school pass): those results."""
    if item.formula == "cv":
        wanted = {item.params["of"]}
        level = "school"
    elif item.formula == "qb_school_pass":
        wanted = set(item.params["indicators"]) if r.level == "school" else {item.id}
        level = "school"
    else:
        return None
    rows = [
        {
            "indicator": x.indicator,
            "unit": x.unit,
            "stage": x.stage,
            "year": x.year,
            "value": x.value,
            "pupils" if item.formula == "cv" else "den": x.den,
            "status": x.status,
        }
        for x in a.results
        if x.indicator in wanted
        and x.level == level
        and x.year == r.year
        and x.stage == r.stage
        and (r.level != "school" or x.unit == r.unit)
        and (scope.schools is None or x.unit in scope.schools)
    ]
    return pd.DataFrame(rows)


def _contributions(ct: CensusTables, item: Item, r: Result) -> pd.DataFrame:
    formula = item.formula or ""
    if formula not in FORMULAS:
        return pd.DataFrame()
    c = FORMULAS[formula](ct, item)
    c = c.filter(c.year == r.year)
    cond = _unit_filter(c, r.level, r.unit)
    if cond is not None:
        c = c.filter(cond)
    if r.stage is not None:
        c = c.filter(c.stage == r.stage)
    df = c.to_pandas()
    keys = [k for k in ("school_id", "township_id", "stage", "year") if k in df.columns]
    return df.groupby(keys, dropna=False, as_index=False)[["num", "den"]].sum()


def _sources(ct: CensusTables, item: Item, r: Result, scope: Scope) -> dict[str, tuple[int, pd.DataFrame]]:
    """Rows of the source sheets behind the result, within the scope (the count, and the first rows)."""
    out: dict[str, tuple[int, pd.DataFrame]] = {}
    for sheet in SOURCES.get(item.formula or "", ()):
        t = ct[sheet]
        if "year" in t.columns:
            t = t.filter(t.year == r.year)
        t = scope.table(t)
        rows = SOURCE_ROWS.get(item.formula or "")
        if rows is not None:
            t = rows(sheet, t, item)
        n = int(t.count().to_pandas())
        out[sheet] = (n, t.limit(MAX_ROWS).to_pandas())
    return out

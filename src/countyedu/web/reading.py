"""The stored assessment as the dashboards, the planning pages and the API read it: the request's
language and school year, the assessment indexed by indicator, unit, stage and year (built once per
stored assessment), the unit a user may read and the explanation of one result cut to the reader's
scope."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import Http404, HttpRequest, QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from countyedu.census import vocabulary
from countyedu.census.years import Years
from countyedu.indicators.engine import Assessment, Result
from countyedu.indicators.explain import ExplainError, Explanation, explain
from countyedu.reports import build_report
from countyedu.reports.model import Report, county_name
from countyedu.web import access
from countyedu.web import census as census_data

STAGES = vocabulary.STAGES  # 学前 → 小学 → 初中 → 高中 → 中职


def lang() -> str:
    """The report language of the request: zh or en."""
    return "zh" if (get_language() or "zh").startswith("zh") else "en"


@dataclass
class Indexed:
    """The stored assessment indexed for pages (built once per stored assessment), seen in one school
    year: the latest closed year unless another is chosen (at())."""

    a: Assessment
    year: int
    years: list[int]
    series: dict[tuple[str, str, str, str | None], dict[int, Result]]  # (indicator, level, unit, stage) → year →
    stages: dict[tuple[str, str, str], list[str | None]]  # (indicator, level, unit) → stages, school order
    gaps: dict[tuple[str, str, int], list[tuple[str, float, str]]]  # (school, stage, year) → additions
    models: dict[tuple[str, int], Report] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)
    views: dict[int, Indexed] = field(default_factory=dict)

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        """A page part made once per stored assessment, year (and language): pages stay fast under load."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    def get(self, indicator: str, level: str, unit: str, stage: str | None, year: int | None = None) -> Result | None:
        return self.series.get((indicator, level, unit, stage), {}).get(self.year if year is None else year)

    @property
    def trend_years(self) -> list[int]:
        """The years of sparks and trend charts: every year but those in collection (partial)."""
        return [y for y in self.years if y not in self.a.partial_years]

    @property
    def default_year(self) -> int:
        return self.a.default_year()

    def at(self, year: int) -> Indexed:
        """The same index seen in another year (its own page parts; the series are shared)."""
        if year == self.year:
            return self
        if year not in self.views:
            stages = _stage_index(self.series, self.a.partial_years - {year})
            self.views[year] = replace(self, year=year, stages=stages, memo={}, views={})
        return self.views[year]

    def report(self, lang: str) -> Report:
        """The report model of the assessment in a language and the index's year (tables shared with
        the downloads)."""
        key = (lang, self.year)
        if key not in self.models:
            self.models[key] = build_report(self.a, lang=lang, names=report_names(self.a), year=self.year)
        return self.models[key]


_INDEXED: dict[str, Indexed] = {}
_LOCK = threading.Lock()


def stage_order(stage: str | None) -> int:
    return STAGES.index(stage) if stage in STAGES else -1


def _stage_index(
    series: dict[tuple[str, str, str, str | None], dict[int, Result]], partial: frozenset[int]
) -> dict[tuple[str, str, str], list[str | None]]:
    """(indicator, level, unit) → the stages with results in a year other than the `partial` ones (a
    year in collection adds no row to the pages of the other years), in school order."""
    stages: dict[tuple[str, str, str], list[str | None]] = {}
    for (ind, level, unit, stage), by_year in series.items():
        if any(y not in partial for y in by_year):
            stages.setdefault((ind, level, unit), []).append(stage)
    for v in stages.values():
        v.sort(key=stage_order)
    return stages


def indexed(a: Assessment) -> Indexed:
    """The index of an assessment, cached while that assessment object is the stored one."""
    hit = _INDEXED.get(a.census_version)
    if hit is not None and hit.a is a:
        return hit
    series: dict[tuple[str, str, str, str | None], dict[int, Result]] = {}
    for r in a.results:
        series.setdefault((r.indicator, r.level, r.unit, r.stage), {})[r.year] = r
    years = sorted({r.year for r in a.results})
    gaps = {(g.school_id, g.stage, g.year): g.additions for g in a.school_gaps}
    ix = Indexed(a, a.default_year(), years, series, _stage_index(series, a.partial_years), gaps)
    with _LOCK:
        if len(_INDEXED) > 4:
            _INDEXED.clear()
        _INDEXED[a.census_version] = ix
    return ix


def page_index(request: HttpRequest, a: Assessment) -> Indexed:
    """The index in the school year the request chooses (?year=; default the latest closed year);
    404 for a year without results."""
    ix = indexed(a)
    raw = request.GET.get("year") or ""
    if not raw:
        return ix
    if not raw.isdigit() or int(raw) not in ix.years:
        raise Http404(_("No school year %(year)s in the assessment.") % {"year": raw[:10]})
    return ix.at(int(raw))


def year_context(request: HttpRequest, ys: Years, year: int, default: int, offered: list[int]) -> dict[str, Any]:
    """What a page says of its school year: the year, whether it is partial (in collection) with its
    coverage, and the selector of the `offered` years (newest first, each labelled)."""
    lg = lang()
    info = ys.info(year)
    return {
        "year": year,
        "year_info": info,
        "year_label": info.label(lg),
        "partial": info.partial,
        "default_year": default,
        "year_choices": [
            {"year": y, "label": ys.info(y).label(lg), "partial": ys.info(y).partial, "selected": y == year}
            for y in reversed(offered)
        ],
        "year_query": "" if year == default else f"?year={year}",
        "year_keep": [(k, v) for k, v in request.GET.items() if k != "year"],
    }


def report_names(a: Assessment) -> dict[str, dict[str, str]]:
    """Place names as the reports take them."""
    v = a.census_version
    return {
        "schools": {sid: str(s["name"]) for sid, s in census_data.schools_by_id(v).items()},
        "townships": {tid: str(t["name"]) for tid, t in census_data.townships_by_id(v).items()},
        "county": {a.county_id: county_name(a)},
    }


@census_data.per_version(4)
def synthetic(version: str) -> bool:
    """Whether a version is the synthetic demo county."""
    return census_data.store().resolve(version).synthetic


def get_unit_for_user(request: HttpRequest, a: Assessment, unit: str) -> str:
    """The level of a unit (county, township or school) the user may see; 404 otherwise."""
    if unit == a.county_id:
        access.require_county(request)
        return "county"
    if census_data.township(unit) is not None:
        access.get_township_for_user(request, unit)
        return "township"
    access.get_school_for_user(request, unit)
    return "school"


def explanation(
    request: HttpRequest, a: Assessment, indicator: str, unit: str, year: int, stage: str | None
) -> Explanation | None:
    """The explanation of one stored result, its rows cut to what the user may read; None when the
    assessment has no such result. (The engine's own message lists other units, which the user may
    not see, so it is not passed on.)"""
    scope = access.reader_scope(access.membership_of(request))
    with census_data.tables(a.census_version, a.packs) as ct:
        try:
            return explain(ct, a, indicator, unit, year, stage, scope)
        except ExplainError:
            return None


def explain_args(query: QueryDict, a: Assessment, year: int) -> tuple[str, int, str | None]:
    """unit (default: the county), year (default: the latest) and stage of an explain request;
    ValueError for a year that is not a number."""
    unit = query.get("unit") or a.county_id
    y = int(query.get("year") or year)
    return unit, y, query.get("stage") or None

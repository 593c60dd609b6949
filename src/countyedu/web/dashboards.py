"""Dashboards: the county one-pager, a page per stage, township and school, the explanation behind
every number, the map of schools and the report downloads.

Pages only read the stored assessment of the latest census version (web.census.assessment()); they
never compute one. Until it is stored they say it is being computed. Values are formatted and
labelled by the reports package, so a page and a downloaded report show the same text."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, re_path, reverse
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.census.years import Years
from countyedu.indicators import explain_tables
from countyedu.indicators.engine import Assessment, Result
from countyedu.indicators.explain import ExplainError, Explanation, explain
from countyedu.policy.pack import Item, Pack
from countyedu.reports import build_report, write_report
from countyedu.reports.labels import MARKS, STATUS, TEXT, pick, stage_label, unit_kind
from countyedu.reports.model import Report, county_name
from countyedu.reports.values import addition_text, status_meets, target_text, value_text
from countyedu.runs.store import RunStore, run_key
from countyedu.web import access, boundaries
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role

STAGES = ("kindergarten", "primary", "junior", "high", "vocational")
KEY_TARGETS = ("T-PRE-5", "T-CMP-2", "T-HS-1", "QB-R-SCHOOL")
REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SCHOOL_TYPES = {
    "kindergarten": gettext_lazy("kindergarten"),
    "primary": gettext_lazy("primary school"),
    "junior": gettext_lazy("junior secondary school"),
    "nine_year": gettext_lazy("nine-year school"),
    "complete_secondary": gettext_lazy("complete secondary school"),
    "high": gettext_lazy("general high school"),
    "twelve_year": gettext_lazy("twelve-year school"),
    "vocational": gettext_lazy("vocational school"),
    "teaching_point": gettext_lazy("teaching point"),
}
BOUNDARY_EDITORS: tuple[str, ...] = (str(Role.BUREAU_ADMIN), str(Role.PLANNING))
OWNERSHIP = {"public": gettext_lazy("public"), "private": gettext_lazy("private")}


def lang() -> str:
    """The report language of the request: zh or en."""
    return "zh" if (get_language() or "zh").startswith("zh") else "en"


# ------------------------------------------------------------------------------ the indexed assessment


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


def _stage_order(stage: str | None) -> int:
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
        v.sort(key=_stage_order)
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


@lru_cache(maxsize=4)
def pupils(version: str) -> dict[tuple[str, int], int]:
    """(school, year) → pupils, from the census classes."""
    df = census_data.store().frames(version, ["classes"])["classes"]
    g = df.groupby(["school_id", "year"])["pupils"].sum()
    return {(str(s), int(y)): int(n) for (s, y), n in g.items()}


@lru_cache(maxsize=4)
def synthetic(version: str) -> bool:
    """Whether a version is the synthetic demo county."""
    return census_data.store().resolve(version).synthetic


def qb_item(a: Assessment) -> tuple[Pack, Item] | None:
    """The school resource standard (the item with formula qb_school_pass), if a pack has it."""
    return next(((p, it) for p in a.packs for it in p.items if it.formula == "qb_school_pass"), None)


# ------------------------------------------------------------------------------ cells and rows


def status_label(code: str, lg: str) -> str:
    zh, en, _colour = STATUS[code]
    return zh if lg == "zh" else en


def explain_url(indicator: str, unit: str, year: int, stage: str | None) -> str:
    q: dict[str, Any] = {"unit": unit, "year": year}
    if stage:
        q["stage"] = stage
    return _explain_path(indicator) + "?" + urlencode(q)


@lru_cache(maxsize=1024)
def _explain_path(indicator: str) -> str:
    """reverse() once per indicator: the stage and map pages link every cell (thousands)."""
    return reverse("web:explain", args=[indicator])


def _number(v: float) -> str:
    return f"{v:,.0f}" if v == int(v) else f"{v:,.2f}".rstrip("0").rstrip(".")


def fraction(r: Result | None, unit: str) -> str:
    """ "190/210" beside a share, so a reader sees what was counted."""
    if r is None or r.num is None or r.den is None or unit_kind(unit) != "percent":
        return ""
    return f"{_number(r.num)}/{_number(r.den)}"


def stages_label(stage: str | None, item: Item, lg: str, level: str = "county") -> str:
    """A result's stage, or the stages a stage-less result pools (T-CMP-2: primary and junior);
    a result of no stage is county-wide only at county level."""
    keys = sections_of(stage, item)
    if keys == ("county",) and level != "county":
        return "—"
    return ("、" if lg == "zh" else ", ").join(stage_label(k, lg) for k in keys)


def sections_of(stage: str | None, item: Item) -> tuple[str, ...]:
    if stage:
        return (stage,)
    pooled = tuple(s for s in item.stages if s)
    return pooled or ("county",)


def cell(ix: Indexed, item: Item, level: str, unit: str, stage: str | None, lg: str) -> dict[str, Any]:
    """One value of a unit in the latest year, ready for a table: text, target, status, link."""
    r = ix.get(item.id, level, unit, stage)
    code = r.status if r else "no_data"
    target = r.target if r else item.target_for(ix.year, stage)
    return {
        "indicator": item.id,
        "name": pick((item.name_zh, item.name_en), lg),
        "stage": stage,
        "stage_label": stages_label(stage, item, lg, level),
        "text": value_text(r.value if r else None, item.unit, target, status_meets(code)),
        "frac": fraction(r, item.unit),
        "target": target_text(target, item.unit, lg),
        "status": code,
        "status_label": status_label(code, lg),
        "trend": value_text(r.trend_at_deadline, item.unit, target) if r and r.trend_at_deadline is not None else "",
        "url": explain_url(item.id, unit, ix.year, stage) if r else "",
        "percent": unit_kind(item.unit) == "percent",
    }


def unit_rows(
    ix: Indexed,
    level: str,
    unit: str,
    lg: str,
    *,
    section: str | None = None,
    with_target: bool = False,
    skip: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """A unit's results in the latest year, one block per pack: every indicator defined at its level
    (only those with a target when asked; only one stage's when a section is given)."""
    blocks = []
    for pack in ix.a.packs:
        rows = []
        for item in pack.items:
            if item.kind != "indicator" or level not in item.levels or item.id in skip:
                continue
            if with_target and not item.targets:
                continue
            stages = ix.stages.get((item.id, level, unit))
            if stages is None:
                if level != "county":
                    continue  # the unit has no such result (a kindergarten has no QB-R1)
                stages = sorted({t.stage for t in item.targets}, key=_stage_order) or [None]
            for stage in stages:
                if section and section not in sections_of(stage, item):
                    continue
                row = cell(ix, item, level, unit, stage, lg)
                series = ix.series.get((item.id, level, unit, stage), {})
                row["values"] = [series[y].value if y in series else None for y in ix.trend_years]
                rows.append(row)
        if rows:
            name = pick((pack.name_zh, pack.name_en), lg)
            blocks.append({"pack": pack.id, "name": name, "rows": rows, "has_trend": any(r["trend"] for r in rows)})
    return blocks


def status_counts(blocks: list[dict[str, Any]], lg: str) -> list[dict[str, Any]]:
    counts = Counter(r["status"] for b in blocks for r in b["rows"])
    return [{"code": c, "label": status_label(c, lg), "n": counts[c]} for c in STATUS if counts[c]]


def qb_parts(ix: Indexed, school_id: str, lg: str) -> list[dict[str, Any]]:
    """The school's parts against the resource standard: QB-R1…R7 cells, pass or fail, needs."""
    found = qb_item(ix.a)
    if found is None:
        return []
    pack, item = found
    parts = []
    for stage in ix.stages.get((item.id, "school", school_id), []):
        r = ix.get(item.id, "school", school_id, stage)
        if r is None:
            continue
        cells = [cell(ix, pack.item(i), "school", school_id, stage, lg) for i in item.params["indicators"]]
        parts.append(
            {
                "stage": stage,
                "stage_label": stage_label(stage, lg),
                "cells": cells,
                "result": pass_fail(r, lg),
                "url": explain_url(item.id, school_id, ix.year, stage),
                "needs": needs(ix, school_id, stage, lg),
            }
        )
    return parts


def pass_fail(r: Result | None, lg: str) -> dict[str, str]:
    """Pass or fail by the school's QB-R-SCHOOL value (1 passes, 0 fails)."""
    if r is None or r.value is None:
        return {"code": "no_data", "label": status_label("no_data", lg)}
    code = "met" if r.value >= 1 else "not_met"
    return {"code": code, "label": pick(TEXT["pass" if code == "met" else "fail"], lg)}


def needs(ix: Indexed, school_id: str, stage: str | None, lg: str) -> list[dict[str, str]]:
    """What a failing school part needs to pass (from the assessment's school gaps)."""
    out = []
    for indicator, amount, words in ix.gaps.get((school_id, str(stage), ix.year), []):
        it = ix.a.item(indicator)
        out.append(
            {
                "indicator": indicator,
                "name": pick((it.name_zh, it.name_en), lg),
                "text": addition_text(amount, words, lg),
            }
        )
    return out


def school_summary(ix: Indexed, school_id: str, lg: str) -> dict[str, Any]:
    """A school's standing on the resource standard across its parts: pass, fail, or not in QB."""
    parts = qb_parts(ix, school_id, lg)
    codes = {p["result"]["code"] for p in parts}
    if not parts:
        code, label = "none", _("not in the QB assessment")
    elif "not_met" in codes:
        code, label = "fail", pick(TEXT["fail"], lg)
    elif codes == {"met"}:
        code, label = "pass", pick(TEXT["pass"], lg)
    else:
        code, label = "none", status_label("no_data", lg)
    return {"code": code, "label": label, "parts": parts}


# ------------------------------------------------------------------------------ scope


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


# ------------------------------------------------------------------------------ pages


def pending(request: HttpRequest) -> HttpResponse:
    """No stored assessment yet: say so (never compute it on a page request)."""
    return render(request, "web/dash/pending.html", {"version": census_data.latest_version()})


def _page(request: HttpRequest, template: str, ix: Indexed, *, http_status: int = 200, **ctx: Any) -> HttpResponse:
    v = ix.a.census_version
    base = {
        **year_context(request, ix.a.years, ix.year, ix.default_year, ix.years),
        "version": v,
        "synthetic": synthetic(v),
        "county_id": ix.a.county_id,
        "county_name": county_name(ix.a),
    }
    return render(request, template, {**base, **ctx}, status=http_status)


@require_GET
@login_required
def county(request: HttpRequest) -> HttpResponse:
    """The county one-pager: every county target with value, target, status and trend."""
    access.require_county(request)
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    return _page(request, "web/dash/county.html", ix, **ix.cached(("county", lg), lambda: _county_parts(ix, lg)))


def _county_parts(ix: Indexed, lg: str) -> dict[str, Any]:
    """The county page's content, the same for every county user: built once, tables rendered once."""
    a = ix.a
    blocks = unit_rows(ix, "county", a.county_id, lg, with_target=True)
    sparks: list[dict[str, Any]] = []
    for b in blocks:
        for r in b["rows"]:
            r["spark"] = f"spark-{len(sparks)}"
            sparks.append({"id": r["spark"], "values": r["values"], "percent": r["percent"]})
    trend = {
        "years": ix.trend_years,
        "series": [
            {
                "name": f"{r['indicator']} {r['name']}"
                + (f"（{r['stage_label']}）" if lg == "zh" else f" ({r['stage_label']})"),
                "values": r["values"],
                "target": _target_value(a, r["indicator"], r["stage"], ix.year),
            }
            for b in blocks
            for r in b["rows"]
            if r["indicator"] in KEY_TARGETS
        ],
        "labels": {"target": _("target")},
    }
    townships = sorted(census_data.townships_by_id(a.census_version).items())
    charts = {"sparks": {"years": ix.trend_years, "rows": sparks}, "trend": trend}
    return {
        "counts": status_counts(blocks, lg),
        "tables": mark_safe(render_to_string("web/dash/_results.html", {"blocks": blocks, "sparks": True})),
        "chart_json": json_script(charts, "chart-data"),
        "stages": [(s, stage_label(s, lg)) for s in STAGES],
        "townships": [(tid, t["name"]) for tid, t in townships],
    }


def _target_value(a: Assessment, indicator: str, stage: str | None, year: int) -> float | None:
    t = a.item(indicator).target_for(year, stage)
    return t.value if t else None


@require_GET
@login_required
def stage_page(request: HttpRequest, stage: str) -> HttpResponse:
    """One stage: its county results, the townships' and (compulsory stages) the schools'."""
    access.require_county(request)
    if stage not in STAGES:
        raise Http404
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    rep = ix.report(lg)
    tables = [
        {"title": t.title, "columns": t.columns, "rows": _place_rows(t, ix.year)}
        for t in rep.townships
        if t.key == stage
    ]
    schools = []
    if rep.schools is not None:
        for s in rep.schools.rows:
            if s.stage == stage:
                schools.append(
                    {
                        "row": s,
                        "cells": [
                            {"c": c, "url": explain_url(col.indicator, s.school_id, ix.year, stage)}
                            for col, c in zip(rep.schools.columns, s.cells, strict=True)
                        ],
                    }
                )
    return _page(
        request,
        "web/dash/stage.html",
        ix,
        stage=stage,
        stage_label=stage_label(stage, lg),
        blocks=unit_rows(ix, "county", a.county_id, lg, section=stage, with_target=True),
        tables=tables,
        school_table=rep.schools if schools else None,
        schools=schools,
    )


def _place_rows(t: Any, year: int) -> list[dict[str, Any]]:
    """A report township table's rows with an explain link on every value."""
    return [
        {
            "id": row.id,
            "name": row.name,
            "cells": [
                {"c": c, "url": explain_url(col.indicator, row.id, year, col.stage) if c.value is not None else ""}
                for col, c in zip(t.columns, row.cells, strict=True)
            ],
        }
        for row in t.rows
    ]


@require_GET
@login_required
def township(request: HttpRequest, township_id: str) -> HttpResponse:
    """A township: its results and its schools' pass or fail on the resource standard."""
    tw = access.get_township_for_user(request, township_id)
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    p = pupils(a.census_version)
    schools = [
        {
            "id": sid,
            "name": s["name"],
            "type": SCHOOL_TYPES.get(s["stage"], s["stage"]),
            "pupils": p.get((sid, ix.year)),
            "qb": school_summary(ix, sid, lg),
        }
        for sid, s in sorted(census_data.schools_by_id(a.census_version).items())
        if s["township_id"] == township_id
    ]
    return _page(
        request,
        "web/dash/township.html",
        ix,
        township=tw,
        township_id=township_id,
        blocks=unit_rows(ix, "township", township_id, lg),
        schools=schools,
        passed=sum(s["qb"]["code"] == "pass" for s in schools),
        in_qb=sum(s["qb"]["code"] in ("pass", "fail") for s in schools),
    )


@require_GET
@login_required
def school(request: HttpRequest, school_id: str) -> HttpResponse:
    """A school: the resource standard part by part, what it needs to pass, its other results."""
    s = access.get_school_for_user(request, school_id)
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    m = access.membership_of(request)
    found = qb_item(a)
    qb_ids = frozenset([found[1].id, *found[1].params["indicators"]]) if found else frozenset()
    tw = census_data.townships_by_id(a.census_version).get(s["township_id"]) or {}
    return _page(
        request,
        "web/dash/school.html",
        ix,
        school=s,
        school_id=school_id,
        school_type=SCHOOL_TYPES.get(s["stage"], s["stage"]),
        ownership=OWNERSHIP.get(s["ownership"], s["ownership"]),
        township_name=tw.get("name", s["township_id"]),
        township_link=m.county_wide or (m.role == Role.TOWNSHIP and m.township_id == s["township_id"]),
        pupils=pupils(a.census_version).get((school_id, ix.year)),
        qb=school_summary(ix, school_id, lg),
        qb_id=found[1].id if found else "",
        qb_name=pick((found[1].name_zh, found[1].name_en), lg) if found else "",
        blocks=unit_rows(ix, "school", school_id, lg, skip=qb_ids),
    )


@require_GET
@login_required
def explain_page(request: HttpRequest, indicator: str) -> HttpResponse:
    """Everything behind one number: formula, clause, target, numbers, contributing and source rows."""
    a = census_data.assessment()
    if a is None:
        access.membership_of(request)
        return pending(request)
    ix, lg = page_index(request, a), lang()
    try:
        unit, year, stage = explain_args(request.GET, a, ix.year)
    except ValueError:
        raise Http404 from None
    level = get_unit_for_user(request, a, unit)
    if stage is None:  # an indicator counted by stage only: its first stage with a result, as pages list them
        stages = ix.stages.get((indicator, level, unit), [])
        stage = next((st for st in stages if ix.get(indicator, level, unit, st, year)), None)
    e = explanation(request, a, indicator, unit, year, stage)
    if e is None:
        return _no_result(request, ix, indicator, level, unit, year, stage)
    d = e.as_dict()
    item, r = e.item, e.result
    unit_name, unit_url = _unit_link(a, level, unit, lg)
    readable = [explain_tables.worded(t, lg) for t in explain_tables.tables(e)]
    return _page(
        request,
        "web/dash/explain.html",
        ix,
        e=d,
        **_item_words(item, lg),
        level=pick(
            {"school": ("学校", "school"), "township": ("乡镇", "township"), "county": ("全县", "county")}[level], lg
        ),
        unit_name=unit_name,
        unit_url=unit_url,
        stage_label=stages_label(r.stage, item, lg, r.level),
        value_text=value_text(r.value, item.unit, r.target, status_meets(r.status)),
        frac=fraction(r, item.unit),
        numerator="—" if r.num is None else _number(r.num),
        denominator="—" if r.den is None else _number(r.den),
        target=target_text(r.target, item.unit, lg),
        status=r.status,
        status_label=status_label(r.status, lg),
        trend=value_text(r.trend_at_deadline, item.unit, r.target) if r.trend_at_deadline is not None else "",
        explain_year=r.year,
        contributions=readable[0],
        sources=readable[1:],
        text=e.text(lg),
    )


def _no_result(
    request: HttpRequest, ix: Indexed, indicator: str, level: str, unit: str, year: int, stage: str | None
) -> HttpResponse:
    """An indicator of the packs without a result for the unit, year and stage (nothing in the census
    to count it from): what it is and where it has results, not a bare 404."""
    try:
        item = ix.a.item(indicator)
    except KeyError:
        raise Http404 from None
    lg = lang()
    unit_name, unit_url = _unit_link(ix.a, level, unit, lg)
    found = sorted(
        {(y, st) for (i, lv, u, st), ys in ix.series.items() if (i, lv, u) == (indicator, level, unit) for y in ys},
        key=lambda x: (x[0], _stage_order(x[1])),
    )
    return _page(
        request,
        "web/dash/explain_none.html",
        ix,
        indicator=indicator,
        **_item_words(item, lg),
        clause=item.clause,
        target=target_text(item.target_for(year, stage), item.unit, lg),
        unit_name=unit_name,
        unit_url=unit_url,
        unit_id=unit,
        explain_year=year,
        stage_label=stage_label(stage, lg) if stage else "",
        elsewhere=[
            {"year": y, "stage": stage_label(st, lg) if st else "", "url": explain_url(indicator, unit, y, st)}
            for y, st in found
        ],
    )


def _item_words(item: Item, lg: str) -> dict[str, Any]:
    """An item's name, formula in words and mark, in the page's language."""
    return {
        "name": pick((item.name_zh, item.name_en), lg),
        "formula": pick((item.description_zh, item.description_en), lg),
        "mark": pick(MARKS[item.mark], lg),
    }


def _unit_link(a: Assessment, level: str, unit: str, lg: str) -> tuple[str, str]:
    """A unit's name and page."""
    if level == "school":
        return census_data.schools_by_id(a.census_version)[unit]["name"], reverse("web:school", args=[unit])
    if level == "township":
        return census_data.townships_by_id(a.census_version)[unit]["name"], reverse("web:township", args=[unit])
    return county_name(a) or pick(TEXT["county"], lg), reverse("web:county")


# ------------------------------------------------------------------------------ map


def map_points(ix: Indexed, allowed: set[str] | None, lg: str) -> list[dict[str, Any]]:
    """The schools a user may see, with coordinates and their resource-standard standing."""
    version = ix.a.census_version
    townships = census_data.townships_by_id(version)
    out = []
    for sid, s in sorted(census_data.schools_by_id(version).items()):
        if (allowed is not None and sid not in allowed) or s["lat"] is None or s["lon"] is None:
            continue
        qb = school_summary(ix, sid, lg)
        out.append(
            {
                "id": sid,
                "name": s["name"],
                "type": str(SCHOOL_TYPES.get(s["stage"], s["stage"])),
                "township": (townships.get(s["township_id"]) or {}).get("name", s["township_id"]),
                "lon": float(s["lon"]),
                "lat": float(s["lat"]),
                "status": qb["code"],
                "status_label": str(qb["label"]),
                "url": reverse("web:school", args=[sid]),
            }
        )
    return out


def _map_page(request: HttpRequest, m: Membership, errors: list[str] | None = None) -> HttpResponse:
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    points = map_points(ix, access.visible_school_ids(m), lg)
    geo = boundaries.load()
    if geo is not None and not m.county_wide:
        geo = {**geo, "features": [f for f in geo["features"] if f["properties"]["township_id"] == m.township_id]}
    data = {
        "points": points,
        "geo": geo if geo and geo["features"] else None,
        "labels": {
            "pass": pick(TEXT["pass"], lg),
            "fail": pick(TEXT["fail"], lg),
            "none": _("not in the QB assessment"),
            "open": _("Open the school page"),
            "lon": _("longitude"),
            "lat": _("latitude"),
        },
    }
    return _page(
        request,
        "web/dash/map.html",
        ix,
        data=data,
        points=points,
        can_upload=m.role in BOUNDARY_EDITORS,
        has_geo=data["geo"] is not None,
        errors=errors or [],
        http_status=400 if errors else 200,
    )


@require_GET
@login_required
def school_map(request: HttpRequest) -> HttpResponse:
    """Schools from their coordinates coloured by their standing; township outlines once uploaded."""
    m = access.membership_of(request)
    if not (m.county_wide or m.role == Role.TOWNSHIP):
        raise Http404
    return _map_page(request, m)


@require_POST
@login_required
@access.role_required(*BOUNDARY_EDITORS)
def map_boundaries(request: HttpRequest) -> HttpResponse:
    """Upload the township boundaries (GeoJSON FeatureCollection of polygons)."""
    m = access.membership_of(request)
    f = request.FILES.get("file")
    if f is None:
        return _map_page(request, m, [_("Choose a GeoJSON file to upload.")])
    townships = census_data.townships_by_id(census_data.latest_version())
    try:
        doc = boundaries.do_upload_boundaries(f.read(), townships, acting_user=request.user)
    except boundaries.BoundaryError as exc:
        return _map_page(request, m, exc.problems_zh if lang() == "zh" else exc.problems_en)
    messages.success(request, _("Township boundaries saved: %(count)s outlines.") % {"count": len(doc["features"])})
    return redirect("web:map")


# ------------------------------------------------------------------------------ reports


def unit_assessment(a: Assessment, scope: str, unit: str, school_ids: set[str]) -> Assessment:
    """The assessment as one township or school sees it: its own results, also shown as the report's
    top level (the one-pager), its township row and its schools' results and gaps. The county's
    own results, other units' and the items not measured at the unit's level are left out."""
    if scope == "county":
        return a
    levels = {"township", "school"} if scope == "township" else {"school"}
    packs = [p.model_copy(update={"items": [it for it in p.items if levels & set(it.levels)]}) for p in a.packs]
    results: list[Result] = []
    for r in a.results:
        if r.level == scope and r.unit == unit:
            results.append(replace(r, level="county"))
            results.append(r)
        elif r.level == "school" and r.unit in school_ids:
            results.append(r)
    gaps = [g for g in a.school_gaps if g.school_id in school_ids]
    return Assessment(a.census_version, packs, unit, results, gaps, years=a.years)


def report_file(a: Assessment, scope: str, unit: str, fmt: str, lg: str, year: int | None = None) -> Path:
    """The report file, kept in the run store: written once per census version, years in collection,
    packs, unit, year, language and format (year: default the latest closed)."""
    y = a.default_year() if year is None else year
    params = {"scope": scope, "unit": unit, "year": y, "lang": lg}
    key = run_key("reports", a.census_version, a.packs, a.years, params)
    return RunStore(settings.DATA_DIR).file(key, f".{fmt}", lambda out: _write_report(a, scope, unit, fmt, lg, y, out))


def _write_report(a: Assessment, scope: str, unit: str, fmt: str, lg: str, y: int, out: Path) -> None:
    version = a.census_version
    names = report_names(a)
    if scope == "county":
        school_ids: set[str] = set()
    elif scope == "township":
        school_ids = {sid for sid, s in census_data.schools_by_id(version).items() if s["township_id"] == unit}
        names = {
            "county": {unit: names["townships"][unit]},
            "townships": {unit: names["townships"][unit]},
            "schools": {s: n for s, n in names["schools"].items() if s in school_ids},
        }
    else:
        school_ids = {unit}
        names = {"county": {unit: names["schools"][unit]}, "schools": {unit: names["schools"][unit]}}
    write_report(
        unit_assessment(a, scope, unit, school_ids),
        out,
        fmt,
        lang=lg,
        names=names,
        synthetic=synthetic(version),
        scope=scope,
        year=y,
    )


@require_GET
@login_required
def report(request: HttpRequest, scope: str, unit: str, fmt: str) -> HttpResponse:
    """The assessment report of the county, a township or a school, as an attachment."""
    if scope == "county":
        access.require_county(request)
    elif scope == "township":
        access.get_township_for_user(request, unit)
    else:
        access.get_school_for_user(request, unit)
    a = census_data.assessment()
    if a is None:
        return pending(request)
    if scope == "county" and unit != a.county_id:
        raise Http404
    lg = lang()
    y = page_index(request, a).year
    f = report_file(a, scope, unit, fmt, lg, y)
    safe = re.sub(r"[^\w.-]", "_", unit)
    name = f"assessment-{a.census_version}-{scope}-{safe}-{a.default_year() if y is None else y}-{lg}.{fmt}"
    return FileResponse(f.open("rb"), as_attachment=True, filename=name, content_type=REPORT_TYPES[fmt])


urlpatterns = [
    path("county/", county, name="county"),
    path("stage/<str:stage>/", stage_page, name="stage"),
    path("township/<str:township_id>/", township, name="township"),
    path("school/<str:school_id>/", school, name="school"),
    path("explain/<str:indicator>/", explain_page, name="explain"),
    path("map/", school_map, name="map"),
    path("map/boundaries/", map_boundaries, name="map_boundaries"),
    re_path(
        r"^report/(?P<scope>county|township|school)/(?P<unit>[^/]+)\.(?P<fmt>html|pdf|xlsx)$", report, name="report"
    ),
]

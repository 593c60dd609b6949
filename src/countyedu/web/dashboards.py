"""Dashboards: the county one-pager, a page per stage, township and school, the explanation behind
every number, the map of schools and the report downloads.

Pages only read the stored assessment of the latest census version (web.census.assessment()); they
never compute one. Until it is stored they say it is being computed. Values are formatted and
labelled by the reports package, so a page and a downloaded report show the same text. What a page
shows is built in web.dashboard_parts from the index in web.reading; these are the views."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.indicators import explain_tables
from countyedu.indicators.engine import Assessment
from countyedu.messages import translate
from countyedu.reports import write_report
from countyedu.reports.labels import STATUS, TEXT, pick, stage_label
from countyedu.reports.model import county_name
from countyedu.reports.values import status_meets, target_text, value_text
from countyedu.runs.store import RunStore, run_key
from countyedu.web import access, boundaries, supervision, supervision_visits
from countyedu.web import census as census_data
from countyedu.web.dashboard_parts import (
    county_parts,
    explain_url,
    fraction,
    item_words,
    map_points,
    number_text,
    ownership,
    place_rows,
    pupils,
    qb_item,
    school_summary,
    school_type,
    stages_label,
    status_label,
    unit_assessment,
    unit_link,
    unit_rows,
)
from countyedu.web.models import Membership, Role
from countyedu.web.reading import (
    STAGES,
    Indexed,
    explain_args,
    explanation,
    get_unit_for_user,
    lang,
    page_index,
    report_names,
    stage_order,
    synthetic,
    year_context,
)

REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOUNDARY_EDITORS: tuple[str, ...] = (str(Role.BUREAU_ADMIN), str(Role.PLANNING))


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
    """The county one-pager: every county target with value, target, status and trend; the school map."""
    m = access.require_county(request)
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    parts = ix.cached(("county", lg), lambda: county_parts(ix, lg))
    return _page(request, "web/dash/county.html", ix, **parts, data=map_data(ix, m, lg))


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
        {"title": t.title, "columns": t.columns, "rows": place_rows(t, ix.year)}
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
            "type": school_type(s["stage"], lg),
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
        tasks=supervision.township_panel(township_id),  # 第33条: the township's tasks (superv)
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
        school_type=school_type(s["stage"], lg),
        ownership=ownership(s["ownership"], lg),
        township_name=tw.get("name", s["township_id"]),
        township_link=m.county_wide or (m.role == Role.TOWNSHIP and m.township_id == s["township_id"]),
        pupils=pupils(a.census_version).get((school_id, ix.year)),
        qb=school_summary(ix, school_id, lg),
        qb_id=found[1].id if found else "",
        qb_name=pick((found[1].name_zh, found[1].name_en), lg) if found else "",
        blocks=unit_rows(ix, "school", school_id, lg, skip=qb_ids),
        supervision=supervision_visits.school_panel(m, school_id, ix),
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
    unit_name, unit_url = unit_link(a, level, unit, lg)
    readable = [explain_tables.worded(t, lg) for t in explain_tables.tables(e)]
    return _page(
        request,
        "web/dash/explain.html",
        ix,
        e=d,
        **item_words(item, lg),
        level=pick(
            {"school": ("学校", "school"), "township": ("乡镇", "township"), "county": ("全县", "county")}[level], lg
        ),
        unit_name=unit_name,
        unit_url=unit_url,
        stage_label=stages_label(r.stage, item, lg, r.level),
        value_text=value_text(r.value, item.unit, r.target, status_meets(r.status)),
        frac=fraction(r, item.unit),
        numerator="—" if r.num is None else number_text(r.num),
        denominator="—" if r.den is None else number_text(r.den),
        target=target_text(r.target, item.unit, lg),
        status=r.status,
        status_label=status_label(r.status, lg),
        no_data_reason=translate(e.reason, lg) if e.reason is not None else "",
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
    unit_name, unit_url = unit_link(ix.a, level, unit, lg)
    found = sorted(
        {(y, st) for (i, lv, u, st), ys in ix.series.items() if (i, lv, u) == (indicator, level, unit) for y in ys},
        key=lambda x: (x[0], stage_order(x[1])),
    )
    return _page(
        request,
        "web/dash/explain_none.html",
        ix,
        indicator=indicator,
        **item_words(item, lg),
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


def map_data(ix: Indexed, m: Membership, lg: str) -> dict[str, Any]:
    """The school map's data: the schools the member may see, and the outlines drawn under them (the
    county's, then the townships' a township user is in, or every township's)."""
    points = map_points(ix, access.visible_school_ids(m), lg)
    townships = boundaries.load()
    if townships is not None and not m.county_wide:
        townships = {
            **townships,
            "features": [f for f in townships["features"] if f["properties"]["township_id"] == m.township_id],
        }
    county = boundaries.load("county")
    features = (county["features"] if county else []) + (townships["features"] if townships else [])
    return {
        "points": points,
        "geo": {"type": "FeatureCollection", "features": features} if features else None,
        "labels": {
            "pass": pick(TEXT["pass"], lg),
            "fail": pick(TEXT["fail"], lg),
            "none": _("not in the QB assessment"),
            "open": _("Open the school page"),
            "lon": _("longitude"),
            "lat": _("latitude"),
        },
        # the status colours of every chart and report (reports.labels.STATUS)
        "colours": {k: STATUS[s][2] for k, s in (("pass", "met"), ("fail", "not_met"), ("none", "no_data"))},
    }


def _map_page(request: HttpRequest, m: Membership, errors: list[str] | None = None) -> HttpResponse:
    a = census_data.assessment()
    if a is None:
        return pending(request)
    ix, lg = page_index(request, a), lang()
    data = map_data(ix, m, lg)
    return _page(
        request,
        "web/dash/map.html",
        ix,
        data=data,
        points=data["points"],
        can_upload=m.role in BOUNDARY_EDITORS,
        has_geo=data["geo"] is not None,
        has_county=boundaries.load("county") is not None,
        tolerance_km=boundaries.COUNTY_TOLERANCE_KM,
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


@require_POST
@login_required
@access.role_required(*BOUNDARY_EDITORS)
def map_county_outline(request: HttpRequest) -> HttpResponse:
    """Upload the county's outline (GeoJSON polygons): refused while a school lies outside it."""
    m = access.membership_of(request)
    f = request.FILES.get("file")
    if f is None:
        return _map_page(request, m, [_("Choose a GeoJSON file to upload.")])
    a = census_data.assessment()
    if a is None:
        return pending(request)
    schools = [
        (str(s["name"]), float(s["lon"]), float(s["lat"]))
        for s in census_data.schools_by_id(a.census_version).values()
        if s["lat"] is not None and s["lon"] is not None
    ]
    name = county_name(a) or pick(TEXT["county"], lang())
    try:
        boundaries.do_upload_county_outline(f.read(), name, schools, acting_user=request.user)
    except boundaries.BoundaryError as exc:
        return _map_page(request, m, exc.problems_zh if lang() == "zh" else exc.problems_en)
    messages.success(request, _("County outline saved: every school lies inside it or near its edge."))
    return redirect("web:map")


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
    path("map/county-outline/", map_county_outline, name="map_county_outline"),
    re_path(
        r"^report/(?P<scope>county|township|school)/(?P<unit>[^/]+)\.(?P<fmt>html|pdf|xlsx)$", report, name="report"
    ),
]

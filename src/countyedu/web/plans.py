"""Planning (issue 5) and funding (issue 6) pages.

The stored runs (computed with the assessment after an import or approval, or by `countyedu demo`) are
shown as the same blocks the reports print: findings, tables and charts, each citing its clause. Two
pages compute on request because their answers depend on the user's choices: the catchment plan
(划片招生: stage, year, options; solved in well under a second on a county) and the funding scenarios
(parameters changed side by side, downloadable as Excel). Pages never change stored data.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.census import vocabulary
from countyedu.census.years import Years, without_partial
from countyedu.errors import CountyEduError
from countyedu.messages import Msg, Text
from countyedu.planning.params import CATCHMENT_STAGES
from countyedu.reports.model import status_of
from countyedu.runs import pipeline, registry
from countyedu.runs.blocks import Block, format_value, localize
from countyedu.runs.store import StoredRun
from countyedu.web import access, summaries
from countyedu.web import census as census_data
from countyedu.web.jobs import start_job
from countyedu.web.models import Job
from countyedu.web.reading import lang, synthetic, year_context

# who may ask for the recompute: any role that may run a registered kind
RUNNERS = tuple(sorted({r for k in registry.kinds().values() for r in k.run_roles}))

# who may ask for the recompute: any role that may run a registered kind
RUNNERS = tuple(sorted({r for k in registry.kinds().values() for r in k.run_roles}))


def frames(version: str) -> dict[str, Any]:
    """The whole census of a version (planning and funding read most sheets)."""
    return census_data.census(version)


def stored(kind: str, version: str, year: int | None = None) -> StoredRun | None:
    """The stored run of a registered kind on a version in a year (default: the latest closed) under
    the years in collection now, or None until it is computed."""
    return pipeline.stored(
        census_data.store(),
        registry.get(kind),
        version,
        census_data.packs(),
        year=year,
        years=census_data.years(version),
    )


def may_run(role: str, kind: str) -> bool:
    return role in registry.get(kind).run_roles


def chosen_year(request: HttpRequest, ys: Years) -> int | None:
    """The school year a planning or funding request names (?year=), None for the default; 404 for a
    year the census does not hold."""
    raw = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or ys.get(int(raw)) is None:
        raise Http404(_("No school year %(year)s in the census.") % {"year": raw[:10]})
    return int(raw)


def _year_ctx(request: HttpRequest, version: str | None, year: int | None) -> dict[str, Any]:
    ys = census_data.years(version) if version else Years()
    default = ys.default()
    if default is None:
        return {}
    return year_context(request, ys, default if year is None else year, default, ys.years)


# a text cell longer than this wraps within its column instead of widening the table past the page
LONG_TEXT = 24


def _cell(v: Any, unit: str, lg: str) -> dict[str, Any]:
    text = format_value(v, unit, lg)
    return {"text": text, "num": bool(unit) and not isinstance(v, str | bool), "long": len(text) > LONG_TEXT}


def table_rows(block: Block, lg: str) -> list[dict[str, Any]]:
    """A block's tables with formatted cells (numbers right-aligned, long text wrapped), for the template."""
    out = []
    for t in block.tables:
        rows = [[_cell(v, c.unit, lg) for c, v in zip(t.columns, r, strict=True)] for r in t.rows]
        out.append({"table": t, "rows": rows})
    return out


def block_context(blocks: list[Block], lg: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Blocks as template parts, and their charts as data for the page's ECharts script."""
    parts: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    for b in localize(blocks, lg):
        ids, map_ids = [], []
        for c in b.charts:
            cid = f"chart-{len(charts)}"
            ids.append(cid)
            colours = vocabulary.series_colours(c.colours, len(c.series))
            charts.append(
                {"id": cid, "title": c.title, "kind": c.kind, "x": c.x, "series": c.series, "unit": c.unit}
                | {"colours": colours}
            )
        for m in b.maps:
            mid = f"map-{len(charts)}"
            map_ids.append(mid)
            charts.append(
                {"id": mid, "title": m.title, "kind": "map", "points": m.points, "palette": vocabulary.PALETTE}
            )
        findings = [{"f": f, "status": status_of(f.status, lg)} for f in b.findings]
        parts.append({"block": b, "findings": findings, "tables": table_rows(b, lg), "charts": ids, "maps": map_ids})
    return parts, charts


def _base(version: str | None) -> dict[str, Any]:
    return {"version": version, "synthetic": bool(version) and synthetic(version)}


def _run_page(request: HttpRequest, kind: str, template: str, can_compute: bool, **ctx: Any) -> HttpResponse:
    version = census_data.latest_version()
    year = chosen_year(request, census_data.years(version)) if version else None
    run = stored(kind, version, year) if version else None
    parts, charts = block_context(run.blocks[lang()], lang()) if run else ([], [])
    page_summary = summaries.summary(kind, parts, lang()) if run else None
    if page_summary:
        charts = [*charts, *page_summary["key_charts"]]
    # a job computing the runs (after an approval, or asked for here): the page reloads itself until it ends
    job = Job.objects.filter(kind__in=("plans", "assessment"), status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
    computing = job.order_by("-pk").first()
    return render(
        request,
        template,
        {
            **_base(version),
            "run": run,
            "parts": parts,
            "charts": charts,
            "summary": page_summary,
            "can_compute": can_compute and computing is None,
            "computing": computing,
            **_year_ctx(request, version, year),
            **ctx,
        },
    )


# ------------------------------------------------------------------------------ planning


@require_GET
@login_required
def planning(request: HttpRequest) -> HttpResponse:
    """The county's planning: projection, seats and 大班额, facility norms, projects, catchments, consolidation."""
    m = access.require_county(request)
    return _run_page(request, "planning", "web/plans/planning.html", may_run(m.role, "planning"))


@require_POST
@login_required
@access.role_required(*RUNNERS)
def compute(request: HttpRequest) -> HttpResponse:
    """Compute every registered run kind of the latest census version in the background (the same
    recompute as after an approval)."""
    from countyedu.web.actions import _assess

    version = census_data.latest_version()
    if version is None:
        messages.error(request, _("No census has been imported yet."))
        return redirect("web:planning")
    year = chosen_year(request, census_data.years(version))
    job = start_job("plans", _assess, {"version": version, "year": year}, user=request.user)
    if job.status == "failed":
        messages.error(request, job.message)
    else:
        messages.success(request, _("Planning and funding are being computed; this page shows them when stored."))
    return redirect(request.POST.get("next") or "web:planning")


def _field_label(name: str) -> Text:
    """A form field in the words of its label on the page (an error names the field so)."""
    from countyedu.funding.scenarios import field_label

    return Msg("Maximum distance (km)") if name == "max_km" else field_label(name)


def _float(request: HttpRequest, name: str, lo: float, hi: float) -> float | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    label = _field_label(name)
    try:
        v = float(raw)
    except ValueError:
        raise CountyEduError(
            Msg("{name}: {raw} is not a number", name=label, raw=f"{raw!r}"), field=name, value=raw
        ) from None
    if not lo <= v <= hi:
        raise CountyEduError(
            Msg("{name}: {v} is outside {lo}–{hi}", name=label, v=f"{v:g}", lo=f"{lo:g}", hi=f"{hi:g}"), field=name
        )
    return v


@require_GET
@login_required
def catchments(request: HttpRequest) -> HttpResponse:
    """划片招生: assign each community's pupils of a stage to schools within capacity, shortest travel."""
    access.require_county(request)
    from countyedu.planning.service import catchment_map

    version = census_data.latest_version()
    lg = lang()
    ctx: dict[str, Any] = {
        **_base(version),
        "stages": [(s, vocabulary.stage_label(s, lg)) for s in CATCHMENT_STAGES],
        "errors": [],
        "parts": [],
        "charts": [],
    }
    if version is None:
        return render(request, "web/plans/catchments.html", ctx)
    ys = census_data.years(version)
    f = frames(version)
    years = sorted(int(y) for y in f["population"]["year"].unique()) if not f["population"].empty else []
    default = ys.default()
    stage = request.GET.get("stage") or "primary"
    form = {
        "stage": stage if stage in CATCHMENT_STAGES else "primary",
        "year": request.GET.get("year") or str(default if default in years else (years[-1] if years else "")),
        "single": request.GET.get("single", "1") == "1",
        "keep_current": request.GET.get("keep_current") == "1",
        "max_km": request.GET.get("max_km") or "",
    }
    ctx.update(form=form, years=[(str(y), ys.info(y).label(lg)) for y in years])
    if "run" not in request.GET:
        return render(request, "web/plans/catchments.html", ctx)
    try:
        if stage not in CATCHMENT_STAGES:
            raise CountyEduError(Msg("no stage {stage}", stage=f"{stage!r}"), field="stage")
        try:
            year = int(form["year"])
        except ValueError:
            raise CountyEduError(Msg("year: {year} is not a year", year=f"{form['year']!r}")) from None
        plan, _points = catchment_map(
            without_partial(f, ys.partial, year),
            stage,
            year,
            census_data.packs(),
            single=form["single"],
            max_km=_float(request, "max_km", 0.1, 200),
            keep_current=form["keep_current"],
        )
    except CountyEduError as exc:
        ctx["errors"] = [exc.message_zh if lg == "zh" else exc.message_en]
        return render(request, "web/plans/catchments.html", ctx, status=400)
    parts, charts = block_context(plan.blocks(lg), lg)
    ctx.update(parts=parts, charts=charts)
    return render(request, "web/plans/catchments.html", ctx)


# ------------------------------------------------------------------------------ funding


@require_GET
@login_required
def funding(request: HttpRequest) -> HttpResponse:
    """Per-pupil funds per school, the budget plan, compliance and the after-school ledger (finance office)."""
    m = access.require_county(request)
    return _run_page(request, "funding", "web/plans/funding.html", may_run(m.role, "funding"))


def _scenario(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    from countyedu.funding.service import SCENARIO_FIELDS, scenario_comparison

    version = census_data.latest_version()
    if version is None:
        raise CountyEduError(Msg("no census has been imported yet"))
    fields = SCENARIO_FIELDS.items()
    changes = {k: v for k, (_words, lo, hi) in fields if (v := _float(request, k, lo, hi)) is not None}
    year_raw = request.GET.get("year") or ""
    year = int(year_raw) if year_raw.isdigit() else None
    census = without_partial(frames(version), census_data.years(version).partial, year)
    return scenario_comparison(census, changes, census_data.packs(), year), changes


@require_GET
@login_required
def funding_scenario(request: HttpRequest) -> HttpResponse:
    """A funding scenario beside the pack's parameters: per school and county totals, and the differences."""
    access.require_county(request)
    version = census_data.latest_version()
    lg = lang()
    from countyedu.funding.service import SCENARIO_FIELDS

    ctx: dict[str, Any] = {**_base(version), "fields": list(SCENARIO_FIELDS), "errors": []}
    ctx["form"] = {f: request.GET.get(f, "") for f in ctx["fields"]}
    ctx["form"]["year"] = request.GET.get("year", "")
    if "run" not in request.GET:
        return render(request, "web/plans/scenario.html", {**ctx, "parts": [], "charts": []})
    try:
        comparison, _changes = _scenario(request)
    except CountyEduError as exc:
        ctx["errors"] = [exc.message_zh if lg == "zh" else exc.message_en]
        return render(request, "web/plans/scenario.html", {**ctx, "parts": [], "charts": []}, status=400)
    parts, charts = block_context(comparison.blocks(lg), lg)
    query = request.GET.copy()
    query.pop("run", None)
    return render(
        request, "web/plans/scenario.html", {**ctx, "parts": parts, "charts": charts, "xlsx_query": query.urlencode()}
    )


@require_GET
@login_required
def funding_scenario_xlsx(request: HttpRequest) -> HttpResponse:
    """The scenario comparison as an Excel workbook."""
    access.require_county(request)
    try:
        comparison, _changes = _scenario(request)
    except CountyEduError as exc:
        return HttpResponse(exc.user_text(), status=400, content_type="text/plain; charset=utf-8")
    out = Path(tempfile.mkdtemp(dir=settings.DATA_DIR)) / "funding-scenario.xlsx"
    comparison.write_xlsx(out, lang())
    return FileResponse(out.open("rb"), as_attachment=True, filename="funding-scenario.xlsx")


urlpatterns = [
    path("planning/", planning, name="planning"),
    path("planning/compute/", compute, name="plans_compute"),
    path("planning/catchments/", catchments, name="catchments"),
    path("funding/", funding, name="funding"),
    path("funding/scenario/", funding_scenario, name="funding_scenario"),
    path("funding/scenario.xlsx", funding_scenario_xlsx, name="funding_scenario_xlsx"),
]

"""The basic-education office's (基础教育股) quality pages (issue 16 item 1; 第8、29条): the county's exam
results, the between-school spread, value added by school with its interval and T-HS-3 (the stored
quality run's blocks), and a school's own report, which its principal reads.

Who sees what: the county-wide roles read the county page and every school's report; a township
official sees the list of the township's schools and their reports; a school clerk (the principal's
office) is sent to the own school's report and gets 404 on another school's (`access`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countyedu.census.years import without_partial
from countyedu.quality.params import quality_params
from countyedu.quality.run import run_quality
from countyedu.quality.school import school_blocks
from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web.models import Role
from countyedu.web.plans import _base, _year_ctx, block_context, chosen_year, stored
from countyedu.web.reading import lang


@require_GET
@login_required
def quality(request: HttpRequest) -> HttpResponse:
    """The county's results, spread, value added and T-HS-3 for the county-wide roles; a township's
    schools for its official; a school clerk goes to the own school's report."""
    m = access.membership_of(request)
    if m.role == Role.SCHOOL:
        return redirect("web:quality_school", school_id=m.school_id)
    version = census_data.latest_version()
    year = chosen_year(request, census_data.years(version)) if version else None
    allowed = access.visible_school_ids(m)
    schools = census_data.schools_by_id(version) if version else {}
    listed = sorted(
        ({"id": sid, "name": s.get("name") or sid} for sid, s in schools.items() if allowed is None or sid in allowed),
        key=lambda s: s["id"],
    )
    run = stored("quality", version, year) if version and m.county_wide else None
    lg = lang()
    parts, charts = block_context(run.blocks[lg], lg) if run else ([], [])
    with_results = _schools_with_results(version) if version else set()
    return render(
        request,
        "web/quality/county.html",
        {
            **_base(version),
            "title": _("Exam results and quality monitoring"),
            "run": run,
            "parts": parts,
            "charts": charts,
            "schools": [s for s in listed if s["id"] in with_results],
            **(_year_ctx(request, version, year) if m.county_wide else {}),
        },
    )


def _schools_with_results(version: str) -> set[str]:
    results = census_data.census(version).get("results")
    return set() if results is None else {str(s) for s in results["school_id"].unique()}


@require_GET
@login_required
def quality_school(request: HttpRequest, school_id: str) -> HttpResponse:
    """A school's own report: its results beside the township's and the county's, its value added with
    the interval, its candidates in the province's top 100 (404 for a school the user may not see)."""
    school = access.get_school_for_user(request, school_id)
    version = census_data.latest_version()
    lg = lang()
    parts: list = []
    charts: list = []
    if version:
        ys = census_data.years(version)
        year = chosen_year(request, ys)
        frames = without_partial(census_data.census(version), ys.partial, year)
        run = run_quality(frames, quality_params(census_data.packs()), year)
        if run.results:
            parts, charts = block_context(school_blocks(run, school_id), lg)
    return render(
        request,
        "web/quality/school.html",
        {
            **_base(version),
            "school": school,
            "title": _("Exam results of %(school)s") % {"school": school.get("name") or school_id},
            "parts": parts,
            "charts": charts,
        },
    )


urlpatterns = [
    path("quality/", quality, name="quality"),
    path("quality/school/<str:school_id>/", quality_school, name="quality_school"),
]

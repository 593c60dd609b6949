"""The registers' pages (issue 16 items 2 and 4): the private-school register (民办学校, 第16条) for the
basic-education office (基础教育股) and the housing-development register (住宅项目, 第2、19条) for the
planning office, each as of a day (?as_of=YYYY-MM-DD; default 31 December of the school year).

Who sees what: every county-wide role reads both; a township official sees the township's private
schools and housing projects; a school clerk sees the own school's register entry (private schools
only; the housing page is 404 for them). The pages compute the register from the census's sheets
(two small sheets and the schools) with the same functions as the run kinds and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web.models import Role
from countyedu.web.plans import _base, block_context
from countyedu.web.reading import lang

SHEETS = ("schools", "classes", "private_schools", "housing_projects")


def _as_of(request: HttpRequest) -> date | None:
    raw = (request.GET.get("as_of") or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Http404(_("Not a date: %(value)s") % {"value": raw[:20]}) from None


def _page(request: HttpRequest, title: str, compute: Callable[[dict[str, Any], date | None], Any], key: str) -> Any:
    """Compute a register on the latest census as of the requested day, kept to what the user may see."""
    m = access.membership_of(request)
    if m.role == Role.SCHOOL and key == "projects":
        raise Http404
    version = census_data.latest_version()
    day = _as_of(request)
    reg = None
    if version is not None:
        frames = census_data.store().frames(version, list(SHEETS))
        reg = compute(frames, day)
        reg = replace(reg, **{key: _visible(m, getattr(reg, key))})
    lg = lang()
    parts, charts = block_context(reg.blocks(), lg) if reg is not None else ([], [])
    return render(
        request,
        "web/registers/register.html",
        {
            **_base(version),
            "title": title,
            "parts": parts,
            "charts": charts,
            "as_of": reg.as_of.isoformat() if reg is not None else "",
        },
    )


def _visible(m: Any, entries: list[Any]) -> list[Any]:
    """A township official's township's entries, a clerk's own school's, all for county-wide roles."""
    if m.county_wide:
        return entries
    if m.role == Role.TOWNSHIP:
        return [e for e in entries if e.township_id == m.township_id]
    return [e for e in entries if getattr(e, "school_id", None) == m.school_id]


@require_GET
@login_required
def private_schools(request: HttpRequest) -> HttpResponse:
    """The private-school register with its flags (expiring licences, failed inspections, …)."""
    from countyedu.private.kind import run_private

    return _page(
        request,
        _("Private schools"),
        lambda frames, day: run_private(frames, census_data.packs(), None, day),
        "schools",
    )


@require_GET
@login_required
def housing(request: HttpRequest) -> HttpResponse:
    """The housing-development register with its flags (late, accepted before the facility, not public)."""
    from countyedu.housing.kind import run_housing

    return _page(
        request,
        _("Housing developments"),
        lambda frames, day: run_housing(frames, census_data.packs(), None, day),
        "projects",
    )


urlpatterns = [
    path("private/", private_schools, name="private_schools"),
    path("housing/", housing, name="housing"),
]

"""The vocational and adult education office's (职业与成人教育股) pages (issue 16 item 3): majors and
T-VOC-1, school–enterprise cooperation, 1+X certificates and the credit bank, and one pupil's
conversions explained.

Who sees what: the county-wide roles read every page (the vocational office's own, the others read
only); township officials and school clerks get 404 (the vocational school's records are the
office's register). The pages show the stored vocational run (computed with the assessment after an
import or approval) as the blocks the report prints.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countyedu.census import vocabulary
from countyedu.messages import decode, translate
from countyedu.runs.blocks import format_value
from countyedu.runs.store import StoredRun
from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web.plans import _base, _year_ctx, block_context, chosen_year, stored
from countyedu.web.reading import lang

# the report blocks each page shows, by the start of their ids
SECTIONS = {
    "majors": ("vocational.majors", "vocational.expansion", "vocational.none"),
    "cooperation": ("vocational.cooperation", "vocational.internships", "vocational.employment"),
    "credits": ("vocational.certificates", "vocational.credit_bank"),
}
PUPILS_LISTED = 60  # pupils listed on the credit bank's page (the rest by the search box)


def _run(request: HttpRequest) -> tuple[str | None, int | None, StoredRun | None]:
    version = census_data.latest_version()
    year = chosen_year(request, census_data.years(version)) if version else None
    return version, year, (stored("vocational", version, year) if version else None)


def _section(request: HttpRequest, section: str, title: str, **ctx: Any) -> HttpResponse:
    access.require_county(request)
    version, year, run = _run(request)
    lg = lang()
    blocks = [b for b in run.blocks[lg] if b.id.startswith(SECTIONS[section])] if run else []
    parts, charts = block_context(blocks, lg)
    return render(
        request,
        "web/vocational/section.html",
        {
            **_base(version),
            "run": run,
            "parts": parts,
            "charts": charts,
            "section": section,
            "title": title,
            **_year_ctx(request, version, year),
            **ctx,
        },
    )


@require_GET
@login_required
def majors(request: HttpRequest) -> HttpResponse:
    """Majors and their students against T-VOC-1; the expansion of nursing and elderly care (第12条)."""
    return _section(request, "majors", _("Vocational majors and enrolment"))


@require_GET
@login_required
def cooperation(request: HttpRequest) -> HttpResponse:
    """Partner enterprises, order classes, internships and graduates employed locally (第15条)."""
    return _section(request, "cooperation", _("School–enterprise cooperation"))


@require_GET
@login_required
def credits(request: HttpRequest) -> HttpResponse:
    """1+X certificates and the credit bank (第13条), with the pupils whose conversions can be opened;
    ?pupil=ID goes to that pupil's page."""
    access.require_county(request)
    wanted = (request.GET.get("pupil") or "").strip()
    if wanted:
        return redirect(reverse("web:vocational_pupil", args=[wanted[:40]]))
    _version, _year, run = _run(request)
    pupils = ((run.data.get("credit_bank") or {}).get("pupils") or []) if run else []
    listed = sorted(pupils, key=lambda p: (-p["credits"], p["pupil_id"]))[:PUPILS_LISTED]
    shown = [
        {"pupil_id": p["pupil_id"], "credits": format_value(p["credits"], "", lang()), "n": len(p["conversions"])}
        for p in listed
    ]
    return _section(
        request, "credits", _("1+X certificates and the credit bank"), pupils=shown, pupil_count=len(pupils)
    )


@require_GET
@login_required
def pupil(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """One pupil's learning outcomes and what the credit bank made of each, explained (第13条)."""
    access.require_county(request)
    version, year, run = _run(request)
    bank = (run.data.get("credit_bank") or {}) if run else {}
    found = next((p for p in bank.get("pupils") or [] if p["pupil_id"] == pupil_id), None)
    if found is None:
        raise Http404(_("No learning outcomes are recorded for this pupil."))
    lg = lang()
    courses = {c["course_id"]: c["name"] for c in bank.get("courses") or []}
    rows = [
        {
            "date": c["date"],
            "kind": vocabulary.label("outcome_kind", c["kind"], lg),
            "name": c["name"],
            "level": vocabulary.label("outcome_level", c["level"], lg) if c.get("level") else "",
            "status": c["status"],
            "status_label": vocabulary.label("credit_status", c["status"], lg),
            "course": courses.get(c.get("course_id") or "", ""),
            "credits": format_value(c["credits"], "", lg),
            "explanation": translate(decode(c["explanation"]), lg),
        }
        for c in found["conversions"]
    ]
    return render(
        request,
        "web/vocational/pupil.html",
        {
            **_base(version),
            "run": run,
            "pupil_id": pupil_id,
            "rows": rows,
            "credits": format_value(found["credits"], "", lg),
            "as_of": bank.get("as_of"),
            "max_credits": format_value(bank.get("max_credits_per_pupil"), "", lg),
            **_year_ctx(request, version, year),
        },
    )


urlpatterns = [
    path("vocational/", majors, name="vocational"),
    path("vocational/cooperation/", cooperation, name="vocational_cooperation"),
    path("vocational/credits/", credits, name="vocational_credits"),
    path("vocational/credits/<str:pupil_id>/", pupil, name="vocational_pupil"),
]

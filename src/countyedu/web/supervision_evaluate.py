"""The evaluation pages (issue 15 items 5–7; 第34条): the county's yearly evaluations of townships and
schools with the 约谈 list and the county's annual supervision report, a township's and a school's
supervision report (its evaluation and the rows behind every point), and the 约谈 letter, printable.

Who sees what: the county-wide roles read the county page and every unit's report; the supervision
office (inspectors, the bureau administrator) and the leadership read the letters; a township official
sees their township's report and its schools', a school clerk their school's (`access`: 404 for
another's). Nothing here changes anything: the evaluation is computed from the census, the assessment,
the web's daily records and the task register as of today.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countyedu.messages import translate
from countyedu.runs.blocks import Block
from countyedu.supervision.evaluate import Evaluation, Inputs
from countyedu.supervision.reports import (
    FUNDS_INDICATOR,
    ReportInputs,
    county_report,
    evaluated,
    school_report,
    township_report,
)
from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web.models import Role
from countyedu.web.plans import _base, block_context
from countyedu.web.reading import lang

LETTER_ROLES = ("bureau_admin", "inspector", "leadership")


def _evaluated() -> tuple[str | None, Evaluation | None, Inputs | None, ReportInputs | None]:
    """(census version, the evaluation, its inputs, the reports' inputs) computed now on the latest
    census: the stored assessment's results, the web's records, the task register as of today."""
    from countyedu.web import supervision

    version, run = supervision.live_run(["tasks"])
    if version is None or run is None:
        return version, None, None, None
    a = census_data.assessment(version)
    got = evaluated(
        census_data.census(version),
        census_data.packs(),
        supervision.records(),
        a.table() if a is not None else None,
        run.part("tasks"),
        census_data.years(version).default(),
        run.as_of,
    )
    return (version, *got) if got is not None else (version, None, None, None)


def _page(request: HttpRequest, version: str | None, blocks: list[Block], title: str, **extra: Any) -> HttpResponse:
    lg = lang()
    parts, charts = block_context(blocks, lg)
    return render(
        request,
        "web/supervision_evaluate/page.html",
        {**_base(version), "parts": parts, "charts": charts, "title": title, **extra},
    )


@require_GET
@login_required
def evaluation(request: HttpRequest) -> HttpResponse:
    """The county's page (county-wide roles); a township official or a school clerk goes to their own."""
    m = access.membership_of(request)
    if m.role == Role.TOWNSHIP:
        return redirect("web:supervision_evaluation_township", township_id=m.township_id)
    if not m.county_wide:
        return redirect("web:supervision_evaluation_school", school_id=m.school_id)
    version, e, inputs, r = _evaluated()
    blocks = county_report(e, inputs, r) if e is not None and inputs is not None and r is not None else []
    interviews = list(e.interviews) if e is not None else []
    return _page(
        request,
        version,
        blocks,
        _("Yearly evaluations and the supervision report"),
        evaluation=e,
        interviews=interviews,
        letters=m.role in LETTER_ROLES,
        funds_indicator=FUNDS_INDICATOR if e is not None else None,
    )


@require_GET
@login_required
def township(request: HttpRequest, township_id: str) -> HttpResponse:
    """A township's supervision report: its evaluation and the rows behind every point, tasks, schools."""
    access.get_township_for_user(request, township_id)
    version, e, inputs, _r = _evaluated()
    blocks = township_report(e, inputs, township_id) if e is not None and inputs is not None else []
    return _page(request, version, blocks, _("Township supervision report"), evaluation=e)


@require_GET
@login_required
def school(request: HttpRequest, school_id: str) -> HttpResponse:
    """A school's supervision report: its inspector, visits, problems, rectification and evaluation."""
    access.get_school_for_user(request, school_id)
    version, e, inputs, r = _evaluated()
    blocks = school_report(e, inputs, r, school_id) if e is not None and inputs is not None and r is not None else []
    return _page(request, version, blocks, _("School supervision report"), evaluation=e)


@require_GET
@login_required
def letter(request: HttpRequest, unit_id: str) -> HttpResponse:
    """The 约谈 notice of a unit on the list, as a printable page (the supervision office and the
    leadership; others: 404)."""
    if access.membership_of(request).role not in LETTER_ROLES:
        raise Http404
    version, e, _i, _r = _evaluated()
    found = next((i for i in e.interviews if i.unit_id == unit_id), None) if e is not None else None
    if found is None or e is None:
        raise Http404
    lg = lang()
    title, *body = [translate(m, lg) for m in found.letter(e.year)]
    return render(
        request,
        "web/supervision_evaluate/letter.html",
        {**_base(version), "title": title, "body": body[:-1], "signed": body[-1], "day": e.as_of.isoformat()},
    )


urlpatterns = [
    path("supervision/evaluation/", evaluation, name="supervision_evaluation"),
    path("supervision/evaluation/township/<str:township_id>/", township, name="supervision_evaluation_township"),
    path("supervision/evaluation/school/<str:school_id>/", school, name="supervision_evaluation_school"),
    path("supervision/evaluation/letter/<str:unit_id>/", letter, name="supervision_evaluation_letter"),
]

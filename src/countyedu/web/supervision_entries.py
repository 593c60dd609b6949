"""The supervision office's entries for the yearly evaluations (issue 15 item 5; 第34条): the scores of
the rubric's `manual` rows (e.g. a school's ethos, a township's leadership of education), the vetoes
(一票否决: pay arrears, misused funds, a major safety accident) with their reasons, per school year, and
the measures taken to hold a unit to account (问责, with their dates; the evaluation of the school year a
date falls in counts them beside the bureau's notices: twice in a year is an interview).

The county-wide roles read the page; the supervision office (the inspector role) and the bureau
administrator enter, change and withdraw (403 for the other county roles, 404 for a township or a
school). Every change is a `do_…` function: atomic, with its audit row. The evaluation (pages, the CLI,
the stored supervision run) reads the entries of its year from the records (`supervision.records`:
manual_scores, vetoes, accountability)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.census.schema import YEAR_MAX, YEAR_MIN
from countyedu.supervision.evaluate import period
from countyedu.supervision.records import school_year
from countyedu.supervision.rubric import EvaluationParams, Row, evaluation_params
from countyedu.web import access, supervision_records
from countyedu.web import census as census_data
from countyedu.web.actions import ActionRefused, _audit, refuse
from countyedu.web.models import Membership
from countyedu.web.plans import _base
from countyedu.web.reading import lang
from countyedu.web.supervision import OFFICE
from countyedu.web.supervision_models import AccountabilityEntry, ManualScore, VetoEntry


def may_enter(m: Membership) -> bool:
    """The supervision office and the bureau administrator."""
    return m.role in OFFICE


def _params() -> EvaluationParams:
    return evaluation_params(census_data.packs())


def _units() -> dict[str, tuple[str, str]]:
    """unit id → (level, name): the latest census's schools and townships."""
    v = census_data.latest_version()
    out = {t: ("township", d["name"]) for t, d in census_data.townships_by_id(v).items()}
    out |= {s: ("school", d["name"]) for s, d in census_data.schools_by_id(v).items()}
    return out


def _manual_row(p: EvaluationParams, level: str, rubric_id: str) -> Row | None:
    return next((r for r in getattr(p, level) if r.source == "manual" and r.id == rubric_id), None)


# ------------------------------------------------------------------------------ changes


def do_set_manual_score(
    *, year: int, unit_id: str, rubric_id: str, points: float | None, note: str = "", acting_user: Any
) -> ManualScore | None:
    """Enter (or change) a unit's score on a manual rubric row for a school year; None points withdraws
    it. Between 0 and the row's points; audited."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        refuse("The school year must be between %(min)s and %(max)s.", min=YEAR_MIN, max=YEAR_MAX)
    unit = _units().get(unit_id)
    if unit is None:
        refuse("Unknown school or township %(unit)s.", unit=unit_id[:64])
    row = _manual_row(_params(), unit[0], rubric_id)
    if row is None:
        refuse("This rubric row is not scored by the office.")
    if points is not None and not 0 <= points <= row.points:
        refuse("A score must be between 0 and the row's points (%(max)s).", max=f"{row.points:g}")
    with transaction.atomic():
        found = ManualScore.objects.select_for_update().filter(year=year, unit_id=unit_id, rubric_id=rubric_id).first()
        before = found.state() if found else None
        if points is None:
            if found is not None:
                _audit(acting_user, "withdraw_manual_score", found, before, {})
                supervision_records.records_changed()
                found.delete()
            return None
        s = found or ManualScore(year=year, unit_id=unit_id, rubric_id=rubric_id)
        if found is not None and found.points == points and found.note == note:
            return found
        s.points, s.note, s.entered_by = points, note, acting_user
        s.save()
        _audit(acting_user, "manual_score", s, before, s.state())
        supervision_records.records_changed()
    return s


def do_add_veto(*, year: int, unit_id: str, veto: str, note: str, acting_user: Any) -> VetoEntry:
    """Record a veto against a unit for a school year, with its reason; audited."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        refuse("The school year must be between %(min)s and %(max)s.", min=YEAR_MIN, max=YEAR_MAX)
    if unit_id not in _units():
        refuse("Unknown school or township %(unit)s.", unit=unit_id[:64])
    if veto not in {v.id for v in _params().vetoes}:
        refuse("Unknown veto %(veto)s.", veto=veto[:32])
    if not note.strip():
        refuse("Say why the veto applies.")
    with transaction.atomic():
        if VetoEntry.objects.filter(year=year, unit_id=unit_id, veto=veto).exists():
            refuse("This veto is recorded already.")
        e = VetoEntry.objects.create(year=year, unit_id=unit_id, veto=veto, note=note.strip(), entered_by=acting_user)
        _audit(acting_user, "veto", e, None, e.state())
        supervision_records.records_changed()
    return e


def do_withdraw_veto(e: VetoEntry, *, acting_user: Any) -> None:
    """Withdraw a veto recorded in error; audited."""
    with transaction.atomic():
        _audit(acting_user, "withdraw_veto", e, e.state(), {})
        supervision_records.records_changed()
        e.delete()


def do_add_accountability(*, unit_id: str, day: dt.date, measure: str, acting_user: Any) -> AccountabilityEntry:
    """Record a measure taken to hold a unit to account on a day (not in the future); audited."""
    if unit_id not in _units():
        refuse("Unknown school or township %(unit)s.", unit=unit_id[:64])
    if not YEAR_MIN <= school_year(day) <= YEAR_MAX:
        refuse("The school year must be between %(min)s and %(max)s.", min=YEAR_MIN, max=YEAR_MAX)
    if day > dt.date.today():
        refuse("A measure taken cannot be dated in the future.")
    if not measure.strip():
        refuse("Say what the measure was.")
    with transaction.atomic():
        e = AccountabilityEntry.objects.create(
            unit_id=unit_id, date=day, measure=measure.strip(), entered_by=acting_user
        )
        _audit(acting_user, "accountability", e, None, e.state())
        supervision_records.records_changed()
    return e


def do_withdraw_accountability(e: AccountabilityEntry, *, acting_user: Any) -> None:
    """Withdraw an accountability measure recorded in error; audited."""
    with transaction.atomic():
        _audit(acting_user, "withdraw_accountability", e, e.state(), {})
        supervision_records.records_changed()
        e.delete()


# ------------------------------------------------------------------------------ pages


def _year(raw: str | None) -> int:
    v = census_data.latest_version()
    if raw:
        try:
            return int(raw)
        except ValueError:
            raise Http404 from None
    default = census_data.years(v).default() if v is not None else None
    if default is None:
        raise Http404
    return int(default)


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('web:supervision_entries')}?year={year}")


@require_GET
@login_required
def entries(request: HttpRequest) -> HttpResponse:
    """The office's scores on the manual rubric rows of every school and township, and the vetoes, of a
    school year (default the census's): a form for the office, a table for the other county roles."""
    m = access.require_county(request)
    version = census_data.latest_version()
    year = _year(request.GET.get("year"))
    p, lg = _params(), lang()
    scores = {(s.unit_id, s.rubric_id): s for s in ManualScore.objects.filter(year=year)}

    def word(r: Any) -> str:
        return r.name_zh if lg == "zh" else r.name_en

    levels = []
    for level, title, units in (
        ("township", _("Townships"), census_data.townships_by_id(version)),
        ("school", _("Schools"), census_data.schools_by_id(version)),
    ):
        rows = [r for r in getattr(p, level) if r.source == "manual"]
        if not rows:
            continue
        body = [
            {"id": u, "name": d["name"], "cells": [(r, scores.get((u, r.id))) for r in rows]}
            for u, d in sorted(units.items())
        ]
        levels.append({"level": level, "title": title, "rows": [(r, word(r)) for r in rows], "units": body})
    names = _units()
    vetoes = [
        {"e": e, "unit": names.get(e.unit_id, ("", e.unit_id))[1], "veto": word(v)}
        for e in VetoEntry.objects.filter(year=year)
        for v in p.vetoes
        if v.id == e.veto
    ]
    start, end = period(year)
    measures = [
        {"e": e, "unit": names.get(e.unit_id, ("", e.unit_id))[1]}
        for e in AccountabilityEntry.objects.filter(date__gte=start, date__lte=end)
    ]
    return render(
        request,
        "web/supervision_evaluate/entries.html",
        {
            **_base(version),
            "year": year,
            "levels": levels,
            "vetoes": vetoes,
            "measures": measures,
            "period": (start, end),
            "today": dt.date.today(),
            "veto_kinds": [(v.id, word(v)) for v in p.vetoes],
            "units": sorted(((u, n) for u, (_lv, n) in names.items()), key=lambda x: x[0]),
            "may_enter": may_enter(m),
        },
    )


def _office(request: HttpRequest) -> Membership:
    m = access.require_county(request)
    if not may_enter(m):
        raise PermissionDenied
    return m


@require_POST
@login_required
def save_scores(request: HttpRequest) -> HttpResponse:
    """The office's scores as entered in the form (fields `score:<unit>:<row>`; an emptied one withdrawn)."""
    _office(request)
    year = _year(request.POST.get("year"))
    existing = {(s.unit_id, s.rubric_id) for s in ManualScore.objects.filter(year=year)}
    try:
        for key, raw in request.POST.items():
            if not key.startswith("score:"):
                continue
            unit_id, _sep, rubric_id = key.removeprefix("score:").partition(":")
            raw = raw.strip()
            if not raw and (unit_id, rubric_id) not in existing:
                continue
            try:
                points = float(raw) if raw else None
            except ValueError:
                refuse("%(value)s is not a number.", value=raw[:20])
            do_set_manual_score(
                year=year, unit_id=unit_id, rubric_id=rubric_id, points=points, acting_user=request.user
            )
    except ActionRefused as exc:
        messages.error(request, exc.text(lang()))
    else:
        messages.success(request, _("Saved."))
    return _back(year)


def _done(request: HttpRequest, year: int, change: Any) -> HttpResponse:
    """Run an office's change; its refusal (or "Saved.") shown on the entries page of `year`."""
    try:
        change()
    except ActionRefused as exc:
        messages.error(request, exc.text(lang()))
    else:
        messages.success(request, _("Saved."))
    return _back(year)


def _withdrawn(request: HttpRequest, model: Any, pk: int, year_of: Any, withdraw: Any) -> HttpResponse:
    """Withdraw the office's entry `pk` of `model` (404 when there is none); back to its year."""
    _office(request)
    e = model.objects.filter(pk=pk).first()
    if e is None:
        raise Http404
    return _done(request, year_of(e), lambda: withdraw(e, acting_user=request.user))


@require_POST
@login_required
def add_veto(request: HttpRequest) -> HttpResponse:
    """A veto against a unit, with its reason."""
    _office(request)
    year, post = _year(request.POST.get("year")), request.POST
    return _done(
        request,
        year,
        lambda: do_add_veto(
            year=year,
            unit_id=post.get("unit", ""),
            veto=post.get("veto", ""),
            note=post.get("note", "")[:4000],
            acting_user=request.user,
        ),
    )


@require_POST
@login_required
def withdraw_veto(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a veto recorded in error."""
    return _withdrawn(request, VetoEntry, pk, lambda e: e.year, do_withdraw_veto)


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        refuse("%(value)s is not a date (YYYY-MM-DD).", value=raw[:20])


@require_POST
@login_required
def add_accountability(request: HttpRequest) -> HttpResponse:
    """An accountability measure taken against a unit, with its date."""
    _office(request)
    year, post = _year(request.POST.get("year")), request.POST
    return _done(
        request,
        year,
        lambda: do_add_accountability(
            unit_id=post.get("unit", ""),
            day=_day(post.get("date", "")),
            measure=post.get("measure", "")[:4000],
            acting_user=request.user,
        ),
    )


@require_POST
@login_required
def withdraw_accountability(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw an accountability measure recorded in error."""
    return _withdrawn(request, AccountabilityEntry, pk, lambda e: school_year(e.date), do_withdraw_accountability)


urlpatterns = [
    path("supervision/evaluation/entries/", entries, name="supervision_entries"),
    path("supervision/evaluation/entries/scores/", save_scores, name="supervision_entries_scores"),
    path("supervision/evaluation/entries/vetoes/", add_veto, name="supervision_entries_veto"),
    path(
        "supervision/evaluation/entries/vetoes/<int:pk>/withdraw/", withdraw_veto, name="supervision_entries_withdraw"
    ),
    path("supervision/evaluation/entries/accountability/", add_accountability, name="supervision_entries_account"),
    path(
        "supervision/evaluation/entries/accountability/<int:pk>/withdraw/",
        withdraw_accountability,
        name="supervision_entries_account_withdraw",
    ),
]

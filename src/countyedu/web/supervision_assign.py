"""The supervision office's (督导室) assignment pages (issue 15 item 2): who is responsible for which
school (责任督学), the proposal the solver makes on the latest census (reassignment when an inspector
leaves: the schools of those who stay are kept), adopting it (the decided assignment, kept as
InspectorAssignment rows from the day it is adopted), and the plaque list (挂牌公示: school · inspector ·
contact · supervision items) as a printable page, a PDF and an Excel workbook.

Who sees what: the county-wide roles read both pages (leadership and the other offices read only); the
supervision office (the inspector role without an inspector of its own) and the bureau administrator
adopt; township and school users get 404.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.census import vocabulary
from countyedu.errors import CountyEduError
from countyedu.messages import Msg, translate
from countyedu.roads.travel import params_of
from countyedu.supervision.assign import PLAQUE_ITEMS, Assignment, assign_inspectors, assign_params
from countyedu.supervision.params import section, supervision_params
from countyedu.supervision.plan import PlanParams, visit_plan
from countyedu.web import access, supervision_records
from countyedu.web import census as census_data
from countyedu.web.actions import _audit
from countyedu.web.models import Membership
from countyedu.web.plans import _base
from countyedu.web.reading import lang
from countyedu.web.supervision_models import InspectorAssignment

SHEETS = ["townships", "schools", "inspectors", "school_years"]


def may_adopt(m: Membership) -> bool:
    """The supervision office (an inspector member with no inspector of their own) and the bureau admin."""
    return m.role == "bureau_admin" or (m.role == "inspector" and not m.inspector_id)


def _frames(version: str) -> dict[str, Any]:
    return census_data.store().frames(version, SHEETS)


def decided(on: dt.date | None = None) -> dict[str, str]:
    """The decided assignment on a day (today): school_id → inspector_id."""
    on = on or dt.date.today()
    out: dict[str, str] = {}
    rows = (
        InspectorAssignment.objects.filter(since__lte=on).exclude(until__lt=on).order_by("school_id", "-since", "-pk")
    )
    for a in rows:
        out.setdefault(a.school_id, a.inspector_id)
    return out


def _leaving(request: HttpRequest) -> list[str]:
    src = request.POST if request.method == "POST" else request.GET
    return sorted({v for v in src.getlist("leaving") if v})


def _propose(version: str, leaving: Sequence[str]) -> Assignment:
    packs = census_data.packs()
    return assign_inspectors(
        _frames(version), assign_params(packs), previous=decided() or None, leaving=leaving, roads=params_of(packs)
    )


# ------------------------------------------------------------------------------ the assignment page


@require_GET
@login_required
def assignment(request: HttpRequest) -> HttpResponse:
    """The decided assignment beside the solver's proposal, its checks, and who would move."""
    m = access.require_county(request)
    version = census_data.latest_version()
    leaving = _leaving(request)
    ctx: dict[str, Any] = {**_base(version), "leaving": leaving, "can_adopt": may_adopt(m), "error": None}
    if version is not None:
        try:
            a = _propose(version, leaving)
        except CountyEduError as e:
            ctx["error"] = e.text(lang())
        else:
            ctx.update(_context(a, version))
    return render(request, "web/supervision/assign.html", ctx)


def _context(a: Assignment, version: str) -> dict[str, Any]:
    lg = lang()
    names = census_data.names(version)
    ins_names = dict(zip(a.inspectors["inspector_id"], a.inspectors["name"], strict=True))
    frames = _frames(version)
    register = frames["inspectors"]
    all_names = dict(zip(register["inspector_id"].astype(str), register["name"].astype(str), strict=True))
    now = decided()
    by: dict[str, list[str]] = {}
    for sid, iid in a.mapping().items():
        by.setdefault(iid, []).append(sid)
    inspectors = [
        {
            "inspector_id": r.inspector_id,
            "name": r.name,
            "employment": vocabulary.label("inspector_employment", str(r.employment), lg),
            "zone": r.zone,
            "load": int(r.load),
            "most": int(r.max),
            "km": f"{float(r.km):,.1f}",
            "schools": [names.get(s, s) for s in sorted(by.get(r.inspector_id, []))],
        }
        for r in a.inspectors.itertuples(index=False)
    ]
    changes = [
        {
            "school": names.get(sid, sid),
            "school_id": sid,
            "before": all_names.get(now[sid], now[sid]) if sid in now else "",
            "after": ins_names.get(iid, iid),
        }
        for sid, iid in sorted(a.mapping().items())
        if now.get(sid) != iid
    ]
    checks = [{"rule": c.rule, "ok": c.ok, "detail": translate(c.detail, lg)} for c in a.checks]
    from countyedu.roads.travel import basis_from

    return {
        "result": a,
        "distance_basis": translate(basis_from(a.distance_basis).words(), lg),  # roads2: the km's basis
        "inspectors": inspectors,
        "changes": changes,
        "checks": checks,
        "unassigned": [names.get(s, s) for s in a.unassigned],
        "has_decided": bool(now),
        "serving": [(r.inspector_id, r.name) for r in a.inspectors.itertuples(index=False)],
        "leaving_names": [all_names.get(i, i) for i in a.leaving],
        "year": a.year,
    }


@require_POST
@login_required
def adopt(request: HttpRequest) -> HttpResponse:
    """Adopt the proposal (computed again with the same inspectors leaving): the schools whose
    inspector changes get a new InspectorAssignment from today, the old one ends yesterday."""
    m = access.require_county(request)
    if not may_adopt(m):
        return HttpResponse(status=403)
    version = census_data.latest_version()
    if version is None:
        raise Http404
    leaving = _leaving(request)
    try:
        a = _propose(version, leaving)
    except CountyEduError as e:
        messages.error(request, e.text(lang()))
        return redirect(reverse("web:supervision_assign"))
    changed = do_adopt_assignment(a.mapping(), acting_user=request.user, on=dt.date.today())
    messages.success(request, _("Assignment adopted: %(n)s schools changed their inspector.") % {"n": changed})
    return redirect(reverse("web:supervision_assign"))


def do_adopt_assignment(mapping: dict[str, str], *, acting_user: Any, on: dt.date) -> int:
    """Make `mapping` the decided assignment from `on`: every school whose inspector changes closes its
    current row the day before and opens a new one; a school no longer in the mapping is closed. One
    transaction with its audit row; the number of schools changed."""
    with transaction.atomic():
        current = {
            a.school_id: a
            for a in InspectorAssignment.objects.select_for_update()
            .filter(since__lte=on)
            .exclude(until__lt=on)
            .order_by("school_id", "since", "pk")
        }
        changed: dict[str, tuple[str | None, str | None]] = {}
        touched: InspectorAssignment | None = None
        for sid in sorted(set(current) | set(mapping)):
            old, new = current.get(sid), mapping.get(sid)
            if old is not None and old.inspector_id == new:
                continue
            if old is not None:
                if old.since >= on:
                    old.delete()
                else:
                    old.until = on - dt.timedelta(days=1)
                    old.save(update_fields=["until"])
                    touched = old
            if new is not None:
                touched = InspectorAssignment.objects.create(school_id=sid, inspector_id=new, since=on)
            changed[sid] = (old.inspector_id if old is not None else None, new)
        if changed and touched is not None:
            _audit(
                acting_user,
                "adopt_assignment",
                touched,
                {sid: b for sid, (b, _a) in changed.items()},
                {sid: a for sid, (_b, a) in changed.items()},
            )
            supervision_records.records_changed()
    return len(changed)


# ------------------------------------------------------------------------------ the plaque list


def plaque_rows(version: str) -> tuple[list[dict[str, Any]], bool, int]:
    """The plaque list's rows worded for the page, whether they are the decided assignment (else the
    proposal), and the school year."""
    lg = lang()
    a = _propose(version, [])
    now = decided()
    rows = a.plaque()
    if now:
        register = _frames(version)["inspectors"]
        who = {str(r.inspector_id): r for r in register.itertuples(index=False)}
        for r in rows:
            iid = now.get(r["school_id"])
            person = who.get(iid) if iid else None
            r["inspector_id"] = iid
            r["inspector"] = str(person.name) if person is not None else None
            r["phone"] = str(person.phone) if person is not None else None
            r["employment"] = person.employment if person is not None else None
    for r in rows:
        r["stage_label"] = vocabulary.label("stage", str(r["stage"]), lg)
        r["inspector"] = r["inspector"] or translate(Msg("none"), lg)
        r["phone"] = r["phone"] or ""
    return rows, bool(now), a.year


@require_GET
@login_required
def plaque(request: HttpRequest) -> HttpResponse:
    """The plaque list: a printable page; ?format=pdf a PDF, ?format=xlsx an Excel workbook."""
    access.require_county(request)
    version = census_data.latest_version()
    if version is None:
        return render(request, "web/supervision/plaque.html", {"version": None, "rows": []})
    try:
        rows, is_decided, year = plaque_rows(version)
    except CountyEduError as e:
        return render(request, "web/supervision/plaque.html", {"version": version, "rows": [], "error": e.text(lang())})
    ctx = {
        **_base(version),
        "rows": rows,
        "decided": is_decided,
        "year": year,
        "items": translate(PLAQUE_ITEMS, lang()),
        "printing": False,
    }
    fmt = request.GET.get("format", "")
    if fmt == "xlsx":
        return _xlsx(rows, str(ctx["items"]))
    if fmt == "pdf":
        from weasyprint import HTML

        html = render_to_string("web/supervision/plaque_print.html", {**ctx, "printing": True}, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        resp = HttpResponse(pdf, content_type="application/pdf")
        resp["Content-Disposition"] = 'attachment; filename="plaque.pdf"'
        return resp
    return render(request, "web/supervision/plaque.html", ctx)


def _xlsx(rows: list[dict[str, Any]], items: str) -> HttpResponse:
    import xlsxwriter

    lg = lang()
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(translate(Msg("Responsible inspector"), lg)[:28])
    bold = wb.add_format({"bold": True, "bg_color": "#EAF1F9", "border": 1})
    ws.write(0, 0, translate(Msg("Plaque list: school, responsible inspector, contact, supervision items"), lg))
    heads = [Msg("Township"), Msg("School"), Msg("Responsible inspector"), Msg("Contact"), Msg("Supervision items")]
    ws.write_row(2, 0, [translate(h, lg) for h in heads], bold)
    for n, r in enumerate(rows, start=3):
        ws.write_row(n, 0, [r["township"], r["school"], r["inspector"], r["phone"], items])
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 3, 14)
    ws.set_column(4, 4, 60)
    wb.close()
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = 'attachment; filename="plaque.xlsx"'
    return resp


# ------------------------------------------------------------------------------ the visit plan


def _month(request: HttpRequest) -> dt.date:
    """The month asked for (?month=YYYY-MM), else this month: its first day."""
    raw = request.GET.get("month", "")
    try:
        y, m = (int(x) for x in raw.split("-"))
        return dt.date(y, m, 1)
    except ValueError:
        return dt.date.today().replace(day=1)


@require_GET
@login_required
def plan(request: HttpRequest) -> HttpResponse:
    """A month's routine visits of the adopted assignment (else the proposal): each inspector's days
    and schools, and the plan's checks."""
    access.require_county(request)
    version = census_data.latest_version()
    month = _month(request)
    prev_m = (month - dt.timedelta(days=1)).replace(day=1)
    next_m = (month + dt.timedelta(days=32)).replace(day=1)
    ctx: dict[str, Any] = {
        **_base(version),
        "month": f"{month.year}-{month.month:02d}",
        "prev": f"{prev_m.year}-{prev_m.month:02d}",
        "next": f"{next_m.year}-{next_m.month:02d}",
        "error": None,
    }
    if version is not None:
        try:
            ctx.update(_plan_context(version, month))
        except CountyEduError as e:
            ctx["error"] = e.text(lang())
    return render(request, "web/supervision/plan.html", ctx)


def _plan_context(version: str, month: dt.date) -> dict[str, Any]:
    lg = lang()
    a = _propose(version, [])
    now = decided()
    mapping = {s: i for s, i in now.items() if s in set(a.schools["school_id"])} if now else a.mapping()
    names = census_data.names(version)
    register = _frames(version)["inspectors"]
    who = dict(zip(register["inspector_id"].astype(str), register["name"].astype(str), strict=True))
    km = dict(zip(a.schools["school_id"], a.schools["km"], strict=True)) if not now else None
    p = section(supervision_params(census_data.packs()), "plan", PlanParams)
    vp = visit_plan(mapping, register, month, 1, p, km)
    by: dict[str, list[dict[str, str]]] = {}
    for r in vp.visits.itertuples(index=False):
        by.setdefault(r.inspector_id, []).append(
            {
                "date": r.date.strftime("%m-%d"),
                "weekday": _WEEKDAYS[lg][r.date.weekday()],
                "school": names.get(r.school_id, r.school_id),
            }
        )
    return {
        "decided": bool(now),
        "in_session": bool(vp.months),
        "checks": [{"rule": c.rule, "ok": c.ok, "detail": translate(c.detail, lg)} for c in vp.checks],
        "rows": [{"inspector": who.get(i, i), "inspector_id": i, "visits": v} for i, v in sorted(by.items())],
        "unplaced": [
            f"{who.get(r.inspector_id, r.inspector_id)}：{names.get(r.school_id, r.school_id)}"
            for r in vp.unplaced.itertuples(index=False)
        ],
        "total": len(vp.visits),
    }


_WEEKDAYS = {"zh": "一二三四五六日", "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def leaving_query(ids: Sequence[str]) -> str:
    return urlencode([("leaving", i) for i in ids])


urlpatterns = [
    path("supervision/assign/", assignment, name="supervision_assign"),
    path("supervision/assign/adopt/", adopt, name="supervision_assign_adopt"),
    path("supervision/plaque/", plaque, name="supervision_plaque"),
    path("supervision/plan/", plan, name="supervision_plan"),
]

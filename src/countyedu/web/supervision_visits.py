"""The responsible inspectors' pages (issue 15 items 3, 4 and 7): their schools, today's visits and the
schools not yet visited this month, the phone-sized visit form (the eight routine items with a
finding each, a safety hazard with its severity, other problems, the checklist items a visit
resolves, deadline, on-site feedback, photos or files), a visit's record, and the rectifications:
the school answers with evidence, the inspector closes or returns, a 重大 hazard is checked daily.

Who sees what: a responsible inspector (role inspector with an inspector id) sees and records the
visits of the schools assigned to them only (another school answers 404); the supervision office
(role inspector without an id) and the bureau administrator every school; the other county-wide
roles read everything and change nothing (403); a township official reads its schools' records, a
school clerk its own school's and answers its own rectifications.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from countyedu.indicators import evidence as checklist_evidence
from countyedu.supervision import records
from countyedu.supervision.plan import plan_params, visit_plan
from countyedu.supervision.rectify import STAGES, RectifyParams, standing
from countyedu.web import access
from countyedu.web import census as census_data
from countyedu.web import supervision_records as sr
from countyedu.web.actions import ActionRefused
from countyedu.web.dashboard_parts import explain_url, status_label
from countyedu.web.models import Membership, Role
from countyedu.web.reading import Indexed, lang
from countyedu.web.supervision_models import EvidenceFile, Finding, Notice, Rectification, Visit
from countyedu.web.supervision_notices import notices_for

RECORDERS = (Role.INSPECTOR, Role.BUREAU_ADMIN)  # who records visits and checks rectifications


def today() -> dt.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------ scope


def visit_scope(m: Membership) -> set[str] | None:
    """The schools whose supervision records a member may read: None means every school."""
    if m.role == Role.INSPECTOR and m.inspector_id:
        return sr.schools_of_inspector(m.inspector_id, today())
    return access.visible_school_ids(m)


def may_record(m: Membership) -> bool:
    return m.role in RECORDERS


def _school_for(request: HttpRequest, school_id: str) -> dict[str, Any]:
    """A school whose records the user may read, else 404."""
    m = access.membership_of(request)
    allowed = visit_scope(m)
    s = census_data.school(school_id)
    if s is None or (allowed is not None and school_id not in allowed):
        raise Http404
    return s


def get_visit_for_user(request: HttpRequest, pk: int) -> Visit:
    v = Visit.objects.filter(pk=pk).first()
    if v is None:
        raise Http404
    _school_for(request, v.school_id)
    return v


def get_rectification_for_user(request: HttpRequest, pk: int) -> Rectification:
    r = Rectification.objects.select_related("finding__visit").filter(pk=pk).first()
    if r is None:
        raise Http404
    _school_for(request, r.school_id)
    return r


# ------------------------------------------------------------------------------ words


def school_names() -> dict[str, str]:
    return {sid: s["name"] for sid, s in census_data.schools_by_id(census_data.latest_version()).items()}


def inspector_names() -> dict[str, str]:
    """Inspector id → name from the census's `inspectors` sheet, when the county imported one."""
    v = census_data.latest_version()
    return _inspector_names(v) if v is not None else {}


@census_data.per_version(4)
def _inspector_names(version: str) -> dict[str, str]:
    try:
        df = census_data.store().frames(version, ["inspectors"])["inspectors"]
    except (KeyError, ValueError):  # a store from before the inspectors sheet
        return {}
    return dict(zip(df["inspector_id"].astype(str), df["name"].astype(str), strict=True))


def _label(vocab: str, code: str) -> str:
    return records.label(vocab, code, lang()) if code else ""


def checklist_items() -> list[tuple[str, str]]:
    """The packs' inspector checklist items (id, name) a visit may resolve."""
    lg, out, seen = lang(), [], set()
    for p in census_data.packs():
        for it in p.items:
            if it.kind == "checklist" and it.id not in seen:
                seen.add(it.id)
                out.append((it.id, f"{it.id} {it.name_zh if lg == 'zh' else it.name_en}"))
    return out


def rect_rows(rects: list[Rectification], as_of: dt.date) -> list[dict[str, Any]]:
    """Rectifications worded for a table, with their stage on `as_of` (supervision.rectify)."""
    if not rects:
        return []
    rec = sr.frames({r.school_id for r in rects})
    states = standing(rec, as_of, RectifyParams.of(census_data.packs())).states.set_index("rectification_id")
    names, lg = school_names(), lang()
    out = []
    for r in rects:
        st = states.loc[str(r.pk)]
        f = r.finding
        out.append(
            {
                "r": r,
                "school": names.get(r.school_id, r.school_id),
                "item": _label("finding_item", f.item),
                "severity": _label("severity", f.severity),
                "grave": f.item == records.SAFETY and f.severity == "grave",
                "problem": f.problem,
                "stage": st["stage"],
                "stage_label": STAGES[st["stage"]][lg == "en"],
                "days_overdue": int(st["days_overdue"]),
            }
        )
    return out


# ------------------------------------------------------------------------------ pages


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """An inspector's day: their schools, today's visits, the schools not visited this month, the open
    rectifications (those answered and waiting for a check first) and the open 重大 hazards."""
    m = access.membership_of(request)
    if not (m.county_wide or m.role in (Role.TOWNSHIP, Role.SCHOOL)):
        raise Http404
    scope = visit_scope(m)
    day = today()
    names = school_names()
    schools = sorted(scope if scope is not None else names, key=lambda s: names.get(s, s))
    visits = Visit.objects.all() if scope is None else Visit.objects.filter(school_id__in=scope)
    month_start = day.replace(day=1)
    visited = set(visits.filter(date__gte=month_start, date__lte=day).values_list("school_id", flat=True))
    rects = list(
        Rectification.objects.select_related("finding__visit")
        .exclude(status="closed")
        .filter(**({} if scope is None else {"school_id__in": scope}))
    )
    rows = sorted(
        rect_rows(rects, day), key=lambda x: (x["stage"] != "awaiting_check", not x["grave"], x["r"].deadline)
    )
    inspectors = inspector_names()
    planned = _planned_today(m.inspector_id, scope or set(), day) if m.inspector_id else []
    notices = notice_rows(notices_for(m, scope), names)
    return render(
        request,
        "web/supervision/visits_home.html",
        {
            "today": day,
            "may_record": may_record(m),
            "own_inspector": inspectors.get(m.inspector_id, m.inspector_id) if m.inspector_id else "",
            "schools": [{"id": s, "name": names.get(s, s), "visited": s in visited} for s in schools if s in names],
            "todays": [_visit_row(v, names, inspectors) for v in visits.filter(date=day)],
            "planned": [{"id": s, "name": names.get(s, s), "visited": s in visited} for s in planned],
            "recent": [_visit_row(v, names, inspectors) for v in visits.order_by("-date", "-pk")[:20]],
            "rects": rows,
            "hazards": [x for x in rows if x["grave"]],
            "notices": notices,
        },
    )


def notice_rows(notices: list[Notice], names: dict[str, str]) -> list[dict[str, Any]]:
    """The bureau's notices (通报) worded for a list."""
    return [
        {
            "n": n,
            "school": names.get(n.school_id, n.school_id),
            "item": _label("finding_item", n.rectification.finding.item),
            "problem": n.rectification.finding.problem,
        }
        for n in notices
    ]


def _planned_today(inspector_id: str, schools: set[str], day: dt.date) -> list[str]:
    """The schools the visit plan (supervision.plan) puts on an inspector's day: their schools'
    routine visits of the month laid over their working days."""
    v = census_data.latest_version()
    if v is None or not schools:
        return []
    try:
        ins = census_data.store().frames(v, ["inspectors"])["inspectors"]
    except (KeyError, ValueError):
        return []
    if inspector_id not in set(ins["inspector_id"].astype(str)):
        return []
    plan = visit_plan({s: inspector_id for s in schools}, ins, day.replace(day=1), 1, plan_params(census_data.packs()))
    return sorted(plan.on(day, inspector_id)["school_id"].astype(str))


def _visit_row(v: Visit, names: dict[str, str], inspectors: dict[str, str]) -> dict[str, Any]:
    return {
        "v": v,
        "school": names.get(v.school_id, v.school_id),
        "inspector": inspectors.get(v.inspector_id, v.inspector_id),
        "kind": _label("visit_kind", v.kind),
        "problems": sum(1 for f in v.findings.all() if f.problem),
    }


def _bool(v: str | None) -> bool:
    return v in ("on", "true", "1", "yes")


def _date(raw: str | None, default: dt.date | None = None) -> dt.date:
    if not raw:
        if default is None:
            raise ValueError
        return default
    return dt.date.fromisoformat(raw)


def _findings_from(post: Any, day: dt.date, params: RectifyParams) -> list[dict[str, Any]]:
    """The findings of the form: one per routine item (its finding and its problem), a safety hazard
    with its severity, another problem, and the checklist items resolved."""
    deadline_raw = post.get("deadline")
    responsible = (post.get("responsible") or "").strip()
    out: list[dict[str, Any]] = []

    def add(item: str, observation: str, problem: str, severity: str = "", **extra: Any) -> None:
        deadline = _date(deadline_raw, params.default_deadline(day, severity or None))
        if severity == "grave":  # a 重大 hazard: never later than its own deadline (第31条)
            deadline = min(deadline, params.default_deadline(day, "grave"))
        out.append(
            {
                "item": item,
                "observation": observation,
                "problem": problem,
                "severity": severity,
                "deadline": deadline,
                "responsible": responsible,
                **extra,
            }
        )

    for item in records.ROUTINE_ITEMS:
        obs, prob = (post.get(f"{item}_finding") or "").strip(), (post.get(f"{item}_problem") or "").strip()
        add(item, obs, prob)
    hazard = (post.get("safety_problem") or "").strip()
    if hazard:
        severity = post.get("safety_severity") or "general"
        if severity not in records.SEVERITIES:
            raise ValueError
        add(records.SAFETY, "", hazard, severity)
    other = (post.get("other_problem") or "").strip()
    if other:
        add(records.OTHER, "", other)
    known = dict(checklist_items())
    for ind, status in zip(post.getlist("checklist_item"), post.getlist("checklist_status"), strict=False):
        if not ind:
            continue
        if ind not in known or status not in records.CHECKLIST_STATUSES:
            raise ValueError
        note = (post.get("checklist_note") or "").strip()
        add(records.OTHER, note, "", checklist_item=ind, checklist_status=status)
    return out


@require_http_methods(["GET", "POST"])
@login_required
def visit_form(request: HttpRequest) -> HttpResponse:
    """The phone-sized visit form; a responsible inspector's own schools only."""
    m = access.membership_of(request)
    if not m.county_wide:
        raise Http404
    scope = visit_scope(m)
    names = school_names()
    school_id = request.POST.get("school") or request.GET.get("school") or ""
    if school_id:
        _school_for(request, school_id)
    if not may_record(m):
        raise PermissionDenied
    params = RectifyParams.of(census_data.packs())
    choices = sorted(((s, names[s]) for s in (scope if scope is not None else names) if s in names), key=lambda x: x[1])
    errors: list[str] = []
    if request.method == "POST":
        try:
            day = _date(request.POST.get("date"), today())
            kind = request.POST.get("kind") or ""
            inspector_id = m.inspector_id or (request.POST.get("inspector") or "").strip()
            if not school_id or not inspector_id or kind not in records.VISIT_KINDS:
                raise ValueError
            found = _findings_from(request.POST, day, params)
        except ValueError:
            errors.append(_("Fill in the school, the date, the inspector and the type of the visit correctly."))
        else:
            try:
                visit = sr.do_record_visit(
                    school_id=school_id,
                    inspector_id=inspector_id,
                    date=day,
                    kind=kind,
                    feedback_given=_bool(request.POST.get("feedback_given")),
                    note=(request.POST.get("note") or "").strip(),
                    findings=found,
                    files=request.FILES.getlist("files"),
                    acting_user=request.user,
                )
            except ActionRefused as e:
                errors.append(e.text(lang()))
            else:
                messages.success(request, _("Visit recorded."))
                return redirect(reverse("web:sv_visit", args=[visit.pk]))
    lg = lang()
    return render(
        request,
        "web/supervision/visit_form.html",
        {
            "schools": choices,
            "school_id": school_id,
            "inspector_id": m.inspector_id,
            "inspectors": sorted(inspector_names().items(), key=lambda x: x[1]),
            "today": today(),
            "kinds": [(k, records.label("visit_kind", k, lg)) for k in records.VISIT_KINDS],
            "items": [(k, records.label("finding_item", k, lg)) for k in records.ROUTINE_ITEMS],
            "severities": [(k, records.label("severity", k, lg)) for k in records.SEVERITIES],
            "checklist": checklist_items(),
            "statuses": [(k, records.label("checklist_status", k, lg)) for k in records.CHECKLIST_STATUSES],
            "deadline": params.default_deadline(today(), None),
            "errors": errors,
            "post": request.POST,
            "accept": ",".join(ext for exts in sr.ALLOWED_TYPES.values() for ext in exts),
            "max_mb": sr.MAX_FILE_BYTES // (1024 * 1024),
        },
    )


@require_GET
@login_required
def visit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit as recorded: its findings, files and the rectifications it opened."""
    v = get_visit_for_user(request, pk)
    names, inspectors = school_names(), inspector_names()
    findings = list(v.findings.all())
    rects = [f.rectification for f in findings if hasattr(f, "rectification")]
    return render(
        request,
        "web/supervision/visit.html",
        {
            "v": v,
            "school": names.get(v.school_id, v.school_id),
            "inspector": inspectors.get(v.inspector_id, v.inspector_id),
            "kind": _label("visit_kind", v.kind),
            "findings": [_finding_row(f) for f in findings],
            "files": list(v.files.all()),
            "rects": rect_rows(rects, today()),
        },
    )


def _finding_row(f: Finding) -> dict[str, Any]:
    return {
        "f": f,
        "item": _label("finding_item", f.item),
        "severity": _label("severity", f.severity),
        "checklist": f.checklist_item,
        "checklist_status": _label("checklist_status", f.checklist_status),
    }


@require_GET
@login_required
def rectification_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A rectification: the problem, its deadline and stage, each step with its files, and the
    forms of whoever acts next (the school answers, the inspector closes or returns)."""
    r = get_rectification_for_user(request, pk)
    m = access.membership_of(request)
    row = rect_rows([r], today())[0]
    steps = [
        {"s": s, "action": _label("followup_action", s.action), "files": list(s.files.all())} for s in r.followups.all()
    ]
    return render(
        request,
        "web/supervision/rectification.html",
        {
            "row": row,
            "r": r,
            "visit": r.finding.visit,
            "steps": steps,
            "school_answers": m.role == Role.SCHOOL and r.status != "closed",
            "inspector_checks": may_record(m) and r.status == "answered",
            "daily_check": may_record(m) and row["grave"] and r.status != "closed",
            "notice": Notice.objects.filter(rectification=r).first(),
            "accept": ",".join(ext for exts in sr.ALLOWED_TYPES.values() for ext in exts),
        },
    )


def _acted(request: HttpRequest, r: Rectification, act: Any) -> HttpResponse:
    try:
        act()
    except ActionRefused as e:
        messages.error(request, e.text(lang()))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("web:sv_rectification", args=[r.pk]))


@require_POST
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's answer with evidence (its own school's clerk only)."""
    r = get_rectification_for_user(request, pk)
    if access.membership_of(request).role != Role.SCHOOL:
        raise PermissionDenied
    text = (request.POST.get("response") or "").strip()
    if not text:
        messages.error(request, _("Say what the school has done."))
        return redirect(reverse("web:sv_rectification", args=[r.pk]))
    return _acted(
        request,
        r,
        lambda: sr.do_answer_rectification(
            r, response=text, day=today(), files=request.FILES.getlist("files"), acting_user=request.user
        ),
    )


@require_POST
@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspector's check of the school's answer: close (销号) or return."""
    r = get_rectification_for_user(request, pk)
    if not may_record(access.membership_of(request)):
        raise PermissionDenied
    close = request.POST.get("decision") == "close"
    note = (request.POST.get("note") or "").strip()
    return _acted(
        request, r, lambda: sr.do_check_rectification(r, close=close, note=note, day=today(), acting_user=request.user)
    )


@require_POST
@login_required
def hazard_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Today's check of an open 重大 hazard."""
    r = get_rectification_for_user(request, pk)
    if not may_record(access.membership_of(request)):
        raise PermissionDenied
    note = (request.POST.get("note") or "").strip()
    return _acted(request, r, lambda: sr.do_check_hazard(r, note=note, day=today(), acting_user=request.user))


@require_GET
@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """A photo or file, to those who may read its school's records."""
    f = EvidenceFile.objects.filter(pk=pk).first()
    if f is None:
        raise Http404
    _school_for(request, f.school_id)
    resp = FileResponse(f.file.open("rb"), content_type=f.content_type)
    resp["Content-Disposition"] = f'{"inline" if f.is_image else "attachment"}; filename="evidence-{f.pk}"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# ------------------------------------------------------------------------------ the school's page


def school_panel(m: Membership, school_id: str, ix: Indexed | None = None) -> dict[str, Any] | None:
    """What a school's dashboard page shows of supervision: its inspector, its visits, its open items
    and the checklist items visits resolved for it in the page's school year (the assessment's school
    rows, indicators.evidence) — None for a reader who may not see the school's records."""
    scope = visit_scope(m)
    if scope is not None and school_id not in scope:
        return None
    day = today()
    inspectors = inspector_names()
    iid = sr.inspector_of(school_id, day)
    visits = list(Visit.objects.filter(school_id=school_id).order_by("-date", "-pk")[:10])
    names = school_names()
    rects = list(
        Rectification.objects.select_related("finding__visit").filter(school_id=school_id).exclude(status="closed")
    )
    return {
        "inspector": inspectors.get(iid, iid) if iid else "",
        "notices": notice_rows(notices_for(m, scope, school_id), names),
        "visits": [_visit_row(v, names, inspectors) for v in visits],
        "rects": rect_rows(rects, day),
        "checklist": _checklist_rows(ix, school_id) if ix is not None else [],
        "year": ix.year if ix is not None else None,
    }


def _checklist_rows(ix: Indexed, school_id: str) -> list[dict[str, Any]]:
    ev = checklist_evidence.read(census_data.store().data_dir)
    lg, out = lang(), []
    for pack in ix.a.packs:
        for item in pack.items:
            r = ix.get(item.id, "school", school_id, None) if item.kind == "checklist" else None
            if r is None:
                continue
            e = ev.of(item.id, school_id, ix.year) or {}
            out.append(
                {
                    "indicator": item.id,
                    "name": item.name_zh if lg == "zh" else item.name_en,
                    "status": r.status,
                    "status_label": status_label(r.status, lg),
                    "visit": e.get("visit_id"),
                    "url": explain_url(item.id, school_id, ix.year, None),
                    "date": e.get("date"),
                }
            )
    return out


def grave_hazards(m: Membership | None) -> list[dict[str, Any]]:
    """The open 重大 hazards the bureau sees on every page at once (county-wide roles)."""
    if m is None or not m.county_wide:
        return []
    rects = list(
        Rectification.objects.select_related("finding__visit")
        .filter(finding__item=records.SAFETY, finding__severity="grave")
        .exclude(status="closed")
    )
    names = school_names()
    return [{"pk": r.pk, "school": names.get(r.school_id, r.school_id), "problem": r.finding.problem} for r in rects]


urlpatterns = [
    path("supervision/visits/", home, name="sv_visits"),
    path("supervision/visits/new/", visit_form, name="sv_visit_new"),
    path("supervision/visits/<int:pk>/", visit_page, name="sv_visit"),
    path("supervision/rectifications/<int:pk>/", rectification_page, name="sv_rectification"),
    path("supervision/rectifications/<int:pk>/answer/", answer, name="sv_answer"),
    path("supervision/rectifications/<int:pk>/check/", check, name="sv_check"),
    path("supervision/rectifications/<int:pk>/daily/", hazard_check, name="sv_hazard_check"),
    path("supervision/files/<int:pk>/", evidence_file, name="sv_file"),
]

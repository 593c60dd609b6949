"""Data collection pages: the bureau's rounds, each school's submission (pre-filled template, upload
with every located problem, submit), the review against last year, approval or return, the progress
of background jobs and the audit log.

Who may do what (tests/web/test_role_matrix.py spells it out): pages are for members who may see
the school (other schools and townships get 404); uploading and submitting are for the school's
clerk and the bureau administrator; opening and closing rounds, approving and returning are for the
bureau administrator and the planning office; every other member gets 403 on those actions.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from countyedu.census import vocabulary
from countyedu.census.importer import SCHOOL_SHEETS
from countyedu.census.readers import read_source
from countyedu.census.submission import Change, compare, prefilled, school_rows
from countyedu.census.validate import validate_sheet
from countyedu.census.writers import write_workbook
from countyedu.errors import CountyEduError
from countyedu.indicators.explain_tables import column_label, sheet_label
from countyedu.web import actions
from countyedu.web import census as census_data
from countyedu.web.access import (
    get_job_for_user,
    get_school_for_user,
    get_submission_for_user,
    membership_of,
    require_county,
    role_required,
    visible_school_ids,
)
from countyedu.web.models import AuditLog, CollectionRound, Membership, Role, Submission
from countyedu.web.online_form import form_frames, form_tables, posted_rows, stored_rows
from countyedu.web.reading import lang

APPROVERS: tuple[str, ...] = (str(Role.BUREAU_ADMIN), str(Role.PLANNING))
UPLOADERS: tuple[str, ...] = (str(Role.BUREAU_ADMIN), str(Role.SCHOOL))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# a new file may replace the one of a submission in these states
# (checking too: a check that never finished — the server stopped — must not lock the school out)
REPLACEABLE = {
    None,
    Submission.Status.CHECKING,
    Submission.Status.DRAFT,
    Submission.Status.INVALID,
    Submission.Status.RETURNED,
}
ACTIONS = {
    "open_round": gettext_lazy("opened a round"),
    "close_round": gettext_lazy("closed a round"),
    "upload_submission": gettext_lazy("uploaded a file"),
    "edit_submission": gettext_lazy("edited online"),
    "recheck_submission": gettext_lazy("checked again"),
    "submit_submission": gettext_lazy("submitted"),
    "return_submission": gettext_lazy("returned"),
    "approve_submission": gettext_lazy("approved"),
}


def _act(request: HttpRequest, action: Any, *args: Any) -> Any:
    """Run a do_… function as the user; a refusal becomes an error message (None returned)."""
    try:
        return action(*args, acting_user=request.user)
    except actions.ActionRefused as exc:
        messages.error(request, str(exc))
        return None


def _schools(m: Membership) -> dict[str, dict[str, Any]]:
    """The schools of the latest census the member may see, by id."""
    allowed = visible_school_ids(m)
    everything = census_data.schools_by_id(census_data.latest_version())
    return {sid: s for sid, s in sorted(everything.items()) if allowed is None or sid in allowed}


def _may_upload(m: Membership, r: CollectionRound, sub: Submission | None) -> bool:
    return (
        m.role in UPLOADERS and r.status == CollectionRound.Status.OPEN and (sub.status if sub else None) in REPLACEABLE
    )


# ------------------------------------------------------------------------------------------ rounds


@login_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    """Every round; per round the status of the submissions of the schools the user may see."""
    m = membership_of(request)
    schools = _schools(m)
    subs: dict[int, list[Submission]] = {}
    for s in Submission.objects.filter(school_id__in=list(schools)):
        subs.setdefault(s.round_id, []).append(s)
    rows = []
    for r in CollectionRound.objects.select_related("opened_by"):
        mine = subs.get(r.pk, [])
        counts = Counter(s.status for s in mine)
        own = mine[0] if m.role == Role.SCHOOL and mine else None
        rows.append(
            {
                "round": r,
                "counts": [(code, label, counts.get(code, 0)) for code, label in Submission.Status.choices],
                "not_started": len(schools) - len(mine),
                "own": own,
                "subs": mine,
                "may_upload": m.role == Role.SCHOOL and _may_upload(m, r, own),
            }
        )
    years = [r["round"].year for r in rows]
    next_year = max(years) + 1 if years else timezone.localdate().year
    return render(
        request,
        "web/collection/rounds.html",
        {"rows": rows, "can_open": m.can_approve, "next_year": next_year, "school_count": len(schools)},
    )


@login_required
@require_POST
@role_required(*APPROVERS)
def round_open(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("Enter the school year as a four-digit number."))
        return redirect("web:rounds")
    r = _act(request, actions.do_open_round, year, request.POST.get("note", ""))
    if r is None:
        return redirect("web:rounds")
    messages.success(request, _("The collection round for %(year)s is open.") % {"year": r.year})
    return redirect("web:round_detail", pk=r.pk)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """County roles: every school's submission for the round, those waiting for review and those with
    problems first; ?status= keeps one status (NOT_STARTED for schools without a submission)."""
    m = require_county(request)
    r = get_object_or_404(CollectionRound, pk=pk)
    subs = {s.school_id: s for s in r.submissions.all()}
    names = census_data.names(census_data.latest_version())
    rows = [
        {"school_id": sid, "school": s, "township": names.get(s["township_id"], s["township_id"]), "sub": subs.get(sid)}
        for sid, s in _schools(m).items()
        if s.get("closed_year") is None or s["closed_year"] >= r.year
    ]
    rows.sort(key=lambda row: ROUND_ORDER.index(_row_status(row)))  # stable: by school id within a status
    counts = Counter(_row_status(row) for row in rows)
    shown = request.GET.get("status", "")
    if shown not in ROUND_ORDER:
        shown = ""
    return render(
        request,
        "web/collection/round_detail.html",
        {
            "round": r,
            "rows": [row for row in rows if _row_status(row) == shown] if shown else rows,
            "total": len(rows),
            "shown": shown,
            "counts": [(code, _status_label(code), counts.get(code, 0)) for code in ROUND_ORDER],
            "can_approve": m.can_approve,
            "can_upload": m.role == Role.BUREAU_ADMIN and r.status == CollectionRound.Status.OPEN,
            "year_info": round_year(r.year),
        },
    )


# A round's schools in the order a reviewer works through them: waiting for review, then problems, then
# in progress, not started, and done.
NOT_STARTED = "none"
ROUND_ORDER: tuple[str, ...] = (
    str(Submission.Status.SUBMITTED),
    str(Submission.Status.INVALID),
    str(Submission.Status.RETURNED),
    str(Submission.Status.CHECKING),
    str(Submission.Status.DRAFT),
    NOT_STARTED,
    str(Submission.Status.APPROVED),
)


def _row_status(row: dict[str, Any]) -> str:
    return str(row["sub"].status) if row["sub"] else NOT_STARTED


def _status_label(code: str) -> str:
    return str(Submission.Status(code).label) if code != NOT_STARTED else _("not started")


def round_year(year: int) -> Any:
    """The round's school year in the census: its state (in collection or closed) and coverage."""
    from countyedu.census.years import SchoolYear, census_years

    version = census_data.latest_version()
    return census_years(census_data.store(), version, marked=True).info(year) if version else SchoolYear(year)


@login_required
@require_POST
@role_required(*APPROVERS)
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_object_or_404(CollectionRound, pk=pk)
    if _act(request, actions.do_close_round, r) is not None:
        messages.success(request, _("The collection round for %(year)s is closed.") % {"year": r.year})
    return redirect("web:round_detail", pk=r.pk)


# ------------------------------------------------------------------------------------- submissions


@login_required
@require_GET
def submission_template(request: HttpRequest, pk: int, school_id: str) -> HttpResponse:
    """The school's workbook for the round, pre-filled from the latest census."""
    get_school_for_user(request, school_id)
    r = get_object_or_404(CollectionRound, pk=pk)
    version = census_data.latest_version()
    census = census_data.store().frames(version, list(SCHOOL_SHEETS)) if version else {}
    frames = prefilled(census, school_id, r.year)
    name = f"{school_id}-{r.year}.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        data = write_workbook(Path(tmp) / name, frames, note=f"{school_id} {r.year}").read_bytes()
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_POST
@role_required(*UPLOADERS)
def submission_upload(request: HttpRequest, pk: int, school_id: str) -> HttpResponse:
    """Upload the school's file: it is stored at once and checked in a background job; the submission
    page follows the job's progress, then lists every located problem."""
    get_school_for_user(request, school_id)
    r = get_object_or_404(CollectionRound, pk=pk)
    existing = Submission.objects.filter(round=r, school_id=school_id).first()
    back = reverse("web:submission_detail", args=[existing.pk]) if existing else reverse("web:rounds")
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(back)
    done = _act(request, actions.do_upload_submission, r, school_id, uploaded)
    if done is None:
        return redirect(back)
    return _after_check(request, *done)


def _after_check(request: HttpRequest, sub: Submission, job: Any) -> HttpResponse:
    """The submission page after a file was stored: following its check job, or with its result."""
    if sub.status == Submission.Status.CHECKING:  # the check runs in the background: the page follows it
        messages.info(request, _("The file was received and is being checked."))
        return redirect(reverse("web:submission_detail", args=[sub.pk]) + f"?job={job.pk}")
    if sub.status == Submission.Status.INVALID:
        messages.error(request, _("The file has errors: see the list below, correct them and upload it again."))
    else:
        messages.success(request, _("The file passed the checks. Submit it when it is complete."))
    return redirect("web:submission_detail", pk=sub.pk)


# -------------------------------------------------------------------------------- online form


@login_required
@require_http_methods(["GET", "POST"])
@role_required(*UPLOADERS)
def submission_form(request: HttpRequest, pk: int, school_id: str) -> HttpResponse:
    """Edit the school's submission online: the pre-filled rows (or those of the file already sent)
    as tables of inputs; saved, they become the workbook an upload would be, checked the same way."""
    m = membership_of(request)
    school = get_school_for_user(request, school_id)
    r = get_object_or_404(CollectionRound, pk=pk)
    sub = Submission.objects.filter(round=r, school_id=school_id).first()
    if not _may_upload(m, r, sub):
        if r.status != CollectionRound.Status.OPEN:
            messages.error(
                request, _("The collection round for %(year)s is closed: nothing can be edited.") % {"year": r.year}
            )
        else:
            messages.error(
                request,
                _("This submission is %(status)s: it can no longer be edited.")
                % {"status": sub.get_status_display() if sub else ""},
            )
        return redirect(reverse("web:submission_detail", args=[sub.pk]) if sub else reverse("web:rounds"))
    problems: list[dict[str, Any]] = []
    if request.method == "POST":
        rows = posted_rows(request.POST)
        name = f"{school_id}-{r.year}-online.xlsx"
        with tempfile.TemporaryDirectory() as tmp:
            workbook = write_workbook(
                Path(tmp) / name, form_frames(rows, school_id, r.year), note=f"{school_id} {r.year}"
            )
            problems = actions.check_sheets(workbook, name)
            if not any(p["severity"] == "error" for p in problems):
                done = _act(request, actions.do_edit_submission, r, school_id, workbook)
                if done is not None:
                    return _after_check(request, *done)
        if problems:
            messages.error(request, _("Nothing was saved: correct the values marked below and save again."))
    else:
        version = census_data.latest_version()
        census = census_data.store().frames(version, list(SCHOOL_SHEETS)) if version else {}
        rows = stored_rows(sub, prefilled(census, school_id, r.year))
        if sub is not None:
            problems = list(sub.problems)
    return render(
        request,
        "web/collection/submission_form.html",
        {
            "round": r,
            "school": school,
            "school_id": school_id,
            "sub": sub,
            "tables": _worded_tables(form_tables(rows, problems, blank_row=True), lang()),
            "errors": [p for p in problems if p.get("severity") == "error"],
        },
    )


def _worded_tables(tables: list[dict[str, Any]], lg: str) -> list[dict[str, Any]]:
    """The online form's sheets with their headings and column headers in the reader's language (the
    column's note, and whether it may be empty, as the header's tooltip)."""
    for t in tables:
        t["label"] = sheet_label(t["name"], lg)
        t["heads"] = [
            {
                "label": column_label(t["name"], c.name, lg),
                "title": f"{c.note_zh if lg == 'zh' else c.note_en} "
                + (_("(may be empty)") if c.nullable else _("(required)")),
            }
            for c in t["columns"]
        ]
    return tables


def _history(sub: Submission) -> list[dict[str, Any]]:
    rows = AuditLog.objects.filter(object_type="submission", object_id=str(sub.pk)).select_related("actor")
    return [_audit_row(a) for a in rows]


# problems listed on one page of a submission (a check keeps at most UPLOAD_LIMITS.problems)
PROBLEMS_PER_PAGE = 100


def _count(problems: list[dict[str, Any]], severity: str) -> int:
    """How many problems of the severity, with those a "more_problems" line sums up."""
    return sum(
        int(str(p.get("value")).replace(",", "")) if p.get("rule") == "more_problems" else 1
        for p in problems
        if (p.get("severity") == "error") == (severity == "error")
    )


@login_required
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A submission: status, the bureau's comment, every located problem, what may be done next."""
    m = membership_of(request)
    sub = get_submission_for_user(request, pk)
    job = None
    if request.GET.get("job", "").isdigit():
        job = get_job_for_user(request, int(request.GET["job"]))
    school = census_data.school(sub.school_id) or {}
    page = Paginator(sub.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/collection/submission_detail.html",
        {
            "sub": sub,
            "school": school,
            "page": page,
            "errors": [p for p in page if p.get("severity") == "error"],
            "warnings": [p for p in page if p.get("severity") != "error"],
            "n_errors": _count(sub.problems, "error"),
            "n_warnings": _count(sub.problems, "warning"),
            "may_upload": _may_upload(m, sub.round, sub),
            "may_submit": m.role in UPLOADERS and sub.status == Submission.Status.DRAFT,
            "may_review": m.can_approve and sub.status == Submission.Status.SUBMITTED,
            "history": _history(sub),
            "job": job,
        },
    )


@login_required
@require_POST
@role_required(*UPLOADERS)
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_submission_for_user(request, pk)
    if _act(request, actions.do_submit_submission, sub) is not None:
        messages.success(request, _("Submitted: the bureau will review it."))
    return redirect("web:submission_detail", pk=sub.pk)


@login_required
@require_POST
@role_required(*UPLOADERS)
def submission_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the stored file again (after an interrupted check, or when the census changed)."""
    sub = get_submission_for_user(request, pk)
    done = _act(request, actions.do_recheck_submission, sub)
    if done is None:
        return redirect("web:submission_detail", pk=sub.pk)
    return _after_check(request, *done)


def _submission_frames(sub: Submission) -> dict[str, pd.DataFrame]:
    """The typed sheets of a submission's file (read and validated as the importer does)."""
    try:
        raw = read_source(Path(sub.file.path), limits=settings.UPLOAD_LIMITS)
    except (CountyEduError, ValueError):
        return {}
    out = {}
    for name, rs in raw.sheets.items():
        frame, _problems = validate_sheet(rs)
        out[name] = frame
    return out


def _facility_label(col: str, lg: str) -> str:
    return column_label("school_years", col, lg)


KINDS = {"added": gettext_lazy("added"), "removed": gettext_lazy("removed"), "changed": gettext_lazy("changed")}


def _summary(row: dict[str, Any] | None, skip: set[str]) -> str:
    """A whole added or removed row in one line: column=value for the columns that say something."""
    return ", ".join(f"{k}={v}" for k, v in (row or {}).items() if k not in skip and v is not None)


def _changes(changes: list[Change], skip: set[str]) -> list[dict[str, Any]]:
    out = []
    for c in changes:
        whole = c.kind != "changed"
        out.append(
            {
                "kind": c.kind,
                "kind_label": KINDS[c.kind],
                "key": c.key,
                "field": c.field or "",
                "before": _summary(c.before, skip) if whole else c.before,
                "after": _summary(c.after, skip) if whole else c.after,
            }
        )
    return out


@login_required
@require_GET
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission against the school's stored rows of the year before: pupils and classes per
    grade, teachers by education, facilities; rows added, removed and changed."""
    m = membership_of(request)
    sub = get_submission_for_user(request, pk)
    version = census_data.latest_version()
    stored = census_data.store().frames(version, list(SCHOOL_SHEETS)) if version else {}
    year = sub.round.year
    diff = compare(school_rows(stored, sub.school_id, year - 1), _submission_frames(sub), year)
    lg = lang()
    return render(
        request,
        "web/collection/submission_review.html",
        {
            "sub": sub,
            "school": census_data.school(sub.school_id) or {},
            "diff": diff,
            "grades": [(f"{vocabulary.label('grade', g, lg)} ({g})", *v) for g, v in diff.grades.items()],
            "education": [(vocabulary.label("education", e, lg), *v) for e, v in diff.education.items()],
            "facilities": [(_facility_label(c, lg), *v) for c, v in diff.facilities.items()],
            "changes": [
                (_("School record"), _changes(diff.school, {"school_id"})),
                (_("Classes"), _changes(diff.classes, {"school_id", "year", "grade", "class_no"})),
                (_("Teachers"), _changes(diff.teacher_changes, {"school_id", "year", "teacher_id"})),
            ],
            "may_decide": m.can_approve and sub.status == Submission.Status.SUBMITTED,
        },
    )


@login_required
@require_POST
@role_required(*APPROVERS)
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve: a new census version now; the assessment is recomputed in the background."""
    sub = get_submission_for_user(request, pk)
    done = _act(request, actions.do_approve_submission, sub)
    if done is None:
        return redirect("web:submission_review", pk=sub.pk)
    sub, job = done
    messages.success(request, _("Approved: census version %(version)s was created.") % {"version": sub.census_version})
    return redirect(reverse("web:submission_detail", args=[sub.pk]) + f"?job={job.pk}")


@login_required
@require_POST
@role_required(*APPROVERS)
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_submission_for_user(request, pk)
    if _act(request, actions.do_return_submission, sub, request.POST.get("comment", "")) is None:
        return redirect("web:submission_review", pk=sub.pk)
    messages.success(request, _("Returned to the school with your comment."))
    return redirect("web:submission_detail", pk=sub.pk)


# ------------------------------------------------------------------------------------ jobs, audit


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    """A background job's progress, for the page that polls it."""
    job = get_job_for_user(request, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "kind": job.kind,
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "progress": job.progress,
            "message": job.progress_text(),
            "result": job.result,
            "finished": job.status in ("done", "failed"),
        }
    )


# an audit row's fields in words (actions.round_state, actions.submission_state)
AUDIT_FIELDS = {
    "round": gettext_lazy("Round"),
    "year": gettext_lazy("School year"),
    "school_id": gettext_lazy("School"),
    "status": gettext_lazy("Status"),
    "file_name": gettext_lazy("File"),
    "sha256": gettext_lazy("File digest (SHA-256)"),
    "errors": gettext_lazy("Errors"),
    "warnings": gettext_lazy("Warnings"),
    "comment": gettext_lazy("Comment"),
    "census_version": gettext_lazy("Census version"),
    "note": gettext_lazy("Note"),
}
STATUS_WORDS = {**dict(Submission.Status.choices), **dict(CollectionRound.Status.choices)}


def _audit_value(key: str, value: Any) -> Any:
    """A field's value as a reader sees it: a school's name, a status's words, a digest's start."""
    if value is None or value == "":
        return None
    if key == "school_id":
        return (census_data.school(str(value)) or {}).get("name", value)
    if key == "status":
        return STATUS_WORDS.get(str(value), value)
    if key == "sha256":
        return f"{str(value)[:12]}…"
    return value


def _audit_row(a: AuditLog) -> dict[str, Any]:
    before, after = a.before or {}, a.after or {}
    changes = [(k, before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k) or not before]
    shown = [(AUDIT_FIELDS.get(k, k), _audit_value(k, b), _audit_value(k, v)) for k, b, v in changes]
    school = _audit_value("school_id", after.get("school_id"))
    label = " · ".join(str(x) for x in (school, after.get("year")) if x is not None) or f"#{a.object_id}"
    return {"entry": a, "action": ACTIONS.get(a.action, a.action), "changes": changes, "shown": shown, "label": label}


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first (county roles)."""
    require_county(request)
    page = Paginator(AuditLog.objects.select_related("actor"), 50).get_page(request.GET.get("page"))
    return render(request, "web/collection/audit.html", {"page": page, "rows": [_audit_row(a) for a in page]})


urlpatterns = [
    path("collection/", rounds, name="rounds"),
    path("collection/open/", round_open, name="round_open"),
    path("collection/<int:pk>/", round_detail, name="round_detail"),
    path("collection/<int:pk>/close/", round_close, name="round_close"),
    path(
        "collection/<int:pk>/schools/<str:school_id>/template.xlsx",
        submission_template,
        name="submission_template",
    ),
    path("collection/<int:pk>/schools/<str:school_id>/upload/", submission_upload, name="submission_upload"),
    path("collection/<int:pk>/schools/<str:school_id>/form/", submission_form, name="submission_form"),
    path("submissions/<int:pk>/", submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/submit/", submission_submit, name="submission_submit"),
    path("submissions/<int:pk>/recheck/", submission_recheck, name="submission_recheck"),
    path("submissions/<int:pk>/review/", submission_review, name="submission_review"),
    path("submissions/<int:pk>/approve/", submission_approve, name="submission_approve"),
    path("submissions/<int:pk>/return/", submission_return, name="submission_return"),
    path("jobs/<int:pk>/", job_status, name="job_status"),
    path("audit/", audit, name="audit"),
]

"""The supervision office's (督导室) pages (issue 15): its home (the overdue tasks first, the updates
awaiting acceptance) and the task register (督办, 第33条) with its views by clause, owner, township and
school, a task's page with its updates, and the leadership's progress report (PDF, Excel).

Who sees what: the inspectors and the bureau administrator work here and accept or return the
owners' updates; the county leadership reads (overdue list first, no buttons); the other county-wide
offices read; a township official sees the township's tasks and its schools', a school clerk the
school's own (`access`: 404 for another's), and each updates only the tasks their unit owns (403 on
another's they may see); the bureau administrator updates the bureau offices' and departments' tasks.

The other parts of the module add their pages in their own modules (`web/supervision_*.py`), one url
line each in `web/urls.py`, and use `live_run` here: the supervision parts computed on the latest
census with the web's daily records (`web.supervision_records`), the stored assessment's county
statuses and today as the day the run looks from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from countyedu.census import vocabulary
from countyedu.supervision import records as rec
from countyedu.supervision.kind import SupervisionRun, run_supervision
from countyedu.supervision.parts import county_statuses
from countyedu.supervision.records import Records
from countyedu.supervision.tasks import Task, TaskRegister
from countyedu.web import access, supervision_records
from countyedu.web import census as census_data
from countyedu.web.actions import ActionRefused, _audit, refuse
from countyedu.web.models import Membership, Role
from countyedu.web.plans import _base
from countyedu.web.reading import lang
from countyedu.web.task_models import TaskUpdate

# who works in the supervision office (the leadership and the other offices read)
OFFICE: tuple[str, ...] = ("bureau_admin", "inspector")


def today() -> date:
    """The day the pages look from (the one place they read the clock; tests patch it)."""
    return date.today()


def records() -> Records:
    """The web's daily records as the frames `supervision.records` declares."""
    return supervision_records.frames()


def live_run(
    only: list[str] | None = None, *, as_of: date | None = None, daily: Records | None = None
) -> tuple[str | None, SupervisionRun | None]:
    """(latest census version, the supervision parts `only` computed on it now with the web's records,
    or `daily` when given), (None, None) without a census."""
    version = census_data.latest_version()
    if version is None:
        return None, None
    frames = census_data.census(version)

    def statuses() -> pd.DataFrame:
        a = census_data.assessment(version)
        return county_statuses(a.table()) if a is not None else county_statuses(pd.DataFrame())

    year = census_data.years(version).default()
    run = run_supervision(
        frames,
        census_data.packs(),
        year,
        as_of=as_of or today(),
        records=daily if daily is not None else records(),
        indicators=statuses,
        only=only,
    )
    return version, run


def visible_tasks(m: Membership, reg: TaskRegister) -> list[Task]:
    """The tasks a member may see: all for county-wide roles, a township's (its own and its schools'),
    a school's own."""
    if m.county_wide:
        return reg.tasks
    if m.role == Role.TOWNSHIP:
        return reg.of_owner(township_id=m.township_id)
    return reg.of_owner(school_id=m.school_id)


def get_task_for_user(request: HttpRequest, reg: TaskRegister, task_id: str) -> Task:
    """A task the user may see, else 404."""
    task = reg.get(task_id)
    if task is None or task not in visible_tasks(access.membership_of(request), reg):
        raise Http404
    return task


def _task_row(t: Task, names: dict[str, str], lg: str) -> dict[str, Any]:
    owner_kind = vocabulary.label("task_owner_kind", t.owner_kind, lg) if t.owner_kind else ""
    return {
        "task": t,
        "status": vocabulary.label("task_state", t.status, lg),
        "owner_kind": owner_kind,
        "township": names.get(t.township_id or "", ""),
        "school": names.get(t.school_id or "", ""),
    }


def _register(request: HttpRequest) -> tuple[str | None, TaskRegister | None]:
    version, run = live_run(["tasks"], daily=Records(task_updates=rec.frame("task_updates", task_update_rows())))
    return version, (run.part("tasks") if run else None)


def task_update_rows() -> list[dict[str, Any]]:
    return TaskUpdate.objects.all().as_rows()


def township_panel(township_id: str) -> dict[str, Any] | None:
    """What a township's dashboard page shows of its tasks (its own and its schools'), the overdue
    first; None without a task register."""
    version, run = live_run(["tasks"], daily=Records(task_updates=rec.frame("task_updates", task_update_rows())))
    reg = run.part("tasks") if run else None
    if reg is None:
        return None
    mine = sorted(reg.of_owner(township_id=township_id), key=lambda t: (not t.overdue, -t.days_overdue, t.task_id))
    names, lg = census_data.names(version), lang()
    return {
        "rows": [_task_row(t, names, lg) for t in mine],
        "late": sum(t.overdue for t in mine),
        "as_of": reg.as_of,
    }


BY = {"clause": "clause", "owner": "owner", "township": "township_id", "school": "school_id"}


def may_update(m: Membership, task: Task) -> bool:
    """Whether a member updates a task: a township's official its township's, a school's clerk the
    school's, the bureau administrator the bureau offices' and the departments'."""
    if m.role == Role.TOWNSHIP:
        return task.owner_kind == "township" and task.owner_id == m.township_id
    if m.role == Role.SCHOOL:
        return task.owner_kind == "school" and task.owner_id == m.school_id
    return m.role == Role.BUREAU_ADMIN and task.owner_kind not in ("township", "school")


def may_decide(m: Membership) -> bool:
    """Whether a member accepts or returns updates: the supervision office and the bureau administrator."""
    return m.role in OFFICE


# ------------------------------------------------------------------------------ changes


def do_update_task(
    task: Task,
    *,
    status: str,
    progress: int | None,
    note: str,
    evidence: str,
    file: Any = None,
    day: date,
    acting_user: Any,
) -> TaskUpdate:
    """Record an owner's update of a task (waiting for the bureau); an evidence file checked by type,
    first bytes and size. Audit row in the same transaction."""
    if status not in rec.TASK_UPDATE_STATUSES:
        refuse("Unknown task status %(status)s.", status=status[:20])
    if progress is not None and not 0 <= progress <= 100:
        refuse("Percent done must be between 0 and 100.")
    if not (note.strip() or evidence.strip() or file):
        refuse("Say what was done: a progress note, evidence or a file.")
    kind = supervision_records.check_file(file) if file else ""
    with transaction.atomic():
        u = TaskUpdate.objects.create(
            task_id=task.task_id,
            date=day,
            status=status,
            progress=progress,
            note=note.strip(),
            evidence=evidence.strip(),
            file=file or "",
            file_name=(file.name or "")[:255] if file else "",
            content_type=kind,
            owner_kind=task.owner_kind or "",
            owner_id=task.owner_id or "",
            submitted_by=acting_user,
        )
        _audit(acting_user, "task_update", u, None, u.state())
        supervision_records.records_changed()
    return u


def do_decide_task_update(u: TaskUpdate, *, accept: bool, note: str, acting_user: Any) -> TaskUpdate:
    """Accept or return an update waiting for the bureau (a decided one is refused). Audit row in the
    same transaction."""
    with transaction.atomic():
        u = TaskUpdate.objects.select_for_update().get(pk=u.pk)
        if u.accepted is not None:
            refuse("This update was decided already.")
        if not accept and not note.strip():
            refuse("Say why the update is returned.")
        before = u.state()
        u.accepted, u.decision_note = accept, note.strip()
        u.decided_by, u.decided_at = acting_user, timezone.now()
        u.save()
        _audit(acting_user, "task_accept" if accept else "task_return", u, before, u.state())
        supervision_records.records_changed()
    return u


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The supervision office's home: the overdue tasks and who owns them first, then the updates
    awaiting acceptance."""
    access.require_county(request)
    version, reg = _register(request)
    names = census_data.names(version)
    lg = lang()
    late = [_task_row(t, names, lg) for t in reg.late()] if reg else []
    pending = [_task_row(t, names, lg) for t in reg.pending()] if reg else []
    return render(
        request,
        "web/supervision/home.html",
        {
            **_base(version),
            "reg": reg,
            "late": late,
            "pending": pending,
            "summary": reg.summary() if reg else None,
        },
    )


@require_GET
@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The task register as the user may see it, the overdue first; ?by=clause|owner|township|school
    groups it; ?late=1 keeps the overdue ones."""
    m = access.membership_of(request)
    version, reg = _register(request)
    names = census_data.names(version)
    lg = lang()
    by = request.GET.get("by") or ""
    if by and by not in BY:
        raise Http404
    mine = visible_tasks(m, reg) if reg else []
    if request.GET.get("late"):
        mine = [t for t in mine if t.overdue]
    mine = sorted(mine, key=lambda t: (not t.overdue, -t.days_overdue, t.task_id))
    groups: list[dict[str, Any]] = []
    if reg and by:
        shown = TaskRegister(reg.as_of, reg.year, mine, reg.params)
        for g in shown.group(BY[by]):
            key = g[BY[by]]
            label = names.get(key, key) if by in ("township", "school") else key
            ids = set(g["task_ids"])
            groups.append({**g, "label": label, "rows": [_task_row(t, names, lg) for t in mine if t.task_id in ids]})
    return render(
        request,
        "web/supervision/tasks.html",
        {
            **_base(version),
            "reg": reg,
            "rows": [_task_row(t, names, lg) for t in mine],
            "groups": groups,
            "by": by,
            "late_only": bool(request.GET.get("late")),
            "title": _("Task register"),
        },
    )


def seed_demo_task_updates(township_id: str, school_id: str, as_of: date) -> int:
    """The demo's owners' updates, unless the database has some: the demo township's first task an
    accepted update and a newer one awaiting acceptance, the demo school's first task a returned
    update, the bureau's longest-overdue task an update awaiting acceptance; the count written."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model

    if TaskUpdate.objects.exists():
        return 0
    _version, run = live_run(["tasks"], as_of=as_of, daily=Records())
    reg = run.part("tasks") if run else None
    if reg is None:
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(username__in=("admin", "township", "school"))}
    town = next(iter(reg.owned_by(township_id=township_id)), None)
    school = next(iter(reg.owned_by(school_id=school_id)), None)
    bureau = next((t for t in reg.late() if t.owner_kind == "bureau_office"), None)
    rows: list[tuple[Task | None, int, str, int, str, bool | None, str, str]] = [
        (town, 60, "in_progress", 40, "主体工程施工中", True, "township", ""),
        (town, 5, "in_progress", 70, "主体完工，正在室内装修", None, "township", ""),
        (school, 20, "done", 100, "改造完成，已投入使用", False, "school", "请上传竣工验收报告"),
        (bureau, 3, "in_progress", 80, "城区学校已完成，农村学校推进中", None, "admin", ""),
    ]
    made = [
        TaskUpdate(
            task_id=t.task_id,
            date=as_of - timedelta(days=days),
            status=status,
            progress=pct,
            note=note,
            owner_kind=t.owner_kind or "",
            owner_id=t.owner_id or "",
            submitted_by=users.get(who),
            accepted=accepted,
            decided_by=users.get("admin") if accepted is not None else None,
            decided_at=timezone.now() if accepted is not None else None,
            decision_note=why,
        )
        for t, days, status, pct, note, accepted, who, why in rows
        if t is not None
    ]
    TaskUpdate.objects.bulk_create(made)
    return len(made)


def _visible_register(request: HttpRequest, task_id: str) -> tuple[str | None, TaskRegister, Task]:
    version, reg = _register(request)
    if reg is None:
        raise Http404
    return version, reg, get_task_for_user(request, reg, task_id)


@require_GET
@login_required
def task(request: HttpRequest, task_id: str) -> HttpResponse:
    """One task: owner, lead, due date, milestones, its indicators' statuses, every update with the
    bureau's decision; the owner's update form and the office's accept / return buttons."""
    m = access.membership_of(request)
    version, reg, t = _visible_register(request, task_id)
    names = census_data.names(version)
    lg = lang()
    updates = list(TaskUpdate.objects.filter(task_id=t.task_id).order_by("-date", "-pk"))
    statuses = {code: vocabulary.label("task_status", code, lg) for code in rec.TASK_UPDATE_STATUSES}
    indicators = [(i, vocabulary.label("task_state", t.indicator_status[i], lg) if i in t.indicator_status else "")
                  for i in t.indicators]  # fmt: skip
    return render(
        request,
        "web/supervision/task.html",
        {
            **_base(version),
            "reg": reg,
            "r": _task_row(t, names, lg),
            "t": t,
            "next_milestone": t.next_milestone(reg.as_of),
            "indicators": indicators,
            "updates": [(u, statuses.get(u.status, u.status)) for u in updates],
            "statuses": statuses,
            "can_update": may_update(m, t),
            "can_decide": may_decide(m),
            "today": reg.as_of,
        },
    )


def _back(request: HttpRequest, task_id: str) -> HttpResponse:
    return redirect(reverse("web:supervision_task", args=[task_id]))


@require_POST
@login_required
def task_update(request: HttpRequest, task_id: str) -> HttpResponse:
    """The owner's update of a task (status, percent done, note, evidence, a file): waits for the bureau."""
    m = access.membership_of(request)
    _version, _reg, t = _visible_register(request, task_id)
    if not may_update(m, t):
        raise PermissionDenied
    raw = (request.POST.get("progress") or "").strip()
    try:
        progress = int(raw) if raw else None
        do_update_task(
            t,
            status=request.POST.get("status", ""),
            progress=progress,
            note=request.POST.get("note", "")[:4000],
            evidence=request.POST.get("evidence", "")[:4000],
            file=request.FILES.get("file"),
            day=today(),
            acting_user=request.user,
        )
        messages.success(request, _("The update is recorded and waits for the bureau's acceptance."))
    except ValueError:
        return HttpResponse(status=400)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return _back(request, t.task_id)


def _update_for_user(request: HttpRequest, pk: int) -> TaskUpdate:
    """An update of a task the user may see, else 404."""
    u = TaskUpdate.objects.filter(pk=pk).first()
    if u is None:
        raise Http404
    _visible_register(request, u.task_id)
    return u


@require_POST
@login_required
def task_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The office accepts or returns an update (returning says why)."""
    u = _update_for_user(request, pk)
    if not may_decide(access.membership_of(request)):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action not in ("accept", "return"):
        return HttpResponse(status=400)
    try:
        do_decide_task_update(
            u, accept=action == "accept", note=request.POST.get("note", "")[:4000], acting_user=request.user
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return _back(request, u.task_id)


@require_GET
@login_required
def task_file(request: HttpRequest, pk: int) -> FileResponse:
    """An update's evidence file, to those who may see its task."""
    u = _update_for_user(request, pk)
    if not u.file:
        raise Http404
    return FileResponse(u.file.open("rb"), as_attachment=True, filename=u.file_name or "evidence")


@require_GET
@login_required
def tasks_report(request: HttpRequest, fmt: str) -> HttpResponse:
    """The leadership's progress report (PDF or Excel): the headline, what is late and who owns it,
    counts by owner and clause, the updates awaiting acceptance and the whole register."""
    from countyedu.reports.progress import progress_html, progress_pdf, progress_xlsx

    access.require_county(request)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    version, reg = _register(request)
    if reg is None:
        raise Http404
    lg = lang()
    blocks = [b.localized(lg) for b in reg.report_blocks()]
    title = _("Task register progress report")
    subtitle = _("As of %(day)s") % {"day": reg.as_of.isoformat()}
    name = f"tasks-{reg.as_of.isoformat()}"
    synthetic_text = _("Synthetic demo data, not real statistics.") if _base(version)["synthetic"] else ""
    if fmt == "xlsx":
        data = progress_xlsx(blocks, title=title, subtitle=subtitle)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        html = progress_html(blocks, lang=lg, title=title, subtitle=subtitle, synthetic=synthetic_text)
        response = HttpResponse(progress_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


urlpatterns = [
    path("supervision/", home, name="supervision"),
    path("supervision/tasks/", tasks, name="supervision_tasks"),
    path("supervision/tasks/progress.<str:fmt>", tasks_report, name="supervision_tasks_report"),
    path("supervision/tasks/<str:task_id>/", task, name="supervision_task"),
    path("supervision/tasks/<str:task_id>/update/", task_update, name="supervision_task_update"),
    path("supervision/task-updates/<int:pk>/decide/", task_decide, name="supervision_task_decide"),
    path("supervision/task-updates/<int:pk>/file", task_file, name="supervision_task_file"),
]

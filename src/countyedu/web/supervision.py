"""The supervision office's (督导室) pages (issue 15): its home (the overdue tasks first) and the task
register (督办, 第33条) with its views by clause, owner, township and school.

Who sees what: the inspectors and the bureau administrator work here; the county leadership reads
(overdue list first, no buttons); the other county-wide offices read; a township official sees the
township's tasks and its schools', a school clerk the school's own (`access`: 404 for another's).

The other parts of the module add their pages in their own modules (`web/supervision_*.py`), one url
line each in `web/urls.py`, and use `live_run` here: the supervision parts computed on the latest
census with the web's daily records (`web.supervision_records`), the stored assessment's county
statuses and today as the day the run looks from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from countyedu.census import vocabulary
from countyedu.supervision.kind import SupervisionRun, run_supervision
from countyedu.supervision.parts import county_statuses
from countyedu.supervision.records import Records
from countyedu.supervision.tasks import Task, TaskRegister
from countyedu.web import access, supervision_records
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role
from countyedu.web.plans import _base
from countyedu.web.reading import lang

# who works in the supervision office (the leadership and the other offices read)
OFFICE: tuple[str, ...] = ("bureau_admin", "inspector")


def today() -> date:
    """The day the pages look from (the one place they read the clock; tests patch it)."""
    return date.today()


def records() -> Records:
    """The web's daily records as the frames `supervision.records` declares."""
    return supervision_records.frames()


def live_run(only: list[str] | None = None, *, as_of: date | None = None) -> tuple[str | None, SupervisionRun | None]:
    """(latest census version, the supervision parts `only` computed on it now), (None, None) without a census."""
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
        records=records(),
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
    version, run = live_run(["tasks"])
    return version, (run.part("tasks") if run else None)


BY = {"clause": "clause", "owner": "owner", "township": "township_id", "school": "school_id"}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The supervision office's home: the overdue tasks and who owns them first, then the headline."""
    access.require_county(request)
    version, reg = _register(request)
    names = census_data.names(version)
    lg = lang()
    late = [_task_row(t, names, lg) for t in reg.late()] if reg else []
    return render(
        request,
        "web/supervision/home.html",
        {**_base(version), "reg": reg, "late": late, "summary": reg.summary() if reg else None},
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


urlpatterns = [
    path("supervision/", home, name="supervision"),
    path("supervision/tasks/", tasks, name="supervision_tasks"),
]

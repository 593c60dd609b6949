"""Background jobs: long work (checking an upload, assessing a new census version, the planning and
funding runs) runs in a task worker process while the page polls the Job row for its progress.

The queue is django-tasks with its database backend (django-tasks-db): a task is a row in the app's
own database (SQLite or PostgreSQL), so no other server is needed. `countyedu serve` starts one task
worker process per core (`countyedu worker`) and restarts one that dies. The work is a module-level
function `work(progress=…, **arguments)` with JSON arguments, named by its dotted path, so that any
worker process can run it. With COUNTYEDU_JOBS_SYNC=1 (tests) the immediate backend runs it inline.

The Job row stays the record the pages read. The process running a job writes its name ("host:pid")
and a heartbeat into the row; a job whose process died (found when the server or a worker starts,
when `countyedu serve` restarts the dead worker, or by any worker when the heartbeat is older than
JOB_STALE_SECONDS) is marked failed with a message in both languages, and its `on_lost` function
puts what it was doing back in a state the user can retry (a submission left `checking` becomes
`invalid` with a located "check interrupted" problem: the clerk checks it again or uploads again).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, dumps
from countyedu.web.models import Job

log = logging.getLogger(__name__)
Progress = Callable[[float, str | Msg], None]  # fraction done, what is being done (a Msg is worded per reader)
Status = Job.Status
_running: set[int] = set()  # jobs this process is running (the heartbeat names them)


def worker_name() -> str:
    """This process, as written into the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def work_path(work: Callable[..., Any]) -> str:
    """The dotted path of a module-level function (what a task worker imports)."""
    qualname = getattr(work, "__qualname__", "")
    if not qualname or "<" in qualname or "." in qualname:
        raise ValueError(f"a job's work must be a module-level function, not {work!r}")
    return f"{work.__module__}.{qualname}"


def both_languages(message: str, **params: Any) -> str:
    """A catalogue message in Chinese, then English (the form of CountyEduError.user_text)."""
    texts = []
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            texts.append(gettext(message) % params)
    return "\n".join(texts)


def start_job(
    kind: str,
    work: Callable[..., Any],
    arguments: dict[str, Any] | None = None,
    *,
    user: Any = None,
    inline: bool = False,
    on_lost: Callable[..., Any] | None = None,
) -> Job:
    """Create the job and queue `work(progress=…, **arguments)` for a task worker (run it in this
    process with `inline`); its return value (JSON) is the job's result. `on_lost(worker=…,
    **arguments)` is called if the process running it dies."""
    arguments = arguments or {}
    job = Job.objects.create(
        kind=kind,
        created_by=user if getattr(user, "pk", None) else None,
        work=work_path(work),
        arguments=arguments,
        on_lost=work_path(on_lost) if on_lost else "",
    )
    if inline:
        _run(job.pk, work, arguments)
    else:
        queued = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(queued.id)[:64])
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> None:
    """The task a worker runs: the job's work, reporting into its row."""
    job = Job.objects.get(pk=job_id)
    _run(job_id, import_string(job.work), job.arguments)


def _run(job_id: int, work: Callable[..., Any], arguments: dict[str, Any]) -> None:
    me = worker_name()
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, worker=me, heartbeat_at=now
    ):
        return  # failed meanwhile (its queue was lost) or run already

    def progress(fraction: float, message: str | Msg) -> None:
        Job.objects.filter(pk=job_id, status=Status.RUNNING).update(
            progress=max(0.0, min(1.0, fraction)), message=dumps(message), heartbeat_at=timezone.now()
        )

    def finish(status: Any, **fields: Any) -> None:
        # only a running job: one found lost meanwhile stays failed
        Job.objects.filter(pk=job_id, status=Status.RUNNING).update(status=status, finished_at=timezone.now(), **fields)

    _running.add(job_id)
    try:
        result = work(progress=progress, **arguments)
        finish(Status.DONE, progress=1.0, result=result, message="")  # done: the status says it, not the last step
    except CountyEduError as exc:  # a message key is worded in the reader's language on the page
        finish(Status.FAILED, message=dumps(exc.message) if isinstance(exc.message, Msg) else exc.user_text())
    except Exception as exc:  # a failed job must say so, not leave the page waiting
        log.exception("job %s failed", job_id)
        finish(Status.FAILED, message=both_languages(gettext_noop("The job failed: %(error)s"), error=repr(exc)))
    finally:
        _running.discard(job_id)


# ------------------------------------------------------------------------------- lost jobs


def _alive(worker: str) -> bool | None:
    """Whether the process named "host:pid" lives; None when it is on another host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _lost(job: Job, now: Any) -> bool:
    alive = _alive(job.worker)
    if alive is False:
        return True
    stale = job.heartbeat_at is None or (now - job.heartbeat_at).total_seconds() > settings.JOB_STALE_SECONDS
    return stale


def fail_lost_jobs(worker: str | None = None) -> list[int]:
    """Mark failed the running jobs of a process that died: `worker`'s (known dead), else each whose
    process is gone from this host or whose heartbeat is older than JOB_STALE_SECONDS. Each job's
    `on_lost` puts its object back in a state the user can retry. The ids of the jobs marked."""
    now = timezone.now()
    running = Job.objects.filter(status=Status.RUNNING)
    lost = list(running.filter(worker=worker)) if worker else [j for j in running if _lost(j, now)]
    marked = []
    for job in lost:
        message = both_languages(
            gettext_noop(
                "The process running this job (%(worker)s) stopped before the job finished: nothing of it was kept. Start it again."
            ),
            worker=job.worker or "?",
        )
        with transaction.atomic():  # the page sees the job failed and its object retryable at once
            if not Job.objects.filter(pk=job.pk, status=Status.RUNNING).update(
                status=Status.FAILED, message=message, finished_at=now
            ):
                continue
            _fail_task(job.task_id, now)
            if job.on_lost:
                try:
                    with transaction.atomic():
                        import_string(job.on_lost)(worker=job.worker, **job.arguments)
                except Exception:
                    log.exception("job %s: %s failed", job.pk, job.on_lost)
        marked.append(job.pk)
        log.warning("job %s (%s) lost: its process %s stopped", job.pk, job.kind, job.worker)
    return marked


def _fail_task(task_id: str, now: Any) -> None:
    """The queue's own row of a lost job: failed too (else it stays 'running' for ever)."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not task_id or not isinstance(run_job.get_backend(), DatabaseBackend):
        return

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(status="FAILED", finished_at=now)


PRUNE_EVERY_SECONDS = 3600


def prune_queue(now: Any = None) -> int:
    """Delete the queue's own rows (django-tasks-db) of jobs that finished more than
    JOB_QUEUE_KEEP_DAYS ago: a collection week queues a check per upload, and the rows would stay for
    ever. The Job rows (what the pages read) are kept. The number of rows deleted."""
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.JOB_QUEUE_KEEP_DAYS)
    finished = DBTaskResult.objects.filter(status__in=("SUCCESSFUL", "FAILED"), finished_at__lt=cutoff)
    deleted, _ = finished.delete()
    if deleted:
        log.info("pruned %s finished queue rows older than %s days", deleted, settings.JOB_QUEUE_KEEP_DAYS)
    return deleted


# What a task worker does once a day (dotted paths of functions taking the day, found by name as a
# job's work is): the supervision notices due (a second overdue rectification gets the bureau's notice).
DAILY: tuple[str, ...] = ("countyedu.web.supervision_notices.issue_daily",)


def run_daily() -> None:
    """The day's work of DAILY (each function keeps to once a day itself)."""
    today = timezone.localdate()
    for name in DAILY:
        done = import_string(name)(today)
        if done:
            log.info("%s: %s", name, done)


def watch(stop: threading.Event) -> None:
    """In a task worker, until `stop`: every JOB_HEARTBEAT_SECONDS, the heartbeat of the jobs this
    process runs, then lost jobs of any process marked failed; every hour, old finished rows of the
    queue pruned; once a day, the supervision notices due issued."""
    pruned_at = 0.0
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                if _running:
                    Job.objects.filter(pk__in=list(_running), status=Status.RUNNING).update(heartbeat_at=timezone.now())
                fail_lost_jobs()
                if time.monotonic() - pruned_at > PRUNE_EVERY_SECONDS:
                    pruned_at = time.monotonic()
                    prune_queue()
                run_daily()
            except Exception:  # the database busy or gone for a moment: try again next beat
                log.exception("job heartbeat failed")
            finally:
                close_old_connections()
    finally:
        connection.close()

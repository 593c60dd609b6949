"""Background jobs: long work runs in a thread while the page polls its progress.

A job is a Job row plus a thread; the thread reports progress into the row. No broker is needed
(one county, a few long jobs a day). With COUNTYEDU_JOBS_SYNC=1 (tests) jobs run inline.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection
from django.utils import timezone

from countyedu.errors import CountyEduError
from countyedu.web.models import Job

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


def start_job(kind: str, work: Callable[[Progress], Any], *, user: Any = None, inline: bool = False) -> Job:
    """Create the job and run `work(progress)` in the background (inline with `inline` or
    COUNTYEDU_JOBS_SYNC=1); its return value is the result."""
    job = Job.objects.create(kind=kind, created_by=user if getattr(user, "pk", None) else None)
    if inline or os.environ.get("COUNTYEDU_JOBS_SYNC") == "1":
        _run(job.pk, work, close=False)
        job.refresh_from_db()
    else:
        threading.Thread(target=_run, args=(job.pk, work), daemon=True, name=f"job-{job.pk}").start()
    return job


def _run(job_id: int, work: Callable[[Progress], Any], close: bool = True) -> None:
    def progress(fraction: float, message: str) -> None:
        Job.objects.filter(pk=job_id).update(progress=max(0.0, min(1.0, fraction)), message=message)

    try:
        Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING)
        result = work(progress)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.DONE, progress=1.0, result=result, finished_at=timezone.now()
        )
    except CountyEduError as exc:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, message=exc.user_text(), finished_at=timezone.now()
        )
    except Exception as exc:  # a failed job must say so, not leave the page waiting
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, message=repr(exc), finished_at=timezone.now())
    finally:
        if close:
            close_old_connections()
            connection.close()

"""`countyedu serve`: gunicorn (its own master restarts a dead web worker) and the task worker
processes, each started again when it dies — after the jobs it was running are marked failed — and
all stopped together on Ctrl-C or SIGTERM. `countyedu worker` is one task worker alone."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 20.0  # a task worker finishes its job (an assessment: seconds) before it is killed
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: Linux sends it SIGTERM if the supervisor dies (no orphan workers)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the supervisor's stop still ends them
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """A supervised process: what to run, the running process, when it started and how often it died."""

    name: str
    argv: list[str]
    task_worker: bool = False
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    deaths: int = field(default=0)

    def start(self) -> None:
        # a process group of its own: Ctrl-C reaches the supervisor alone, which stops each child once
        self.process = subprocess.Popen(self.argv, process_group=0, preexec_fn=_die_with_parent)
        self.started = time.monotonic()

    def worker_name(self) -> str:
        import socket

        return f"{socket.gethostname()}:{self.process.pid if self.process else 0}"


def gunicorn_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    from countyedu.web.gunicorn_worker import REQUEST_LINE_LIMIT

    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [
        str(gunicorn),
        "countyedu.web.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        # long URLs reach Django (up to gunicorn's maximum); longer ones get the JSON error shape
        "--limit-request-line",
        str(REQUEST_LINE_LIMIT),
        "--worker-class",
        "countyedu.web.gunicorn_worker.Worker",
        # an idle connection is kept longer than a reader pauses between pages: closed after 2 s (the
        # default), a browser's next request on it could meet the close ("connection reset")
        "--keep-alive",
        "75",
        "--access-logfile",
        "-",
        "--no-control-socket",  # gunicorn's default socket is one path per user, shared by every server
    ]


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "countyedu", "worker"]  # the data dir is in COUNTYEDU_DATA


def _lost(child: Child) -> None:
    """A task worker ended: the jobs it was running are failed, their objects made retryable."""
    from django.db import connection

    from countyedu.web.jobs import fail_lost_jobs

    try:
        marked = fail_lost_jobs(child.worker_name())
        if marked:
            log.warning("%s stopped while running jobs %s: marked failed", child.name, marked)
    finally:
        connection.close()


def supervise(children: list[Child]) -> int:
    """Run the children until Ctrl-C or SIGTERM, restarting any that dies (after 1, 2, 4 … 30 s when
    it keeps dying at once); then stop them all. The exit status: 0."""
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for c in children:
        c.start()
    due: dict[str, float] = {}  # restart time of children waiting out their backoff
    while not stopping.wait(0.5):
        now = time.monotonic()
        for c in children:
            assert c.process is not None
            if c.name in due:
                if now >= due[c.name]:
                    del due[c.name]
                    c.start()
                continue
            rc = c.process.poll()
            if rc is None:
                continue
            log.warning("%s (pid %s) exited with %s: starting it again", c.name, c.process.pid, rc)
            print(f"{c.name} (pid {c.process.pid}) exited with {rc}: restarting", file=sys.stderr, flush=True)
            if c.task_worker:
                _lost(c)
            c.deaths = c.deaths + 1 if now - c.started < 10 else 0
            due[c.name] = now + (min(30.0, 2.0 ** (c.deaths - 1)) if c.deaths else 0.0)
    _stop_all([c for c in children if c.name not in due])
    return 0


def _stop_all(children: list[Child]) -> None:
    for c in children:
        if c.process and c.process.poll() is None:
            c.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for c in children:
        if not c.process:
            continue
        try:
            c.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            c.process.kill()
            c.process.wait()
            if c.task_worker:
                _lost(c)


def run_worker() -> None:
    """One task worker (Django set up): lost jobs marked failed, then the queue's own worker loop,
    with a thread beating the heart of the running job and watching for jobs lost elsewhere."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from countyedu.web.jobs import fail_lost_jobs, watch, worker_name
    from countyedu.web.recovery import reconcile_on_start

    # pages first: a worker checking uploads takes the CPU the web processes leave (its jobs queue)
    os.nice(settings.JOB_NICE)
    fail_lost_jobs()
    reconcile_on_start()  # an approval a crash left half-recorded (web/recovery.py)
    connection.close()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(stop,), daemon=True, name="job-watch")
    watcher.start()
    try:
        call_command(
            "db_worker",
            interval=settings.JOB_POLL_SECONDS,
            startup_delay=False,
            reload=False,
            worker_id=worker_name()[-64:],
            verbosity=0,
        )
    finally:
        stop.set()


def serve_all(host: str, port: int, workers: int, threads: int, task_workers: int) -> Any:
    """Lost jobs of a previous run marked failed, then gunicorn and the task workers supervised."""
    from django.db import connection

    from countyedu.web.jobs import fail_lost_jobs

    marked = fail_lost_jobs()
    if marked:
        print(f"jobs {marked} were left running by a stopped process: marked failed", file=sys.stderr)
    connection.close()
    children = [Child("gunicorn", gunicorn_argv(host, port, workers, threads))]
    children += [Child(f"task worker {i + 1}", worker_argv(), task_worker=True) for i in range(task_workers)]
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return supervise(children)

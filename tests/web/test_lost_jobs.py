"""A job whose process died: marked failed (on restart, when the supervisor sees its task worker die,
when a worker finds its heartbeat stale) with a message in both languages, and a submission left
`checking` by it becomes `invalid` with a located "check interrupted" problem the clerk can retry."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from collection_support import open_round, template_bytes, upload
from django.urls import reverse
from django.utils import timezone
from server_support import Browser, serve

from countyedu.web import actions
from countyedu.web.jobs import fail_lost_jobs
from countyedu.web.models import Job, Submission

LOST_EN = "stopped before the job finished: nothing of it was kept. Start it again."
LOST_ZH = "已停止，任务未完成，其结果未保存。请重新开始。"


def dead_worker() -> str:
    """ "host:pid" of a process of this host that has ended."""
    p = subprocess.Popen(["true"])
    p.wait()
    return f"{socket.gethostname()}:{p.pid}"


def left_checking(users) -> tuple[Submission, Job]:
    """P1's upload whose check job was running in a process that then died: the job `running` in
    that process, the submission `checking`."""
    r = open_round(users)
    sub, job = actions.do_upload_submission(r, "P1", upload(template_bytes(users, r)), acting_user=users["clerk_p1"])
    Submission.objects.filter(pk=sub.pk).update(status="checking", problems=[])
    Job.objects.filter(pk=job.pk).update(
        status="running", worker=dead_worker(), heartbeat_at=timezone.now(), progress=0.3, result=None
    )
    return Submission.objects.get(pk=sub.pk), Job.objects.get(pk=job.pk)


class TestLostJobs:
    def test_it_fails_the_job_of_a_dead_process_and_the_clerk_checks_again(self, client, users):
        sub, job = left_checking(users)
        assert fail_lost_jobs() == [job.pk]
        job.refresh_from_db()
        sub.refresh_from_db()
        assert job.status == "failed" and job.finished_at is not None
        assert LOST_ZH in job.message and LOST_EN in job.message and job.worker in job.message
        assert sub.status == "invalid"
        assert [(p["rule"], p["sheet"]) for p in sub.problems] == [("check_interrupted", "P1-2025.xlsx")]
        assert "interrupted" in sub.problems[0]["message_en"] and "中断" in sub.problems[0]["message_zh"]

        client.force_login(users["clerk_p1"])
        page = client.get(reverse("web:submission_detail", args=[sub.pk]), headers={"accept-language": "en"})
        text = page.content.decode()
        assert "the check of the file was interrupted" in text and "Check the file again" in text
        r = client.post(reverse("web:submission_recheck", args=[sub.pk]))
        assert r.status_code == 302 and r["Location"] == reverse("web:submission_detail", args=[sub.pk])
        sub.refresh_from_db()
        assert sub.status == "draft" and not [p for p in sub.problems if p["severity"] == "error"]
        assert fail_lost_jobs() == []  # once only

    def test_it_fails_a_job_whose_heartbeat_is_stale_and_keeps_a_live_one(self, users, settings):
        settings.JOB_STALE_SECONDS = 120
        _sub, job = left_checking(users)
        beat = timezone.now() - dt.timedelta(seconds=121)
        Job.objects.filter(pk=job.pk).update(worker="another-host:1", heartbeat_at=beat)
        live = Job.objects.create(kind="test", status="running", worker="another-host:2", heartbeat_at=timezone.now())
        assert fail_lost_jobs() == [job.pk]
        live.refresh_from_db()
        assert live.status == "running"

    def test_the_recheck_is_refused_for_a_submitted_file(self, users):
        from collection_support import submission

        sub = submission(users, "submitted")
        with pytest.raises(actions.ActionRefused) as exc:
            actions.do_recheck_submission(sub, acting_user=users["clerk_p1"])
        assert "Only a draft or a file with errors can be checked again" in exc.value.message_en


def task_workers(supervisor: int) -> list[int]:
    """The pids of the `countyedu worker` children of a `countyedu serve`."""
    out = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == supervisor and b"countyedu worker" in cmdline:
            out.append(int(proc.name))
    return sorted(out)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and " Z " not in Path(f"/proc/{pid}/stat").read_text()


def job_state(clerk: Browser, job: int) -> dict:
    return json.loads(clerk.get(f"/jobs/{job}/").body)


@pytest.mark.slow
class TestTaskWorkerKilled:
    def test_it_marks_the_job_failed_restarts_the_worker_and_the_clerk_retries(self, tmp_path: Path) -> None:
        # one web process: the template download leaves the census read and cached in it, so that its
        # pages do not wait on the census store while the test holds it
        with serve(tmp_path, schools=("P1",), args=("--workers", "1")) as server:
            clerk = Browser(server.url).login("clerk_p1")
            base = f"/collection/{server.round_pk}/schools/P1"
            workbook = clerk.get(f"{base}/template.xlsx").body
            # the census held by a writer: the check waits at its first read of the census, mid-job
            census = duckdb.connect(str(server.data_dir / "census.duckdb"))
            try:
                answer = clerk.upload(f"{base}/upload/", "P1-2025.xlsx", workbook)
                assert answer.status == 302 and "?job=" in answer.location
                job = int(answer.location.rsplit("=", 1)[1])
                deadline = time.monotonic() + 60
                while (state := job_state(clerk, job))["status"] != "running" or state["progress"] == 0:
                    assert time.monotonic() < deadline and not state["finished"], state
                    time.sleep(0.1)
                time.sleep(1.0)
                assert job_state(clerk, job)["status"] == "running"  # waiting on the census (for up to 20 s)
                worker = server.script(f"from countyedu.web.models import Job\nprint(Job.objects.get(pk={job}).worker)")
                pid = int(worker.split()[-1].rsplit(":", 1)[1])
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + 30
                while not job_state(clerk, job)["finished"]:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
            finally:
                census.close()
            state = job_state(clerk, job)
            assert state["status"] == "failed" and LOST_EN in state["message"] and LOST_ZH in state["message"]
            sub_pk = int(answer.location.split("/submissions/")[1].split("/")[0])
            page = clerk.request(f"/submissions/{sub_pk}/", headers={"Accept-Language": "en"}).body.decode()
            assert "the check of the file was interrupted" in page and "Check the file again" in page

            # the supervisor started another task worker: the clerk checks the same file again
            again = clerk.post(f"/submissions/{sub_pk}/recheck/", {})
            assert again.status == 302 and "?job=" in again.location
            retry = int(again.location.rsplit("=", 1)[1])
            deadline = time.monotonic() + 60
            while not job_state(clerk, retry)["finished"]:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert job_state(clerk, retry)["status"] == "done"
            page = clerk.request(f"/submissions/{sub_pk}/", headers={"Accept-Language": "en"}).body.decode()
            assert "The checks found no errors" in page
            assert (
                f"task worker 1 (pid {pid})" in server.log_text() or f"task worker 2 (pid {pid})" in server.log_text()
            )
            # the supervisor runs two task workers again, the killed one replaced: after its backoff (1 s for
            # a worker that dies within 10 s of its start, supervisor.supervise), which a quick retry can beat
            deadline = time.monotonic() + 10
            while len(workers := task_workers(server.process.pid)) != 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(workers) == 2 and pid not in workers, workers
            # Ctrl-C stops them all
            server.process.send_signal(signal.SIGINT)
            assert server.process.wait(60) == 0
            assert [w for w in workers if alive(w)] == []


@pytest.mark.django_db
def test_the_queue_forgets_finished_rows_after_the_days_kept_and_keeps_the_rest(settings):
    """A collection week queues a check per upload: the queue's own rows of jobs finished more than
    JOB_QUEUE_KEEP_DAYS ago are deleted; recent ones, running or waiting ones, and the Job rows stay."""
    from django_tasks_db.models import DBTaskResult

    from countyedu.web.jobs import prune_queue

    settings.JOB_QUEUE_KEEP_DAYS = 7
    now = timezone.now()

    def row(status: str, finished_days_ago: float | None) -> DBTaskResult:
        finished = None if finished_days_ago is None else now - dt.timedelta(days=finished_days_ago)
        return DBTaskResult.objects.create(
            status=status,
            finished_at=finished,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="countyedu.web.jobs.run_job",
            backend_name="default",
            run_after=now,
            exception_class_path="",
            traceback="",
        )

    old_done, old_failed = row("SUCCESSFUL", 8), row("FAILED", 30)
    recent, running, waiting = row("SUCCESSFUL", 6), row("RUNNING", None), row("READY", None)
    job = Job.objects.create(kind="check", status="done", finished_at=now - dt.timedelta(days=30))
    assert prune_queue(now) == 2
    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {recent.id, running.id, waiting.id}
    assert old_done.id not in left and old_failed.id not in left
    assert Job.objects.filter(pk=job.pk).exists()  # the record the pages read stays
    assert prune_queue(now) == 0

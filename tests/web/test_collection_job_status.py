"""GET /jobs/<id>/ — a background job's progress as JSON (the approval page polls it)."""

from __future__ import annotations

from collection_support import login_redirect
from django.urls import reverse

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, dumps
from countyedu.web.jobs import start_job
from countyedu.web.models import Job


def work(progress, answer):
    progress(0.5, "half way")
    return {"answer": answer}


def funding_step(version):
    return Msg("funding on census {version}", version=version)


def funding_work(progress, version):
    progress(0.6, funding_step(version))
    return {}


def failing_work(progress):
    raise CountyEduError(Msg("{count} error(s) found; nothing was imported", count=2))


def run_job(user):
    return start_job("test", work, {"answer": 42}, user=user)  # COUNTYEDU_JOBS_SYNC=1: the immediate backend


class TestJobStatus:
    def test_it_reports_the_progress_to_its_creator(self, client, users):
        job = run_job(users["clerk_p1"])
        client.force_login(users["clerk_p1"])
        r = client.get(reverse("web:job_status", args=[job.pk]))
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "done" and body["progress"] == 1.0 and body["finished"]
        assert body["result"] == {"answer": 42} and body["kind"] == "test"

    def test_it_reports_any_job_to_county_users(self, client, users):
        job = run_job(users["clerk_p1"])
        client.force_login(users["leader"])
        assert client.get(reverse("web:job_status", args=[job.pk])).status_code == 200

    def test_it_is_not_found_for_other_schools_and_townships(self, client, users):
        job = run_job(users["clerk_p1"])
        for name in ("clerk_n1", "t1", "nobody"):
            client.force_login(users[name])
            assert client.get(reverse("web:job_status", args=[job.pk])).status_code == 404, name

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(reverse("web:job_status", args=[run_job(users["admin"]).pk])))

    def test_its_progress_message_is_worded_in_the_readers_language(self, client, users):
        """The work says what it does as a message key; the page words it (issue 11: not "funding on
        census v2" on a Chinese page)."""
        job = start_job("plans", funding_work, {"version": "v2"}, user=users["admin"])
        client.force_login(users["admin"])
        url = reverse("web:job_status", args=[job.pk])
        assert client.get(url).json()["message"] == ""  # done: the status says so, not the last step
        # while it runs, the step it is at
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, message=dumps(funding_step("v2")))
        assert client.get(url).json()["message"] == "正在计算普查版本 v2 的经费"
        client.cookies["django_language"] = "en"
        assert client.get(url).json()["message"] == "funding on census v2"

    def test_a_failure_is_worded_in_the_readers_language(self, client, users):
        job = start_job("plans", failing_work, {}, user=users["admin"])
        client.force_login(users["admin"])
        body = client.get(reverse("web:job_status", args=[job.pk])).json()
        assert body["status"] == "failed" and body["message"] == "发现 2 处错误，未导入任何数据"

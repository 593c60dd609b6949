"""GET /jobs/<id>/ — a background job's progress as JSON (the approval page polls it)."""

from __future__ import annotations

from collection_support import login_redirect
from django.urls import reverse

from countyedu.web.jobs import start_job


def work(progress, answer):
    progress(0.5, "half way")
    return {"answer": answer}


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

"""POST /submissions/<id>/submit/ — the clerk sends a checked draft for review."""

from __future__ import annotations

from collection_support import login_redirect, submission
from django.urls import reverse

from countyedu.web.models import AuditLog, Submission


def url(sub):
    return reverse("web:submission_submit", args=[sub.pk])


def status(sub):
    return Submission.objects.get(pk=sub.pk).status


class TestSubmit:
    def test_it_submits_a_draft_and_audits_it(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["clerk_p1"])
        r = client.post(url(sub))
        assert r.status_code == 302 and status(sub) == "submitted"
        log = AuditLog.objects.get(action="submit_submission", object_id=str(sub.pk))
        assert log.actor == users["clerk_p1"] and (log.before["status"], log.after["status"]) == ("draft", "submitted")

    def test_it_refuses_a_file_with_errors(self, client, users):
        sub = submission(users, "invalid")
        client.force_login(users["clerk_p1"])
        r = client.post(url(sub), follow=True, headers={"accept-language": "en"})
        assert status(sub) == "invalid"
        assert "The file has errors: correct them and upload it again before submitting." in r.content.decode()

    def test_it_refuses_submitting_twice(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["clerk_p1"])
        r = client.post(url(sub), follow=True)
        assert "只有检查通过的草稿才能报送" in r.content.decode()  # in Chinese by default
        assert AuditLog.objects.filter(action="submit_submission").count() == 1

    def test_it_lets_the_bureau_admin_submit_for_the_school(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["admin"])
        client.post(url(sub))
        assert status(sub) == "submitted"

    def test_it_is_not_found_for_another_schools_clerk(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["clerk_n1"])
        assert client.post(url(sub)).status_code == 404 and status(sub) == "draft"

    def test_it_refuses_read_only_users(self, client, users):
        sub = submission(users, "draft")
        for name in ("leader", "planner", "t1"):
            client.force_login(users[name])
            assert client.post(url(sub)).status_code == 403, name
        assert status(sub) == "draft"

    def test_it_sends_anonymous_users_to_login(self, client, users):
        sub = submission(users, "draft")
        assert login_redirect(client.post(url(sub))) and status(sub) == "draft"

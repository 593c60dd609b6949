"""POST /submissions/<id>/return/ — the bureau sends a submission back with a comment."""

from __future__ import annotations

from collection_support import login_redirect, submission
from django.urls import reverse

from countyedu.web.models import AuditLog, Submission


def url(sub):
    return reverse("web:submission_return", args=[sub.pk])


class TestReturn:
    def test_it_returns_with_the_comment_and_audits_it(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["planner"])
        r = client.post(url(sub), {"comment": "二年级学生数与学籍系统不符，请核对。"})
        assert r.status_code == 302 and r["Location"] == reverse("web:submission_detail", args=[sub.pk])
        sub.refresh_from_db()
        assert sub.status == "returned" and sub.comment == "二年级学生数与学籍系统不符，请核对。"
        assert sub.reviewed_by == users["planner"] and sub.reviewed_at is not None
        log = AuditLog.objects.get(action="return_submission")
        assert (log.before["status"], log.after["status"]) == ("submitted", "returned")
        assert (log.before["comment"], log.after["comment"]) == ("", "二年级学生数与学籍系统不符，请核对。")

    def test_it_lets_the_school_upload_again_after_a_return(self, client, users):
        sub = submission(users, "returned")
        client.force_login(users["clerk_p1"])
        assert client.get(reverse("web:submission_detail", args=[sub.pk])).context["may_upload"]

    def test_it_requires_a_comment(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["admin"])
        r = client.post(url(sub), {"comment": "  "}, follow=True, headers={"accept-language": "en"})
        assert "a comment is required" in r.content.decode()
        assert Submission.objects.get(pk=sub.pk).status == "submitted"

    def test_it_refuses_to_return_a_draft(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["admin"])
        client.post(url(sub), {"comment": "请修改"})
        assert Submission.objects.get(pk=sub.pk).status == "draft"

    def test_it_refuses_schools_and_read_only_users(self, client, users):
        sub = submission(users, "submitted")
        for name in ("leader", "t1", "clerk_p1"):
            client.force_login(users[name])
            assert client.post(url(sub), {"comment": "x"}).status_code == 403, name
        assert Submission.objects.get(pk=sub.pk).status == "submitted"

    def test_it_sends_anonymous_users_to_login(self, client, users):
        sub = submission(users, "submitted")
        assert login_redirect(client.post(url(sub), {"comment": "x"}))

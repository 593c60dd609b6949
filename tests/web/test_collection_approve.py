"""POST /submissions/<id>/approve/ — refusals and access. The approval itself (a new census version)
is exercised once, in test_collection_flow.py, because census versions outlive a test."""

from __future__ import annotations

from collection_support import login_redirect, submission
from django.urls import reverse

from countyedu.web import census as census_data
from countyedu.web.models import AuditLog, Submission


def url(sub):
    return reverse("web:submission_approve", args=[sub.pk])


def versions():
    return len(census_data.store().versions())


class TestApprove:
    def test_it_refuses_to_approve_a_draft(self, client, users):
        sub = submission(users, "draft")
        before = versions()
        client.force_login(users["planner"])
        r = client.post(url(sub), follow=True, headers={"accept-language": "en"})
        assert r.redirect_chain[-1][0] == reverse("web:submission_review", args=[sub.pk])
        assert "Only a submitted file can be approved; this submission is draft." in r.content.decode()
        assert Submission.objects.get(pk=sub.pk).status == "draft" and versions() == before
        assert not AuditLog.objects.filter(action="approve_submission").exists()

    def test_it_refuses_to_approve_a_returned_file(self, client, users):
        sub = submission(users, "returned")
        client.force_login(users["admin"])
        client.post(url(sub))
        assert Submission.objects.get(pk=sub.pk).status == "returned"

    def test_it_refuses_schools_and_read_only_users(self, client, users):
        sub = submission(users, "submitted")
        before = versions()
        for name in ("leader", "t1", "clerk_p1"):
            client.force_login(users[name])
            assert client.post(url(sub)).status_code == 403, name
        assert Submission.objects.get(pk=sub.pk).status == "submitted" and versions() == before

    def test_it_is_not_found_for_a_missing_submission(self, client, users):
        client.force_login(users["admin"])
        assert client.post(reverse("web:submission_approve", args=[999999])).status_code == 404

    def test_it_sends_anonymous_users_to_login(self, client, users):
        sub = submission(users, "submitted")
        assert login_redirect(client.post(url(sub)))
        assert Submission.objects.get(pk=sub.pk).status == "submitted"

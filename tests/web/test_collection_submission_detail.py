"""GET /submissions/<id>/ — status, comment, located problems, history."""

from __future__ import annotations

from collection_support import login_redirect, submission
from django.urls import reverse


def url(sub):
    return reverse("web:submission_detail", args=[sub.pk])


class TestSubmissionDetail:
    def test_it_shows_the_clerk_the_problems_and_the_upload_form(self, client, users):
        sub = submission(users, "invalid")
        client.force_login(users["clerk_p1"])
        r = client.get(url(sub), headers={"accept-language": "en"})
        assert r.status_code == 200
        assert [(p["sheet"], p["row"], p["column"]) for p in r.context["errors"]] == [("班级", 2, "pupils")]
        assert r.context["may_upload"] and not r.context["may_submit"] and not r.context["may_review"]
        page = r.content.decode()
        assert "Excel row" in page and "must not be negative" in page and "不能为负数" in page
        assert "uploaded a file" in page  # the history

    def test_it_offers_submit_for_a_draft(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["clerk_p1"])
        r = client.get(url(sub))
        assert r.context["may_submit"] and reverse("web:submission_submit", args=[sub.pk]) in r.content.decode()

    def test_it_shows_the_bureaus_comment_of_a_returned_file(self, client, users):
        sub = submission(users, "returned")
        client.force_login(users["clerk_p1"])
        assert "请核对学生数" in client.get(url(sub)).content.decode()

    def test_it_shows_a_township_official_their_schools_read_only(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["t1"])
        r = client.get(url(sub))
        assert r.status_code == 200 and not r.context["may_upload"] and not r.context["may_submit"]

    def test_it_offers_approvers_the_review(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["planner"])
        assert client.get(url(sub)).context["may_review"]

    def test_it_is_not_found_for_another_school_or_township(self, client, users):
        sub = submission(users, "draft")
        for name in ("clerk_n1", "t2", "nobody"):
            client.force_login(users[name])
            assert client.get(url(sub)).status_code == 404, name

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(url(submission(users, "draft"))))

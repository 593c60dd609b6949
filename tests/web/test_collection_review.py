"""GET /submissions/<id>/review/ — the submission against the school's rows of the year before."""

from __future__ import annotations

from collection_support import add_row, edit, login_redirect, open_round, submission, template_bytes, upload
from django.urls import reverse

from countyedu.census import vocabulary
from countyedu.web import actions


def url(sub):
    return reverse("web:submission_review", args=[sub.pk])


def changed_submission(users):
    """P1 for 2025: P1-1 grows from 45 to 47 pupils, a third first-year class of 30, teacher t4 leaves
    and t20 (master's degree) arrives, two more multimedia classrooms (8 → 10)."""
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    data = edit(data, "班级", 2, "pupils", 47)
    data = add_row(data, "班级", {"school_id": "P1", "year": 2025, "grade": "一年级", "class_no": 3, "pupils": 30})
    data = edit(data, "教师", 5, "teacher_id", "t20")  # row 5 is t4 (高中及以下)
    data = edit(data, "教师", 5, "education", "硕士")
    data = edit(data, "学校年度", 2, "multimedia_classrooms", 10)
    sub, _job = actions.do_upload_submission(rnd, "P1", upload(data), acting_user=users["clerk_p1"])
    assert sub.status == "draft", sub.problems
    return actions.do_submit_submission(sub, acting_user=users["clerk_p1"])


class TestReview:
    def test_it_compares_with_last_year(self, client, users):
        sub = changed_submission(users)
        client.force_login(users["planner"])
        r = client.get(url(sub), headers={"accept-language": "en"})
        assert r.status_code == 200 and r.context["may_decide"]
        diff = r.context["diff"]
        assert (diff.year_before, diff.year_after) == (2024, 2025)
        assert diff.grades["P1"] == (2, 3, 103, 135)  # classes 2 → 3, pupils 45+58 → 47+58+30
        assert diff.grades["P2"] == (1, 1, 44, 44)
        assert diff.pupils == (310, 342) and diff.class_count == (7, 8) and diff.teachers == (4, 4)
        assert diff.education["below_associate"] == (1, 0) and diff.education["master"] == (1, 2)
        # grades and education in their code lists' order (K, P, J, H, V; below associate … doctorate)
        assert list(diff.grades) == [g for g in vocabulary.order("grade") if g in diff.grades]
        assert list(diff.education) == [e for e in vocabulary.order("education") if e in diff.education]
        assert next(iter(diff.education)) == "below_associate"
        assert diff.facilities["multimedia_classrooms"] == (8, 10) and diff.facilities["seats"] == (320, 320)
        classes = {(c.kind, c.key, c.field, c.before, c.after) for c in diff.classes if c.kind == "changed"}
        assert classes == {("changed", "P1-1", "pupils", 45, 47)}
        assert [(c.kind, c.key) for c in diff.classes if c.kind != "changed"] == [("added", "P1-3")]
        assert {(c.kind, c.key) for c in diff.teacher_changes if c.kind != "changed"} == {
            ("removed", "t4"),
            ("added", "t20"),
        }
        page = r.content.decode()
        assert "Approve" in page and "Return to the school" in page

    def test_it_is_read_only_for_leadership(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["leader"])
        r = client.get(url(sub))
        assert r.status_code == 200 and not r.context["may_decide"]
        assert reverse("web:submission_approve", args=[sub.pk]) not in r.content.decode()

    def test_it_shows_the_school_its_own_diff(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["clerk_p1"])
        r = client.get(url(sub))
        assert r.status_code == 200 and not r.context["may_decide"]
        assert r.context["diff"].pupils == (310, 310)

    def test_it_is_not_found_for_another_school_or_township(self, client, users):
        sub = submission(users, "submitted")
        for name in ("clerk_n1", "t2", "nobody"):
            client.force_login(users[name])
            assert client.get(url(sub)).status_code == 404, name

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(url(submission(users, "submitted"))))

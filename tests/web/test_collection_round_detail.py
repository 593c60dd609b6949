"""GET /collection/<round>/ — every school's submission status (county roles)."""

from __future__ import annotations

import re

from collection_support import edit, login_redirect, open_round, submission, template_bytes, upload
from django.urls import reverse

from countyedu.web import actions


def url(r):
    return reverse("web:round_detail", args=[r.pk])


def submitted_and_invalid(users):
    """A round where N1 has submitted (waiting for review) and P1's upload has errors; 7 schools not started."""
    rnd = open_round(users)
    bad = edit(template_bytes(users, rnd, "P1"), "班级", 2, "pupils", -5)
    assert actions.do_upload_submission(rnd, "P1", upload(bad), acting_user=users["clerk_p1"])[0].status == "invalid"
    sub, _job = actions.do_upload_submission(
        rnd, "N1", upload(template_bytes(users, rnd, "N1")), acting_user=users["clerk_n1"]
    )
    assert actions.do_submit_submission(sub, acting_user=users["clerk_n1"]).status == "submitted"
    return rnd


def school_ids(html):
    """The school ids of the table's rows, in page order."""
    return re.findall(r'<td>[^<]*<span class="muted">([^<]+)</span></td>', html)


class TestRoundDetail:
    def test_it_lists_every_school_with_its_status(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["leader"])
        r = client.get(url(sub.round))
        assert r.status_code == 200
        rows = {row["school_id"]: row["sub"] for row in r.context["rows"]}
        assert len(rows) == 9 and rows["P1"] == sub and rows["N1"] is None
        assert not r.context["can_approve"] and not r.context["can_upload"]

    def test_it_lists_schools_waiting_for_review_and_with_problems_first(self, client, users):
        rnd = submitted_and_invalid(users)
        client.force_login(users["planner"])
        html = client.get(url(rnd)).content.decode()
        ids = school_ids(html)
        assert len(ids) == 9 and ids[:2] == ["N1", "P1"] and ids[2:] == sorted(ids[2:])
        # a count per status, each a link that keeps that status (a plain GET: no script needed)
        links = dict(re.findall(r'<a href="\?status=(\w+)#schools"[^>]*><span[^>]*>[^<]+</span> (\d+)</a>', html))
        assert links == {
            "submitted": "1",
            "invalid": "1",
            "returned": "0",
            "checking": "0",
            "draft": "0",
            "none": "7",
            "approved": "0",
        }
        assert ">全部 9</a>" in html and "未开始" in html and "not started" not in html

    def test_it_filters_the_schools_by_status(self, client, users):
        rnd = submitted_and_invalid(users)
        client.force_login(users["leader"])
        assert school_ids(client.get(url(rnd), {"status": "invalid"}).content.decode()) == ["P1"]
        assert school_ids(client.get(url(rnd), {"status": "submitted"}).content.decode()) == ["N1"]
        not_started = school_ids(client.get(url(rnd), {"status": "none"}).content.decode())
        assert len(not_started) == 7 and "P1" not in not_started and "N1" not in not_started
        empty = client.get(url(rnd), {"status": "approved"}).content.decode()
        assert school_ids(empty) == [] and "显示 0 所学校" in empty
        # a status that does not exist shows every school
        assert len(school_ids(client.get(url(rnd), {"status": "nonsense"}).content.decode())) == 9

    def test_it_gives_the_bureau_admin_upload_forms(self, client, users):
        rnd = open_round(users)
        client.force_login(users["admin"])
        r = client.get(url(rnd))
        assert r.context["can_upload"]
        assert reverse("web:submission_upload", args=[rnd.pk, "N1"]) in r.content.decode()

    def test_it_is_not_found_for_township_and_school_users(self, client, users):
        rnd = open_round(users)
        for name in ("t1", "clerk_p1", "nobody"):
            client.force_login(users[name])
            assert client.get(url(rnd)).status_code == 404, name

    def test_it_is_not_found_for_a_missing_round(self, client, users):
        client.force_login(users["admin"])
        assert client.get(reverse("web:round_detail", args=[999999])).status_code == 404

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(url(open_round(users))))

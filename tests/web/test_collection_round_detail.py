"""GET /collection/<round>/ — every school's submission status (county roles)."""

from __future__ import annotations

from collection_support import login_redirect, open_round, submission
from django.urls import reverse


def url(r):
    return reverse("web:round_detail", args=[r.pk])


class TestRoundDetail:
    def test_it_lists_every_school_with_its_status(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["leader"])
        r = client.get(url(sub.round))
        assert r.status_code == 200
        rows = {row["school_id"]: row["sub"] for row in r.context["rows"]}
        assert len(rows) == 9 and rows["P1"] == sub and rows["N1"] is None
        assert not r.context["can_approve"] and not r.context["can_upload"]

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

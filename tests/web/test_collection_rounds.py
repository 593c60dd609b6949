"""GET /collection/ — the rounds, with what each user may see of them."""

from __future__ import annotations

from collection_support import login_redirect, open_round, submission
from django.urls import reverse

URL = reverse("web:rounds")


class TestRounds:
    def test_it_shows_county_users_every_round_with_status_counts(self, client, users):
        submission(users, "submitted")
        client.force_login(users["leader"])
        r = client.get(URL, headers={"accept-language": "en"})
        assert r.status_code == 200
        row = next(x for x in r.context["rows"] if x["round"].year == 2025)
        assert {code: n for code, _label, n in row["counts"]}["submitted"] == 1
        assert row["not_started"] == 8  # the hand county has nine schools
        assert "Open a round" not in r.content.decode()  # leadership cannot open rounds

    def test_it_offers_approvers_the_open_form(self, client, users):
        client.force_login(users["planner"])
        r = client.get(URL, headers={"accept-language": "en"})
        assert r.context["can_open"] and "Open the round" in r.content.decode()

    def test_it_shows_a_clerk_only_their_own_submission(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["clerk_p1"])
        r = client.get(URL)
        row = next(x for x in r.context["rows"] if x["round"] == sub.round)
        assert row["own"] == sub and row["may_upload"]
        assert reverse("web:submission_template", args=[sub.round.pk, "P1"]) in r.content.decode()

        client.force_login(users["clerk_n1"])
        r = client.get(URL)
        row = next(x for x in r.context["rows"] if x["round"] == sub.round)
        assert row["own"] is None and row["subs"] == []
        assert reverse("web:submission_detail", args=[sub.pk]) not in r.content.decode()

    def test_it_shows_a_township_official_their_schools_only(self, client, users):
        sub = submission(users, "draft")
        client.force_login(users["t1"])
        row = next(x for x in client.get(URL).context["rows"] if x["round"] == sub.round)
        assert row["subs"] == [sub]
        client.force_login(users["t2"])
        row = next(x for x in client.get(URL).context["rows"] if x["round"] == sub.round)
        assert row["subs"] == [] and row["not_started"] == 2  # N1 and TP1

    def test_it_hides_everything_from_a_user_without_a_role(self, client, users):
        open_round(users)
        client.force_login(users["nobody"])
        assert client.get(URL).status_code == 404

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(URL))

    def test_it_refuses_post(self, client, users):
        client.force_login(users["leader"])
        assert client.post(URL).status_code == 405

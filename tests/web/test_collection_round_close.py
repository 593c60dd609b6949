"""POST /collection/<round>/close/ — the bureau closes a round once nothing awaits review."""

from __future__ import annotations

from collection_support import login_redirect, open_round, submission
from django.urls import reverse

from countyedu.web.models import AuditLog, CollectionRound


def url(r):
    return reverse("web:round_close", args=[r.pk])


class TestRoundClose:
    def test_it_closes_the_round_and_audits_it(self, client, users):
        rnd = open_round(users)
        client.force_login(users["planner"])
        assert client.post(url(rnd)).status_code == 302
        rnd.refresh_from_db()
        assert rnd.status == "closed"
        log = AuditLog.objects.get(action="close_round")
        assert (log.before["status"], log.after["status"]) == ("open", "closed")

    def test_it_refuses_while_submissions_await_review(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["admin"])
        r = client.post(url(sub.round), follow=True, headers={"accept-language": "en"})
        assert "Submissions awaiting review: 1." in r.content.decode()
        assert CollectionRound.objects.get(pk=sub.round.pk).status == "open"

    def test_it_refuses_closing_twice(self, client, users):
        rnd = open_round(users)
        client.force_login(users["admin"])
        client.post(url(rnd))
        client.post(url(rnd))
        assert AuditLog.objects.filter(action="close_round").count() == 1

    def test_it_refuses_read_only_users(self, client, users):
        rnd = open_round(users)
        for name in ("leader", "t1", "clerk_p1"):
            client.force_login(users[name])
            assert client.post(url(rnd)).status_code == 403, name
        assert CollectionRound.objects.get(pk=rnd.pk).status == "open"

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.post(url(open_round(users))))

"""POST /collection/open/ — the bureau opens a round for a school year."""

from __future__ import annotations

from collection_support import login_redirect
from django.urls import reverse

from countyedu.web.models import AuditLog, CollectionRound

URL = reverse("web:round_open")


class TestRoundOpen:
    def test_it_opens_a_round_and_audits_it(self, client, users):
        client.force_login(users["planner"])
        r = client.post(URL, {"year": "2025", "note": "请于 9 月 30 日前报送"})
        opened = CollectionRound.objects.get(year=2025)
        assert r.status_code == 302 and r["Location"] == reverse("web:round_detail", args=[opened.pk])
        assert opened.status == "open" and opened.opened_by == users["planner"]
        log = AuditLog.objects.get(action="open_round", object_id=str(opened.pk))
        assert log.actor == users["planner"] and log.before is None
        assert log.after == {"year": 2025, "status": "open", "note": "请于 9 月 30 日前报送"}

    def test_it_refuses_a_second_open_round_for_the_same_year(self, client, users):
        client.force_login(users["admin"])
        client.post(URL, {"year": "2025"})
        r = client.post(URL, {"year": "2025"}, follow=True, headers={"accept-language": "en"})
        assert CollectionRound.objects.filter(year=2025).count() == 1
        assert "A collection round for 2025 is already open." in r.content.decode()

    def test_it_refuses_a_year_that_is_not_a_year(self, client, users):
        client.force_login(users["admin"])
        r = client.post(URL, {"year": "20x5"}, follow=True)
        assert not CollectionRound.objects.exists() and r.redirect_chain[-1][0] == reverse("web:rounds")
        client.post(URL, {"year": "1900"})
        assert not CollectionRound.objects.exists()

    def test_it_refuses_read_only_and_school_users(self, client, users):
        for name in ("leader", "t1", "clerk_p1"):
            client.force_login(users[name])
            assert client.post(URL, {"year": "2025"}).status_code == 403, name
        assert not CollectionRound.objects.exists()

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.post(URL, {"year": "2025"}))
        assert not CollectionRound.objects.exists()

    def test_it_refuses_get(self, client, users):
        client.force_login(users["admin"])
        assert client.get(URL).status_code == 405

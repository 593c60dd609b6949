"""GET /audit/ — the audit log, newest first (county roles)."""

from __future__ import annotations

from collection_support import login_redirect, submission
from django.urls import reverse

URL = reverse("web:audit")


class TestAudit:
    def test_it_lists_every_change_newest_first(self, client, users):
        sub = submission(users, "returned")
        client.force_login(users["leader"])
        r = client.get(URL, headers={"accept-language": "en"})
        assert r.status_code == 200
        actions = [row["entry"].action for row in r.context["rows"]]
        assert actions[:4] == ["return_submission", "submit_submission", "upload_submission", "open_round"]
        returned = r.context["rows"][0]
        assert ("status", "submitted", "returned") in returned["changes"]
        assert returned["entry"].object_id == str(sub.pk) and returned["entry"].actor == users["planner"]
        assert "returned" in r.content.decode() and "submitted → returned" in r.content.decode()

    def test_it_is_not_found_for_township_and_school_users(self, client, users):
        for name in ("t1", "clerk_p1", "nobody"):
            client.force_login(users[name])
            assert client.get(URL).status_code == 404, name

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(URL))

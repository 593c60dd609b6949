"""One limit on failed logins (issue 10, item 11): failures on the login page and on POST /api/token/
count together, per user name and address, in the database that every gunicorn worker shares (not in
one process's memory). LOGIN_RATE 5: three wrong passwords on the page and two on the API lock both,
even for the right password; a good login before the limit clears the count."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client

from countyedu.web.models import FailedLogin

PASSWORD = "correct horse battery staple"


def test_page_and_token_failures_share_one_limit_kept_in_the_database(users: dict[str, User]) -> None:
    page, api = Client(), Client()  # as if served by two different workers
    for _ in range(3):
        assert page.post("/login/", {"username": "T1 ", "password": "wrong"}).status_code == 200
    for _ in range(2):
        assert api.post("/api/token/", {"username": "t1", "password": "wrong"}).status_code == 400
    assert FailedLogin.objects.get().count == 5
    for cache in caches.all():
        cache.clear()  # nothing held in a process's memory decides
    r = api.post("/api/token/", {"username": "t1", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["code"] == "throttled"
    r = page.post("/login/", {"username": "t1", "password": PASSWORD})
    assert r.status_code == 429 and "_auth_user_id" not in page.session
    # another user name from the same address is not locked
    assert page.post("/login/", {"username": "t2", "password": PASSWORD}).status_code == 302


def test_a_good_login_clears_the_count(users: dict[str, User]) -> None:
    c = Client()
    for _ in range(4):
        c.post("/api/token/", {"username": "t1", "password": "wrong"})
    assert c.post("/login/", {"username": "t1", "password": PASSWORD}).status_code == 302
    assert not FailedLogin.objects.exists()
    c.logout()
    for _ in range(4):
        assert c.post("/login/", {"username": "t1", "password": "wrong"}).status_code == 200
    assert c.post("/api/token/", {"username": "t1", "password": PASSWORD}).status_code == 200

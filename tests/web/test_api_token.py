"""POST /api/token/ — user name and password give the user's token; the token authenticates."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

PASSWORD = "correct horse battery staple"  # every user of tests/web/conftest.py


def test_it_gives_a_token_that_authenticates(client: Client, users: dict[str, User]) -> None:
    r = client.post("/api/token/", {"username": "clerk_p1", "password": PASSWORD})
    assert r.status_code == 200
    key = r.json()["token"]
    assert key == Token.objects.get(user=users["clerk_p1"]).key
    again = client.post("/api/token/", {"username": "clerk_p1", "password": PASSWORD}, content_type="application/json")
    assert again.json()["token"] == key  # the same token each time
    r = Client().get("/api/census/schools/", headers={"authorization": f"Token {key}"})
    assert r.status_code == 200 and [s["school_id"] for s in r.json()["schools"]] == ["P1"]


def test_it_refuses_a_wrong_password(client: Client, users: dict[str, User]) -> None:
    r = client.post("/api/token/", {"username": "clerk_p1", "password": "wrong"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_credentials"
    assert r.json()["error"]["message_zh"] == "用户名或密码错误"
    assert not Token.objects.exists()


def test_it_limits_failed_attempts(client: Client, users: dict[str, User], settings) -> None:
    settings.LOGIN_RATE = 2
    for _ in range(2):
        assert client.post("/api/token/", {"username": "t1", "password": "x"}).status_code == 400
    r = client.post("/api/token/", {"username": "t1", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["error"]["code"] == "throttled"


def test_it_needs_both_fields(client: Client, users: dict[str, User]) -> None:
    r = client.post("/api/token/", {"username": "t1"})
    assert r.status_code == 400 and "password" in r.json()["error"]["details"]


def test_it_only_accepts_post(client: Client, users: dict[str, User]) -> None:
    assert client.get("/api/token/").status_code == 405

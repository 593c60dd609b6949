"""Headers, refusals and error pages (issue 10, item 11): every answer carries the Content-Security-
Policy (the app's own scripts, styles and images only); a logged-in user's pages are never stored by a
cache; the API schema is for logged-in users; a 403 is logged as one line, without a traceback; the
404 and 403 pages are the app's own, in the user's language (Chinese by default)."""

from __future__ import annotations

import logging

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.parametrize("path", ["/login/", "/county/", "/api/results/?year=2024"])
def test_every_answer_has_the_content_security_policy(client: Client, users: dict[str, User], path: str) -> None:
    if path != "/login/":
        client.force_login(users["planner"])
    assert client.get(path)["Content-Security-Policy"] == POLICY


@pytest.mark.parametrize("path", ["/county/", "/school/P1/", "/api/results/?year=2024", "/report/county/361023.xlsx"])
def test_a_logged_in_users_answers_are_not_stored(client: Client, users: dict[str, User], path: str) -> None:
    client.force_login(users["leader"])
    r = client.get(path)
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_a_token_users_api_answers_are_not_stored(client: Client, users: dict[str, User]) -> None:
    token = client.post("/api/token/", {"username": "leader", "password": "correct horse battery staple"}).json()
    r = client.get("/api/census/versions/", headers={"authorization": f"Token {token['token']}"})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]


def test_the_api_schema_needs_a_login(client: Client, users: dict[str, User]) -> None:
    r = client.get("/api/schema/", {"format": "json"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    client.force_login(users["clerk_p1"])
    assert "/api/results/" in client.get("/api/schema/", {"format": "json"}).json()["paths"]


def test_a_refusal_is_the_apps_403_page_in_chinese_and_one_log_line(
    client: Client, users: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    client.force_login(users["leader"])  # reads the planning, computes nothing
    with caplog.at_level(logging.WARNING, logger="django.request"):
        r = client.post("/planning/compute/")
    assert r.status_code == 403
    html = r.content.decode()
    assert '<html lang="zh-hans">' in html and "无权操作" in html and "南丰县教育" in html and 'id="forbidden"' in html
    refused = [rec for rec in caplog.records if rec.name == "django.request"]
    assert [rec.getMessage() for rec in refused] == ["Forbidden (Permission denied): /planning/compute/"]
    assert refused[0].exc_info is None and "Traceback" not in caplog.text


def test_the_404_page_is_the_apps_in_the_users_language(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/school/N1/")  # another school: not found, as if it did not exist
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html and "南丰县教育" in html and "返回首页" in html
    client.cookies["django_language"] = "en"
    html = client.get("/school/N1/").content.decode()
    assert '<html lang="en">' in html and "Page not found" in html and "Back to your home page" in html

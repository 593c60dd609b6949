"""Every dashboard page before the assessment is stored: a clear 'being computed' message, no computing."""

from __future__ import annotations

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

from countyedu.indicators import engine
from countyedu.web import census


@pytest.fixture
def not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(census, "assessment", lambda version=None: None)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a page request must never compute an assessment")

    monkeypatch.setattr(engine, "assess", refuse)


@pytest.mark.parametrize(
    "url", ["/county/", "/stage/primary/", "/township/T1/", "/school/P1/", "/map/", "/explain/T-PRE-5/"]
)
def test_it_says_the_assessment_is_being_computed(
    client: Client, users: dict[str, User], not_stored: None, url: str
) -> None:
    client.force_login(users["admin"])
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "census version v1" in html.lower() or "v1" in html
    assert 'http-equiv="refresh"' in html


def test_it_keeps_the_scope_while_computing(client: Client, users: dict[str, User], not_stored: None) -> None:
    client.force_login(users["clerk_n1"])
    assert client.get("/school/P1/").status_code == 404
    assert client.get("/county/").status_code == 404

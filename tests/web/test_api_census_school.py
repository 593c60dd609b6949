"""GET /api/census/schools/<id>/ — one census school; 404 outside the user's scope."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_gives_the_school(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t2"])
    r = client.get("/api/census/schools/N1/")
    assert r.status_code == 200
    assert r.json()["name"] == "太源学校" and r.json()["stage"] == "nine_year"


def test_it_hides_schools_of_other_townships_and_schools(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t2"])
    assert client.get("/api/census/schools/P1/").status_code == 404
    client.force_login(users["clerk_n1"])
    assert client.get("/api/census/schools/P1/").status_code == 404
    assert client.get("/api/census/schools/NOPE/").status_code == 404


def test_it_needs_authentication(client: Client, users: dict[str, User]) -> None:
    assert client.get("/api/census/schools/P1/").status_code == 401

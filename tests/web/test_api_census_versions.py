"""GET /api/census/versions/ — the census versions, for any member."""

from __future__ import annotations

import datetime as dt

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_lists_the_versions(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_n1"])
    r = client.get("/api/census/versions/")
    assert r.status_code == 200
    doc = r.json()
    assert doc["latest"] == "v1" and [v["version"] for v in doc["versions"]] == ["v1"]
    assert doc["versions"][0]["row_counts"]["schools"] == 9


def test_it_needs_a_role(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["nobody"])
    assert client.get("/api/census/versions/").status_code == 404


def test_it_needs_authentication(client: Client, users: dict[str, User]) -> None:
    assert client.get("/api/census/versions/").status_code == 401


def test_it_gives_the_time_with_its_zone(client: Client, users: dict[str, User]) -> None:
    """created_at is an RFC 3339 date-time (with the zone), as the schema says."""
    client.force_login(users["planner"])
    created = client.get("/api/census/versions/").json()["versions"][0]["created_at"]
    stamp = dt.datetime.fromisoformat(created)
    assert created.endswith("+00:00") and stamp.tzinfo is not None
    assert abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 24 * 3600

"""GET /api/census/schools/ — the census schools in the user's scope."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def ids(client: Client) -> list[str]:
    r = client.get("/api/census/schools/")
    assert r.status_code == 200
    return [s["school_id"] for s in r.json()["schools"]]


def test_it_lists_every_school_for_county_roles(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    assert ids(client) == ["H1", "J1", "K1", "K2", "K3", "N1", "P1", "TP1", "V1"]


def test_it_lists_a_townships_schools_for_its_official(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t2"])
    assert ids(client) == ["N1", "TP1"]


def test_it_lists_only_the_clerks_school(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/api/census/schools/")
    doc = r.json()
    assert doc["census_version"] == "v1" and doc["count"] == 1
    p1 = doc["schools"][0]
    assert p1["name"] == "琴城第一小学" and p1["stage"] == "primary" and p1["township_id"] == "T1"
    assert (p1["lat"], p1["lon"]) == (27.219, 116.531) and p1["closed_year"] is None


def test_it_needs_authentication(client: Client, users: dict[str, User]) -> None:
    assert client.get("/api/census/schools/").status_code == 401

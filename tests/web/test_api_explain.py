"""GET /api/explain/<indicator>/?unit=&year=&stage= — the explanation of one result, in the unit's scope."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_explains_a_schools_result(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/api/explain/T-CMP-2/", {"unit": "P1", "year": 2024})
    assert r.status_code == 200
    d = r.json()
    assert d["numerator"] == 1 and d["denominator"] == 7 and d["value"] == 1 / 7
    assert d["clause"] == "T-CMP-2" and d["census_version"] == "v1" and d["level"] == "school"
    assert d["sources"]["classes"]["rows"] == 7
    assert {58, 45} <= {row["pupils"] for row in d["sources"]["classes"]["shown"]}


def test_it_defaults_to_the_county_and_the_latest_year(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    d = client.get("/api/explain/T-PRE-5/").json()
    assert (d["unit"], d["year"], d["numerator"], d["denominator"]) == ("361023", 2024, 190, 210)


def test_it_hides_units_outside_the_scope(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_n1"])
    r = client.get("/api/explain/T-CMP-2/", {"unit": "P1", "year": 2024})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get("/api/explain/T-CMP-2/").status_code == 404  # the county


def test_it_answers_404_without_naming_other_units(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/api/explain/T-CMP-2/", {"unit": "P1", "year": 1999})
    assert r.status_code == 404
    message = r.json()["error"]["message"]
    assert "P1" in message and "1999" in message and "N1" not in message and "J1" not in message


def test_it_needs_authentication(client: Client, users: dict[str, User]) -> None:
    assert client.get("/api/explain/T-CMP-2/").status_code == 401


def test_it_refuses_an_empty_year_or_an_unknown_stage(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    r = client.get("/api/explain/T-PRE-5/?year=")
    assert r.status_code == 400 and r.json()["error"]["details"] == {"year": ["'' is not a whole number"]}
    r = client.get("/api/explain/T-PRE-5/", {"stage": "AAA"})
    assert r.status_code == 400 and r.json()["error"]["message_zh"] == "请求数据有误：stage"

"""GET /api/results/?indicator=&level=&unit=&year=&stage= — results of the stored assessment, scoped."""

from __future__ import annotations

from typing import Any

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def results(client: Client, **query: Any) -> list[dict[str, Any]]:
    r = client.get("/api/results/", query)
    assert r.status_code == 200, r.content
    doc = r.json()
    assert doc["census_version"] == "v1" and doc["count"] >= len(doc["results"])
    return doc["results"]


def test_it_filters_the_county_results(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["planner"])
    found = results(client, indicator="T-PRE-5", level="county")
    assert len(found) == 1
    r = found[0]
    assert r["value"] == 190 / 210 and r["num"] == 190 and r["den"] == 210 and r["status"] == "met"
    assert r["target"] == {"op": ">=", "value": 0.9, "by": 2025} and r["stage"] == "kindergarten"
    assert r["pack"] == "nanfeng-2019" and r["year"] == 2024 and r["unit"] == "361023"


def test_it_filters_by_unit_year_and_stage(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    found = results(client, indicator="QB-R1", unit="N1", year=2024, stage="junior")
    assert [(r["unit"], r["stage"]) for r in found] == [("N1", "junior")]
    none = results(client, indicator="T-CMP-2", level="county", stage="none")
    assert [r["value"] for r in none] == [2 / 22]


def test_it_pages_with_limit_and_offset(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    everything = client.get("/api/results/").json()
    page = client.get("/api/results/", {"limit": 5, "offset": 10}).json()
    assert page["count"] == everything["count"] > 100
    assert page["results"] == everything["results"][10:15]


def test_it_shows_a_clerk_only_the_schools_results(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    found = results(client)
    assert found and {(r["level"], r["unit"]) for r in found} == {("school", "P1")}
    assert results(client, indicator="T-PRE-5") == []  # a county and township indicator


def test_it_shows_a_township_official_the_township_and_its_schools(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t2"])
    units = {(r["level"], r["unit"]) for r in results(client)}
    assert units == {("township", "T2"), ("school", "N1"), ("school", "TP1")}


def test_it_answers_404_for_a_unit_outside_the_scope(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_n1"])
    assert client.get("/api/results/", {"unit": "P1"}).status_code == 404
    assert client.get("/api/results/", {"unit": "361023"}).status_code == 404


def test_it_needs_authentication(client: Client, users: dict[str, User]) -> None:
    assert client.get("/api/results/").status_code == 401


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ({"level": "AAA"}, "level", '"AAA" is not a valid choice.'),
        ({"stage": "nursery"}, "stage", '"nursery" is not a valid choice.'),
        ({"offset": -1}, "offset", "Ensure this value is greater than or equal to 0."),
        ({"limit": -5}, "limit", "Ensure this value is greater than or equal to 0."),
        ({"year": ""}, "year", "'' is not a whole number"),
    ],
)
def test_it_refuses_an_invalid_parameter_naming_it(
    client: Client, users: dict[str, User], query: dict[str, Any], name: str, reason: str
) -> None:
    client.force_login(users["admin"])
    r = client.get("/api/results/", query)
    assert r.status_code == 400, r.content
    e = r.json()["error"]
    assert e["code"] == "invalid" and e["details"] == {name: [reason]}
    assert e["message"] == f"invalid request: {name}: {reason}" and e["message_zh"] == f"请求数据有误：{name}"


def test_it_answers_404_for_an_unknown_indicator(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    r = client.get("/api/results/", {"indicator": "T-NOPE"})
    assert r.status_code == 404 and r.json()["error"]["message"] == "no indicator T-NOPE in the packs"


@pytest.mark.parametrize("unit", ["\x00", "\x1d\xa0", " P1"])
def test_it_answers_404_for_an_id_naming_nothing_however_it_is_spelt(
    client: Client, users: dict[str, User], unit: str
) -> None:
    """The schema calls any non-empty id well formed (the fuzz run sent NUL and whitespace-only ids,
    which answered 400): such an id names no unit, so 404, not a refusal the schema cannot state."""
    client.force_login(users["admin"])
    for path in ("/api/results/", "/api/explain/T-PRE-5/"):
        r = client.get(path, {"unit": unit})
        assert r.status_code == 404, (path, r.content)
        assert r.json()["error"]["code"] == "not_found"

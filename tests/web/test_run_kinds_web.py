"""Every registered run kind appears in the web's recompute and the API, scoped by its read roles: the
shipped ones (planning, funding) and a kind registered by the test alone (tests/run_kind_support.py,
the next module's stand-in), which nothing but its registry entry makes appear."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

from countyedu.runs import pipeline, registry
from countyedu.runs.registry import RunKind
from countyedu.web import census as census_data


@pytest.fixture
def kinds(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, RunKind]]:
    monkeypatch.setattr(registry, "ENTRY_POINTS", (*registry.ENTRY_POINTS, "run_kind_support"))
    registry.kinds.cache_clear()
    yield registry.kinds()
    registry.kinds.cache_clear()


def test_the_recompute_runs_and_the_api_serves_every_registered_kind(
    client: Client, users: dict[str, User], kinds: dict[str, RunKind]
) -> None:
    assert list(kinds)[:3] == ["planning", "funding", "teachers"] and list(kinds)[-1] == "headcount"
    census_data.forget()
    client.force_login(users["planner"])
    assert client.post("/planning/compute/", {"next": "/planning/"}).status_code == 302  # the job runs inline
    store, packs = census_data.store(), census_data.packs()
    for kind in kinds.values():
        run = pipeline.stored(store, kind, "v1", packs)
        assert run is not None and run.kind == kind.name, kind.name
    client.force_login(users["leader"])
    listed = client.get("/api/runs/", {"lang": "en"}).json()
    assert [k["kind"] for k in listed] == list(kinds)
    assert listed[-1]["params"] == [
        {"name": "scale", "type": "float", "default": 1.0, "min": 0.0, "max": 10.0, "help": "a factor on every count"}
    ]
    for name in kinds:
        doc = client.get(f"/api/runs/{name}/", {"lang": "en"}).json()
        assert doc["kind"] == name and doc["census_version"] == "v1" and doc["blocks"], name
    head = client.get("/api/runs/headcount/").json()
    assert head["data"]["year"] == 2024 and head["data"]["scale"] == 1.0 and sum(head["data"]["pupils"].values()) > 0


def test_a_kind_is_served_only_to_its_read_roles(
    client: Client, users: dict[str, User], kinds: dict[str, RunKind]
) -> None:
    client.force_login(users["planner"])  # headcount: read by the bureau administrator and the leadership only
    assert [k["kind"] for k in client.get("/api/runs/").json()][:3] == ["planning", "funding", "teachers"]
    assert client.get("/api/runs/headcount/").json()["error"]["status"] == 404
    assert client.get("/api/runs/no-such-kind/").json()["error"]["status"] == 404
    client.force_login(users["clerk_p1"])
    assert client.get("/api/runs/").json() == []
    assert client.get("/api/runs/planning/").status_code == 404


def test_the_kinds_are_listed_in_chinese_by_default(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    listed = {k["kind"]: k for k in client.get("/api/runs/").json()}
    assert listed["planning"]["label"] == "规划" and listed["funding"]["chapter"] == "经费与预算"
    assert listed["planning"]["params"][0]["name"] == "horizon" and listed["planning"]["params"][0]["default"] == 2030
    assert listed["funding"]["run_roles"] == ["bureau_admin", "finance"]

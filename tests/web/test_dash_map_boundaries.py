"""POST /map/boundaries/ — upload township boundaries (GeoJSON): bureau administrator and planning office."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from countyedu.web import boundaries
from countyedu.web.models import AuditLog

SQUARE = {"type": "Polygon", "coordinates": [[[116.5, 27.2], [116.6, 27.2], [116.6, 27.3], [116.5, 27.2]]]}


def feature(props: dict[str, Any], geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry or SQUARE}


def geojson(*features: dict[str, Any]) -> SimpleUploadedFile:
    doc = {"type": "FeatureCollection", "features": list(features)}
    return SimpleUploadedFile("townships.geojson", json.dumps(doc).encode(), "application/geo+json")


@pytest.fixture(autouse=True)
def no_boundaries() -> Iterator[None]:
    boundaries.path().unlink(missing_ok=True)
    yield
    boundaries.path().unlink(missing_ok=True)


def test_it_stores_the_outlines_matched_by_id_or_name(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["planner"])
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    r = client.post(
        "/map/boundaries/", {"file": geojson(feature({"township_id": "T1"}), feature({"name": "太源乡"}, multi))}
    )
    assert r.status_code == 302 and r["Location"] == "/map/"
    stored = boundaries.load()
    assert stored is not None
    assert [f["properties"] for f in stored["features"]] == [
        {"township_id": "T1", "name": "琴城镇"},
        {"township_id": "T2", "name": "太源乡"},
    ]
    log = AuditLog.objects.get(action="upload_boundaries")
    assert log.actor == users["planner"] and log.after == {"features": 2, "townships": ["T1", "T2"]}


def test_it_lists_every_problem_and_keeps_the_old_file(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    client.post("/map/boundaries/", {"file": geojson(feature({"township_id": "T1"}))})
    point = {"type": "Point", "coordinates": [116.5, 27.2]}
    broken = {"type": "Polygon", "coordinates": [[["116.5", "27.2"]]]}
    bad = geojson(
        feature({"township_id": "T1"}, point),
        feature({"name": "北京"}),
        feature({"township_id": "T2"}),
        feature({"township_id": "T2"}, broken),
    )
    r = client.post("/map/boundaries/", {"file": bad})
    assert r.status_code == 400
    html = r.content.decode()
    assert "第 1 个要素：几何类型 Point 不是 Polygon 或 MultiPolygon" in html
    assert "第 2 个要素：township_id 或 name「北京」与普查中的乡镇都不匹配" in html
    assert "第 4 个要素：坐标不是由 [经度, 纬度] 数值组成的闭合环" in html
    assert [f["properties"]["township_id"] for f in boundaries.load()["features"]] == ["T1"]
    assert AuditLog.objects.filter(action="upload_boundaries").count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not a JSON file"),
        (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "has no features"),
    ],
)
def test_it_refuses_what_is_not_a_feature_collection(
    client: Client, users: dict[str, User], content: bytes, message: str
) -> None:
    client.force_login(users["admin"])
    client.cookies["django_language"] = "en"
    r = client.post("/map/boundaries/", {"file": SimpleUploadedFile("b.geojson", content)})
    assert r.status_code == 400 and message in r.content.decode()
    assert boundaries.load() is None


def test_it_refuses_read_only_and_township_users(client: Client, users: dict[str, User]) -> None:
    for name in ("leader", "t1"):
        client.force_login(users[name])
        r = client.post("/map/boundaries/", {"file": geojson(feature({"township_id": "T1"}))})
        assert r.status_code == 403, name
    assert boundaries.load() is None


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.post("/map/boundaries/", {"file": geojson(feature({"township_id": "T1"}))})
    assert r.status_code == 302 and r["Location"].startswith("/login/")

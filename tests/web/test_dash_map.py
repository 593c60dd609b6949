"""GET /map/ — schools from their coordinates, coloured by the resource standard; county roles see all,
a township official the township's schools; outlines once boundaries are uploaded."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

from countyedu.reports.labels import STATUS
from countyedu.web import boundaries


def map_data(html: str) -> dict:
    return json.loads(html.split('<script id="map-data" type="application/json">')[1].split("</script>")[0])


@pytest.fixture
def no_boundaries() -> Iterator[None]:
    boundaries.path().unlink(missing_ok=True)
    yield
    boundaries.path().unlink(missing_ok=True)


def test_it_shows_every_school_to_county_roles(client: Client, users: dict[str, User], no_boundaries: None) -> None:
    client.force_login(users["leader"])
    r = client.get("/map/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html and "https://" not in html
    data = map_data(html)
    points = {p["id"]: p for p in data["points"]}
    assert set(points) == {"K1", "K2", "K3", "P1", "N1", "J1", "H1", "V1", "TP1"}
    assert points["P1"]["status"] == "fail" and points["K1"]["status"] == "none"
    assert (points["P1"]["lon"], points["P1"]["lat"]) == (116.531, 27.219)
    assert points["P1"]["url"] == "/school/P1/" and points["P1"]["name"] == "琴城第一小学"
    assert data["geo"] is None
    # coloured as every chart and report colours a status (reports.labels.STATUS), not by a map's own
    assert data["colours"] == {"pass": STATUS["met"][2], "fail": STATUS["not_met"][2], "none": STATUS["no_data"][2]}


def test_it_shows_a_township_official_only_the_townships_schools(
    client: Client, users: dict[str, User], no_boundaries: None
) -> None:
    client.force_login(users["t1"])
    data = map_data(client.get("/map/").content.decode())
    assert {p["id"] for p in data["points"]} == {"K1", "K2", "K3", "P1", "J1", "H1", "V1"}


def test_it_draws_the_uploaded_outlines_of_the_users_townships(
    client: Client, users: dict[str, User], no_boundaries: None
) -> None:
    square = {"type": "Polygon", "coordinates": [[[116.5, 27.2], [116.6, 27.2], [116.6, 27.3], [116.5, 27.2]]]}
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"township_id": "T1"}, "geometry": square},
            {"type": "Feature", "properties": {"name": "太源乡"}, "geometry": square},
        ],
    }
    townships = {"T1": {"name": "琴城镇"}, "T2": {"name": "太源乡"}}
    boundaries.do_upload_boundaries(json.dumps(doc).encode(), townships, acting_user=users["admin"])
    client.force_login(users["admin"])
    geo = map_data(client.get("/map/").content.decode())["geo"]
    assert [f["properties"]["township_id"] for f in geo["features"]] == ["T1", "T2"]
    client.force_login(users["t2"])
    geo = map_data(client.get("/map/").content.decode())["geo"]
    assert [f["properties"] for f in geo["features"]] == [{"township_id": "T2", "name": "太源乡"}]


def test_it_offers_the_boundary_upload_to_the_bureau_only(
    client: Client, users: dict[str, User], no_boundaries: None
) -> None:
    client.force_login(users["planner"])
    assert 'action="/map/boundaries/"' in client.get("/map/").content.decode()
    client.force_login(users["leader"])
    assert 'action="/map/boundaries/"' not in client.get("/map/").content.decode()


def test_it_is_not_for_school_clerks(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    assert client.get("/map/").status_code == 404


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/map/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")

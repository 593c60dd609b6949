"""The county's outline under the school map, on /map/ and the county page /county/.

The outline of 南丰县 in echarts-china-counties-pypkg (tests/fixtures/outline) has the county's real
area and seat, and the hand county's schools (real places) lie inside it; but 35 of the demo county's
147 schools, placed by the demo generator in a box reaching 15 km north of the real county, lie
outside it, 25 of them more than COUNTY_TOLERANCE_KM (2 km). So it is not shipped with the app: the bureau uploads the county's outline
(POST /map/county-outline/), which is refused while any school of the census lies more than
COUNTY_TOLERANCE_KM outside it."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from countyedu.web import boundaries
from countyedu.web.models import AuditLog
from demo_support import demo_frames

OUTLINE = Path(__file__).resolve().parents[1] / "fixtures" / "outline" / "nanfeng-361023.geojson"
SEAT = (116.532, 27.218)  # 琴城镇, the county seat (lon, lat)
# a square around the county seat only: 太源乡's two schools (27.05 N) are some 17 km south of it
AROUND_THE_SEAT = {
    "type": "Polygon",
    "coordinates": [[[116.45, 27.15], [116.65, 27.15], [116.65, 27.30], [116.45, 27.30], [116.45, 27.15]]],
}


def packaged() -> dict[str, Any]:
    return json.loads(OUTLINE.read_text(encoding="utf-8"))


def area_km2(ring: list[list[float]]) -> float:
    """A ring's area on a plane tangent at its mean latitude (shoelace)."""
    k = math.cos(math.radians(sum(p[1] for p in ring) / len(ring))) * boundaries.EARTH_KM_PER_DEGREE
    xy = [(x * k, y * boundaries.EARTH_KM_PER_DEGREE) for x, y in ring]
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(xy, xy[1:] + xy[:1], strict=True))) / 2


def upload(doc: dict[str, Any]) -> SimpleUploadedFile:
    return SimpleUploadedFile("county.geojson", json.dumps(doc).encode(), "application/geo+json")


def map_data(html: str) -> dict[str, Any]:
    return json.loads(html.split('<script id="map-data" type="application/json">')[1].split("</script>")[0])


@pytest.fixture(autouse=True)
def no_outline() -> Iterator[None]:
    boundaries.path("county").unlink(missing_ok=True)
    yield
    boundaries.path("county").unlink(missing_ok=True)


# ------------------------------------------------------------------ the package's outline, checked


def test_the_packaged_outline_has_the_real_county_s_area_and_seat() -> None:
    outline = packaged()
    ring = outline["features"][0]["geometry"]["coordinates"][0]
    assert area_km2(ring) == pytest.approx(1920, rel=0.01)  # NANFENG.md: about 1,920 km²
    assert boundaries.km_outside(outline, *SEAT) == 0


def test_the_hand_county_s_schools_lie_inside_the_packaged_outline(census_store: Any) -> None:
    schools = census_store.frames(census_store.latest().version_id, ["schools"])["schools"]
    places = [(r.name, r.lon, r.lat) for r in schools.itertuples()]
    assert len(places) == 9 and boundaries.outside(packaged(), places) == []


def test_the_demo_county_s_schools_do_not_fit_the_packaged_outline() -> None:

    schools = demo_frames()["schools"]
    far = boundaries.outside(packaged(), [(r.name, r.lon, r.lat) for r in schools.itertuples()])
    # the demo places 傅坊乡 and 白舍镇 north of 27.35 N, where the real county ends: 35 schools lie
    # outside the outline, 25 of them farther than the tolerance
    assert len(schools) == 147 and len(far) == 25  # 147 with the special-education school (issue 12)
    outside_at_all = boundaries.outside(packaged(), [(r.name, r.lon, r.lat) for r in schools.itertuples()], 0)
    assert len(outside_at_all) == 35
    assert far[0][0] == "傅坊乡岭口村教学点" and far[0][1] == pytest.approx(14.9, abs=0.1)
    assert {name[:3] for name, _km in far[:12]} <= {"傅坊乡", "傅坊学", "白舍镇", "白舍中"}


def test_distances_outside_are_measured_to_the_nearest_edge() -> None:
    square = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": AROUND_THE_SEAT}]}
    assert boundaries.km_outside(square, *SEAT) == 0
    # 0.1° of latitude south of the square's southern edge is 11.1 km
    assert boundaries.km_outside(square, 116.55, 27.05) == pytest.approx(11.12, abs=0.01)


# ------------------------------------------------------------------ the upload, as users do it


def test_the_planner_uploads_the_outline_and_the_county_page_draws_it(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["planner"])
    r = client.post("/map/county-outline/", {"file": upload(packaged())})
    assert r.status_code == 302 and r["Location"] == "/map/"
    row = AuditLog.objects.get(action="upload_county_outline")
    assert row.actor == users["planner"] and row.after == {"polygons": 1}
    client.force_login(users["leader"])
    for path in ("/county/", "/map/"):
        data = map_data(client.get(path).content.decode())
        (county,) = data["geo"]["features"]
        assert county["properties"] == {"name": "南丰县", "kind": "county"}
        assert len(data["points"]) == 9


def test_an_outline_leaving_schools_outside_is_refused_and_names_them(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    r = client.post("/map/county-outline/", {"file": upload({"type": "Feature", "geometry": AROUND_THE_SEAT})})
    html = r.content.decode()
    assert r.status_code == 400
    assert "2 所学校位于轮廓外 2 公里以上" in html and "太源学校（" in html and "太源村教学点（" in html
    assert not boundaries.path("county").exists() and not AuditLog.objects.filter(action="upload_county_outline")


def test_a_file_that_is_not_polygons_is_refused(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.5, 27.2]}}
    r = client.post("/map/county-outline/", {"file": upload(point)})
    assert r.status_code == 400 and "几何类型 Point 不是 Polygon 或 MultiPolygon" in r.content.decode()


def test_the_county_page_shows_the_map_without_an_outline(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    html = client.get("/county/").content.decode()
    data = map_data(html)
    assert data["geo"] is None and len(data["points"]) == 9 and 'id="map"' in html


@pytest.mark.parametrize("user", ["leader", "t1", "clerk_p1"])
def test_only_the_bureau_and_planning_office_upload_it(client: Client, users: dict[str, User], user: str) -> None:
    client.force_login(users[user])
    r = client.post("/map/county-outline/", {"file": upload(packaged())})
    assert r.status_code in (403, 404) and not boundaries.path("county").exists()


def test_anonymous_users_are_sent_to_log_in(client: Client) -> None:
    r = client.post("/map/county-outline/", {"file": upload(packaged())})
    assert r.status_code == 302 and "/login/" in r["Location"]

"""Boundaries the maps draw under the schools (no tile server), uploaded by the bureau as GeoJSON and
kept in the data dir: the townships' (a FeatureCollection checked against the census townships) and
the county's outline (checked against the schools' coordinates: every school inside it, or within
COUNTY_TOLERANCE_KM of its edge)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from countyedu.errors import CountyEduError
from countyedu.web.models import AuditLog

MAX_BYTES = 20 * 1024 * 1024
GEOMETRIES = ("Polygon", "MultiPolygon")
# a school this far outside the county's outline still fits it (coordinates read off a map, a
# simplified outline); farther, the outline or the coordinates are wrong
COUNTY_TOLERANCE_KM = 2.0
EARTH_KM_PER_DEGREE = 6371.0088 * math.pi / 180


class BoundaryError(CountyEduError):
    """A boundary file that is not a FeatureCollection of township polygons; lists every problem."""

    def __init__(self, problems_en: list[str], problems_zh: list[str]) -> None:
        super().__init__("; ".join(problems_en), "；".join(problems_zh))
        self.problems_en = problems_en
        self.problems_zh = problems_zh


def path(name: str = "townships") -> Path:
    """Where the uploaded boundaries live (townships.geojson, county.geojson)."""
    return Path(settings.DATA_DIR) / "boundaries" / f"{name}.geojson"


def load(name: str = "townships") -> dict[str, Any] | None:
    """The stored FeatureCollection (townships: each feature with properties township_id and name), or None."""
    p = path(name)
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def _collection(raw: bytes, *, lone_feature: bool = False) -> dict[str, Any]:
    """The file as a GeoJSON FeatureCollection with at least one feature (or, if allowed, a lone Feature
    taken as one)."""
    if len(raw) > MAX_BYTES:
        raise BoundaryError(
            [f"the file is larger than {MAX_BYTES // 1024 // 1024} MB"], [f"文件超过 {MAX_BYTES // 1024 // 1024} MB"]
        )
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError([f"not a JSON file ({exc})"], [f"不是 JSON 文件（{exc}）"]) from exc
    if lone_feature and isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise BoundaryError(["not a GeoJSON FeatureCollection"], ["不是 GeoJSON 要素集合（FeatureCollection）"])
    if not doc["features"]:
        raise BoundaryError(["the FeatureCollection has no features"], ["要素集合中没有任何要素"])
    return doc


def _geometry(i: int, f: Any) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """A feature's polygon geometry, or the problem with it (in English and Chinese)."""
    geom = f.get("geometry") if isinstance(f, dict) else None
    if not isinstance(geom, dict):
        geom = {}
    kind = geom.get("type")
    if kind not in GEOMETRIES or not isinstance(geom.get("coordinates"), list):
        return (
            None,
            [f"feature {i}: geometry {kind} is not a Polygon or MultiPolygon"],
            [f"第 {i} 个要素：几何类型 {kind} 不是 Polygon 或 MultiPolygon"],
        )
    if not _rings_ok(geom["coordinates"], 1 if kind == "Polygon" else 2):
        return (
            None,
            [f"feature {i}: its coordinates are not rings of [longitude, latitude] numbers"],
            [f"第 {i} 个要素：坐标不是由 [经度, 纬度] 数值组成的闭合环"],
        )
    return {"type": kind, "coordinates": geom["coordinates"]}, [], []


def validate(raw: bytes, townships: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The FeatureCollection with each feature's township_id resolved (by id, else by name)."""
    doc = _collection(raw)
    by_name = {str(t["name"]): tid for tid, t in townships.items()}
    en: list[str] = []
    zh: list[str] = []
    out = []
    for i, f in enumerate(doc["features"], start=1):
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            props = {}
        geom, bad_en, bad_zh = _geometry(i, f)
        if geom is None:
            en += bad_en
            zh += bad_zh
            continue
        tid = str(props.get("township_id") or "")
        name = str(props.get("name") or "")
        if tid not in townships:
            tid = by_name.get(name, "")
        if not tid:
            given = props.get("township_id") or props.get("name")
            en.append(f"feature {i}: township_id or name {given!r} matches no township of the census")
            zh.append(f"第 {i} 个要素：township_id 或 name「{given}」与普查中的乡镇都不匹配")
            continue
        out.append(
            {
                "type": "Feature",
                "properties": {"township_id": tid, "name": str(townships[tid]["name"])},
                "geometry": geom,
            }
        )
    if en:
        raise BoundaryError(en, zh)
    return {"type": "FeatureCollection", "features": out}


def _rings_ok(coords: Any, depth: int) -> bool:
    """Polygon: a list of rings (depth 1); MultiPolygon: a list of polygons (depth 2). A ring has at
    least four [lon, lat] positions."""
    if not isinstance(coords, list) or not coords:
        return False
    if depth > 1:
        return all(_rings_ok(c, depth - 1) for c in coords)
    return all(
        isinstance(ring, list)
        and len(ring) >= 4
        and all(
            isinstance(pos, list) and len(pos) >= 2 and all(isinstance(x, int | float) for x in pos[:2]) for pos in ring
        )
        for ring in coords
    )


def do_upload_boundaries(raw: bytes, townships: dict[str, dict[str, Any]], *, acting_user: Any) -> dict[str, Any]:
    """Check and store the township boundaries (replacing earlier ones), with its audit row."""
    doc = validate(raw, townships)
    with transaction.atomic():
        AuditLog.objects.create(
            actor=acting_user,
            action="upload_boundaries",
            object_type="boundaries",
            object_id="townships",
            before={"features": len(old["features"])} if (old := load()) else None,
            after={
                "features": len(doc["features"]),
                "townships": sorted({f["properties"]["township_id"] for f in doc["features"]}),
            },
        )
        _store(doc, "townships")  # last: a failure above leaves the old file and no audit row
    return doc


# ------------------------------------------------------------------------------ the county's outline


def _polygons(geom: dict[str, Any]) -> list[list[list[list[float]]]]:
    """A Polygon or MultiPolygon as a list of polygons, each a list of rings (the first the outer one)."""
    return [geom["coordinates"]] if geom["type"] == "Polygon" else list(geom["coordinates"])


def _in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _to_edge_km(lon: float, lat: float, ring: list[list[float]]) -> float:
    """The distance from a point to a ring's nearest edge, on a plane tangent at the point (fine within
    a county)."""
    k = math.cos(math.radians(lat)) * EARTH_KM_PER_DEGREE
    best = math.inf
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        ax, ay = (x1 - lon) * k, (y1 - lat) * EARTH_KM_PER_DEGREE
        dx, dy = (x2 - x1) * k, (y2 - y1) * EARTH_KM_PER_DEGREE
        t = max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def km_outside(outline: dict[str, Any], lon: float, lat: float) -> float:
    """How far a point lies outside an outline (a FeatureCollection of polygons): 0 inside it."""
    polys = [p for f in outline["features"] for p in _polygons(f["geometry"])]
    if any(_in_ring(lon, lat, p[0]) and not any(_in_ring(lon, lat, hole) for hole in p[1:]) for p in polys):
        return 0.0
    return min(_to_edge_km(lon, lat, ring) for p in polys for ring in p)


def outside(
    outline: dict[str, Any], places: Iterable[tuple[str, float, float]], tolerance_km: float = COUNTY_TOLERANCE_KM
) -> list[tuple[str, float]]:
    """The places (name, lon, lat) farther than the tolerance outside the outline, with their distance
    in km, farthest first."""
    far = [(name, d) for name, lon, lat in places if (d := km_outside(outline, lon, lat)) > tolerance_km]
    return sorted(far, key=lambda nd: -nd[1])


def validate_county(raw: bytes, county_name: str, schools: Iterable[tuple[str, float, float]]) -> dict[str, Any]:
    """The county's outline (every polygon of the file, as one feature named after the county), when
    every school (name, lon, lat) lies inside it or within COUNTY_TOLERANCE_KM of its edge."""
    doc = _collection(raw, lone_feature=True)
    polygons: list[Any] = []
    en: list[str] = []
    zh: list[str] = []
    for i, f in enumerate(doc["features"], start=1):
        geom, bad_en, bad_zh = _geometry(i, f)
        en += bad_en
        zh += bad_zh
        if geom is not None:
            polygons += _polygons(geom)
    if en:
        raise BoundaryError(en, zh)
    outline = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": county_name, "kind": "county"},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        ],
    }
    far = outside(outline, schools)
    if far:
        shown = far[:10]
        more_en = f" and {len(far) - len(shown)} more" if len(far) > len(shown) else ""
        more_zh = f"等 {len(far)} 所" if len(far) > len(shown) else ""
        raise BoundaryError(
            [
                f"{len(far)} schools lie more than {COUNTY_TOLERANCE_KM:g} km outside the outline: "
                + ", ".join(f"{n} ({d:.1f} km)" for n, d in shown)
                + more_en
            ],
            [
                f"{len(far)} 所学校位于轮廓外 {COUNTY_TOLERANCE_KM:g} 公里以上："
                + "、".join(f"{n}（{d:.1f} 公里）" for n, d in shown)
                + more_zh
            ],
        )
    return outline


def _store(doc: dict[str, Any], name: str) -> None:
    p = path(name)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
    os.replace(tmp, p)


def do_upload_county_outline(
    raw: bytes, county_name: str, schools: Iterable[tuple[str, float, float]], *, acting_user: Any
) -> dict[str, Any]:
    """Check and store the county's outline (replacing an earlier one), with its audit row."""
    doc = validate_county(raw, county_name, schools)
    old = load("county")
    with transaction.atomic():
        AuditLog.objects.create(
            actor=acting_user,
            action="upload_county_outline",
            object_type="boundaries",
            object_id="county",
            before={"polygons": len(old["features"][0]["geometry"]["coordinates"])} if old else None,
            after={"polygons": len(doc["features"][0]["geometry"]["coordinates"])},
        )
        _store(doc, "county")  # last: a failure above leaves the old file and no audit row
    return doc

"""Township boundaries: a GeoJSON FeatureCollection uploaded by the bureau, checked against the census
townships and kept in the data dir, from where the map draws the outlines (no tile server)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from countyedu.errors import CountyEduError
from countyedu.web.models import AuditLog

MAX_BYTES = 20 * 1024 * 1024
GEOMETRIES = ("Polygon", "MultiPolygon")


class BoundaryError(CountyEduError):
    """A boundary file that is not a FeatureCollection of township polygons; lists every problem."""

    def __init__(self, problems_en: list[str], problems_zh: list[str]) -> None:
        super().__init__("; ".join(problems_en), "；".join(problems_zh))
        self.problems_en = problems_en
        self.problems_zh = problems_zh


def path() -> Path:
    """Where the uploaded boundaries live."""
    return Path(settings.DATA_DIR) / "boundaries" / "townships.geojson"


def load() -> dict[str, Any] | None:
    """The stored FeatureCollection (each feature with properties township_id and name), or None."""
    p = path()
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


def validate(raw: bytes, townships: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The FeatureCollection with each feature's township_id resolved (by id, else by name)."""
    if len(raw) > MAX_BYTES:
        raise BoundaryError(
            [f"the file is larger than {MAX_BYTES // 1024 // 1024} MB"], [f"文件超过 {MAX_BYTES // 1024 // 1024} MB"]
        )
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError([f"not a JSON file ({exc})"], [f"不是 JSON 文件（{exc}）"]) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise BoundaryError(["not a GeoJSON FeatureCollection"], ["不是 GeoJSON 要素集合（FeatureCollection）"])
    if not doc["features"]:
        raise BoundaryError(["the FeatureCollection has no features"], ["要素集合中没有任何要素"])
    by_name = {str(t["name"]): tid for tid, t in townships.items()}
    en: list[str] = []
    zh: list[str] = []
    out = []
    for i, f in enumerate(doc["features"], start=1):
        geom = f.get("geometry") if isinstance(f, dict) else None
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            props = {}
        if not isinstance(geom, dict):
            geom = {}
        kind = geom.get("type")
        if kind not in GEOMETRIES or not isinstance(geom.get("coordinates"), list):
            en.append(f"feature {i}: geometry {kind} is not a Polygon or MultiPolygon")
            zh.append(f"第 {i} 个要素：几何类型 {kind} 不是 Polygon 或 MultiPolygon")
            continue
        if not _rings_ok(geom["coordinates"], 1 if kind == "Polygon" else 2):
            en.append(f"feature {i}: its coordinates are not rings of [longitude, latitude] numbers")
            zh.append(f"第 {i} 个要素：坐标不是由 [经度, 纬度] 数值组成的闭合环")
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
                "geometry": {"type": kind, "coordinates": geom["coordinates"]},
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
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
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
        fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False)
        os.replace(tmp, p)  # last: a failure above leaves the old file and no audit row
    return doc

"""Read a road file into the `roads` sheet's rows: an OpenStreetMap extract (.osm.pbf, .osm, read
with osmium) or road lines in a GeoPackage or Shapefile (read with pyogrio) carrying a class or a
speed column.

Lines are cut at every junction (a vertex two lines share, or an OSM node two ways share) so that
each row is one segment between junctions, with its length along the line (haversine between
successive vertices). OSM `highway` values map to the classes of the `road_class` code list
(`motorway_link` → motorway, `living_street` → residential, `footway`/`steps`/… → path); ways of
other values (construction, proposed, platforms) are left out. A file with a speed but no class
gets the class its speed suggests (≥ 80 expressway … < 20 track) and the speed as its limit.
"""

from __future__ import annotations

import itertools
import re
import struct
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.planning.geo import haversine_km

OSM_CLASS: dict[str, str] = {
    **{k: k for k in ("motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential")},
    **{f"{k}_link": k for k in ("motorway", "trunk", "primary", "secondary", "tertiary")},
    "living_street": "residential",
    "road": "unclassified",
    "service": "service",
    "track": "track",
    **{k: "path" for k in ("path", "footway", "pedestrian", "steps", "bridleway", "cycleway")},
}
# Column names a road-line file may give its class and speed in (first found is used).
CLASS_COLUMNS = ("road_class", "highway", "fclass", "class", "道路等级")
SPEED_COLUMNS = ("max_kmh", "maxspeed", "speed", "限速")
NAME_COLUMNS = ("name", "ref", "道路名称")
SPEED_CLASSES = (
    (80, "motorway"),
    (60, "trunk"),
    (50, "primary"),
    (40, "secondary"),
    (30, "tertiary"),
    (20, "unclassified"),
)
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")
LINE_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json")


@dataclass(frozen=True)
class Line:
    """One road line: its vertices (lat, lon), their keys (what makes two vertices one junction)."""

    coords: np.ndarray  # (k, 2) lat, lon
    keys: list[Any]
    road_class: str
    max_kmh: float | None
    name: str | None


def read_roads(path: str | Path) -> pd.DataFrame:
    """The `roads` sheet's rows from a road file (see the module's docstring)."""
    path = Path(path)
    if not path.exists():
        raise CountyEduError(Msg("{path}: no such file", path=str(path)))
    lower = path.name.lower()
    if lower.endswith(OSM_SUFFIXES):
        lines = list(_osm_lines(path))
    elif lower.endswith(LINE_SUFFIXES):
        lines = list(_file_lines(path))
    else:
        raise CountyEduError(
            Msg(
                "{path}: not a road file (.osm.pbf, .osm, .gpkg, .shp or .geojson)",
                path=path.name,
            )
        )
    edges = segments(lines)
    if edges.empty:
        raise CountyEduError(Msg("{path}: no roads in the file", path=path.name))
    return edges


def segments(lines: Iterable[Line]) -> pd.DataFrame:
    """Rows of the `roads` sheet: every line cut at its junctions."""
    lines = list(lines)
    uses: Counter[Any] = Counter()
    for line in lines:
        uses.update(line.keys)
        uses.update([line.keys[0], line.keys[-1]])  # a line's ends are always junctions
    rows: list[tuple[Any, ...]] = []
    for line in lines:
        cut = [i for i, k in enumerate(line.keys) if uses[k] > 1]
        leg = haversine_km(line.coords[:-1, 0], line.coords[:-1, 1], line.coords[1:, 0], line.coords[1:, 1])
        run = np.concatenate([[0.0], np.cumsum(leg)])
        for a, b in itertools.pairwise(cut):
            if a == b:
                continue
            rows.append(
                (
                    *line.coords[a],
                    *line.coords[b],
                    float(run[b] - run[a]),
                    line.road_class,
                    line.max_kmh,
                    line.name,
                )
            )
    frame = pd.DataFrame(
        rows, columns=["from_lat", "from_lon", "to_lat", "to_lon", "km", "road_class", "max_kmh", "name"]
    )
    frame.insert(0, "road_id", [f"R{i + 1:06d}" for i in range(len(frame))])
    for c in ("from_lat", "from_lon", "to_lat", "to_lon"):
        frame[c] = frame[c].astype(float).round(7)
    frame["km"] = frame["km"].astype(float).round(4)
    frame["max_kmh"] = pd.to_numeric(frame["max_kmh"], errors="coerce").astype(float)
    return frame


def speed_of(value: object) -> float | None:
    """km/h from a speed value ("60", "60 km/h", "30 mph"); None when it is not one."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", str(value))
    if not m:
        return None
    v = float(m.group(1)) * (1.609344 if m.group(2) else 1.0)
    return v if v > 0 else None


def class_of_speed(kmh: float) -> str:
    for at_least, cls in SPEED_CLASSES:
        if kmh >= at_least:
            return cls
    return "track"


def _osm_lines(path: Path) -> Iterator[Line]:
    import osmium  # lazy: the CLI's start-up

    try:
        fp = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        obj: Any
        for obj in fp:
            if not obj.is_way():
                continue
            cls = OSM_CLASS.get(obj.tags.get("highway", ""))
            if cls is None or len(obj.nodes) < 2:
                continue
            nodes = [n for n in obj.nodes if n.location.valid()]
            if len(nodes) < 2:
                continue
            yield Line(
                np.array([(n.lat, n.lon) for n in nodes], dtype=float),
                [n.ref for n in nodes],
                cls,
                speed_of(obj.tags.get("maxspeed")),
                obj.tags.get("name") or obj.tags.get("ref"),
            )
    except RuntimeError as exc:  # osmium's reader errors (a damaged or truncated file)
        raise CountyEduError(
            Msg("{path}: not a readable OpenStreetMap file ({error})", path=path.name, error=str(exc))
        ) from exc


def _file_lines(path: Path) -> Iterator[Line]:
    import pyogrio  # lazy: the CLI's start-up

    try:
        meta, _fids, geometry, fields = pyogrio.raw.read(str(path))
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError and GDAL's own
        raise CountyEduError(Msg("{path}: not a readable road file ({error})", path=path.name, error=str(exc))) from exc
    crs = str(meta.get("crs") or "")
    if crs and crs.upper() not in ("EPSG:4326", "OGC:CRS84", "EPSG:4490"):
        raise CountyEduError(
            Msg(
                "{path}: coordinates in {crs}; give the roads in longitude/latitude (EPSG:4326 or CGCS2000 EPSG:4490)",
                path=path.name,
                crs=crs,
            )
        )
    names = [str(f) for f in meta["fields"]]
    column = {n.lower(): i for i, n in enumerate(names)}
    ci = next((column[c.lower()] for c in CLASS_COLUMNS if c.lower() in column), None)
    si = next((column[c.lower()] for c in SPEED_COLUMNS if c.lower() in column), None)
    ni = next((column[c.lower()] for c in NAME_COLUMNS if c.lower() in column), None)
    if ci is None and si is None:
        raise CountyEduError(
            Msg(
                "{path}: the road lines have neither a class column ({classes}) nor a speed column ({speeds})",
                path=path.name,
                classes=", ".join(CLASS_COLUMNS),
                speeds=", ".join(SPEED_COLUMNS),
            )
        )
    for k, wkb in enumerate(geometry):
        if wkb is None:
            continue
        limit = speed_of(fields[si][k]) if si is not None else None
        raw_class = str(fields[ci][k]) if ci is not None and fields[ci][k] is not None else ""
        cls = OSM_CLASS.get(raw_class) or (raw_class if raw_class in OSM_CLASS.values() else None)
        if cls is None:
            if limit is None:
                continue  # not a road a pupil or a bus uses
            cls = class_of_speed(limit)
        name = fields[ni][k] if ni is not None else None
        for part in wkb_lines(bytes(wkb)):
            if len(part) < 2:
                continue
            latlon = part[:, ::-1].copy()  # WKB is x (lon), y (lat)
            keys = [tuple(v) for v in np.round(latlon * 1e7).astype(np.int64)]
            yield Line(latlon, keys, cls, limit, None if name is None else str(name))


def wkb_lines(data: bytes) -> list[np.ndarray]:
    """The (x, y) vertex arrays of a WKB LineString or MultiLineString (ISO or EWKB, with Z/M)."""
    out: list[np.ndarray] = []
    _wkb(memoryview(data), 0, out)
    return out


def _wkb(buf: memoryview, at: int, out: list[np.ndarray]) -> int:
    order = "<" if buf[at] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", buf, at + 1)
    at += 5
    dims = 2
    if kind & 0x80000000:  # EWKB flags: Z, M, SRID
        dims += 1
    if kind & 0x40000000:
        dims += 1
    if kind & 0x20000000:
        at += 4
    kind &= 0x0FFFFFFF
    if kind >= 1000:  # ISO: 1000 Z, 2000 M, 3000 ZM
        dims += {1: 1, 2: 1, 3: 2}[kind // 1000]
        kind %= 1000
    if kind == 2:
        (n,) = struct.unpack_from(order + "I", buf, at)
        at += 4
        pts = np.frombuffer(buf, dtype=np.dtype(order + "f8"), count=n * dims, offset=at)
        out.append(pts.reshape(n, dims)[:, :2].astype(float))
        return at + 8 * n * dims
    if kind == 5:
        (n,) = struct.unpack_from(order + "I", buf, at)
        at += 4
        for _ in range(n):
            at = _wkb(buf, at, out)
        return at
    raise CountyEduError(Msg("road lines must be LineString or MultiLineString (WKB type {kind})", kind=kind))

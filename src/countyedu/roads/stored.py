"""The travel matrix stored with its census version (issue 17 item 1): computed once per version —
at `countyedu roads import` for the version it makes, else by the first planning computation on a
version with roads (the run kinds of the after-census job, at census import) — and read by every
later one instead of searching the road graph again.

The file `<data dir>/roads/travel-<version>.npz` holds every located community and school of the
version (rows) × every located school (columns): road km, walking and school-bus minutes, each
place's snapping leg and whether it is beyond the snapping limit, and the digest of what they were
computed from (the `roads` sheet and the road parameters). A place is found by its coordinates
(rounded to 1e-6°), so the matrix answers any computation whose places are among them; another
place (a candidate site, an inspector's base) is searched for as before. The census store tags
the `roads` frame it reads with its data dir and version (`frame.attrs["census"]`); frames without
the tag (a census read from files, a test's hand county) compute as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countyedu.roads.network import EDGE_COLUMNS, RoadNetwork
from countyedu.roads.params import RoadParams

FOLDER = "roads"
_LOADED: dict[str, tuple[float, StoredTravel]] = {}
_DIGESTS: dict[tuple[int, str], tuple[pd.DataFrame, str]] = {}


@dataclass(frozen=True)
class StoredTravel:
    """Places (rows: communities then schools) × schools (columns) of one census version."""

    digest: str
    lat: np.ndarray
    lon: np.ndarray
    columns: np.ndarray  # the row of each column's school
    km: np.ndarray
    walk: np.ndarray
    bus: np.ndarray
    leg_km: np.ndarray  # per row
    far: np.ndarray  # per row

    def rows_of(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray | None:
        """Each point's row (None when one is not among the places)."""
        where = _index(self.lat, self.lon)
        keys = _keys(lat, lon)
        out = np.array([where.get(k, -1) for k in keys], dtype=np.int64)
        return None if (out < 0).any() else out

    def columns_of(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray | None:
        rows = self.rows_of(lat, lon)
        if rows is None:
            return None
        col = np.full(len(self.lat), -1, dtype=np.int64)
        col[self.columns] = np.arange(len(self.columns))
        out = col[rows]
        return None if (out < 0).any() else out


def _keys(lat: Any, lon: Any) -> list[tuple[int, int]]:
    a = np.round(np.asarray(lat, float) * 1e6).astype(np.int64)
    b = np.round(np.asarray(lon, float) * 1e6).astype(np.int64)
    return list(zip(a.tolist(), b.tolist(), strict=True))


def _index(lat: np.ndarray, lon: np.ndarray) -> dict[tuple[int, int], int]:
    return {k: i for i, k in enumerate(_keys(lat, lon))}


def digest(edges: pd.DataFrame, params: RoadParams) -> str:
    """What a stored matrix was computed from: the road segments and the road parameters (worked
    out once per frame and parameters)."""
    key = (id(edges), params.model_dump_json())
    hit = _DIGESTS.get(key)
    if hit is not None and hit[0] is edges:
        return hit[1]
    cols = [c for c in EDGE_COLUMNS if c in edges.columns]
    h = hashlib.sha256(pd.util.hash_pandas_object(edges[cols].astype(str), index=False).to_numpy().tobytes())
    h.update(key[1].encode())
    out = h.hexdigest()[:32]
    if len(_DIGESTS) >= 8:
        _DIGESTS.pop(next(iter(_DIGESTS)))
    _DIGESTS[key] = (edges, out)
    return out


def path(data_dir: str | os.PathLike[str], version_id: str) -> Path:
    return Path(data_dir) / FOLDER / f"travel-{version_id}.npz"


def compute(frames: Mapping[str, pd.DataFrame], params: RoadParams | None = None) -> StoredTravel | None:
    """The matrix of a census's located communities and schools (None without roads or schools)."""
    edges = frames.get("roads")
    if edges is None or edges.empty:
        return None
    p = params or RoadParams()
    places = []
    for sheet in ("communities", "schools"):
        f = frames.get(sheet)
        if f is not None and not f.empty and "lat" in f.columns:
            places.append(f.loc[f["lat"].notna() & f["lon"].notna(), ["lat", "lon"]].astype(float))
    if not places:
        return None
    pts = pd.concat(places, ignore_index=True).drop_duplicates().reset_index(drop=True)
    sch = frames.get("schools")
    if sch is None or sch.empty:
        return None
    where = _index(pts["lat"].to_numpy(), pts["lon"].to_numpy())
    located = sch.loc[sch["lat"].notna() & sch["lon"].notna(), ["lat", "lon"]].astype(float).drop_duplicates()
    columns = np.array([where[k] for k in _keys(located["lat"], located["lon"])], dtype=np.int64)
    if not len(columns):
        return None
    t = RoadNetwork(edges, p).travel(pts, pts.iloc[columns].reset_index(drop=True))
    return StoredTravel(
        digest(edges, p),
        pts["lat"].to_numpy(),
        pts["lon"].to_numpy(),
        columns,
        t.km,
        t.minutes["walk"],
        t.minutes["bus"],
        t.origin_snap.leg_km,
        t.origin_snap.far,
    )


def save(
    data_dir: str | os.PathLike[str],
    version_id: str,
    frames: Mapping[str, pd.DataFrame],
    params: RoadParams | None = None,
) -> StoredTravel | None:
    """Compute a version's matrix and write it (atomically); None, and no file, without roads."""
    target = path(data_dir, version_id)
    st = compute(frames, params)
    if st is None:
        target.unlink(missing_ok=True)
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".npz", delete=False) as tmp:
        arrays: dict[str, Any] = {k: np.asarray(v) for k, v in st.__dict__.items()}
        np.savez_compressed(tmp, **arrays)
    os.replace(tmp.name, target)
    return st


def load(data_dir: str | os.PathLike[str], version_id: str) -> StoredTravel | None:
    """A version's stored matrix (read once per process and file), None when there is none."""
    target = path(data_dir, version_id)
    try:
        mtime = target.stat().st_mtime
    except OSError:
        return None
    hit = _LOADED.get(str(target))
    if hit is not None and hit[0] == mtime:
        return hit[1]
    with np.load(target) as z:
        fields: dict[str, Any] = {k: (str(z[k]) if k == "digest" else z[k]) for k in z.files}
    st = StoredTravel(**fields)
    _LOADED[str(target)] = (mtime, st)
    return st


def for_frames(frames: Mapping[str, pd.DataFrame], params: RoadParams) -> StoredTravel | None:
    """The stored matrix of the census these frames were read from, computed and stored first when
    missing or made from other roads or parameters; None when the frames carry no census tag or the
    data dir cannot be written."""
    edges = frames.get("roads")
    tag = edges.attrs.get("census") if edges is not None else None
    if not tag:
        return None
    data_dir, version_id = tag
    want = digest(edges, params)
    st = load(data_dir, version_id)
    if st is not None and st.digest == want:
        return st
    try:
        return save(data_dir, version_id, frames, params)
    except OSError:
        return None

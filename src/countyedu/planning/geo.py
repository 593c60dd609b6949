"""Distances for catchments and siting (第4、5条; PN service radii): haversine matrices, the k nearest
schools, and a user-supplied travel matrix read and checked with located errors.

Distances are great-circle (haversine) kilometres on a sphere of radius 6371.0088 km (the IUGG mean
radius); at county scale the error against the ellipsoid is below 0.5%. A bureau that has road
distances or travel times supplies them as a CSV `community_id, school_id, minutes|km` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from countyedu.census.problems import Problem
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

EARTH_RADIUS_KM = 6371.0088
TRAVEL_SHEET = "travel"


def haversine_km(lat1: object, lon1: object, lat2: object, lon2: object) -> np.ndarray:
    """Great-circle distance in km, broadcasting numpy-style over its arguments."""
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def distance_matrix(origins: pd.DataFrame, destinations: pd.DataFrame) -> np.ndarray:
    """km from every origin row to every destination row (both with lat, lon): shape (n, m)."""
    _require_coordinates(origins, Msg("origins"))
    _require_coordinates(destinations, Msg("destinations"))
    return haversine_km(
        origins["lat"].to_numpy(float)[:, None],
        origins["lon"].to_numpy(float)[:, None],
        destinations["lat"].to_numpy(float)[None, :],
        destinations["lon"].to_numpy(float)[None, :],
    )


def k_nearest(dist: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k smallest entries of each row (nearest first), shape (n, min(k, m))."""
    _n, m = dist.shape
    k = max(1, min(k, m))
    if k == m:
        return np.argsort(dist, axis=1, kind="stable")
    part = np.argpartition(dist, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(dist, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _require_coordinates(frame: pd.DataFrame, what: Msg) -> None:
    missing = [c for c in ("lat", "lon") if c not in frame.columns]
    if missing:
        raise CountyEduError(
            Msg(
                "{what} have no {missing} column: distances need coordinates (or supply a travel matrix)",
                what=what,
                missing=tuple(missing),
            ),
            missing=missing,
        )
    bad = frame[frame["lat"].isna() | frame["lon"].isna()]
    if not bad.empty:
        ids = [str(v) for v in bad.iloc[:, 0].head(10)]
        raise CountyEduError(
            Msg("{bad} of the {what} have no coordinates (e.g. {ids})", bad=len(bad), what=what, ids=tuple(ids)),
            rows=ids,
        )


class PlanningFileError(CountyEduError):
    """A planning input file (travel matrix, candidate sites) with located problems: every one of them,
    row = the line a user sees (header = 1). Subclasses name the file in both languages."""

    what_en = "file"
    what_zh = "文件"

    def __init__(self, problems: list[Problem]) -> None:
        first = problems[0]
        super().__init__(
            f"{self.what_en}: {len(problems)} problem(s); first at row {first.row}, column {first.column}: "
            f"{first.message_en}",
            f"{self.what_zh}有 {len(problems)} 处问题；第一处在第 {first.row} 行 {first.column} 列：{first.message_zh}",
            problems=[p.as_dict() for p in problems],
        )
        self.problems = problems


class TravelMatrixError(PlanningFileError):
    """A travel matrix with located problems."""

    what_en = "travel matrix"
    what_zh = "出行矩阵"


def read_travel(
    source: str | Path | pd.DataFrame,
    communities: Iterable[str] | None = None,
    schools: Iterable[str] | None = None,
) -> pd.DataFrame:
    """A user's travel matrix as `community_id, school_id` plus `minutes` and/or `km` (floats ≥ 0).

    A pair that is not listed is not travelled (the community cannot be sent to that school). Every
    problem is listed with its row (the header is row 1): missing columns, empty or non-numeric or
    negative values, duplicate pairs, ids not among the given communities or schools.
    """
    frame = source.copy() if isinstance(source, pd.DataFrame) else pd.read_csv(source, dtype=str)
    frame.columns = [str(c).strip() for c in frame.columns]
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, value: object, rule: str, detail: str = "") -> None:
        problems.append(Problem("error", TRAVEL_SHEET, row, column, value, rule, detail))

    for col in ("community_id", "school_id"):
        if col not in frame.columns:
            problem(1, col, None, "missing_column", col)
    measures = [c for c in ("minutes", "km") if c in frame.columns]
    if not measures:
        problem(1, "minutes|km", None, "missing_column", "minutes | km")
    if problems:
        raise TravelMatrixError(problems)
    rows = np.arange(len(frame)) + 2  # the line a user sees: header is 1
    out = pd.DataFrame({"community_id": frame["community_id"], "school_id": frame["school_id"]})
    for col in ("community_id", "school_id"):
        values = out[col].astype("string").str.strip()
        for r in rows[values.isna().to_numpy() | (values == "").fillna(True).to_numpy()]:
            problem(int(r), col, None, "required")
        out[col] = values
    for col in measures:
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce")
        for r, v in zip(rows[num.isna().to_numpy()], raw[num.isna()], strict=True):
            problem(int(r), col, v, "required" if pd.isna(v) or str(v).strip() == "" else "type_number")
        for r, v in zip(rows[(num < 0).to_numpy()], num[num < 0], strict=True):
            problem(int(r), col, v, "negative")
        out[col] = num.astype(float)
    dup = out.duplicated(["community_id", "school_id"], keep="first") & out["community_id"].notna()
    for r, c, s in zip(rows[dup.to_numpy()], out["community_id"][dup], out["school_id"][dup], strict=True):
        problem(int(r), "school_id", s, "duplicate_key", f"{c} → {s}")
    for col, known in (("community_id", communities), ("school_id", schools)):
        if known is None:
            continue
        allowed = {str(v) for v in known}
        unknown = ~out[col].isin(allowed) & out[col].notna() & (out[col] != "")
        for r, v in zip(rows[unknown.to_numpy()], out[col][unknown], strict=True):
            problem(int(r), col, v, "reference", f"{col} {v}")
    if problems:
        problems.sort(key=Problem.sort_key)
        raise TravelMatrixError(problems)
    return out.reset_index(drop=True)

"""The candidate-sites file of `census_siting` (CSV or Excel), read with every problem located."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from countyedu.census.problems import Problem
from countyedu.census.schema import FALSE_WORDS, TRUE_WORDS
from countyedu.planning.geo import PlanningFileError

SITES_SHEET = "sites"
SITE_COLUMNS = ("site_id", "name", "lat", "lon", "capacity")
_TRUE, _FALSE = TRUE_WORDS, FALSE_WORDS  # as the exchange format writes booleans


class SitesFileError(PlanningFileError):
    """A candidate-sites file with located problems."""

    what_en = "candidate sites"
    what_zh = "候选校点表"


def read_sites(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Candidate sites from a CSV or Excel file (or a frame): site_id, name, lat, lon, capacity, and
    optionally open_cost (yuan a year, ≥ 0) and boarding (true/false, 是/否).

    Every problem is listed with its row (the header is row 1), column, value and rule: missing columns,
    empty, non-numeric or out-of-range values (latitude 18–54, longitude 73–135.5, capacity ≥ 1,
    open_cost ≥ 0), duplicate site ids. Raises SitesFileError carrying them all.
    """
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, value: object, rule: str, detail: str = "") -> None:
        problems.append(Problem("error", SITES_SHEET, row, column, value, rule, detail))

    if isinstance(source, pd.DataFrame):
        frame = source.copy().astype(object)
    else:
        path = Path(source)
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
                frame = pd.read_excel(path, dtype=object)
            else:
                frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            problem(None, None, None, "empty_file")
            raise SitesFileError(problems) from None
        except (OSError, ValueError) as exc:
            problem(None, None, None, "unreadable", str(exc))
            raise SitesFileError(problems) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in SITE_COLUMNS:
        if col not in frame.columns:
            problem(1, col, None, "missing_column", col)
    if problems:
        raise SitesFileError(problems)
    rows = np.arange(len(frame)) + 2  # the line a user sees: header is 1
    out = pd.DataFrame(index=frame.index)
    for col in ("site_id", "name"):
        values = frame[col].astype("string").str.strip()
        for r in rows[(values.isna() | (values == "")).fillna(True).to_numpy()]:
            problem(int(r), col, None, "required")
        out[col] = values
    limits = {"lat": ("lat_range", 18.0, 54.0), "lon": ("lon_range", 73.0, 135.5)}
    for col in ("lat", "lon", "capacity", "open_cost"):
        if col not in frame.columns:
            continue
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce")
        empty = raw.isna() | (raw.astype(str).str.strip() == "")
        if col != "open_cost":
            for r in rows[empty.to_numpy()]:
                problem(int(r), col, None, "required")
        for r, v in zip(rows[(num.isna() & ~empty).to_numpy()], raw[num.isna() & ~empty], strict=True):
            problem(int(r), col, v, "type_number")
        if col in limits:
            rule, lo, hi = limits[col]
            bad = (num < lo) | (num > hi)
            for r, v in zip(rows[bad.to_numpy()], num[bad], strict=True):
                problem(int(r), col, v, rule)
        elif col == "capacity":
            for r, v in zip(rows[(num < 1).to_numpy()], num[num < 1], strict=True):
                problem(int(r), col, v, "min", "1")
        else:
            for r, v in zip(rows[(num < 0).to_numpy()], num[num < 0], strict=True):
                problem(int(r), col, v, "negative")
        out[col] = num.astype(float)
    if "boarding" in frame.columns:
        flags: list[bool | None] = []
        for r, v in zip(rows, frame["boarding"], strict=True):
            text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip().lower()
            if text in _TRUE or v is True:
                flags.append(True)
            elif text in _FALSE or v is False:
                flags.append(False)
            elif text == "":
                flags.append(None)
            else:
                flags.append(None)
                problem(int(r), "boarding", v, "type_bool")
        out["boarding"] = pd.array(flags, dtype="boolean")
    ids = out["site_id"]
    dup = ids.duplicated(keep="first") & ids.notna() & (ids != "")
    for r, v in zip(rows[dup.to_numpy()], ids[dup], strict=True):
        problem(int(r), "site_id", v, "duplicate_key", f"site_id {v}")
    if problems:
        problems.sort(key=Problem.sort_key)
        raise SitesFileError(problems)
    return out.reset_index(drop=True)

"""Reading the vocational sheets out of a census's frames: a sheet (of a year), the school year a run
is about, the day it ends, and the names tables show for ids."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from countyedu.census.schema import SHEET_BY_NAME


def sheet(frames: Mapping[str, pd.DataFrame], name: str, year: int | None = None) -> pd.DataFrame:
    """The sheet's rows (of `year` when given and the sheet is yearly); an empty frame with the
    sheet's columns when the census has none."""
    df = frames.get(name)
    if df is None or not len(df):
        return pd.DataFrame({c.name: pd.Series([], dtype=object) for c in SHEET_BY_NAME[name].columns})
    if year is not None and "year" in df.columns:
        df = df[pd.to_numeric(df["year"]) == year]
    return df.reset_index(drop=True)


def run_year(frames: Mapping[str, pd.DataFrame], year: int | None) -> int | None:
    """`year`, else the latest school year of the majors sheet (None: the census has no majors)."""
    if year is not None:
        return year
    majors = sheet(frames, "majors")
    return int(pd.to_numeric(majors["year"]).max()) if len(majors) else None


def year_start(year: int) -> date:
    """1 September of a school year."""
    return date(year, 9, 1)


def year_end(year: int) -> date:
    """31 August after a school year (2024 → 2025-08-31): the day the run's figures are as of."""
    return date(year + 1, 8, 31)


def school_names(frames: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    s = sheet(frames, "schools")
    return dict(zip(s["school_id"].astype(str), s["name"].astype(str), strict=True))


def major_names(frames: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """major id → its latest name."""
    m = sheet(frames, "majors")
    if not len(m):
        return {}
    m = m.sort_values("year")
    return dict(zip(m["major_id"].astype(str), m["name"].astype(str), strict=True))


def enterprise_names(frames: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    e = sheet(frames, "enterprises")
    return dict(zip(e["enterprise_id"].astype(str), e["name"].astype(str), strict=True))


def num(s: pd.Series) -> pd.Series:
    """A column as floats (NaN for empty)."""
    return pd.to_numeric(s, errors="coerce").astype(float)

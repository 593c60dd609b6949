"""The quality measures (第29条) of one results sheet, per county, township and school, each year,
exam, grade and subject:

- n: results counted; mean: the mean score; full_marks: the subject's full marks (the largest given);
- pass_rate, excellent_rate, low_rate: the shares of scores at or above pass_share × full marks, at or
  above excellent_share × full marks, and below low_share × full marks (parameters.quality);
- z: the standardised score, the mean of the pupils' z = (score − county mean) / county SD of the
  same year, exam, grade and subject (SD with divisor n; every z is 0 where all scored the same);
  the county's is 0 by construction.

The between-school spread of each year, exam, grade and subject (QB-Q9's 校际差异): the coefficient of
variation of the school means weighted by their pupils, sqrt(Σ nᵢ (mᵢ − m)² / N) / m (m the county
mean, as the national 差异系数 weighs schools by pupils), and the share of the score variance that lies
between schools, Σ nᵢ (mᵢ − m)² / Σ (x − m)².
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from countyedu.quality.params import QualityParams

GROUP = ["year", "exam", "grade", "subject"]
LEVELS = ("county", "township", "school")
MEASURE_COLUMNS = ["n", "mean", "full_marks", "pass_rate", "excellent_rate", "low_rate", "z"]


def standardised(results: pd.DataFrame) -> pd.DataFrame:
    """The results with z = (score − mean) / SD within each year, exam, grade and subject (SD with
    divisor n; 0 where the SD is 0)."""
    r = results.copy()
    g = r.groupby(GROUP, sort=False, observed=True)["score"]
    mu = g.transform("mean")
    sd = g.transform(lambda s: float(np.std(s.to_numpy(dtype=float))))
    r["z"] = np.where(sd > 0, (r["score"] - mu) / sd.where(sd > 0, 1.0), 0.0)
    return r


def with_township(results: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """The results with each school's township_id (None for a school the census lacks)."""
    towns = schools.drop_duplicates("school_id").set_index("school_id")["township_id"]
    out = results.copy()
    out["township_id"] = out["school_id"].map(towns)
    return out


def measures(results: pd.DataFrame, schools: pd.DataFrame, p: QualityParams) -> pd.DataFrame:
    """One row per level (county, township, school), unit id (the county's: ""), year, exam, grade and
    subject with the measures of MEASURE_COLUMNS."""
    if results.empty:
        return pd.DataFrame(columns=["level", "unit", *GROUP, *MEASURE_COLUMNS])
    r = with_township(standardised(results), schools)
    share = r["score"] / r["full_marks"]
    r["pass"] = share >= p.pass_share
    r["excellent"] = share >= p.excellent_share
    r["low"] = share < p.low_share
    r["county"] = ""
    frames = []
    for level, unit in (("county", "county"), ("township", "township_id"), ("school", "school_id")):
        part = r[r[unit].notna()].groupby([*GROUP, unit], sort=True, observed=True)
        agg = part.agg(
            n=("score", "size"),
            mean=("score", "mean"),
            full_marks=("full_marks", "max"),
            pass_rate=("pass", "mean"),
            excellent_rate=("excellent", "mean"),
            low_rate=("low", "mean"),
            z=("z", "mean"),
        ).reset_index()
        agg = agg.rename(columns={unit: "unit"})
        agg.insert(0, "level", level)
        frames.append(agg)
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(int)
    out.loc[out["level"] == "county", "z"] = 0.0
    return out[["level", "unit", *GROUP, *MEASURE_COLUMNS]]


def spread(results: pd.DataFrame, p: QualityParams) -> pd.DataFrame:
    """One row per year, exam, grade and subject: schools, the pupil-weighted coefficient of variation of
    the school means (cv), the between-school share of the variance and whether cv < spread_limit."""
    rows = []
    for key, g in results.groupby(GROUP, sort=True, observed=True):
        x = g["score"].to_numpy(dtype=float)
        m = float(x.mean())
        by_school = g.groupby("school_id", observed=True)["score"].agg(["size", "mean"])
        between = float((by_school["size"] * (by_school["mean"] - m) ** 2).sum())
        total = float(((x - m) ** 2).sum())
        cv = float(np.sqrt(between / len(x)) / m) if m > 0 else 0.0
        rows.append(
            {
                **dict(zip(GROUP, key, strict=True)),
                "schools": len(by_school),
                "cv": cv,
                "between_share": between / total if total > 0 else 0.0,
                "limit": p.spread_limit,
                "met": cv < p.spread_limit,
            }
        )
    return pd.DataFrame(rows, columns=[*GROUP, "schools", "cv", "between_share", "limit", "met"])


def frame_of(frames: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """A census frame, or an empty one."""
    found = frames.get(name)
    return found if found is not None else pd.DataFrame()

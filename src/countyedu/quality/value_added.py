"""Value added (第29条: schools judged on the same baseline): how far a school's pupils finish above or
below what their intake results predict, with its uncertainty.

Method (one cohort pair of parameters.quality.cohorts, e.g. the 七年级 monitoring test → the 中考 two
years later):
1. each pupil's intake and exit score is the mean over the exam's subjects (总分 left out) of their
   standardised scores z (measures.standardised: within year, exam, grade and subject);
2. the pupils with both, matched by person_id (intake in year Y − years, exit in year Y), give the
   county's least-squares line exit = a + b × intake; each pupil's residual is exit − (a + b × intake);
3. a school's value added is the mean residual of its matched pupils (the school they sit the exit
   exam at); its standard error is s / √n, s the residual SD of the county (divisor N − 2), n the
   school's matched pupils; its interval is value added ± q × s / √n, q the normal quantile of the
   confidence (1.96 at 95%): a school of 30 pupils gets an interval about 4.5 times as wide as one of
   600;
4. a school is above expectation when its whole interval is above 0, below when it is below 0, and as
   expected otherwise; it has a rank only as a range: best = 1 + the schools whose interval lies wholly
   above its own, worst = the schools estimated − those whose interval lies wholly below it. Where
   intervals overlap the range is wide and no single rank is given.
A school with fewer than min_pupils matched pupils has no estimate (too few).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from countyedu.quality.measures import standardised
from countyedu.quality.params import Cohort, QualityParams


def pupil_scores(z: pd.DataFrame, exam: str, grade: str, year: int) -> pd.DataFrame:
    """person_id → school_id and the mean z over the subjects of that exam (总分 left out)."""
    rows = z[(z["exam"] == exam) & (z["grade"] == grade) & (z["year"] == year) & (z["subject"] != "total")]
    if rows.empty:
        return pd.DataFrame(columns=["person_id", "school_id", "z"])
    out = rows.groupby("person_id", sort=True).agg(school_id=("school_id", "first"), z=("z", "mean"))
    return out.reset_index()


@dataclass(frozen=True)
class CohortResult:
    """One cohort's value added: the line, the residual SD and one row per exit school."""

    cohort: Cohort
    year: int  # the exit exam's school year
    pupils: int  # matched pupils
    a: float
    b: float
    s: float
    q: float
    schools: pd.DataFrame  # school_id, n, intake, exit, va, se, lo, hi, judgement, best, worst

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.cohort.model_dump(),
            "exit_year": self.year,
            "intake_year": self.year - self.cohort.years,
            "pupils": self.pupils,
            "line": {"a": round(self.a, 6), "b": round(self.b, 6)},
            "residual_sd": round(self.s, 6),
            "quantile": round(self.q, 6),
            "schools": [_row(r) for r in self.schools.to_dict("records")],
        }


def _row(r: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in r.items():
        if isinstance(v, float):
            out[k] = None if np.isnan(v) else round(v, 6)
        elif isinstance(v, np.integer):
            out[k] = int(v)
        else:
            out[k] = None if v is pd.NA else v
    return out


def value_added(results: pd.DataFrame, p: QualityParams, year: int | None = None) -> list[CohortResult]:
    """Every cohort of the parameters whose intake and exit results the sheet holds (exit in `year`
    when given), in the order of the parameters, then by exit year."""
    if results.empty:
        return []
    z = standardised(results)
    q = NormalDist().inv_cdf((1 + p.confidence) / 2)
    out = []
    for c in p.cohorts:
        exits = z[(z["exam"] == c.exit_exam) & (z["grade"] == c.exit_grade)]["year"]
        for y in sorted({int(v) for v in exits}):
            if year is not None and y != year:
                continue
            res = cohort(z, c, y, q, p.min_pupils)
            if res is not None:
                out.append(res)
    return out


def cohort(z: pd.DataFrame, c: Cohort, year: int, q: float, min_pupils: int) -> CohortResult | None:
    """The value added of the cohort leaving in `year` (None: fewer than 3 matched pupils)."""
    intake = pupil_scores(z, c.intake_exam, c.intake_grade, year - c.years)
    exit_ = pupil_scores(z, c.exit_exam, c.exit_grade, year)
    m = exit_.merge(intake[["person_id", "z"]], on="person_id", suffixes=("", "_in"))
    if len(m) < 3:
        return None
    x, y = m["z_in"].to_numpy(dtype=float), m["z"].to_numpy(dtype=float)
    vx = float(((x - x.mean()) ** 2).sum())
    b = float(((x - x.mean()) * (y - y.mean())).sum() / vx) if vx > 0 else 0.0
    a = float(y.mean() - b * x.mean())
    m["r"] = y - (a + b * x)
    s = float(np.sqrt((m["r"] ** 2).sum() / (len(m) - 2)))
    g = m.groupby("school_id", sort=True).agg(
        n=("r", "size"), intake=("z_in", "mean"), exit=("z", "mean"), va=("r", "mean")
    )
    g = g.reset_index()
    g["n"] = g["n"].astype(int)
    enough = g["n"] >= min_pupils
    g["se"] = np.where(enough, s / np.sqrt(g["n"]), np.nan)
    g["va"] = np.where(enough, g["va"], np.nan)
    g["lo"] = g["va"] - q * g["se"]
    g["hi"] = g["va"] + q * g["se"]
    g["judgement"] = np.select([~enough, g["lo"] > 0, g["hi"] < 0], ["too_few", "above", "below"], default="expected")
    best, worst = rank_ranges(g.loc[enough, "lo"].to_numpy(), g.loc[enough, "hi"].to_numpy())
    g["best"] = pd.array([None] * len(g), dtype="Int64")
    g["worst"] = pd.array([None] * len(g), dtype="Int64")
    g.loc[enough, "best"] = best
    g.loc[enough, "worst"] = worst
    g = g.sort_values(["va", "school_id"], ascending=[False, True], na_position="last", kind="mergesort")
    return CohortResult(c, year, len(m), a, b, s, q, g.reset_index(drop=True))


def rank_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[list[int], list[int]]:
    """Each interval's best and worst rank (1 = most value added): best = 1 + the intervals wholly above
    it, worst = all − the intervals wholly below it."""
    n = len(lo)
    best = [1 + int((lo > hi[i]).sum()) for i in range(n)]
    worst = [n - int((hi < lo[i]).sum()) for i in range(n)]
    return best, worst

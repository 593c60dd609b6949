"""T-HS-3: candidates of the county in the province's top 100 of the 高考, per year (第8条).

A candidate's place is the smallest province_rank on their 高考 rows of the year (the sheet puts it on
the total row); the count is met from parameters.quality.top_target (the target says 1–2 a year)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from countyedu.quality.params import QualityParams


def top_candidates(results: pd.DataFrame, p: QualityParams, year: int | None = None) -> list[dict[str, Any]]:
    """One entry per 高考 year of the sheet: year, candidates sitting, the count in the top_n, the
    target, met, and each such candidate (person_id, school_id, rank), best first."""
    if results.empty:
        return []
    g = results[results["exam"] == "gaokao"]
    out = []
    for y in sorted({int(v) for v in g["year"]}):
        if year is not None and y != year:
            continue
        rows = g[g["year"] == y]
        ranked = rows[rows["province_rank"].notna()]
        best = ranked.groupby("person_id", sort=True).agg(
            rank=("province_rank", "min"), school_id=("school_id", "first")
        )
        top = best[best["rank"] <= p.top_n].reset_index().sort_values(["rank", "person_id"], kind="mergesort")
        out.append(
            {
                "year": y,
                "candidates": int(rows["person_id"].nunique()),
                "top_n": p.top_n,
                "count": len(top),
                "target": p.top_target,
                "met": len(top) >= p.top_target,
                "top": [
                    {"person_id": str(r.person_id), "school_id": str(r.school_id), "rank": int(r.rank)}
                    for r in top.itertuples()
                ],
            }
        )
    return out

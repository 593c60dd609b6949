"""T-HS-3: candidates of the county in the province's top 100 of the 高考, per year (第8条).

A candidate's place is the smallest province_rank on their 高考 rows of the year (the sheet puts it on
the total row): indicators.formulas.gaokao_places, the definition the pack's T-HS-3 indicator counts
with too (one implementation; tests/quality/test_t_hs_3.py holds both to the same counts). The count is
met from parameters.quality.top_target (the target says 1–2 a year)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from countyedu.quality.params import QualityParams


def top_candidates(results: pd.DataFrame, p: QualityParams, year: int | None = None) -> list[dict[str, Any]]:
    """One entry per 高考 year of the sheet: year, candidates sitting, the count in the top_n, the
    target, met, and each such candidate (person_id, school_id, rank), best first."""
    if results.empty:
        return []
    places = _places(results)
    out = []
    for y in sorted({int(v) for v in places["year"]}):
        if year is not None and y != year:
            continue
        rows = places[places["year"] == y]
        top = rows[rows["place"].notna()].rename(columns={"place": "rank"})
        top = top[top["rank"] <= p.top_n].sort_values(["rank", "person_id"], kind="mergesort")
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


def _places(results: pd.DataFrame) -> pd.DataFrame:
    """gaokao_places of the sheet's 高考 rows (person_id, year, school_id, place), as a frame."""
    from countyedu.indicators.formulas import gaokao_places
    from countyedu.indicators.lazy_ibis import ibis

    g = results.loc[results["exam"] == "gaokao", ["exam", "person_id", "year", "school_id", "province_rank"]]
    g = g.astype({"exam": str, "person_id": str, "school_id": str, "year": "int64", "province_rank": "float64"})
    con = ibis.duckdb.connect()
    try:
        return con.to_pandas(gaokao_places(ibis.memtable(g)))
    finally:
        con.disconnect()

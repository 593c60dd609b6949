"""School-age demand per community: the one rule every planning step uses (seats, catchments, siting).

Demand of a stage in a community and year = persons of the stage's official ages × the enrolment rate
assumed for the stage. The ages are parameters (`parameters.planning.stage_ages` in the pack); the
defaults are China's official ages: kindergarten 3–5 (T-PRE-5's 学前三年), primary 6–11, junior 12–14,
high school 15–17 (T-HS-1). The rate defaults to the pack's target for the stage (T-PRE-5 90%,
compulsory 100%, T-HS-1 95%) and can be changed per run.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg

STAGE_AGES: dict[str, tuple[int, int]] = {
    "kindergarten": (3, 5),  # T-PRE-5
    "primary": (6, 11),
    "junior": (12, 14),
    "high": (15, 17),  # T-HS-1
}
ENROLMENT_RATES: dict[str, float] = {
    "kindergarten": 0.90,  # T-PRE-5 target 2025
    "primary": 1.0,  # compulsory
    "junior": 1.0,  # compulsory
    "high": 0.95,  # T-HS-1 target 2025 (general + vocational together)
}


def stage_ages(stage: str, ages: Mapping[str, tuple[int, int]] | None = None) -> tuple[int, int]:
    table = {**STAGE_AGES, **(ages or {})}
    if stage not in table:
        raise CountyEduError(
            Msg("no school ages known for stage {stage}; known: {table}", stage=f"{stage!r}", table=tuple(table)),
            stage=stage,
        )
    return table[stage]


def community_demand(
    persons: pd.DataFrame,
    stage: str,
    year: int,
    rate: float | None = None,
    ages: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """Pupils of `stage` expected from each community in `year`.

    `persons` has the population sheet's columns (community_id, year, age, persons) — the observed
    sheet or a projection in the same shape. Returns community_id, demand (float: persons × rate),
    one row per community present in that year (0 where nobody is of school age).
    """
    lo, hi = stage_ages(stage, ages)
    r = ENROLMENT_RATES.get(stage, 1.0) if rate is None else rate
    if persons.empty:
        raise CountyEduError(
            Msg("the population sheet is empty: no school-age children to plan for"),
            sheet="population",
        )
    year_rows = persons[persons["year"] == year]
    if year_rows.empty:
        years = sorted(int(y) for y in persons["year"].unique())
        raise CountyEduError(
            Msg(
                "no population for {year}; the population data cover {first}–{last}",
                year=year,
                first=years[0] if years else "—",
                last=years[-1] if years else "—",
            ),
            year=year,
        )
    in_ages = year_rows[(year_rows["age"] >= lo) & (year_rows["age"] <= hi)]
    total = in_ages.groupby("community_id")["persons"].sum()
    communities = pd.Index(sorted(year_rows["community_id"].unique()), name="community_id")
    demand = total.reindex(communities, fill_value=0).astype(float) * r
    return demand.rename("demand").reset_index()


def supply_year(frames: Mapping[str, pd.DataFrame], year: int) -> int:
    """The census year whose seats serve `year`: the year itself, or the latest census year before a
    projected one. A census without school years has no seats to plan with: say so."""
    sy = frames.get("school_years")
    years = pd.to_numeric(sy["year"], errors="coerce").dropna() if sy is not None else pd.Series(dtype=float)
    if years.empty:
        raise CountyEduError(
            Msg("the school_years sheet is empty: no seats to plan with"),
            sheet="school_years",
        )
    return min(year, int(years.max()))

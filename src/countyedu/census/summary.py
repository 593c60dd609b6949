"""The county at a glance: pupils, classes and schools by stage and year, for one census version."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from countyedu.census.store import CensusStore
from countyedu.census.vocabulary import STAGE_OF_GRADE, labels

STAGE_ZH = labels("education_stage", "zh")  # the stages in their order, with their Chinese names
# 大班额: 56 or more pupils (STANDARDS.md CS; POLICY.md 第4条, T-CMP-2) unless the packs say otherwise:
# callers pass the packs' planning parameter big_class_at_least (one threshold, policy/pack.py checks)
BIG_CLASS = 56


@dataclass(frozen=True)
class StageYear:
    """One stage in one year: schools teaching it, classes, pupils, 大班额 classes (≥ the threshold)."""

    year: int
    stage: str
    schools: int
    classes: int
    pupils: int
    big_classes: int


@dataclass(frozen=True)
class YearTotals:
    """County totals of one year."""

    year: int
    schools_open: int
    full_time_teachers: int
    residents_0_25: int


@dataclass(frozen=True)
class CensusSummary:
    """What `countyedu demo` and `countyedu summary` print."""

    version: str
    stages: list[StageYear]
    years: list[YearTotals]
    big_class_at_least: int = BIG_CLASS

    def as_dict(self) -> dict[str, object]:
        return {
            "census_version": self.version,
            "big_class_at_least": self.big_class_at_least,
            "stages": [asdict(s) for s in self.stages],
            "years": [asdict(y) for y in self.years],
        }


def summarise(store: CensusStore, version: str | None = None, big_class_at_least: int = BIG_CLASS) -> CensusSummary:
    """Summary of a version (default: the latest); 大班额 are classes of `big_class_at_least` or more."""
    v = store.resolve(version)
    classes = store.view_sql("classes", v.version_id)
    schools = store.view_sql("schools", v.version_id)
    teachers = store.view_sql("teachers", v.version_id)
    population = store.view_sql("population", v.version_id)
    case = " ".join(f"WHEN '{k}' THEN '{s}'" for k, s in STAGE_OF_GRADE.items())
    with store.connect() as con:
        stage_rows = con.execute(f"""
            SELECT year, CASE left(grade, 1) {case} END AS stage, count(DISTINCT school_id), count(*),
                   sum(pupils), count(*) FILTER (WHERE pupils >= {int(big_class_at_least)})
            FROM ({classes}) GROUP BY ALL ORDER BY year, stage""").fetchall()
        year_rows = con.execute(f"""
            WITH y AS (SELECT DISTINCT year FROM ({classes}))
            SELECT y.year,
              (SELECT count(*) FROM ({schools}) s WHERE (s.opened_year IS NULL OR s.opened_year <= y.year)
                 AND (s.closed_year IS NULL OR y.year < s.closed_year)),
              (SELECT count(*) FROM ({teachers}) t WHERE t.year = y.year AND t.full_time),
              (SELECT coalesce(sum(persons), 0) FROM ({population}) p WHERE p.year = y.year)
            FROM y ORDER BY y.year""").fetchall()
    order = list(STAGE_OF_GRADE.values())
    stages = sorted(
        (StageYear(int(r[0]), r[1], r[2], r[3], int(r[4] or 0), r[5]) for r in stage_rows),
        key=lambda s: (s.year, order.index(s.stage)),
    )
    years = [YearTotals(int(r[0]), r[1], r[2], int(r[3])) for r in year_rows]
    return CensusSummary(v.version_id, stages, years, int(big_class_at_least))

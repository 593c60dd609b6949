"""QB-R1…R7 per school part and their pupil-weighted CVs as ONE hand-written DuckDB query over the
store: what the database alone takes for the work the engine and the pandas peer (qb_pandas) do — the
floor of the engine's time on it (issue 12: "the indicator engine at the speed of its database").

The same definitions as qb_pandas (which says them): school parts by grade, floor area and equipment
shared by pupils weighted primary 1 : junior 1.1, full-time teachers shared by pupils, teaching points
under 50 pupils left out; township and county values Σ numerator / Σ pupils. A part's teachers all
carry its pupil share, so a sum of shares over a part's teachers is a count × the share (the engine's
formulas.teacher_family_bases does the same): the teachers are counted once per school and year.
Written apart from the engine (no countyedu code but the store's view of a version).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from countyedu.census.store import CensusStore, open_duckdb

SQL = """
WITH parts0 AS (
  SELECT school_id, year, CASE left(grade, 1) WHEN 'K' THEN 'kindergarten' WHEN 'P' THEN 'primary'
         WHEN 'J' THEN 'junior' WHEN 'H' THEN 'high' WHEN 'V' THEN 'vocational' END AS part,
         sum(pupils) AS pupils
  FROM ({classes}) GROUP BY ALL
), parts1 AS (
  SELECT *, pupils * CASE part WHEN 'primary' THEN 1.0 WHEN 'kindergarten' THEN 1.0 ELSE 1.1 END AS wp
  FROM parts0
), school_parts AS (
  SELECT p.school_id, p.year, p.part, p.pupils, s.township_id,
         p.pupils / sum(p.pupils) OVER w AS pupil_share, p.wp / sum(p.wp) OVER w AS phys_share,
         sum(p.pupils) OVER w AS school_pupils, s.stage
  FROM parts1 p JOIN ({schools}) s USING (school_id)
  WINDOW w AS (PARTITION BY p.school_id, p.year)
), kept AS (
  SELECT * FROM school_parts
  WHERE part IN ('primary', 'junior') AND NOT (stage = 'teaching_point' AND school_pupils < 50)
), counts AS (
  SELECT school_id, year,
         count(*) FILTER (WHERE education IN ('associate', 'bachelor', 'master', 'doctorate')) AS assoc,
         count(*) FILTER (WHERE education IN ('bachelor', 'master', 'doctorate')) AS bach,
         count(*) FILTER (WHERE backbone IN ('county', 'city', 'province', 'national')) AS backbone,
         count(*) FILTER (WHERE subject IN ('pe', 'music', 'fine_art')) AS arts
  FROM ({teachers}) WHERE full_time GROUP BY ALL
), nums AS (
  SELECT k.school_id, k.township_id, k.year, k.part, k.pupils,
         coalesce(CASE k.part WHEN 'primary' THEN c.assoc ELSE c.bach END, 0) * k.pupil_share AS "QB-R1",
         coalesce(c.backbone, 0) * k.pupil_share AS "QB-R2",
         coalesce(c.arts, 0) * k.pupil_share AS "QB-R3",
         y.teaching_area_m2 * k.phys_share AS "QB-R4",
         y.sports_area_m2 * k.phys_share AS "QB-R5",
         y.equipment_value * k.phys_share AS "QB-R6",
         y.multimedia_classrooms * k.phys_share AS "QB-R7"
  FROM kept k LEFT JOIN counts c USING (school_id, year)
  LEFT JOIN ({school_years}) y USING (school_id, year)
), scaled AS (
  SELECT school_id, township_id, year, part, pupils,
         100 * "QB-R1" AS n1, 100 * "QB-R2" AS n2, 100 * "QB-R3" AS n3, "QB-R4" AS n4, "QB-R5" AS n5,
         "QB-R6" AS n6, 100 * "QB-R7" AS n7
  FROM nums
)
SELECT CASE WHEN GROUPING(school_id) = 0 THEN 'school' WHEN GROUPING(township_id) = 0 THEN 'township'
            ELSE 'county' END AS level,
       school_id, township_id, year, part, sum(pupils) AS pupils,
       sum(n1) / sum(pupils) AS "QB-R1", sum(n2) / sum(pupils) AS "QB-R2", sum(n3) / sum(pupils) AS "QB-R3",
       sum(n4) / sum(pupils) AS "QB-R4", sum(n5) / sum(pupils) AS "QB-R5", sum(n6) / sum(pupils) AS "QB-R6",
       sum(n7) / sum(pupils) AS "QB-R7"
FROM scaled
GROUP BY GROUPING SETS ((school_id, township_id, year, part), (township_id, year, part), (year, part))
"""

CV = """
WITH v AS (SELECT * FROM values_ WHERE level = 'school'),
long AS (UNPIVOT v ON "QB-R1", "QB-R2", "QB-R3", "QB-R4", "QB-R5", "QB-R6", "QB-R7"
         INTO NAME indicator VALUE x),
m AS (SELECT year, part, indicator, sum(pupils * x) / sum(pupils) AS mean FROM long GROUP BY ALL)
SELECT l.year, l.part, l.indicator,
       sqrt(sum(l.pupils * (l.x - m.mean) ^ 2) / sum(l.pupils)) / m.mean AS cv
FROM long l JOIN m USING (year, part, indicator) GROUP BY l.year, l.part, l.indicator, m.mean
"""


def qb_resources(data_dir: Path, version: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values per level — school part, township, county — and year for R1…R7, CV per indicator, part
    and year), computed in DuckDB from the store's version (the latest by default)."""
    store = CensusStore(data_dir)
    v = store.resolve(version).version_id
    con = open_duckdb(store.path, read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")
        sql = SQL.format(**{s: store.view_sql(s, v) for s in ("classes", "schools", "school_years", "teachers")})
        values_ = con.sql(sql).to_arrow_table()
        cvs = con.sql(CV).to_arrow_table()
        return values_.to_pandas(), cvs.to_pandas()
    finally:
        con.close()


def differs(values: pd.DataFrame, cvs: pd.DataFrame, peer: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> str:
    """How this query's values and CVs stand beside qb_pandas' (its three frames): rows on one side
    only, and the largest relative difference of the values on both."""
    import numpy as np

    out, levels, peer_cvs = peer
    cols = [f"QB-R{i}" for i in range(1, 8)]
    pairs = [
        (values[values["level"] == "school"], out, ["school_id", "year", "part"]),
        (values[values["level"] == "township"], levels[levels["level"] == "township"], ["township_id", "year", "part"]),
        (values[values["level"] == "county"], levels[levels["level"] == "county"], ["year", "part"]),
    ]
    alone = 0
    worst = 0.0
    for mine, theirs, key in pairs:
        m = mine.merge(theirs, on=key, suffixes=("_s", "_p"))
        alone += len(mine) + len(theirs) - 2 * len(m)
        for c in cols:
            a, b = m[f"{c}_s"].to_numpy(float), m[f"{c}_p"].to_numpy(float)
            alone += int((np.isnan(a) != np.isnan(b)).sum())
            ok = ~np.isnan(a) & ~np.isnan(b) & (b != 0)
            if ok.any():
                worst = max(worst, float(np.max(np.abs(a[ok] - b[ok]) / np.abs(b[ok]))))
    m = cvs.merge(peer_cvs, on=["year", "part", "indicator"], suffixes=("_s", "_p"))
    alone += len(cvs) + len(peer_cvs) - 2 * len(m)
    worst = max(worst, float(np.nanmax(np.abs(m["cv_s"] - m["cv_p"]) / np.abs(m["cv_p"]))))
    return f"{alone} on one side only, values within {worst:.1e} relative"

"""A province-size synthetic census as Parquet (benchmark input, never committed).

20,000 schools; per year 250,000 classes and 700,000 teachers; 7 years (2019–2025); written as
the exchange format's folder of .parquet files. Vectorised numpy: a few seconds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

YEARS = range(2019, 2026)
N_TOWNSHIPS = 1_500
N_SCHOOLS = 20_000
CLASSES_PER_YEAR = 250_000
TEACHERS_PER_YEAR = 700_000

STAGES = np.array(["primary", "junior", "nine_year", "high", "kindergarten", "teaching_point"])
STAGE_P = np.array([0.40, 0.15, 0.10, 0.03, 0.22, 0.10])
GRADES = {
    "primary": ["P1", "P2", "P3", "P4", "P5", "P6"],
    "junior": ["J1", "J2", "J3"],
    "nine_year": ["P1", "P2", "P3", "P4", "P5", "P6", "J1", "J2", "J3"],
    "high": ["H1", "H2", "H3"],
    "kindergarten": ["K1", "K2", "K3"],
    "teaching_point": ["P1", "P2", "P3"],
}


def generate(
    out: Path,
    seed: int = 7,
    *,
    n_townships: int = N_TOWNSHIPS,
    n_schools: int = N_SCHOOLS,
    classes_per_year: int = CLASSES_PER_YEAR,
    teachers_per_year: int = TEACHERS_PER_YEAR,
    year_range: range = YEARS,
) -> dict[str, int]:
    """Write the Parquet folder; return row counts per sheet. Smaller sizes give a small generated
    county (tests/test_result_identity.py)."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    tids = np.array([f"T{i:05d}" for i in range(n_townships)])
    pd.DataFrame(
        {
            "township_id": tids,
            "name": [f"乡镇{i}" for i in range(n_townships)],
            "kind": "town",
            "urban_core": np.arange(n_townships) < 100,
        }
    ).to_parquet(out / "townships.parquet", index=False)

    sids = np.array([f"S{i:06d}" for i in range(n_schools)])
    stage = rng.choice(STAGES, n_schools, p=STAGE_P)
    schools = pd.DataFrame(
        {
            "school_id": sids,
            "name": [f"学校{i}" for i in range(n_schools)],
            "stage": stage,
            "ownership": np.where(rng.random(n_schools) < 0.9, "public", "private"),
            "inclusive": True,
            "community_supporting": False,
            "township_id": tids[rng.integers(0, n_townships, n_schools)],
            "urban": rng.random(n_schools) < 0.3,
            "boarding": rng.random(n_schools) < 0.2,
            "central": False,
            "lat": rng.uniform(24.5, 30.0, n_schools),
            "lon": rng.uniform(113.5, 118.5, n_schools),
            "opened_year": 1980,
        }
    )
    schools.to_parquet(out / "schools.parquet", index=False)

    years = np.array(list(year_range))
    sy = pd.DataFrame({"school_id": np.repeat(sids, len(years)), "year": np.tile(years, n_schools)})
    n = len(sy)
    sy = sy.assign(
        seats=rng.integers(100, 2000, n),
        teaching_area_m2=rng.uniform(500, 9000, n),
        sports_area_m2=rng.uniform(1000, 20000, n),
        equipment_value=rng.uniform(1e5, 5e6, n),
        multimedia_classrooms=rng.integers(1, 60, n),
        boarders=0,
        disabled_pupils=rng.integers(0, 5, n),
        dropouts=0,
        public_funding=rng.uniform(1e5, 2e6, n),
    )
    sy.to_parquet(out / "school_years.parquet", index=False)

    # classes: pick a school, then a grade that fits its stage
    parts = []
    for y in year_range:
        school_ix = rng.integers(0, n_schools, classes_per_year)
        st = stage[school_ix]
        grade = np.empty(classes_per_year, dtype=object)
        for s, gs in GRADES.items():
            m = st == s
            grade[m] = np.array(gs)[rng.integers(0, len(gs), m.sum())]
        df = pd.DataFrame({"school_id": sids[school_ix], "year": y, "grade": grade})
        df["class_no"] = df.groupby(["school_id", "grade"]).cumcount() + 1
        df["pupils"] = rng.integers(15, 56, classes_per_year)
        parts.append(df)
    classes = pd.concat(parts, ignore_index=True)
    classes.to_parquet(out / "classes.parquet", index=False)

    parts = []
    turnover = teachers_per_year * 4 // 70  # new teacher ids each year (40,000 of 700,000)
    ids = np.array([f"P{i:08d}" for i in range(teachers_per_year + turnover * len(year_range))])
    edu = np.array(["associate", "bachelor", "master", "below_associate"])
    subj = np.array(["chinese", "math", "english", "pe", "music", "fine_art", "science", "other"])
    for k, y in enumerate(year_range):
        m = teachers_per_year
        tid = ids[k * turnover : k * turnover + m]
        parts.append(
            pd.DataFrame(
                {
                    "teacher_id": tid,
                    "school_id": sids[rng.integers(0, n_schools, m)],
                    "year": y,
                    "birth_year": rng.integers(1965, 2001, m),
                    "gender": np.where(rng.random(m) < 0.7, "female", "male"),
                    "education": edu[rng.choice(4, m, p=[0.3, 0.6, 0.08, 0.02])],
                    "normal_major": rng.random(m) < 0.7,
                    "certified": rng.random(m) < 0.98,
                    "subject": subj[rng.integers(0, len(subj), m)],
                    "title": "一级教师",
                    "backbone": np.where(rng.random(m) < 0.1, "county", "none"),
                    "dual_qualified": False,
                    "years_at_school": rng.integers(0, 30, m),
                    "training_hours_5y": rng.uniform(200, 500, m),
                    "full_time": rng.random(m) < 0.97,
                    "annual_salary": rng.uniform(6e4, 1.2e5, m),
                }
            )
        )
    teachers = pd.concat(parts, ignore_index=True)
    teachers.to_parquet(out / "teachers.parquet", index=False)
    return {
        "townships": n_townships,
        "schools": n_schools,
        "school_years": len(sy),
        "classes": len(classes),
        "teachers": len(teachers),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    print(generate(ap.parse_args().out))

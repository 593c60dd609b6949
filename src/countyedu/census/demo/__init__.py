"""The demo county: a synthetic census of 南丰县 (Nanfeng County, 抚州市, 江西省), school years 2019–2025.

SYNTHETIC DATA. Only the public facts of NANFENG.md are real: the 12 townships and their kinds,
琴城镇's 11 urban communities and 14 villages, the population totals (271,900 in 2020, 266,500 at
the end of 2023, 琴城镇 about 90,000), and the schools and projects the policy names (第4条).
Every other name, count and value — village names, pupils, classes, teachers, money, scores,
tasks — is invented here to look plausible, and every frame carries ``attrs["synthetic"]`` saying
so. Numbers taken from the policy cite their clause (POLICY.md) or standard (STANDARDS.md).

``generate(seed)`` returns one DataFrame per sheet of the exchange format (census.schema.SHEETS),
columns in schema order, values as codes. It is deterministic for a seed: one
``numpy.random.default_rng(seed)`` drawn in a fixed order, no clock, no hashing of strings.

How the county is made:
- communities get residents (2023) and a single-year age profile 0–25 for 2019 that is aged one
  year at a time (age a+1 in year y+1 = age a in year y × a small migration factor; births fall
  after 2017 as in China), so Hamilton–Perry style projections make sense on it;
- each year the children of each township, by grade age, are enrolled at the rates below and
  shared among the township's schools by fixed weights (a share of rural children goes to the
  county seat); classes are cut from the grade totals, and the 大班额 of 2019–2021 are injected;
- teachers are simulated year by year: retirement at 60, in-service degrees, exchange rotation,
  redeployment of surplus posts, new hires filling the posts the pupil–teacher norms call for;
- school facilities, funding, admission programmes and candidates follow from pupils.

One module per part of the county: county (years, grades, townships, the random draws they share),
geography (townships, communities), population, schools, pupils (and classes), teachers, projects,
school_years (seats, facilities, boarders, funding), admissions (programmes, candidates), finance,
after_school, rotation exemptions, tasks, inspectors, exam results, the registers of private schools and housing
projects, vocational (majors, enterprises, order classes, internships, learning outcomes), the
special-education school (special, its own generator) and the road network (roads, its own generator);
generate() here calls them in the order they draw from the generator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from countyedu.census.demo.admissions import (
    ADMISSIONS_SEED_OFFSET,
    _admission_columns,
    _candidate_rows,
    _programme_rows,
)
from countyedu.census.demo.after_school import AFTER_SCHOOL_SEED_OFFSET, _after_school_rows
from countyedu.census.demo.county import N_CHOICES
from countyedu.census.demo.exemptions import EXEMPTIONS_SEED_OFFSET, _exemption_rows
from countyedu.census.demo.finance import _finance_rows
from countyedu.census.demo.geography import _build_communities, _township_rows
from countyedu.census.demo.inspectors import _inspector_rows
from countyedu.census.demo.population import _population_frame, _project_population
from countyedu.census.demo.projects import _project_rows
from countyedu.census.demo.pupils import _allocate_pupils, _build_classes
from countyedu.census.demo.registers import _housing_rows, _private_rows
from countyedu.census.demo.results import RESULTS_SEED_OFFSET, _result_rows
from countyedu.census.demo.roads import _road_rows
from countyedu.census.demo.school_years import _school_year_rows
from countyedu.census.demo.schools import _build_schools
from countyedu.census.demo.special import special_school_rows
from countyedu.census.demo.tasks import _task_rows
from countyedu.census.demo.teachers import _simulate_teachers
from countyedu.census.demo.vocational import VOCATIONAL_SEED_OFFSET, vocational_rows
from countyedu.census.schema import SHEET_BY_NAME, SHEETS

SYNTHETIC_LABEL = (
    "演示数据：除 NANFENG.md 所列公开事实外，全部为虚构的南丰县数据 / "
    "synthetic demo data: apart from the public facts of NANFENG.md, everything is invented"
)


def generate(seed: int = 2019) -> dict[str, pd.DataFrame]:
    """The synthetic demo census of 南丰县: one frame per sheet of census.schema.SHEETS, as codes."""
    rng = np.random.default_rng(seed)
    communities = _build_communities(rng)
    persons = _project_population(rng, communities)
    schools = _build_schools(rng, communities)
    pupils = _allocate_pupils(rng, schools, communities, persons)
    classes = _build_classes(rng, schools, pupils)
    teachers = _simulate_teachers(rng, schools, classes)
    school_years = _school_year_rows(rng, schools, classes)
    programmes = _programme_rows(schools, classes)
    candidates = _candidate_rows(rng, schools, classes, programmes)
    _admission_columns(np.random.default_rng(seed + ADMISSIONS_SEED_OFFSET), candidates, schools)
    public = {s.school_id for s in schools if s.ownership == "public"}
    finance = _finance_rows(rng, teachers, school_years, communities, public)
    after_school = _after_school_rows(np.random.default_rng(seed + AFTER_SCHOOL_SEED_OFFSET), schools, classes)
    rows: dict[str, Any] = {
        "townships": _township_rows(),
        "communities": [c.row() for c in communities],
        "population": [],  # built column-wise below
        "schools": [s.row() for s in schools],
        "school_years": school_years,
        "classes": [
            {"school_id": sid, "year": y, "grade": g, "class_no": i + 1, "pupils": n}
            for (sid, y, g), sizes in classes.items()
            for i, n in enumerate(sizes)
        ],
        "teachers": teachers,
        "catchments": [],  # no adopted catchment plan yet: QB-G13 says so (countyedu plan catchments solves one)
        "rotation_exemptions": _exemption_rows(np.random.default_rng(seed + EXEMPTIONS_SEED_OFFSET), teachers),
        "finance": finance,
        "after_school": after_school,
        "projects": _project_rows(schools),
        "candidates": candidates,
        "programmes": programmes,
        "tasks": _task_rows(),
        "inspectors": _inspector_rows(schools),
        "results": _result_rows(np.random.default_rng(seed + RESULTS_SEED_OFFSET), schools, classes),
        "private_schools": _private_rows(schools, teachers),
        "housing_projects": _housing_rows(
            schools,
            {
                c.name.removesuffix("社区").removesuffix("村"): c.community_id
                for c in communities
                if c.township_id == "NF01"
            },
        ),
    }
    rows |= vocational_rows(np.random.default_rng(seed + VOCATIONAL_SEED_OFFSET), schools, classes)
    for name, extra_rows in special_school_rows(seed).items():  # drawn last: the rest stays as it was
        rows[name] = [*rows[name], *extra_rows]
    rows["roads"] = _road_rows(seed, rows["communities"], rows["schools"])  # its own generator: drawn last
    frames: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        if sheet.name == "population":
            frame = _population_frame(communities, persons)
        else:
            extra = [f"choice_{i}" for i in range(1, N_CHOICES + 1)] if sheet.name == "candidates" else []
            frame = _frame(sheet.name, rows[sheet.name], extra)
        frame.attrs["synthetic"] = SYNTHETIC_LABEL
        frames[sheet.name] = frame
    return frames


def _frame(
    name: str, rows: list[dict[str, Any]] | dict[str, list[Any]], extra: list[str] | None = None
) -> pd.DataFrame:
    """Rows (or columns) in the schema's column order and dtypes: int64 (Int64 if nullable), float64,
    bool, object (ids, codes, text; missing = None)."""
    sheet = SHEET_BY_NAME[name]
    columns = [c.name for c in sheet.columns] + list(extra or [])
    frame = pd.DataFrame(rows, columns=columns)
    for c in sheet.columns:
        s = frame[c.name]
        if c.kind in ("int", "year"):
            frame[c.name] = s.astype("Int64") if c.nullable else s.astype("int64")
        elif c.kind == "float":
            frame[c.name] = s.astype("float64")
        elif c.kind == "bool":
            frame[c.name] = s.astype(bool)
        else:
            frame[c.name] = s.astype(object).where(s.notna(), None)
    for name_ in extra or []:
        frame[name_] = frame[name_].astype(object).where(frame[name_].notna(), None)
    return frame


__all__ = ["SYNTHETIC_LABEL", "generate"]

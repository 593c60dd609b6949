"""The demo county's special-education school (特殊教育学校): 南丰县特殊教育学校 in 琴城镇.

SYNTHETIC: NANFENG.md names no special-education school; like the other invented schools, its
name, pupils, teachers and money are made up here. It is drawn from its own random generator
(seed + SPECIAL_SEED_OFFSET) after everything else, so the rest of the county is the same as before
it was added. Its classes use the grades the school declares (S1–S9: nine years of compulsory
schooling, one class each); every pupil is disabled (school_years.disabled_pupils), and its public
funds are the FD rate, 6000 yuan per pupil and year (funding.perpupil, QB-G7).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from countyedu.census.demo.county import YEARS

SPECIAL_SEED_OFFSET = 4242
SCHOOL_ID = "S901"
NAME = "南丰县特殊教育学校"
GRADES = tuple(f"S{i}" for i in range(1, 10))
RATE = 6000.0  # STANDARDS FD: special-education pupils 6000 yuan a year


def special_school_rows(seed: int) -> dict[str, list[dict[str, Any]]]:
    """Rows of the school, its classes, school years and teachers, by sheet."""
    rng = np.random.default_rng(seed + SPECIAL_SEED_OFFSET)
    school = {
        "school_id": SCHOOL_ID,
        "name": NAME,
        "stage": "special_education",
        "ownership": "public",
        "inclusive": True,
        "community_supporting": False,
        "township_id": "NF01",
        "community_id": "NF01U05",
        "urban": True,
        "boarding": True,
        "central": False,
        "lat": 27.21512,
        "lon": 116.52871,
        "opened_year": 2012,
        "closed_year": None,
        "partner_school_id": None,
        "group_id": None,
    }
    classes, school_years, teachers = [], [], []
    staff = [
        {
            "teacher_id": f"T9{i + 1:04d}",  # beyond the other teachers T00001…
            "birth_year": int(rng.integers(1968, 1998)),
            "gender": "female" if rng.random() < 0.7 else "male",
            "education": "bachelor" if rng.random() < 0.75 else "associate",
            "years": int(rng.integers(1, 12)),
        }
        for i in range(22)
    ]
    for k, y in enumerate(YEARS):
        sizes = rng.integers(6, 12, size=len(GRADES))
        pupils = int(sizes.sum())
        for g, n in zip(GRADES, sizes, strict=True):
            classes.append({"school_id": SCHOOL_ID, "year": y, "grade": g, "class_no": 1, "pupils": int(n)})
        school_years.append(
            {
                "school_id": SCHOOL_ID,
                "year": y,
                "seats": 120,
                "teaching_area_m2": 2400.0,
                "sports_area_m2": 1800.0,
                "equipment_value": float(1_200_000 + 60_000 * k),
                "multimedia_classrooms": 9,
                "boarders": int(pupils * 0.4),
                "disabled_pupils": pupils,
                "dropouts": 0,
                "public_funding": RATE * pupils,
            }
        )
        for t in staff:
            teachers.append(
                {
                    "teacher_id": t["teacher_id"],
                    "school_id": SCHOOL_ID,
                    "year": y,
                    "birth_year": t["birth_year"],
                    "gender": t["gender"],
                    "education": t["education"],
                    "normal_major": True,
                    "certified": True,
                    "subject": "other",
                    "title": "first",
                    "backbone": "none",
                    "dual_qualified": False,
                    "years_at_school": int(t["years"]) + k,
                    "training_hours_5y": float(round(rng.uniform(360, 420), 1)),
                    "full_time": True,
                    "annual_salary": float(round(rng.uniform(76000, 88000), -1)),
                }
            )
    return {"schools": [school], "classes": classes, "school_years": school_years, "teachers": teachers}

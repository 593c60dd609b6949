"""A hand-made county for the staffing and allocation tests, as census frames (no store): seven schools
whose norms, surplus and shortages were worked out by hand (see the tests)."""

from __future__ import annotations

from typing import Any

import pandas as pd

YEAR = 2024

# school_id, name, stage, township, urban, boarding, central, lat, lon
SCHOOLS = [
    ("U", "城关小学", "primary", "T1", True, False, False, 27.20, 116.50),
    ("V", "水北村小", "primary", "T1", False, False, False, 27.25, 116.50),  # ~5.6 km from U
    ("C", "太源中心小学", "primary", "T2", False, True, True, 27.00, 116.60),  # ~24 km from U
    ("TP", "太源教学点", "teaching_point", "T2", False, False, False, 27.01, 116.61),
    ("J", "城关中学", "junior", "T1", True, False, False, 27.21, 116.51),
    ("H", "南丰一中", "high", "T1", True, False, False, 27.22, 116.52),
    ("KG", "城关幼儿园", "kindergarten", "T1", True, False, False, 27.20, 116.51),
]

# school → (grades, classes per grade, pupils per class)
CLASSES = {
    "U": (("P1", "P2", "P3", "P4", "P5", "P6"), 1, 38),  # 228 pupils / 19 = 12
    "V": (("P1", "P2", "P3", "P4", "P5", "P6"), 1, 15),  # 90 / 19 = 4.74 < floor 6 + 3 = 9
    "C": (("P1", "P2", "P3", "P4", "P5", "P6"), 2, 38),  # 456 / 19 = 24, + 100 boarders / 100 = 25
    "TP": (("P1", "P2"), 1, 10),  # 20 / 19 = 1.05 < floor 2 + 3 × 0.5 = 3.5 → 4
    "J": (("J1", "J2", "J3"), 2, 45),  # 270 / 13.5 = 20
    "H": (("H1", "H2", "H3"), 2, 50),  # 300 / 12.5 = 24
    "KG": (("K1", "K2", "K3"), 1, 30),  # 3 classes × 2 = 6 (+ 3 caregivers)
}

# school → {subject: full-time teachers}; part-time teachers below
STAFF = {
    "U": {"chinese": 6, "math": 4, "english": 1, "pe": 1, "music": 1},  # 13 + 2 part-time = 14: 2 over 12
    "V": {"chinese": 4, "math": 3},  # 7: 2 short of 9; no PE, music or art
    "C": {"chinese": 9, "math": 6, "english": 2, "science": 2, "pe": 2, "music": 1, "fine_art": 1, "moral": 2},  # 25
    "TP": {"chinese": 2, "math": 1},  # 3: 1 short of 4
    "J": {"chinese": 4, "math": 4, "english": 4, "physics": 2, "chemistry": 1, "biology": 1, "history": 1},
    "H": {"chinese": 4, "math": 4, "english": 4, "physics": 3, "chemistry": 2, "biology": 2, "politics": 2},
    "KG": {"preschool": 6},
}
PART_TIME = {"U": ["math", "math"]}  # two part-time maths teachers: 0.5 each
# J: 17 (3 short of 20); H: 21 (3 short of 24)


def frames(quota: float | None = 100.0) -> dict[str, pd.DataFrame]:
    """The county as census frames; `quota` the 编制 the county holds (finance item), None: none."""
    schools = pd.DataFrame(
        [
            {
                "school_id": sid,
                "name": name,
                "stage": stage,
                "ownership": "public",
                "township_id": tw,
                "urban": urban,
                "boarding": boarding,
                "central": central,
                "lat": lat,
                "lon": lon,
            }
            for sid, name, stage, tw, urban, boarding, central, lat, lon in SCHOOLS
        ]
    )
    classes = pd.DataFrame(
        [
            {"school_id": sid, "year": YEAR, "grade": g, "class_no": n + 1, "pupils": pupils}
            for sid, (grades, per, pupils) in CLASSES.items()
            for g in grades
            for n in range(per)
        ]
    )
    rows: list[dict[str, Any]] = []
    count = 0
    for sid, by_subject in STAFF.items():
        for subject, n in by_subject.items():
            for _ in range(n):
                count += 1
                rows.append(_teacher(count, sid, subject, True))
    for sid, subjects in PART_TIME.items():
        for subject in subjects:
            count += 1
            rows.append(_teacher(count, sid, subject, False))
    school_years = pd.DataFrame(
        [{"school_id": sid, "year": YEAR, "boarders": 100 if sid == "C" else 0} for sid, *_ in SCHOOLS]
    )
    finance = pd.DataFrame(
        [{"year": YEAR, "item": "teacher_staffing_quota", "amount": quota}] if quota is not None else [],
        columns=["year", "item", "amount"],
    )
    return {
        "schools": schools,
        "classes": classes,
        "teachers": pd.DataFrame(rows),
        "school_years": school_years,
        "finance": finance,
    }


def _teacher(n: int, sid: str, subject: str, full_time: bool) -> dict[str, Any]:
    return {
        "teacher_id": f"{sid}-{n:03d}",
        "school_id": sid,
        "year": YEAR,
        "birth_year": 1980 + n % 15,
        "gender": "female" if n % 3 else "male",
        "education": "bachelor",
        "normal_major": True,
        "certified": True,
        "subject": subject,
        "title": "first",
        "backbone": "none",
        "backbone_year": None,
        "dual_qualified": False,
        "years_at_school": n % 12,
        "training_hours_5y": 300.0 + (n % 5) * 30,
        "full_time": full_time,
        "annual_salary": 80000.0,
    }

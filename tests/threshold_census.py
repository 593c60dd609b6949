"""A county built to sit exactly on its thresholds (issue 12, item 3): every value below is its
target, worked out by hand, so that a status decided on float sums would flip with the order a
database adds them. Two school years (2023, 2024) with the same data, so 2024 also has a trend
(through two equal points: the target itself, up to the last bit).

Schools (township T1 琴城镇 urban core, T2 太源乡):
- N1 nine-year (T1): 200 primary + 100 junior pupils; 15 full-time teachers shared 2/3 : 1/3 by
  pupils (floats no sum carries exactly); 3 masters, 3 county backbone.
- J2 junior (T1): 1000 pupils in 20 classes of 50; 55 full-time teachers (53 bachelor+, 2 associate),
  11 masters, 10 backbone, 9 PE/arts; 24 multimedia rooms, 5800 m² teaching, 10200 m² sports,
  2,500,000 yuan equipment.
- P3 primary (T2): 1000 pupils in 24 classes of 41–42; 50 full-time teachers (42 associate+,
  8 below), 5 masters, 10 backbone, 9 PE/arts; 23 rooms, 4500 m², 7500 m², 2,000,000 yuan.
- K1 public kindergarten (T1): 17 classes of 24 (K1) + 3 of 29 (over K1's 25) = 495 children,
  33 full-time associate teachers, 1980 m² sports area. K2 private kindergarten (T2): 15 classes
  of 33 (K3) = 495 children, 33 teachers.
- V1 vocational (T1): 160 pupils; 10 full-time teachers: 6 specialised-course (专业课), 3 of them
  dual-qualified (双师型), and 4 of Chinese.
- Every teacher certified, 360 training hours, paid 80,000.30 yuan; civil servants 80,000.30.
- Finance: fiscal revenue 2,000,000,000 a year, foundation 1,000,000 (0.05% of last year's
  revenue), informatization 5,000,000, teacher and civil-servant average pay 80,000.30.
"""

from __future__ import annotations

import pandas as pd

from countyedu.census.schema import SHEETS

YEARS = (2023, 2024)

# (pack, item, level, unit, stage): each sits exactly on its target in both years (hand-computed)
ON_THRESHOLD: list[tuple[str, str, str, str, str | None]] = [
    # masters 3·⅓ of 15·⅓ = 0.2; J2 11 of 55 = 0.2; T1 (3·⅓ + 11) / (15·⅓ + 55) = 12/60 = 0.2
    ("nanfeng-2019", "TQ-JUN-POSTGRAD", "township", "T1", "junior"),
    ("nanfeng-2019", "TQ-JUN-POSTGRAD", "county", "361023", "junior"),
    # P3: 5 masters of 50 = 0.1 (≥ 0.1); T2 is P3 alone
    ("nanfeng-2019", "TQ-PRI-POSTGRAD", "township", "T2", "primary"),
    # backbone per 100 pupils: N1 3·⅔/200·100 = 1, 3·⅓/100·100 = 1; J2 10/1000·100 = 1; P3 likewise;
    # T1 junior (1 + 10)/1100·100 = 1; county primary (2 + 10)/1200·100 = 1
    *[
        ("national-qb-2017", "QB-R2", "school", s, st)
        for s, st in (("N1", "primary"), ("N1", "junior"), ("J2", "junior"), ("P3", "primary"))
    ],
    ("national-qb-2017", "QB-R2", "township", "T1", "junior"),
    ("national-qb-2017", "QB-R2", "county", "361023", "primary"),
    ("national-qb-2017", "QB-R2", "county", "361023", "junior"),
    # J2 junior: 53 bachelor+ /1000·100 = 5.3; 9 PE/arts → 0.9; 5800 m² → 5.8; 10200 → 10.2;
    # 2,500,000 yuan → 2500; 24 rooms → 2.4 — all seven exactly on: J2 passes (6 of 7, none < 85%)
    *[
        ("national-qb-2017", i, "school", "J2", "junior")
        for i in ("QB-R1", "QB-R3", "QB-R4", "QB-R5", "QB-R6", "QB-R7", "QB-R-SCHOOL")
    ],
    # P3 primary: 42 associate+ → 4.2; 9 → 0.9; 4500 m² → 4.5; 7500 → 7.5; 2,000,000 → 2000; 23 → 2.3
    *[
        ("national-qb-2017", i, "school", "P3", "primary")
        for i in ("QB-R1", "QB-R3", "QB-R4", "QB-R5", "QB-R6", "QB-R7", "QB-R-SCHOOL")
    ],
    # every full-time teacher certified (1.0) with exactly 360 hours (≥ 360 → 1.0)
    ("national-qb-2017", "QB-G12", "township", "T1", "junior"),
    ("national-qb-2017", "QB-G9", "township", "T1", "primary"),
    # K1: 17 of 20 classes within the size limit = 0.85; 495 children / 33 teachers = 15 (≤ 15);
    # 1980 m² / 495 = 4 m² (≥ 4); county public share 495 / 990 = 0.5 (≥ 0.5)
    ("national-pp-2020", "PP-4", "school", "K1", "kindergarten"),
    ("national-pp-2020", "PP-5", "school", "K1", "kindergarten"),
    ("national-pp-2020", "PP-7", "school", "K1", "kindergarten"),
    ("national-pp-2020", "PP-3", "county", "361023", "kindergarten"),
    # 双师型: 3 dual-qualified of the 6 specialised-course teachers = 0.5 (of all 10 it would be 0.3)
    ("nanfeng-2019", "T-VOC-2", "county", "361023", "vocational"),
    # money: 1,000,000 / 2,000,000,000 = 0.0005; 80,000.30 / 80,000.30 = 1; 5,000,000 ≥ 5,000,000;
    # mean pay of 196 teachers at 80,000.30 (a float sum) / 80,000.30 = 1
    ("nanfeng-2019", "B-23-FOUNDATION", "county", "361023", None),
    ("nanfeng-2019", "B-21-PAY", "county", "361023", None),
    ("nanfeng-2019", "B-20-INFO", "county", "361023", None),
    ("national-qb-2017", "QB-G8", "county", "361023", None),
]


def _teachers(school: str, rows: list[tuple[int, dict[str, object]]]) -> list[dict[str, object]]:
    base = {
        "birth_year": 1985,
        "gender": "female",
        "education": "bachelor",
        "normal_major": True,
        "certified": True,
        "subject": "math",
        "title": "一级教师",
        "backbone": "none",
        "dual_qualified": False,
        "years_at_school": 3,
        "training_hours_5y": 360.0,
        "full_time": True,
        "annual_salary": 80000.3,
    }
    out = []
    for n, extra in rows:
        for _ in range(n):
            out.append({"school_id": school, **base, **extra})
    return out


def _classes(school: str, groups: list[tuple[str, int, int]]) -> list[dict[str, object]]:
    """(grade, classes, pupils each)."""
    out, no = [], {}
    for grade, n, pupils in groups:
        for _ in range(n):
            no[grade] = no.get(grade, 0) + 1
            out.append({"school_id": school, "grade": grade, "class_no": no[grade], "pupils": pupils})
    return out


def threshold_frames() -> dict[str, pd.DataFrame]:
    """The county as exchange-format frames (codes), every sheet present."""
    townships = [
        {"township_id": "T1", "name": "琴城镇", "kind": "town", "urban_core": True},
        {"township_id": "T2", "name": "太源乡", "kind": "township", "urban_core": False},
    ]
    communities = [
        {
            "community_id": "C1",
            "township_id": "T1",
            "name": "人民路社区",
            "kind": "urban_community",
            "households": 1200,
            "residents": 4000,
            "registered_residents": 3900,
            "lat": 27.218,
            "lon": 116.532,
        },
        {
            "community_id": "C2",
            "township_id": "T2",
            "name": "太源村",
            "kind": "village",
            "households": 300,
            "residents": 900,
            "registered_residents": 1100,
            "lat": 27.05,
            "lon": 116.62,
        },
    ]

    def school(sid: str, name: str, stage: str, tw: str, com: str, ownership: str = "public") -> dict[str, object]:
        return {
            "school_id": sid,
            "name": name,
            "stage": stage,
            "ownership": ownership,
            "inclusive": ownership == "public",
            "community_supporting": False,
            "township_id": tw,
            "community_id": com,
            "urban": tw == "T1",
            "boarding": False,
            "central": False,
            "lat": 27.2,
            "lon": 116.5,
            "opened_year": 1990,
            "closed_year": None,
            "partner_school_id": None,
            "group_id": None,
        }

    schools = [
        school("N1", "琴城九年一贯制学校", "nine_year", "T1", "C1"),
        school("J2", "琴城初级中学", "junior", "T1", "C1"),
        school("P3", "太源小学", "primary", "T2", "C2"),
        school("K1", "琴城第一幼儿园", "kindergarten", "T1", "C1"),
        school("K2", "太源民办幼儿园", "kindergarten", "T2", "C2", ownership="private"),
        school("V1", "南丰县职业中等专业学校", "vocational", "T1", "C1"),
    ]
    classes = (
        _classes("N1", [("P1", 2, 34), ("P2", 1, 33), ("P3", 1, 33), ("P4", 1, 33), ("P5", 1, 33)])  # 200
        + _classes("N1", [("J1", 1, 34), ("J2", 1, 33), ("J3", 1, 33)])  # 100
        + _classes("J2", [("J1", 7, 50), ("J2", 7, 50), ("J3", 6, 50)])  # 1000
        + _classes(
            "P3",
            [(f"P{g}", 2, 42) for g in range(1, 7)]
            + [(f"P{g}", 2, 41) for g in range(1, 5)]
            + [("P5", 1, 42), ("P6", 1, 42), ("P5", 1, 42), ("P6", 1, 42)],
        )
        + _classes("K1", [("K1", 17, 24), ("K1", 3, 29)])  # 495
        + _classes("K2", [("K3", 15, 33)])  # 495
        + _classes("V1", [("V1", 2, 40), ("V2", 2, 40)])  # 160
    )
    teachers = (
        _teachers("N1", [(3, {"education": "master", "backbone": "county"}), (12, {})])
        + _teachers(
            "J2",
            [
                (10, {"education": "master", "backbone": "county"}),
                (1, {"education": "master"}),
                (9, {"subject": "pe"}),
                (33, {}),
                (2, {"education": "associate"}),
            ],
        )
        + _teachers(
            "P3",
            [
                (5, {"education": "master", "backbone": "county"}),
                (5, {"backbone": "county"}),
                (9, {"subject": "music"}),
                (23, {"education": "associate"}),
                (8, {"education": "below_associate"}),
            ],
        )
        + _teachers("K1", [(33, {"education": "associate", "subject": "preschool"})])
        + _teachers("K2", [(33, {"education": "associate", "subject": "preschool"})])
        + _teachers(
            "V1",
            [
                (3, {"subject": "specialty", "dual_qualified": True}),
                (3, {"subject": "specialty"}),
                (4, {"subject": "chinese"}),
            ],
        )
    )
    school_years = [
        {
            "school_id": s,
            "seats": seats,
            "teaching_area_m2": ta,
            "sports_area_m2": sa,
            "equipment_value": eq,
            "multimedia_classrooms": mm,
            "boarders": 0,
            "disabled_pupils": 0,
            "dropouts": 0,
            "public_funding": 0.0,
        }
        for s, seats, ta, sa, eq, mm in (
            ("N1", 300, 1500.0, 2600.0, 700000.0, 8),
            ("J2", 1000, 5800.0, 10200.0, 2500000.0, 24),
            ("P3", 1000, 4500.0, 7500.0, 2000000.0, 23),
            ("K1", 500, 1500.0, 1980.0, 100000.0, 4),
            ("K2", 500, 1500.0, 1980.0, 100000.0, 4),
            ("V1", 200, 1600.0, 2000.0, 800000.0, 4),
        )
    ]
    finance = [
        {"item": "fiscal_revenue_total", "amount": 2_000_000_000.0},
        {"item": "education_foundation", "amount": 1_000_000.0},
        {"item": "informatization_spending", "amount": 5_000_000.0},
        {"item": "teacher_avg_salary", "amount": 80000.3},
        {"item": "civil_servant_avg_salary", "amount": 80000.3},
    ]
    population = [{"community_id": c, "age": a, "persons": 100} for c in ("C1", "C2") for a in range(3, 18)]

    def yearly(rows: list[dict[str, object]], years: tuple[int, ...] = YEARS) -> list[dict[str, object]]:
        return [{**r, "year": y} for y in years for r in rows]

    per_year_teachers = []
    for y in YEARS:
        for i, t in enumerate(teachers):
            per_year_teachers.append({**t, "teacher_id": f"t{i:04d}", "year": y})
    frames = {
        "townships": pd.DataFrame(townships),
        "communities": pd.DataFrame(communities),
        "population": pd.DataFrame(yearly(population)),
        "schools": pd.DataFrame(schools),
        "school_years": pd.DataFrame(yearly(school_years)),
        "classes": pd.DataFrame(yearly(classes)),
        "teachers": pd.DataFrame(per_year_teachers),
        "finance": pd.DataFrame(yearly(finance, (2022, *YEARS))),
    }
    out = {}
    for s in SHEETS:
        cols = [c.name for c in s.columns]
        # columns this county does not fill (added to the exchange format since) are left empty
        out[s.name] = frames[s.name].reindex(columns=cols) if s.name in frames else pd.DataFrame(columns=cols)
    return out

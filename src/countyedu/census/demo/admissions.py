"""The demo county's admissions: the high schools' programmes and the vocational school's majors,
and the junior graduates' exam, quality grade and choices."""

from __future__ import annotations

from typing import Any

import numpy as np

from countyedu.census.demo.county import N_CHOICES, YEARS, Rng
from countyedu.census.demo.schools import _School

# General programmes (track general): (programme id, school, share of the school's H1 places);
# a school's programmes start the year its first H1 class is enrolled (河东区高中: 2021).
GENERAL_PROGRAMMES = (
    ("YZ01", "南丰一中", 0.95),
    ("YZ02", "南丰一中", 0.05),
    ("EZ01", "南丰二中", 1.0),
    ("HD01", "河东区高中", 1.0),
)
PROGRAMME_NAMES = {"YZ01": "普通班", "YZ02": "艺体特长班", "EZ01": "普通班", "HD01": "普通班"}
SPECIALTY_PROGRAMMES = ("YZ02",)  # 艺体特长班 (第9条): no 指标到校
# Majors of the vocational school (第12条; 现代农艺 for the Nanfeng tangerine, 第14条):
# (programme id, major, share of the V1 places, first year). The sheet has no name column.
VOCATIONAL_PROGRAMMES = (
    ("ZZ01", "学前教育", 0.20, 2019),
    ("ZZ02", "电子商务", 0.18, 2019),
    ("ZZ03", "汽车运用与维修", 0.18, 2019),
    ("ZZ04", "机械加工技术", 0.16, 2019),
    ("ZZ05", "护理", 0.16, 2020),
    ("ZZ06", "老年人服务与管理", 0.07, 2021),
    ("ZZ07", "现代农艺技术(蜜桔)", 0.05, 2022),
)
# 指标到校 share of the quality high schools (QB-G14: ≥ 50%); 南丰一中 raises it to 60% by 2022
QUOTA_TO_SCHOOLS: dict[str, dict[int, float]] = {
    "YZ01": {y: 0.50 if y == 2019 else 0.55 if y < 2022 else 0.60 for y in YEARS},
    "EZ01": dict.fromkeys(YEARS, 0.50),
    "HD01": dict.fromkeys(YEARS, 0.50),
}
GRADUATION_RATE = 0.99
TOOK_EXAM = 0.99  # 第7条: every graduate sits the exam; a few do not
EXAM_SCORE = (470.0, 105.0, 25.0, 18.0, (50.0, 740.0))  # mean, sd, urban bonus, school sd, clip
QUALITY_GRADES = (("A", 0.30), ("B", 0.45), ("C", 0.20), ("D", 0.05))
CHOICE_COUNTS = ((2, 0.15), (3, 0.25), (4, 0.30), (5, 0.30))
# The new columns (issue 14) come from their own generator, seed + 40: every other value stays as it was.
ADMISSIONS_SEED_OFFSET = 40
# 提前批: the 艺体特长班 (第9条); 指标到校 and 统招 share the general programmes; 职校 last
BATCH = {"YZ02": "early"}
# 最低控制线 of each general programme (assumed; the county sets it each year) and its conditions:
# 南丰一中's 统招 asks 综合素质评价 B or better (AD, a condition of the pack's kind)
MIN_SCORE = {"YZ01": 560.0, "YZ02": 430.0, "EZ01": 460.0, "HD01": 440.0}
MIN_QUALITY_GRADE = {"YZ01": "B"}
THREE_YEARS = 0.93  # enrolled at the same junior school for grades 7–9 (the rest moved school)
# Boarding (AD; assumed): 河东区高中 in the county seat's new district has no dormitories yet (day
# pupils only); the others offer boarding; the 空军青少年航空班 boards every pupil.
PROGRAMME_BOARDING = {"HD01": "none", "YZ03": "required"}
# 空军青少年航空班 at 南丰一中 (提前批): boys only (the air force's selection; a gender condition where
# law allows, applied by the pack's gender_conditions), boarding, a few places, B or better, a high line
AVIATION = {
    "programme_id": "YZ03",
    "school": "南丰一中",
    "name": "空军青少年航空班",
    "quota": 6,
    "min_score": 600.0,
    "min_quality_grade": "B",
    "gender": "male",
}
# strong candidates at or above this score who list it first: share of the boys, of the girls (a few
# apply all the same: their answer says the programme takes boys only)
AVIATION_APPLY = (620.0, 0.35, 0.04)
MALE = 0.52
# applies to board: by the junior school's setting (rural pupils live far from the high schools)
BOARDING_APPLY = {False: (0.75, 0.20), True: (0.15, 0.80)}  # urban → (yes, no); the rest leave it empty
# 政策性加分: points and reason code (shares of candidates; assumed)
BONUSES = ((5.0, "ethnic_minority", 0.02), (10.0, "martyr_family", 0.003), (5.0, "military_family", 0.01))
SUBJECT_MAX = {"chinese": 120.0, "math": 120.0, "english": 120.0}
EXAM_MAX = 740.0
PE_MAX = 60.0


def _programme_rows(schools: list[_School], classes: dict[tuple[str, int, str], list[int]]) -> list[dict[str, Any]]:
    """General programmes of the high schools and the vocational school's majors, quotas from grade 1."""
    by_name = {s.name: s for s in schools}
    vocational = next(s for s in schools if s.stage == "vocational")
    rows = []
    for y in YEARS:
        for pid, school_name, share in GENERAL_PROGRAMMES:
            school = by_name[school_name]
            h1 = sum(classes.get((school.school_id, y, "H1"), []))
            if not school.open_in(y) or not h1:
                continue
            rows.append(
                {
                    "programme_id": pid,
                    "year": y,
                    "school_id": school.school_id,
                    "name": PROGRAMME_NAMES[pid],
                    "track": "general",
                    "quota": round(h1 * share),
                    "quota_to_schools": _quota_to_schools(pid, y),
                    "batch": BATCH.get(pid, "unified"),
                    "min_score": MIN_SCORE[pid],
                    "min_quality_grade": MIN_QUALITY_GRADE.get(pid),
                    "boarding": PROGRAMME_BOARDING.get(pid, "optional"),
                    "gender": None,
                }
            )
        aviation = by_name[str(AVIATION["school"])]
        if aviation.open_in(y):
            rows.append(
                {
                    "programme_id": AVIATION["programme_id"],
                    "year": y,
                    "school_id": aviation.school_id,
                    "name": AVIATION["name"],
                    "track": "general",
                    "quota": AVIATION["quota"],
                    "quota_to_schools": None,
                    "batch": "early",
                    "min_score": AVIATION["min_score"],
                    "min_quality_grade": AVIATION["min_quality_grade"],
                    "boarding": PROGRAMME_BOARDING[str(AVIATION["programme_id"])],
                    "gender": AVIATION["gender"],
                }
            )
        v1 = sum(classes.get((vocational.school_id, y, "V1"), []))
        majors = [(pid, w) for pid, _major, w, first in VOCATIONAL_PROGRAMMES if first <= y]
        total_w = sum(w for _, w in majors)
        names = {pid: major for pid, major, _w, _first in VOCATIONAL_PROGRAMMES}
        for pid, w in majors:
            rows.append(
                {
                    "programme_id": pid,
                    "year": y,
                    "school_id": vocational.school_id,
                    "name": names[pid],
                    "track": "vocational",
                    "quota": round(v1 * w / total_w),
                    "quota_to_schools": None,
                    "batch": "vocational",
                    "min_score": None,
                    "min_quality_grade": None,
                    "boarding": "optional",
                    "gender": None,
                }
            )
    return rows


def _quota_to_schools(pid: str, y: int) -> float | None:
    if pid in SPECIALTY_PROGRAMMES:
        return None
    return QUOTA_TO_SCHOOLS[pid][y]


def _candidate_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]], programmes: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    """Junior graduates of each year (≈ the J3 pupils), their exam, quality grade and choices (columns)."""
    mean, sd, urban_bonus, school_sd, clip = EXAM_SCORE
    school_effect = {s.school_id: rng.normal(0, school_sd) + (urban_bonus if s.urban else 0) for s in schools}
    choice_names = [f"choice_{k}" for k in range(1, N_CHOICES + 1)]
    cols: dict[str, list[Any]] = {
        name: []
        for name in [
            "candidate_id",
            "year",
            "junior_school_id",
            "took_exam",
            "exam_score",
            "quality_grade",
            *choice_names,
        ]
    }
    for y in YEARS:
        general = [
            p["programme_id"]
            for p in programmes
            if p["year"] == y and p["track"] == "general" and p["programme_id"] != AVIATION["programme_id"]
        ]  # the 航空班 is listed by the conditions' own generator (_admission_columns)
        majors = [p["programme_id"] for p in programmes if p["year"] == y and p["track"] == "vocational"]
        graduates = [
            (s.school_id, round(sum(classes[(s.school_id, y, "J3")]) * GRADUATION_RATE))
            for s in schools
            if (s.school_id, y, "J3") in classes
        ]
        sids = [sid for sid, n in graduates for _ in range(n)]
        n = len(sids)
        took = rng.random(n) < TOOK_EXAM
        score = np.clip(rng.normal(mean, sd, n) + np.array([school_effect[s] for s in sids]), *clip).round()
        grades = _quality_grades(rng, score)
        percentile = (np.argsort(np.argsort(score, kind="stable"), kind="stable") + 0.5) / n
        n_choices = rng.choice([c for c, _ in CHOICE_COUNTS], size=n, p=[p for _, p in CHOICE_COUNTS])
        coin = rng.random((n, 3))
        voc_order = np.argsort(rng.random((n, len(majors))), axis=1)
        cols["candidate_id"] += [f"C{y}{i:05d}" for i in range(1, n + 1)]
        cols["year"] += [y] * n
        cols["junior_school_id"] += sids
        cols["took_exam"] += took.tolist()
        cols["exam_score"] += [float(v) if t else None for v, t in zip(score, took, strict=True)]
        cols["quality_grade"] += [g if t else None for g, t in zip(grades, took, strict=True)]
        for i in range(n):
            choices = _choices(bool(took[i]), float(percentile[i]), coin[i], general, [majors[j] for j in voc_order[i]])
            padded: list[str | None] = [*choices[: int(n_choices[i])]]
            padded += [None] * (N_CHOICES - len(padded))
            for name, c in zip(choice_names, padded, strict=True):
                cols[name].append(c)
    return cols


def _quality_grades(rng: Rng, score: np.ndarray) -> list[str]:
    """综合素质评价 A–D by rank of a noisy score (A 30%, B 45%, C 20%, D 5%)."""
    z = (score - score.mean()) / (score.std() or 1.0) + rng.normal(0, 0.8, len(score))
    rank = np.argsort(np.argsort(-z, kind="stable"), kind="stable") / max(len(score), 1)
    cuts = np.cumsum([p for _, p in QUALITY_GRADES])[:-1]
    letters = np.array([g for g, _ in QUALITY_GRADES], dtype=object)
    return list(letters[np.searchsorted(cuts, rank, side="right")])


def _choices(took: bool, percentile: float, coin: np.ndarray, general: list[str], majors: list[str]) -> list[str]:
    """Choices in order: strong candidates aim at 南丰一中, middling ones at the other high schools,
    the rest (and everyone without the exam, 第7条) at vocational majors."""
    regular = [p for p in general if p not in SPECIALTY_PROGRAMMES]
    top, others = regular[:1], regular[1:]
    if coin[0] < 0.5:
        others = others[::-1]
    if not took:
        return majors
    if coin[2] < 0.03 and len(general) > len(regular):
        return [p for p in general if p in SPECIALTY_PROGRAMMES] + regular + majors
    if percentile >= 0.55:
        return top + others + majors
    if percentile >= 0.25:
        return (top + others if coin[1] < 0.3 else others) + majors
    return (others[:1] if coin[1] < 0.3 else []) + majors


def _admission_columns(rng: Rng, cols: dict[str, list[Any]], schools: list[_School] | None = None) -> None:
    """The candidates' columns of issue 14, drawn from their own generator: subject scores (语数英 in
    proportion to the total, with noise; ties of the total are common, so the tie order matters),
    the PE score, three years at the same junior school, and 政策性加分 with its reason."""
    n = len(cols["candidate_id"])
    score = np.array([np.nan if v is None else v for v in cols["exam_score"]], dtype=float)
    share = np.clip(score / EXAM_MAX, 0, 1)
    for subject, top in SUBJECT_MAX.items():
        values = np.clip(share * top + rng.normal(0, 8.0, n), 0, top).round()
        cols[f"score_{subject}"] = [None if np.isnan(s) else float(v) for s, v in zip(score, values, strict=True)]
    pe = np.clip(PE_MAX * (0.75 + 0.2 * share) + rng.normal(0, 4.0, n), 0, PE_MAX).round()
    cols["pe_score"] = [None if np.isnan(s) else float(v) for s, v in zip(score, pe, strict=True)]
    cols["three_years_at_school"] = (rng.random(n) < THREE_YEARS).tolist()
    u = rng.random(n)
    bonus: list[float | None] = [None] * n
    reason: list[str | None] = [None] * n
    edge = 0.0
    for points, code, p in BONUSES:
        hit = (u >= edge) & (u < edge + p) & ~np.isnan(score)
        for i in np.flatnonzero(hit):
            bonus[i], reason[i] = points, code
        edge += p
    cols["bonus"] = bonus
    cols["bonus_reason"] = reason
    _conditions(rng, cols, schools or [])


def _conditions(rng: Rng, cols: dict[str, list[Any]], schools: list[_School]) -> None:
    """Gender, applying to board (by the junior school's setting), and the 航空班 as the first choice of
    some strong boys and a few girls (the other choices move down one; the last drops off a full
    list): drawn after every other column of this generator, so those stay as they were."""
    n = len(cols["candidate_id"])
    urban = {s.school_id: s.urban for s in schools}
    male = rng.random(n) < MALE
    cols["gender"] = np.where(male, "male", "female").tolist()
    u = rng.random(n)
    boarding: list[bool | None] = []
    for sid, v in zip(cols["junior_school_id"], u, strict=True):
        yes, no = BOARDING_APPLY[bool(urban.get(sid, False))]
        boarding.append(True if v < yes else False if v < yes + no else None)
    cols["boarding"] = boarding
    line, boys, girls = AVIATION_APPLY
    applies = rng.random(n) < np.where(male, boys, girls)
    names = sorted((c for c in cols if c.startswith("choice_")), key=lambda c: int(c[7:]))
    for i in range(n):
        score = cols["exam_score"][i]
        if not (applies[i] and score is not None and score >= line and boarding[i] is not False):
            continue
        listed = [cols[c][i] for c in names]
        shifted = [AVIATION["programme_id"], *listed[:-1]]
        for c, v in zip(names, shifted, strict=True):
            cols[c][i] = v

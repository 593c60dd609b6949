"""The demo county's pupils and classes: each township's children enrolled at the year's rates and
shared among its schools, classes cut from the grade totals, the 大班额 of 2019–2021 injected."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from countyedu.census.demo.county import (
    FIRST_YEAR,
    GRADE_AGE,
    LEVEL_GRADES,
    N_AGES,
    TOWNSHIPS,
    URBAN_TOWNSHIP,
    YEARS,
    Rng,
    _ramp,
)
from countyedu.census.demo.geography import _Community
from countyedu.census.demo.schools import _School

KG_GER = (0.85, 0.92)  # 学前三年毛入园率 2019 → 2025 (T-PRE-5 asks ≥ 90%)
COMPULSORY_RATE = {"P": 1.02, "J": 0.99}  # primary: some pupils from outside the county (随迁子女)
HIGH_STAGE_GER = (0.905, 0.955)  # 高中阶段毛入学率 2019 → 2025 (T-HS-1 asks ≥ 95%)
VOCATIONAL_SHARE = (0.37, 0.39)  # of the high-school stage (T-HS-2: about 40%)
# Share of rural children schooled in the county seat, rising by URBAN_PULL_GROWTH a year.
URBAN_PULL = {"K": 0.08, "P": 0.18, "J": 0.22}
URBAN_PULL_GROWTH = 0.008
WEIGHT_NOISE = 0.08  # lognormal spread of a school's yearly share of a grade
NEW_SCHOOL_RAMP = (0.6, 0.85)  # share of its full weight a new school draws in its 1st, 2nd year
TEACHING_POINT_MIN_GRADE = 3  # pupils in a grade a teaching point keeps running
TEACHING_POINT_MIN_TOTAL = 5
TEACHING_POINT_MAX_GRADE = 18  # a teaching point has at most ~60 pupils

# Class norms (STANDARDS.md CS, PP-4): pupils per class before the grade is split into classes.
CLASS_NORM = {"K1": 25, "K2": 30, "K3": 35, "P": 45, "P_rural": 40, "J": 50, "H": 50, "V": 45}
# 大班额 (≥ 56, STANDARDS.md CS) in the county seat's compulsory classes: 第4条 wanted ≤ 10% in
# 2019 and none in 2020; the demo county shows ~13.5% in 2019, a handful in 2020–21, none after.
BIG_CLASS_SHARE_2019 = 0.135
BIG_CLASS_COUNT = {2020: 6, 2021: 3}
HUGE_CLASSES_2019 = 2  # 超大班额, ≥ 66
BIG_CLASS_SIZE = (56, 63)
HUGE_CLASS_SIZE = (66, 71)
SIBLING_FLOOR = 30  # a class giving pupils to a big sibling keeps at least this many


def _allocate_pupils(
    rng: Rng, schools: list[_School], communities: list[_Community], persons: np.ndarray
) -> dict[tuple[str, int, str], int]:
    """Pupils per (school, year, grade): each township's children of the grade's age, enrolled at the
    year's rate and shared among its schools (the county seat also takes a share of rural children)."""
    township_ids = [t[0] for t in TOWNSHIPS]
    t_index = {tid: i for i, tid in enumerate(township_ids)}
    by_township = np.zeros((len(township_ids), len(YEARS), N_AGES))
    for ci, c in enumerate(communities):
        by_township[t_index[c.township_id]] += persons[ci]
    out: dict[tuple[str, int, str], int] = {}
    for yi, y in enumerate(YEARS):
        for level in ("K", "P", "J"):
            rate = _ramp(KG_GER, y) if level == "K" else COMPULSORY_RATE[level]
            pull = URBAN_PULL[level] + URBAN_PULL_GROWTH * (y - FIRST_YEAR)
            for g in LEVEL_GRADES[level]:
                demand = by_township[:, yi, GRADE_AGE[g]] * rate
                moved = demand * pull
                moved[t_index[URBAN_TOWNSHIP]] = 0.0
                demand = demand - moved
                demand[t_index[URBAN_TOWNSHIP]] += moved.sum()
                for tid in township_ids:
                    local = [s for s in schools if s.township_id == tid]
                    _share(rng, out, local, y, g, level, float(demand[t_index[tid]]))
        county = by_township[:, yi, :].sum(axis=0)
        stage_rate = _ramp(HIGH_STAGE_GER, y)
        vocational = _ramp(VOCATIONAL_SHARE, y)
        for level, share in (("H", 1 - vocational), ("V", vocational)):
            for g in LEVEL_GRADES[level]:
                _share(rng, out, schools, y, g, level, float(county[GRADE_AGE[g]] * stage_rate * share))
    return out


def _share(
    rng: Rng,
    out: dict[tuple[str, int, str], int],
    schools: list[_School],
    y: int,
    grade: str,
    level: str,
    demand: float,
) -> None:
    """Share a grade's demand among the schools running it that year, by weight (new schools ramp up);
    teaching points keep a few pupils in every grade they run and never more than ~60 in all."""
    providers = [s for s in schools if s.open_in(y) and level in s.weights and grade in s.grades_in(y)]
    if not providers or demand <= 0:
        return
    weights = np.array([s.weights[level] * _opening_ramp(s, y) for s in providers])
    weights *= rng.lognormal(0.0, WEIGHT_NOISE, len(providers))
    alloc = demand * weights / weights.sum()
    for s, n in zip(providers, alloc, strict=True):
        pupils = round(n)
        if s.stage == "teaching_point":
            pupils = max(pupils, TEACHING_POINT_MIN_GRADE if len(s.grades_in(y)) > 1 else TEACHING_POINT_MIN_TOTAL)
            pupils = min(pupils, TEACHING_POINT_MAX_GRADE)
        if pupils > 0:
            out[(s.school_id, y, grade)] = pupils


def _opening_ramp(s: _School, y: int) -> float:
    age = y - s.opened_year
    if s.opened_year <= FIRST_YEAR or age >= len(NEW_SCHOOL_RAMP):
        return 1.0
    return NEW_SCHOOL_RAMP[age]


def _class_norm(school: _School, grade: str) -> int:
    level = grade[0]
    if school.stage == "teaching_point":
        return 10**6  # one class per grade
    if level == "K":
        return CLASS_NORM[grade]
    if level == "P":
        return CLASS_NORM["P"] if school.urban else CLASS_NORM["P_rural"]
    return CLASS_NORM[level]


def _split_classes(rng: Rng, pupils: int, norm: int) -> list[int]:
    """A grade's pupils in ceil(pupils / norm) classes of nearly equal size (±2 moved between neighbours)."""
    n = max(1, math.ceil(pupils / norm))
    base, extra = divmod(pupils, n)
    sizes = [base + (1 if i < extra else 0) for i in range(n)]
    for i in range(n - 1):
        d = int(rng.integers(-2, 3))
        if sizes[i] + d >= 1 and sizes[i + 1] - d >= 1:
            sizes[i] += d
            sizes[i + 1] -= d
    return sizes


def _build_classes(
    rng: Rng, schools: list[_School], pupils: dict[tuple[str, int, str], int]
) -> dict[tuple[str, int, str], list[int]]:
    by_id = {s.school_id: s for s in schools}
    order = {g: i for i, g in enumerate(GRADE_AGE)}
    keys = sorted(pupils, key=lambda k: (k[1], k[0], order[k[2]]))
    classes = {k: _split_classes(rng, pupils[k], _class_norm(by_id[k[0]], k[2])) for k in keys}
    urban_compulsory = [k for k in keys if by_id[k[0]].urban and k[2][0] in "PJ"]
    for y in YEARS:
        candidates = [(k, i) for k in urban_compulsory if k[1] == y for i in range(len(classes[k]))]
        if y == FIRST_YEAR:
            count = round(BIG_CLASS_SHARE_2019 * len(candidates))
        else:
            count = BIG_CLASS_COUNT.get(y, 0)
        _inject_big_classes(rng, classes, candidates, count, HUGE_CLASSES_2019 if y == FIRST_YEAR else 0)
    return classes


def _inject_big_classes(
    rng: Rng,
    classes: dict[tuple[str, int, str], list[int]],
    candidates: list[tuple[tuple[str, int, str], int]],
    count: int,
    huge: int,
) -> None:
    """Make `count` of the candidate classes 大班额 (the first `huge` of them ≥ 66), taking the extra
    pupils from their sibling classes in the same grade where those can spare them."""
    if count <= 0 or not candidates:
        return
    chosen = sorted(int(i) for i in rng.choice(len(candidates), size=min(count, len(candidates)), replace=False))
    picked: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    for i in chosen:
        key, idx = candidates[i]
        picked[key].add(idx)
    for k, i in enumerate(chosen):
        key, idx = candidates[i]
        sizes = classes[key]
        bounds = HUGE_CLASS_SIZE if k < huge else BIG_CLASS_SIZE
        target = int(rng.integers(bounds[0], bounds[1]))
        delta = target - sizes[idx]
        sizes[idx] = target
        siblings = [j for j in range(len(sizes)) if j not in picked[key]]
        for j in siblings:
            give = min(max(sizes[j] - SIBLING_FLOOR, 0), math.ceil(delta / len(siblings)), delta)
            sizes[j] -= give
            delta -= give


def _school_pupils(classes: dict[tuple[str, int, str], list[int]]) -> dict[tuple[str, int], dict[str, list[int]]]:
    """(school, year) → grade → class sizes."""
    out: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(dict)
    for (sid, y, g), sizes in classes.items():
        out[(sid, y)][g] = sizes
    return out


def _level_load(grades: dict[str, list[int]]) -> dict[str, tuple[int, int]]:
    """level → (pupils, classes)."""
    out: dict[str, tuple[int, int]] = {}
    for g, sizes in grades.items():
        p, c = out.get(g[0], (0, 0))
        out[g[0]] = (p + sum(sizes), c + len(sizes))
    return out

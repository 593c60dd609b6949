"""The demo county's teachers, simulated year by year: retirement at 60, in-service degrees, titles,
exchange rotation, redeployment of surplus posts, new hires filling the posts the norms call for."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from countyedu.census.demo.county import FIRST_YEAR, YEARS, Rng, _between, _clamp, _pick
from countyedu.census.demo.pupils import _level_load, _school_pupils
from countyedu.census.demo.schools import _School

PUPILS_PER_TEACHER = {"K": 15.0, "P": 17.0, "J": 12.5, "H": 13.0, "V": 16.0}  # STANDARDS.md TW, PP-5
TEACHERS_PER_CLASS = {"K": 1.0, "P": 1.0, "J": 1.8, "H": 2.0, "V": 1.5}  # small schools
SCHOOL_STAFFING_SPREAD = (0.92, 1.15)
NON_FULL_TIME_SHARE = 0.05
SURPLUS_TOLERANCE = 0.08
RETIREMENT_AGE = 60
QUIT_RATE = {"public": 0.005, "private": 0.08}
ROTATION_RATE = (0.02, 0.045)  # per year, teachers with < 6 / ≥ 6 years at the school (QB-G11)
ROTATION_ELIGIBLE_YEARS = 6
TEACHER_AGE = {"K": (34, 8), "P": (43, 9), "J": (41, 8), "H": (40, 8), "V": (42, 8), "TP": (50, 7)}
FEMALE_SHARE = {"K": 0.97, "P": 0.70, "J": 0.55, "H": 0.45, "V": 0.45}
EDUCATION_LEVELS = ("below_associate", "associate", "bachelor", "master", "doctorate")
EDUCATION_2019 = {
    "K": {"below_associate": 0.10, "associate": 0.60, "bachelor": 0.30},
    "P": {"below_associate": 0.03, "associate": 0.50, "bachelor": 0.45, "master": 0.02},
    "J": {"associate": 0.10, "bachelor": 0.84, "master": 0.06},
    "H": {"bachelor": 0.89, "master": 0.11},
    "V": {"associate": 0.08, "bachelor": 0.84, "master": 0.08},
}
EDUCATION_HIRED = {  # new teachers, better qualified (第26条 direction)
    "K": {"associate": 0.50, "bachelor": 0.50},
    "P": {"associate": 0.15, "bachelor": 0.77, "master": 0.08},
    "J": {"bachelor": 0.86, "master": 0.14},
    "H": {"bachelor": 0.70, "master": 0.30},
    "V": {"bachelor": 0.75, "master": 0.25},
}
# yearly chance of an in-service degree: one step up from below_associate / associate, and
# bachelor → master by level
DEGREE_UPGRADE = {"below_associate": 0.10, "associate": 0.05}
MASTER_UPGRADE = {"K": 0.0, "P": 0.003, "J": 0.005, "H": 0.007, "V": 0.005}
DOCTORATE_HIRES = {2023: "南丰一中", 2025: "河东区高中"}  # 第26条: "some doctorates"
SUBJECTS = {
    "K": {"preschool": 1.0},
    "P": {
        "chinese": 0.34,
        "math": 0.28,
        "english": 0.08,
        "pe": 0.07,
        "music": 0.06,
        "fine_art": 0.06,
        "science": 0.05,
        "moral": 0.03,
        "it": 0.03,
    },
    "TP": {"chinese": 0.5, "math": 0.5},
    "J": {
        "chinese": 0.16,
        "math": 0.16,
        "english": 0.15,
        "physics": 0.08,
        "chemistry": 0.05,
        "biology": 0.05,
        "history": 0.06,
        "geography": 0.05,
        "moral": 0.07,
        "pe": 0.07,
        "music": 0.03,
        "fine_art": 0.03,
        "it": 0.04,
    },
    "H": {
        "chinese": 0.14,
        "math": 0.14,
        "english": 0.14,
        "physics": 0.10,
        "chemistry": 0.09,
        "biology": 0.08,
        "history": 0.07,
        "geography": 0.07,
        "politics": 0.07,
        "pe": 0.05,
        "it": 0.03,
        "music": 0.01,
        "fine_art": 0.01,
    },
    "V": {"specialty": 0.60, "chinese": 0.10, "math": 0.10, "english": 0.07, "politics": 0.05, "pe": 0.05, "it": 0.03},
}
NORMAL_MAJOR = {"K": 0.75, "P": 0.75, "J": 0.70, "H": 0.68, "V": 0.45}
CERTIFIED = (0.975, 0.85, 0.6)  # 2019 stock, new hires, yearly chance to get certified later
TITLES = ("third", "second", "first", "senior", "senior_full")  # the exchange format's title codes, low to high
TITLE_PAY_2019 = {
    "unrated": 40_000,
    "third": 66_000,
    "second": 70_000,
    "first": 78_000,
    "senior": 88_000,
    "senior_full": 96_000,
}
PAY_PER_YEAR_OF_AGE = 200
PAY_GROWTH = 0.03
PRIVATE_UNTITLED = 0.6  # private-school teachers without a title
PROMOTION = {"third": (24, 0.4), "second": (30, 0.12), "first": (40, 0.06), "senior": (50, 0.004)}
BACKBONE_2019 = {"county": 0.095, "city": 0.035, "province": 0.012}  # among teachers aged ≥ 28
BACKBONE_SELECTION_YEARS = (2021, 2024)  # 第24条: selected every 3–5 years
BACKBONE_NAMED_SPREAD = 4  # the 2019 backbone teachers were named in 2016–2019
BACKBONE_PROMOTION = {"none": ("county", 0.03), "county": ("city", 0.08), "city": ("province", 0.06)}
DUAL_QUALIFIED = (0.42, 0.50, 0.03)  # vocational specialty teachers: 2019, new hires, yearly gain
TRAINING_HOURS = (400, 45, (200, 500))  # mean, sd, clip of 近五年培训学时 (QB-G9 asks 360)


@dataclass
class _Teacher:
    teacher_id: str
    school_id: str
    level: str
    birth_year: int
    gender: str
    education: str
    normal_major: bool
    certified: bool
    subject: str
    title: str
    backbone: str
    dual_qualified: bool
    years_at_school: int
    training: float
    full_time: bool
    pay_factor: float
    last_post: tuple[str, int] | None = None  # (school, years there) at the end of last year
    backbone_year: int | None = None  # year the backbone level was named (第24条: reviewed every 3–5 years)

    def row(self, y: int) -> dict[str, Any]:
        pay: float = TITLE_PAY_2019[self.title] + PAY_PER_YEAR_OF_AGE * (y - self.birth_year - 22)
        pay *= (1 + PAY_GROWTH) ** (y - FIRST_YEAR) * self.pay_factor
        return {
            "teacher_id": self.teacher_id,
            "school_id": self.school_id,
            "year": y,
            "birth_year": self.birth_year,
            "gender": self.gender,
            "education": self.education,
            "normal_major": self.normal_major,
            "certified": self.certified,
            "subject": self.subject,
            "title": self.title,
            "backbone": self.backbone,
            "backbone_year": self.backbone_year,
            "dual_qualified": self.dual_qualified,
            "years_at_school": self.years_at_school,
            "training_hours_5y": round(self.training, 1),
            "full_time": self.full_time,
            "annual_salary": round(pay, -1),
        }


class _Staffing:
    """The county's teachers, simulated one school year after another."""

    def __init__(self, rng: Rng, schools: list[_School]) -> None:
        self.rng = rng
        self.schools = {s.school_id: s for s in schools}
        self.by_name = {s.name: s for s in schools}
        self.factor = {s.school_id: _between(rng, SCHOOL_STAFFING_SPREAD) for s in schools}
        self.active: list[_Teacher] = []
        self.count = 0

    # ---- posts
    def needs(self, y: int, load: dict[tuple[str, int], dict[str, list[int]]]) -> dict[tuple[str, str], int]:
        """Teachers each (school, level) needs in year y: pupil–teacher norms, at least per class."""
        out: dict[tuple[str, str], int] = {}
        for (sid, year), grades in sorted(load.items()):
            if year != y:
                continue
            school = self.schools[sid]
            levels = _level_load(grades)
            if school.stage == "teaching_point":
                pupils = sum(p for p, _ in levels.values())
                out[(sid, "P")] = 1 if pupils < 15 else 2 if pupils < 35 else 3
                continue
            for level, (pupils, n_classes) in sorted(levels.items()):
                if level == "K" and school.stage != "kindergarten":
                    need = n_classes  # attached preschool class: one teacher each
                else:
                    by_ratio = math.ceil(pupils / (PUPILS_PER_TEACHER[level] * self.factor[sid]))
                    need = max(by_ratio, math.ceil(n_classes * TEACHERS_PER_CLASS[level]), 1)
                if need >= 10:
                    need += round(need * NON_FULL_TIME_SHARE)
                out[(sid, level)] = need
        return out

    # ---- people
    def hire(self, sid: str, level: str, y: int, initial: bool = False, education: str | None = None) -> _Teacher:
        rng = self.rng
        school = self.schools[sid]
        tp = school.stage == "teaching_point"
        if initial:
            mean, sd = TEACHER_AGE["TP" if tp else level]
            age = int(_clamp(round(rng.normal(mean, sd)), (22, RETIREMENT_AGE - 1)))
            years = int(rng.integers(0, min(age - 22, 25) + 1))
            education = education or _pick(rng, EDUCATION_2019[level])
            if age >= 50 and education != "below_associate" and rng.random() < 0.3:
                education = EDUCATION_LEVELS[max(EDUCATION_LEVELS.index(education) - 1, 0)]
            certified = rng.random() < CERTIFIED[0]
            dual = rng.random() < DUAL_QUALIFIED[0]
            training = _clamp(rng.normal(TRAINING_HOURS[0], TRAINING_HOURS[1]), TRAINING_HOURS[2])
        else:
            age = int(rng.integers(22, 31)) if education != "doctorate" else int(rng.integers(30, 36))
            years = 0
            education = education or _pick(rng, EDUCATION_HIRED[level])
            certified = rng.random() < CERTIFIED[1]
            dual = rng.random() < DUAL_QUALIFIED[1]
            training = float(rng.uniform(TRAINING_HOURS[2][0], 320))
        subject = _pick(rng, SUBJECTS["TP" if tp else level])
        self.count += 1
        female = rng.random() < FEMALE_SHARE[level]
        t = _Teacher(
            teacher_id=f"T{self.count:05d}",
            school_id=sid,
            level=level,
            birth_year=y - age,
            gender="female" if female else "male",
            education=education,
            normal_major=bool(rng.random() < NORMAL_MAJOR[level]),
            certified=bool(certified),
            subject=subject,
            title=self._initial_title(age, level, school, education),
            backbone="none",
            dual_qualified=bool(dual and level == "V" and subject == "specialty"),
            years_at_school=years,
            training=training,
            full_time=tp or bool(rng.random() >= NON_FULL_TIME_SHARE),
            pay_factor=_between(rng, (0.95, 1.05)),
        )
        if initial and age >= 28 and not tp:
            t.backbone = _pick(rng, BACKBONE_2019 | {"none": 1 - sum(BACKBONE_2019.values())})
            if t.backbone != "none":  # named in one of the four years before (no random draw: the stream stays)
                t.backbone_year = FIRST_YEAR - self.count % BACKBONE_NAMED_SPREAD
        self.active.append(t)
        return t

    def _initial_title(self, age: int, level: str, school: _School, education: str) -> str:
        rng = self.rng
        if school.ownership == "private" and rng.random() < PRIVATE_UNTITLED:
            return "unrated"
        if age < 26:
            return "third" if education in ("below_associate", "associate") or rng.random() < 0.4 else "second"
        if age < 35:
            return "second" if rng.random() < 0.7 else "first"
        if age < 45:
            return _pick(rng, {"second": 0.25, "first": 0.60, "senior": 0.15})
        senior = 0.45 if level in ("J", "H", "V") else 0.30
        top = 0.02 if level == "H" else 0.0
        return _pick(rng, {"first": 1 - senior - top, "senior": senior, "senior_full": top})

    def qualify_specialty_teachers(self, share: float) -> None:
        """Exactly `share` of the vocational specialty teachers are 双师型 (T-VOC-2 asks 50%)."""
        specialty = [t for t in self.active if t.level == "V" and t.subject == "specialty"]
        chosen = set(self.rng.choice(len(specialty), size=round(share * len(specialty)), replace=False).tolist())
        for i, t in enumerate(specialty):
            t.dual_qualified = i in chosen

    def age_one_year(self, y: int) -> None:
        """Retirement, leaving, degrees, certificates, titles, backbone selection, training."""
        rng = self.rng
        stay: list[_Teacher] = []
        for t in self.active:
            school = self.schools[t.school_id]
            if y - t.birth_year >= RETIREMENT_AGE or rng.random() < QUIT_RATE[school.ownership]:
                continue
            t.years_at_school += 1
            chance = MASTER_UPGRADE[t.level] if t.education == "bachelor" else DEGREE_UPGRADE.get(t.education, 0.0)
            if y - t.birth_year < 50 and rng.random() < chance:
                t.education = EDUCATION_LEVELS[EDUCATION_LEVELS.index(t.education) + 1]
            if not t.certified and rng.random() < CERTIFIED[2]:
                t.certified = True
            if t.title in PROMOTION:
                min_age, p = PROMOTION[t.title]
                if y - t.birth_year >= min_age and rng.random() < p and (t.title != "senior" or t.level == "H"):
                    t.title = TITLES[TITLES.index(t.title) + 1]
            if y in BACKBONE_SELECTION_YEARS and t.backbone in BACKBONE_PROMOTION:
                nxt, p = BACKBONE_PROMOTION[t.backbone]
                if y - t.birth_year >= 28 and school.stage != "teaching_point" and rng.random() < p:
                    t.backbone = nxt
                    t.backbone_year = y
            if t.level == "V" and t.subject == "specialty" and not t.dual_qualified:
                t.dual_qualified = bool(rng.random() < DUAL_QUALIFIED[2])
            t.training = _clamp(t.training + rng.uniform(-15, 35), TRAINING_HOURS[2])
            t.last_post = (t.school_id, t.years_at_school)
            stay.append(t)
        self.active = stay

    def rotate(self, needs: dict[tuple[str, str], int]) -> None:
        """Exchange rotation (第6条, QB-G11): a few teachers a year move to another school of their level."""
        rng = self.rng
        posts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (sid, level), n in needs.items():
            if n > 0:
                posts[level].append((sid, n))
        for t in self.active:
            p = ROTATION_RATE[1] if t.years_at_school >= ROTATION_ELIGIBLE_YEARS else ROTATION_RATE[0]
            if rng.random() >= p or len(posts[t.level]) < 2:
                continue
            options = [(sid, n) for sid, n in posts[t.level] if sid != t.school_id]
            weights = np.array([n for _, n in options], dtype=float)
            t.school_id = options[int(rng.choice(len(options), p=weights / weights.sum()))][0]
            t.years_at_school = 0

    def balance(self, needs: dict[tuple[str, str], int], y: int) -> None:
        """Surplus posts redeployed to schools short of teachers of the same level; the rest hired."""
        rng = self.rng
        by_post: dict[tuple[str, str], list[_Teacher]] = defaultdict(list)
        for t in self.active:
            by_post[(t.school_id, t.level)].append(t)
        spare: dict[str, list[_Teacher]] = defaultdict(list)
        for post in sorted(by_post):
            staff = by_post[post]
            need = needs.get(post, 0)
            limit = need + int(need * SURPLUS_TOLERANCE)
            if len(staff) > limit:
                order = sorted(rng.permutation(len(staff)), key=lambda i: staff[i].education == "doctorate")
                for i in order[: len(staff) - limit]:
                    spare[post[1]].append(staff[int(i)])
                by_post[post] = [staff[int(i)] for i in order[len(staff) - limit :]]
        for post in sorted(needs):
            sid, level = post
            have = len(by_post[post])
            while have < needs[post]:
                if spare[level]:
                    t = spare[level].pop()
                    t.school_id, t.years_at_school = sid, 0
                else:
                    self.hire(sid, level, y)
                have += 1
        leaving = {id(t) for ts in spare.values() for t in ts}
        self.active = [t for t in self.active if id(t) not in leaving]
        for t in self.active:  # rotated out and redeployed back: never left
            if t.last_post is not None and t.last_post[0] == t.school_id:
                t.years_at_school = t.last_post[1]


def _simulate_teachers(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> list[dict[str, Any]]:
    load = _school_pupils(classes)
    staff = _Staffing(rng, schools)
    rows: list[dict[str, Any]] = []
    for y in YEARS:
        needs = staff.needs(y, load)
        if y == FIRST_YEAR:
            for (sid, level), n in sorted(needs.items()):
                for _ in range(n):
                    staff.hire(sid, level, y, initial=True)
            staff.qualify_specialty_teachers(DUAL_QUALIFIED[0])
        else:
            staff.age_one_year(y)
            staff.rotate(needs)
            staff.balance(needs, y)
        if y in DOCTORATE_HIRES:
            staff.hire(staff.by_name[DOCTORATE_HIRES[y]].school_id, "H", y, education="doctorate")
        rows += [t.row(y) for t in sorted(staff.active, key=lambda t: t.teacher_id)]
    return rows

"""The demo county's school_years sheet: seats, floor areas, equipment, multimedia rooms, boarders,
disabled pupils, dropouts and public funding of each school and year."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from countyedu.census.demo.county import FIRST_YEAR, YEARS, Rng, _between
from countyedu.census.demo.projects import PROJECTS
from countyedu.census.demo.pupils import _level_load, _school_pupils
from countyedu.census.demo.schools import _School

# Seats of schools open before 2019 = pupils of their first year × this (the county seat is full).
SEATS_PER_PUPIL = {
    "urban_compulsory": (0.92, 1.0),
    "rural": (1.15, 1.6),
    "kindergarten": (1.05, 1.3),
    "other": (1.0, 1.12),
}
SEATS_PER_CLASSROOM = 30  # a small school still has its classrooms

# Per-pupil standards by level: teaching floor m², sports m², equipment yuan, multimedia rooms per
# 100 pupils. P and J: STANDARDS.md QB-R4..R7; K: PP-7; H and V: assumed, not from a standard.
FACILITY_STANDARD = {
    "K": (8.17, 4.0, 600.0, 1.0),
    "P": (4.5, 7.5, 2000.0, 2.3),
    "J": (5.8, 10.2, 2500.0, 2.4),
    "H": (6.5, 10.2, 3000.0, 2.4),
    "V": (8.0, 8.0, 5000.0, 2.4),
}
FACILITY_RATIO = (1.0, 1.7)  # most schools are above the standard by this much
WEAK_FACILITY = (0.2, (0.65, 0.97))  # a fifth of school indicators start below it
FACILITY_UPGRADE = (0.4, (1.15, 1.4))  # chance a below-standard item is upgraded next year, factor
EQUIPMENT_GROWTH = 1.05
# Per-pupil public funding, yuan: Jiangxi baseline primary 600 / junior 800 (STANDARDS.md FD,
# assumed), raised 10% every two years from 2019 (第22条 schedule ×1.10, 1.21, 1.331, 1.4641);
# the demo county falls short of the schedule in 2023 and 2025.
FUNDING_BASE = {"P": 600.0, "J": 800.0, "K": 500.0, "H": 1000.0, "V": 1200.0}
FUNDING_FACTOR = {2019: 1.10, 2020: 1.10, 2021: 1.21, 2022: 1.21, 2023: 1.30, 2024: 1.331, 2025: 1.42}
FUNDED_MINIMUM = {"P": 100, "J": 500}  # 第22条: rural primary < 100 funded as 100, junior < 500 as 500
BOARDER_SUPPLEMENT = 200.0  # 第5条: +200 yuan per boarder per year
INCLUSIVE_PRIVATE_KG_FUNDING = 300.0  # assumed 普惠 subsidy per child
BOARDING_SHARE = {"P": (0.3, 0.5), "J": (0.4, 0.7), "H": (0.5, 0.7), "V": (0.6, 0.8)}
DISABLED_RATE = 0.004
DROPOUT_RATE = {"P": 0.0008, "J": 0.003, "H": 0.005, "V": 0.012, "K": 0.0}
DROPOUT_DECLINE = 0.85  # per year


def _school_year_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> list[dict[str, Any]]:
    load = _school_pupils(classes)
    project_seats = _project_seats(schools)
    rows = []
    for s in schools:
        years = [y for y in YEARS if s.open_in(y) and (s.school_id, y) in load]
        if not years:
            continue
        first = _level_load(load[(s.school_id, years[0])])
        base_seats = _base_seats(rng, s, first, project_seats)
        facility = _Facilities(rng, s, first, base_seats)
        boarding_share = {lv: _between(rng, b) for lv, b in BOARDING_SHARE.items()}
        for y in years:
            grades = load[(s.school_id, y)]
            levels = _level_load(grades)
            pupils = sum(p for p, _ in levels.values())
            n_classes = sum(c for _, c in levels.values())
            seats = base_seats + sum(
                n for end, n in project_seats.get(s.school_id, []) if s.opened_year <= FIRST_YEAR and end <= y
            )
            area, sports, equipment, rooms = facility.year(y, pupils, n_classes, levels)
            boarders = _boarders(s, grades, boarding_share)
            rows.append(
                {
                    "school_id": s.school_id,
                    "year": y,
                    "seats": int(seats),
                    "teaching_area_m2": area,
                    "sports_area_m2": sports,
                    "equipment_value": equipment,
                    "multimedia_classrooms": rooms,
                    "boarders": boarders,
                    "disabled_pupils": int(rng.poisson(pupils * DISABLED_RATE)) if s.stage != "kindergarten" else 0,
                    "dropouts": _dropouts(rng, levels, y),
                    "public_funding": _public_funding(s, levels, boarders, y),
                }
            )
    return rows


def _project_seats(schools: list[_School]) -> dict[str, list[tuple[int, int]]]:
    """school id → [(end year, seats added)] from the projects."""
    by_name = {s.name: s for s in schools}
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _pid, _name, school, _stage, seats, _start, end in PROJECTS:
        out[by_name[school].school_id].append((end, seats))
    return out


def _base_seats(
    rng: Rng, s: _School, first: dict[str, tuple[int, int]], project_seats: dict[str, list[tuple[int, int]]]
) -> int:
    """Seats a school had when the series starts: a new school's project seats, else a multiple of pupils."""
    if s.opened_year > FIRST_YEAR:
        seats = sum(n for end, n in project_seats.get(s.school_id, []) if end <= s.opened_year)
        if seats:
            return seats
    pupils = sum(p for p, _ in first.values())
    if s.stage == "kindergarten":
        kind = "kindergarten"
    elif s.urban and s.stage in ("primary", "junior", "complete_secondary", "nine_year"):
        kind = "urban_compulsory"
    elif not s.urban:
        kind = "rural"
    else:
        kind = "other"
    classrooms = sum(c for _, c in first.values()) * SEATS_PER_CLASSROOM
    return max(int(round(pupils * _between(rng, SEATS_PER_PUPIL[kind]), -1)), classrooms)


class _Facilities:
    """A school's floor areas, equipment and multimedia rooms; weak items are upgraded over the years."""

    def __init__(self, rng: Rng, s: _School, first: dict[str, tuple[int, int]], seats: int) -> None:
        self.rng = rng
        pupils = max(sum(p for p, _ in first.values()), 1)
        if s.opened_year > FIRST_YEAR:
            pupils = max(pupils, seats)  # new schools are built for their seats
        std = np.zeros(4)
        for level, (p, _c) in first.items():
            std += np.array(FACILITY_STANDARD[level]) * p
        std /= max(sum(p for p, _ in first.values()), 1)
        ratio = np.array([self._ratio() for _ in range(4)])
        if s.opened_year > FIRST_YEAR:
            ratio = np.maximum(ratio, 1.1)
        self.std = std
        self.area = float(pupils * std[0] * ratio[0])
        self.sports = float(pupils * std[1] * ratio[1])
        self.equipment = float(pupils * std[2] * ratio[2])
        self.rooms_per_class = float(ratio[3] * std[3] / 100 * 45)

    def _ratio(self) -> float:
        share, weak = WEAK_FACILITY
        return _between(self.rng, weak if self.rng.random() < share else FACILITY_RATIO)

    def year(
        self, y: int, pupils: int, n_classes: int, levels: dict[str, tuple[int, int]]
    ) -> tuple[float, float, float, int]:
        if y > FIRST_YEAR:
            chance, bounds = FACILITY_UPGRADE
            if pupils and self.area / pupils < self.std[0] and self.rng.random() < chance:
                self.area *= _between(self.rng, bounds)
            if pupils and self.sports / pupils < self.std[1] and self.rng.random() < chance:
                self.sports *= _between(self.rng, bounds)
            self.equipment *= EQUIPMENT_GROWTH
            if pupils and self.equipment / pupils < self.std[2] and self.rng.random() < chance:
                self.equipment *= _between(self.rng, bounds)
            if self.rooms_per_class * n_classes / max(pupils, 1) * 100 < self.std[3] and self.rng.random() < chance:
                self.rooms_per_class *= _between(self.rng, bounds)
        rooms = max(1, round(self.rooms_per_class * n_classes))
        return round(self.area, 1), round(self.sports, 1), round(self.equipment, -2), int(rooms)


def _boarders(s: _School, grades: dict[str, list[int]], share: dict[str, float]) -> int:
    if not s.boarding:
        return 0
    total = 0.0
    for g, sizes in grades.items():
        level = g[0]
        if level == "K" or (level == "P" and g < "P4"):
            continue  # boarding starts in grade 4 (第5条: upper grades move to the central school)
        total += sum(sizes) * share[level]
    return round(total)


def _dropouts(rng: Rng, levels: dict[str, tuple[int, int]], y: int) -> int:
    rate = {lv: r * DROPOUT_DECLINE ** (y - FIRST_YEAR) for lv, r in DROPOUT_RATE.items()}
    return int(sum(rng.poisson(p * rate[lv]) for lv, (p, _c) in levels.items()))


def _public_funding(s: _School, levels: dict[str, tuple[int, int]], boarders: int, y: int) -> float | None:
    """生均公用经费 received (第22条, 第5条); non-inclusive private kindergartens receive none."""
    if s.stage == "kindergarten":
        if s.ownership == "public":
            return float(levels["K"][0] * FUNDING_BASE["K"])
        return float(levels["K"][0] * INCLUSIVE_PRIVATE_KG_FUNDING) if s.inclusive else 0.0
    total = 0.0
    for level, (pupils, _c) in levels.items():
        if level in ("P", "J"):
            funded = max(pupils, FUNDED_MINIMUM[level]) if not s.urban and s.ownership == "public" else pupils
            total += funded * FUNDING_BASE[level] * FUNDING_FACTOR[y]
        else:
            total += pupils * FUNDING_BASE[level]
    return round(total + boarders * BOARDER_SUPPLEMENT, 2)

"""The demo's exam results (the results sheet; quality, 第8、29条): two cohorts the value added reads and
the 高考 of two years for T-HS-3. Drawn from a generator of their own (seed + RESULTS_SEED_OFFSET), so
nothing else of the demo changes with them. Everything is invented:

- the county's 七年级 quality monitoring test of 2023 (语文, 数学: intake) and the 中考 of 2025 (语文,
  数学, 英语: exit) of the same pupils, at the junior schools (a pupil keeps the school; transfers in
  have no intake result, pupils who left have no exit);
- the 中考 of 2022 and the 高考 of 2025 (语文, 数学, 英语, 综合 and the 总分 with the province rank) of
  the pupils the high schools took three years later, the best to the first high school, and the 总分
  (with the province rank) of the 2024 高考;
- each school has an intake effect (urban schools take stronger pupils) and a value added effect:
  the second-largest junior school adds clearly more than expected, one rural school less; the
  high school's first-ranked pupils reach the province's top 100 in 2025 (two) but not in 2024.
"""

from __future__ import annotations

from math import erfc, sqrt
from typing import Any

import numpy as np

from countyedu.census.demo.schools import _School

RESULTS_SEED_OFFSET = 1616
# exam → (grade, year, subjects with full marks)
INTAKE = ("monitoring", "J1", 2023, {"chinese": 100.0, "math": 100.0})
EXIT = ("zhongkao", "J3", 2025, {"chinese": 120.0, "math": 120.0, "english": 120.0})
HS_INTAKE = ("zhongkao", "J3", 2022, {"chinese": 120.0, "math": 120.0, "english": 120.0})
GAOKAO = {"chinese": 150.0, "math": 150.0, "english": 150.0, "comprehensive": 300.0}
GAOKAO_YEARS = (2024, 2025)
PROVINCE_CANDIDATES = 520_000  # 江西 sits about half a million 高考 candidates a year (rounded)
# where the county's candidates stand in the province: a county z of 0 is this province z, and the
# county's spread is this many times the province's (invented)
PROVINCE_SHIFT = {2024: -0.35, 2025: 0.0}
PROVINCE_SCALE = 1.15


def _pupils(classes: dict[tuple[str, int, str], list[int]], sid: str, year: int, grade: str) -> int:
    return int(sum(classes.get((sid, year, grade), [])))


def _scores(rng: np.random.Generator, z: np.ndarray, full: float) -> np.ndarray:
    """Scores out of `full` around 68% of it, SD 16% of it, for standard abilities z, in half marks."""
    raw = full * (0.68 + 0.16 * (z + rng.normal(0, 0.45, len(z))) / 1.1)
    return np.clip(np.round(raw * 2) / 2, 0, full)


class _Sheet:
    """The results sheet built column-wise."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {
            k: []
            for k in (
                "year",
                "exam",
                "grade",
                "person_id",
                "school_id",
                "subject",
                "score",
                "full_marks",
                "province_rank",
            )
        }

    def add(
        self,
        rng: np.random.Generator,
        exam: tuple[str, str, int, dict[str, float]],
        ids: list[str],
        sids: list[str],
        z: np.ndarray,
    ) -> None:
        kind, grade, year, subjects = exam
        for subject, full in subjects.items():
            self._extend(kind, grade, year, ids, sids, subject, _scores(rng, z, full), full, [None] * len(ids))

    def _extend(
        self,
        kind: str,
        grade: str,
        year: int,
        ids: list[str],
        sids: list[str],
        subject: str,
        scores: Any,
        full: float,
        ranks: list[Any],
    ) -> None:
        n = len(ids)
        c = self.cols
        c["year"] += [year] * n
        c["exam"] += [kind] * n
        c["grade"] += [grade] * n
        c["person_id"] += ids
        c["school_id"] += sids
        c["subject"] += [subject] * n
        c["score"] += [float(s) for s in scores]
        c["full_marks"] += [full] * n
        c["province_rank"] += ranks


def _junior_cohort(
    rng: np.random.Generator, sheet: _Sheet, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> None:
    """The 2023 七年级 monitoring test and the 2025 中考 of the same pupils, school by school."""
    juniors = [s for s in schools if _pupils(classes, s.school_id, INTAKE[2], "J1")]
    sizes = {s.school_id: _pupils(classes, s.school_id, INTAKE[2], "J1") for s in juniors}
    by_size = sorted(sizes, key=lambda k: (-sizes[k], k))
    small_rural = [s.school_id for s in juniors if not s.urban and sizes[s.school_id] >= 30]
    for s in juniors:
        sid = s.school_id
        n_in, n_out = sizes[sid], _pupils(classes, sid, EXIT[2], "J3")
        intake = rng.normal(0.35 if s.urban else -0.15, 0.25)
        va = rng.normal(0, 0.08) + (0.35 if sid == by_size[1] else 0.0) - (0.45 if sid == small_rural[-1] else 0.0)
        ability = rng.normal(intake, 1.0, max(n_in, n_out))
        ids = [f"{sid}-{INTAKE[2]}-{i:04d}" for i in range(max(n_in, n_out))]
        sheet.add(rng, INTAKE, ids[:n_in], [sid] * n_in, ability[:n_in])
        sheet.add(rng, EXIT, ids[:n_out], [sid] * n_out, ability[:n_out] * 0.8 + va + rng.normal(0, 0.4, n_out))


def _high_cohorts(
    rng: np.random.Generator, sheet: _Sheet, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> None:
    """The 2022 中考 and, three years later, the 高考 of the pupils the high schools took (the best to
    the first high school); the 2024 高考 of pupils whose 中考 is not in the sheet."""
    juniors = [s for s in schools if _pupils(classes, s.school_id, HS_INTAKE[2], "J3")]
    ids: list[str] = []
    sids: list[str] = []
    parts = []
    for s in juniors:
        n = _pupils(classes, s.school_id, HS_INTAKE[2], "J3")
        ids += [f"{s.school_id}-{HS_INTAKE[2]}-{i:04d}" for i in range(n)]
        sids += [s.school_id] * n
        parts.append(rng.normal(0.3 if s.urban else -0.1, 1.0, n))
    ability = np.concatenate(parts)
    sheet.add(rng, HS_INTAKE, ids, sids, ability)
    highs = [s for s in schools if _pupils(classes, s.school_id, 2025, "H3")]
    order = np.argsort(-ability, kind="stable")
    start = 0
    for s in highs:
        n = _pupils(classes, s.school_id, 2025, "H3")
        taken = order[start : start + n]
        start += n
        va = rng.normal(0, 0.1)
        # the high school's intake is selected: its pupils' standard ability within the 高考 cohort
        z = (ability[taken] - ability[order[:start]].mean()) * 0.9 + va + rng.normal(0, 0.35, n)
        _gaokao(rng, sheet, 2025, [ids[i] for i in taken], [s.school_id] * n, z, True)
    for s in highs:  # 2024: the year before, no intake in the sheet
        n = _pupils(classes, s.school_id, 2024, "H3")
        z = rng.normal(0.2 if s is highs[0] else -0.3, 0.95, n)
        _gaokao(rng, sheet, 2024, [f"{s.school_id}-G2024-{i:04d}" for i in range(n)], [s.school_id] * n, z, False)


def _gaokao(
    rng: np.random.Generator, sheet: _Sheet, year: int, ids: list[str], sids: list[str], z: np.ndarray, subjects: bool
) -> None:
    """The 高考 rows of the candidates: each subject (when `subjects`) and the total with its rank."""
    total = np.zeros(len(ids))
    for subject, full in GAOKAO.items():
        scores = _scores(rng, z, full)
        total += scores
        if subjects:
            sheet._extend("gaokao", "H3", year, ids, sids, subject, scores, full, [None] * len(ids))
    full_total = sum(GAOKAO.values())
    # the province rank of each total: the county's totals placed on the province's normal curve
    zt = (total - total.mean()) / total.std() * PROVINCE_SCALE + PROVINCE_SHIFT[year]
    ranks = [max(1, round(PROVINCE_CANDIDATES * 0.5 * erfc(float(v) / sqrt(2)))) for v in zt]
    sheet._extend("gaokao", "H3", year, ids, sids, "total", total, full_total, ranks)


def _result_rows(
    rng: np.random.Generator, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> dict[str, list[Any]]:
    """The results sheet, column-wise."""
    sheet = _Sheet()
    _junior_cohort(rng, sheet, schools, classes)
    _high_cohorts(rng, sheet, schools, classes)
    return sheet.cols

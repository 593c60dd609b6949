"""A small county for the admissions pages: the hand county (tests/fixtures/hand) with the candidates
and programmes of 2024 added — the junior schools J1 (琴城中学, urban) and N1 (太源学校, rural), H1's
general programmes G1 (4 places, half of them 指标到校, line 480) and G2 (2 places, line 400) and
V1's vocational programme Z1 (3 places). Every candidate chooses G1, G2, Z1; D3 sat no exam (第7条).

Its admission, worked by hand (tests/admissions/test_verify.py has the same county in ids of its own):
quota batch (line 460) J1 → A1, N1 → B1; unified G1 (2 places left) A2, B2; A3 → G2 (G1 full), B4 → G2;
A4 (300) and B3 (no exam) → Z1."""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache as indicator_cache

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
YEAR = 2024
# id, junior school, sat the exam, score, three years at the school
PEOPLE = [
    ("A1", "J1", True, 600.0, True),
    ("A2", "J1", True, 560.0, True),
    ("A3", "J1", True, 490.0, True),
    ("A4", "J1", True, 300.0, True),
    ("B1", "N1", True, 590.0, True),
    ("B2", "N1", True, 520.0, False),
    ("B3", "N1", False, None, True),
    ("B4", "N1", True, 450.0, True),
]
HAND_ADMISSION = {
    "A1": ("G1", "quota"),
    "B1": ("G1", "quota"),
    "A2": ("G1", "unified"),
    "B2": ("G1", "unified"),
    "A3": ("G2", "unified"),
    "B4": ("G2", "unified"),
    "A4": ("Z1", "vocational"),
    "B3": ("Z1", "vocational"),
}


def county_folder(into: Path) -> Path:
    """The hand county's folder with the admission sheets added."""
    folder = into / "county"
    shutil.copytree(HAND, folder)
    pd.DataFrame(
        {
            "candidate_id": [p[0] for p in PEOPLE],
            "year": YEAR,
            "junior_school_id": [p[1] for p in PEOPLE],
            "took_exam": [p[2] for p in PEOPLE],
            "exam_score": [p[3] for p in PEOPLE],
            "quality_grade": ["B" if p[2] else None for p in PEOPLE],
            "score_chinese": [100.0 if p[2] else None for p in PEOPLE],
            "score_math": [100.0 if p[2] else None for p in PEOPLE],
            "score_english": [100.0 if p[2] else None for p in PEOPLE],
            "three_years_at_school": [p[4] for p in PEOPLE],
            "choice_1": ["G1" if p[2] else "Z1" for p in PEOPLE],
            "choice_2": ["G2" if p[2] else None for p in PEOPLE],
            "choice_3": ["Z1" if p[2] else None for p in PEOPLE],
        }
    ).to_csv(folder / "candidates.csv", index=False)
    pd.DataFrame(
        {
            "programme_id": ["G1", "G2", "Z1"],
            "year": YEAR,
            "school_id": ["H1", "H1", "V1"],
            "track": ["general", "general", "vocational"],
            "batch": ["unified", "unified", "vocational"],
            "quota": [4, 2, 3],
            "quota_to_schools": [0.5, 0.0, None],  # 0: no 指标到校 (empty would take the rules' share)
            "min_score": [480.0, 400.0, None],
        }
    ).to_csv(folder / "programmes.csv", index=False)
    return folder


@cache
def admissions_data_dir() -> Path:
    """A data dir holding the county and its assessment (made once per test run; the pages' runs live
    in the web database, never here)."""
    d = Path(tempfile.mkdtemp(prefix="countyedu-admissions-test-"))
    store = CensusStore(d / "data")
    import_census(county_folder(d), store)
    indicator_cache.get_or_compute(store)
    return d / "data"


def admission_pages(page: object, base: str, ctx: dict[str, object]) -> list[str]:
    """A step of the words walk (test_browser_words): two runs of the latest year by the walking
    bureau administrator, then a refused candidate's explanation and the comparison of the runs."""
    from django.contrib.auth.models import User

    from countyedu.web import census as census_data
    from countyedu.web.admissions import do_start_admission_run

    version = census_data.latest_version()
    assert version is not None
    year = int(census_data.census(version)["candidates"]["year"].max())
    admin = User.objects.get(username="admin")
    a = do_start_admission_run(version, year, {}, acting_user=admin)
    b = do_start_admission_run(version, year, {}, acting_user=admin)
    a.refresh_from_db()
    assert a.result is not None, a.message
    refused = next(x["candidate_id"] for x in a.result["admitted"] if x["batch"] == "vocational" and x.get("rank"))
    return [
        f"/admissions/runs/{a.pk}/candidate/?candidate={refused}",
        f"/admissions/compare/?a={a.pk}&b={b.pk}",
        "/admissions/upload/",
    ]

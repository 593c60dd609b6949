"""The rotation county of the teachers pages' tests: the hand county (tests/fixtures/hand) with twelve
more teachers at 琴城第一小学 (P1, urban), eight years there (Chinese and maths, two of them county
backbone teachers), so that P1 has teachers to spare above its class floor and the rotation moves
some of them to the rural schools short of their subjects (太源学校, 太源村教学点)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.runs import pipeline, registry
from countyedu.runs.store import load_packs

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"


def rotation_county(folder: Path) -> Path:
    """The hand county's files in `folder`, with P1's twelve more teachers."""
    shutil.copytree(HAND, folder)
    t = pd.read_csv(folder / "teachers.csv", dtype=str)
    rows = []
    for k in range(12):
        subject = "语文" if k % 2 == 0 else "数学"
        backbone = "县级" if k in (0, 1) else "无"
        rows.append(
            {
                **t.iloc[0].to_dict(),
                "teacher_id": f"p{k + 1:02d}",
                "birth_year": str(1980 + k % 6),
                "subject": subject,
                "backbone": backbone,
                "years_at_school": "8",
                "title": "一级教师",
            }
        )
    pd.concat([t, pd.DataFrame(rows)], ignore_index=True).to_csv(folder / "teachers.csv", index=False)
    return folder


def rotation_store(data_dir: Path, folder: Path) -> str:
    """The rotation county imported into `data_dir`, assessed and its teachers run stored; its version."""
    store = CensusStore(data_dir)
    import_census(rotation_county(folder), store)
    cache.get_or_compute(store)
    version = store.latest().version_id  # type: ignore[union-attr]
    pipeline.compute(store, registry.get("teachers"), version, load_packs())
    return version

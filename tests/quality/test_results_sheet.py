"""The results sheet (考试成绩, issue 16 item 1): imported with the census, its Chinese headers and codes
accepted, and every bad row named by sheet, row, column and rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from census_support import SMALL
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import ValidationFailed

GOOD = """学年,考试,年级,学籍号,学校代码,科目,成绩,满分,全省排名
2023,质量监测,七年级,P1,S3,数学,78,100,
2023,monitoring,J1,P1,S3,语文,81.5,100,
2023,县质量监测,七年级,P2,S3,道德与法治,66,100,
"""


def folder(tmp_path: Path, results: str) -> Path:
    out = tmp_path / "county"
    shutil.copytree(SMALL, out)
    (out / "考试成绩.csv").write_text(results, encoding="utf-8")
    return out


def test_it_imports_the_results(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    version = store.latest()
    assert version is not None
    r = store.frames(version.version_id)["results"].sort_values(["person_id", "subject"])
    assert list(r["exam"]) == ["monitoring"] * 3
    assert list(r["subject"]) == ["chinese", "math", "politics"]  # 道德与法治 is read as politics
    assert list(r["grade"]) == ["J1"] * 3


def test_bad_rows_are_named(tmp_path: Path) -> None:
    bad = GOOD + (
        "2023,期末考试,七年级,P3,S3,数学,70,100,\n"  # no such exam
        "2023,质量监测,七年级,P1,S3,数学,60,100,\n"  # P1's mathematics twice
    )
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert (5, "exam", "code") in found
    assert any(row == 6 and rule == "duplicate_key" for row, _col, rule in found), found
    assert info.value.message_zh and info.value.message_en


def test_references_and_marks_are_checked(tmp_path: Path) -> None:
    bad = GOOD + (
        "2023,质量监测,七年级,P4,S3,数学,120,100,\n"
        "2023,质量监测,七年级,P5,S99,数学,60,100,\n"
        "2023,质量监测,九年级,P6,S1,数学,60,100,\n"
    )
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert found == {(5, "score", "score_over_full"), (6, "school_id", "reference"), (7, "grade", "grade_stage")}
    assert {p.sheet for p in info.value.problems} == {"考试成绩.csv"}
    over = next(p for p in info.value.problems if p.rule == "score_over_full")
    assert "高于满分 100" in over.message_zh and "above the full marks 100" in over.message_en

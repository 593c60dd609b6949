"""The inspectors sheet (责任督学, issue 15 item 2): imported with the census, its Chinese headers and
codes accepted, and every bad row named by sheet, row, column and rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from census_support import SMALL
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import ValidationFailed

GOOD = """督学编号,姓名,专兼职,原工作学校代码,联系电话,所在乡镇代码,督导责任区
I1,刘建华,专职,S1,0794-3200001,T1,城区
I2,黄志明,part_time,,0794-3200002,T2,
"""


def folder(tmp_path: Path, inspectors: str) -> Path:
    out = tmp_path / "county"
    shutil.copytree(SMALL, out)
    (out / "inspectors.csv").write_text(inspectors, encoding="utf-8")
    return out


def test_it_imports_the_register(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    version = store.latest()
    assert version is not None
    ins = store.frames(version.version_id)["inspectors"].sort_values("inspector_id")
    assert list(ins["employment"]) == ["full_time", "part_time"]
    assert list(ins["former_school_id"].fillna("")) == ["S1", ""]


def test_bad_rows_are_named(tmp_path: Path) -> None:
    bad = GOOD + "I3,王春兰,退休,S1,0794-3200003,T1,\nI1,重复,专职,,0794,T1,\n"
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert (4, "employment", "code") in found  # 退休 is no employment code
    assert (5, "inspector_id", "duplicate_key") in found  # I1 twice
    assert info.value.message_zh and info.value.message_en


def test_a_former_school_and_a_township_must_exist(tmp_path: Path) -> None:
    bad = GOOD + "I3,王春兰,兼职,S99,0794-3200003,T9,\n"
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert found == {(4, "former_school_id", "reference"), (4, "township_id", "reference")}
    assert {p.sheet for p in info.value.problems} == {"inspectors.csv"}

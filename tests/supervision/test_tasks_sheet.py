"""The tasks sheet's new columns (issue 15 item 1): owner kind and id, lead, contact, due date,
milestones and indicator ids — read from the exchange format, dates normalised, every bad cell a
located error in Chinese and English."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import ValidationFailed
from countyedu.supervision.tasks import task_register

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _county(tmp_path: Path, tasks_csv: str | None = None) -> Path:
    county = tmp_path / "county"
    shutil.copytree(FIXTURES / "hand", county)
    if tasks_csv is None:
        shutil.copy(FIXTURES / "supervision" / "tasks.csv", county / "tasks.csv")
    else:
        (county / "tasks.csv").write_text(tasks_csv, encoding="utf-8")
    return county


def test_the_tasks_sheet_imports_with_owners_dates_and_indicators(tmp_path):
    store = CensusStore(tmp_path / "data")
    import_census(_county(tmp_path), store)
    tasks = store.frames(store.latest().version_id, ["tasks"])["tasks"].set_index("task_id")
    assert tasks.loc["K2", "due_date"] == "2026-08-31"  # written 2026/8/31
    assert (tasks.loc["K2", "owner_kind"], tasks.loc["K2", "owner_id"]) == ("township", "T1")
    assert tasks.loc["K1", "owner_kind"] == "bureau_office" and tasks.loc["K6", "indicators"] == "B-34-FUNDS"
    reg = {t.task_id: t for t in task_register(tasks.reset_index(), date(2025, 12, 31))}
    assert reg["K1"].due == date(2025, 6, 30) and [m.text for m in reg["K1"].milestones] == ["开工", "投入使用"]
    assert reg["K3"].due == date(2026, 12, 31)  # no due date: the due year's 31 December


HEAD = "task_id,clause,title,owner,due_year,status,owner_kind,owner_id,due_date\n"


def _problems(tmp_path: Path, rows: str) -> list:
    with pytest.raises(ValidationFailed) as e:
        import_census(_county(tmp_path, HEAD + rows), CensusStore(tmp_path / "data"))
    return e.value.problems


def test_bad_dates_and_kinds_are_located_errors(tmp_path):
    problems = _problems(
        tmp_path,
        "X4,第1条,丁,股室,2025,进行中,教体局股室,,2025-13-01\n"  # no 13th month
        "X5,第1条,戊,股室,2025,进行中,科室,,明年\n",  # no such kind; not a date
    )
    found = {(p.row, p.column, p.rule) for p in problems}
    assert {(2, "due_date", "date"), (3, "owner_kind", "code"), (3, "due_date", "date")} <= found, found
    p = next(p for p in problems if p.rule == "date")
    assert "2025-06-30" in p.message_zh and "2025-06-30" in p.message_en


def test_a_township_or_school_task_names_a_unit_that_exists(tmp_path):
    problems = _problems(
        tmp_path,
        "X1,第1条,甲,某镇,2025,进行中,乡镇,T9,2025-06-30\n"  # no such township
        "X2,第1条,乙,某校,2025,进行中,学校,T1,2025-06-30\n"  # a township's id for a school
        "X3,第1条,丙,某校,2025,进行中,学校,,2025-06-30\n"  # a school task without its school
        "X6,第1条,己,某校,2025,进行中,学校,P1,2025-06-30\n",  # right
    )
    found = {(p.row, p.column, p.rule) for p in problems}
    assert found == {(2, "owner_id", "task_owner"), (3, "owner_id", "task_owner"), (4, "owner_id", "task_owner")}
    owner = next(p for p in problems if p.row == 2)
    assert "T9" in owner.message_zh and "township" in owner.message_en

"""`countyedu tasks …` as the bureau runs it, on the hand county with six tasks
(tests/fixtures/supervision/tasks.csv): the list's JSON contract (README), the overdue list, the view
by owner, the progress report as a workbook, and a bad day refused (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-tasks")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    shutil.copy(FIXTURES / "supervision" / "tasks.csv", county / "tasks.csv")
    import_census(county, CensusStore(tmp / "data"))
    return tmp / "data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_the_list_json_is_the_readme_contract(data: Path) -> None:
    proc = run("tasks", "list", "--data-dir", str(data), "--as-of", "2025-12-31", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["census_version"], doc["as_of"]) == ("v1", "2025-12-31")
    assert doc["summary"] == {
        "tasks_total": 6,
        "tasks_done": 0,
        "tasks_overdue": 3,
        "tasks_seriously_overdue": 2,
        "tasks_pending": 0,
        "tasks_due_soon": 1,  # K4, due that day
    }
    assert doc["late"] == ["K6", "K1", "K5"]
    k1 = next(t for t in doc["tasks"] if t["task_id"] == "K1")
    assert (k1["due"], k1["days_overdue"], k1["owner_kind"], k1["lead"]) == (
        "2025-06-30",
        184,
        "bureau_office",
        "刘建华 股长",
    )
    assert k1["milestones"] == [{"due": "2025-03-01", "text": "开工"}, {"due": "2025-06-30", "text": "投入使用"}]


def test_a_townships_overdue_tasks_and_the_counts_by_owner(data: Path) -> None:
    proc = run("tasks", "list", "--data-dir", str(data), "--as-of", "2025-12-31", "--township", "T2", "--late")
    assert proc.returncode == 0, proc.stderr
    assert "K5" in proc.stdout and "太源学校" in proc.stdout and "K3" not in proc.stdout and "K1" not in proc.stdout
    by = run("tasks", "list", "--data-dir", str(data), "--as-of", "2025-12-31", "--by", "owner", "--format", "json")
    groups = {g["owner"]: g for g in json.loads(by.stdout)["groups"]}
    assert groups["县财政局"]["overdue"] == 1 and groups["琴城镇人民政府"]["tasks"] == 1


def test_the_progress_report_workbook_puts_the_late_first(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "progress.xlsx"
    proc = run(
        "tasks", "report", "--data-dir", str(data), "--as-of", "2025-12-31", "--format", "xlsx", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["任务督办进展报告", "逾期任务及责任单位"]
    assert [r[0].value for r in wb["逾期任务及责任单位"].iter_rows(min_row=2)] == ["K6", "K1", "K5"]


def test_a_bad_day_is_refused_without_a_traceback(data: Path) -> None:
    proc = run("tasks", "list", "--data-dir", str(data), "--as-of", "2025-13-40")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "as_of" in proc.stderr

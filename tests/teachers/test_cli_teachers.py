"""`countyedu teachers …` as the personnel office runs it, on the hand county (tests/fixtures/hand, 2024):
the staffing JSON contract of the README, the table and the workbook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore

HAND = Path(__file__).parents[1] / "fixtures" / "hand"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-teachers") / "data"
    import_census(HAND, CensusStore(d))
    return d


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}  # tables unwrapped
    return subprocess.run(
        [sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_staffing_json_is_the_readme_contract(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "staffing.xlsx"
    proc = run("teachers", "staffing", "--data-dir", str(data), "--format", "json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["census_version"] == "v1" and doc["year"] == 2024
    keys = {"school_id", "stage", "pupils", "classes", "norm", "actual", "surplus", "shortage"}
    assert all(set(s) == keys for s in doc["schools"])
    rows = {s["school_id"]: s for s in doc["schools"]}
    # K1: 3 classes × 2; P1: 310 / 19 = 16.3 → 16; J1: 200 / 13.5 = 14.8 → 15; H1: 150 / 12.5 = 12
    assert [rows[k]["norm"] for k in ("K1", "P1", "J1", "H1")] == [6, 16, 15, 12]
    # K3's only teacher is part-time: half a post
    assert rows["K3"]["actual"] == 0.5 and rows["K3"]["shortage"] == 1.5
    assert rows["P1"]["actual"] == 4 and rows["P1"]["shortage"] == 12 and rows["P1"]["surplus"] == 0
    sheets = openpyxl.load_workbook(out).sheetnames
    assert any("编制" in s for s in sheets)


def test_staffing_table_is_in_chinese_and_a_bad_year_exits_2(data: Path) -> None:
    proc = run("teachers", "staffing", "--data-dir", str(data), "--rows", "3")
    assert proc.returncode == 0, proc.stderr
    assert "教师编制" in proc.stdout and "核定编制" in proc.stdout and "琴城第一幼儿园" in proc.stdout
    bad = run("teachers", "staffing", "--data-dir", str(data), "--year", "1990")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_allocate_and_training_json(data: Path) -> None:
    proc = run("teachers", "allocate", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["census_version"] == "v1" and doc["year"] == 2024 and doc["status"] == "optimal"
    # every public school of the hand county is short: nothing to reassign, every shortage left
    assert doc["moves"] == [] and {p["school_id"] for p in doc["posts"]} >= {"P1", "J1", "TP1"}
    assert all(p["after"] == p["actual"] for p in doc["posts"])
    proc = run("teachers", "training", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    # full-time teachers under 360 hours: t3 (300), t4 (100), t12 (200); t13 (100) is part-time
    assert sorted(t["teacher_id"] for t in doc["training_behind"]) == ["t12", "t3", "t4"]


def test_titles_are_codes_and_their_full_names_are_accepted(data: Path) -> None:
    # the hand county writes titles as 一级教师, 高级教师 …, and leaves some empty
    t = CensusStore(data).census("v1")["teachers"].set_index("teacher_id")
    assert t.loc["t1", "title"] == "first" and t.loc["t5", "title"] == "senior" and t.loc["t2", "title"] == "second"
    assert t["title"].isna().sum() == 3  # t4, t12, t13

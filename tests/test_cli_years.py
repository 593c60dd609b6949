"""`countyedu years list | open | close` and `--year` as a planner runs them on the hand county (2024:
nine schools, all reporting), with part of 2025 (P1 only) imported while 2025 is in collection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore

HAND = Path(__file__).parent / "fixtures" / "hand"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300)


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand county, then 2025 opened and P1's 2025 rows imported with --collecting."""
    root = tmp_path_factory.mktemp("cli-years")
    d = root / "data"
    import_census(HAND, CensusStore(d))
    part = root / "p1-2025"
    part.mkdir()
    for sheet in ("school_years", "classes", "teachers"):
        df = pd.read_csv(HAND / f"{sheet}.csv", dtype=str)
        df[df["school_id"] == "P1"].assign(year="2025").to_csv(part / f"{sheet}.csv", index=False)
    ok("years", "open", "2025", "--no-assess", "--data-dir", str(d))
    ok("import", str(part), "--collecting", "--data-dir", str(d), "--format", "json")
    return d


def test_years_list_gives_each_years_state_and_coverage(data: Path) -> None:
    doc = json.loads(ok("years", "list", "--data-dir", str(data), "--format", "json").stdout)
    assert doc["default_year"] == 2024
    assert [(y["year"], y["state"], y["reported"], y["schools_open"]) for y in doc["years"]] == [
        (2024, "closed", 9, 9),
        (2025, "collecting", 1, 9),
    ]
    assert doc["years"][1]["coverage_zh"] == "2025：已报 1/9 所"
    table = ok("years", "list", "--data-dir", str(data)).stdout
    assert "采集中" in table and "1/9" in table
    summary = json.loads(ok("summary", "--data-dir", str(data), "--format", "json").stdout)
    assert [(y["year"], y["state"]) for y in summary["school_years"]] == [(2024, "closed"), (2025, "collecting")]
    assert "采集中 partial" in ok("summary", "--data-dir", str(data)).stdout


def test_assess_and_funding_default_to_the_closed_year_and_label_a_chosen_partial_one(data: Path) -> None:
    table = ok("assess", "--data-dir", str(data)).stdout
    assert "县级指标 2024 " in table
    partial = ok("assess", "--year", "2025", "--data-dir", str(data)).stdout
    assert "2025（采集中，已报 1/9 所）" in partial
    funding = ok("funding", "run", "--data-dir", str(data), "--format", "json")
    assert json.loads(funding.stdout)["year"] == 2024
    assert "2025: 1 of 9 schools reported" in " ".join(funding.stderr.split())
    chosen = ok("funding", "run", "--year", "2025", "--data-dir", str(data), "--format", "json")
    assert json.loads(chosen.stdout)["year"] == 2025 and "partial" in chosen.stderr
    explained = json.loads(ok("explain", "T-CMP-2", "--data-dir", str(data), "--format", "json").stdout)
    assert explained["year"] == 2024 and explained["year_state"] == "closed"
    wrong = run("funding", "run", "--year", "2031", "--data-dir", str(data))
    assert wrong.returncode == 2 and "没有 2031 学年" in wrong.stderr and "no school year 2031" in wrong.stderr


def test_closing_a_year_makes_it_the_default_and_a_whole_import_closes_its_years(tmp_path: Path, data: Path) -> None:
    import shutil

    d = tmp_path / "data"
    shutil.copytree(data, d)
    doc = json.loads(ok("years", "close", "2025", "--no-assess", "--data-dir", str(d), "--format", "json").stdout)
    assert doc["state"] == "closed" and doc["default_year"] == 2025
    ok("years", "open", "2024", "--no-assess", "--data-dir", str(d))
    ok("import", str(HAND), "--data-dir", str(d), "--format", "json")  # the whole 2024 census again
    years = json.loads(ok("years", "list", "--data-dir", str(d), "--format", "json").stdout)["years"]
    assert {y["year"]: y["state"] for y in years} == {2024: "closed", 2025: "closed"}
    bad = run("years", "open", "1800", "--data-dir", str(d))
    assert bad.returncode == 2 and "学年须在" in bad.stderr and "must be between" in bad.stderr

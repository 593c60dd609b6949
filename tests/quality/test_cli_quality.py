"""`countyedu quality …` as the office runs it, on the hand county with tests/fixtures/quality/results.csv:
the report's JSON contract (README), a school's own report holding that school only, a workbook, and
an unknown school refused (exit 2, no traceback)."""

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
    tmp = tmp_path_factory.mktemp("cli-quality")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    shutil.copy(FIXTURES / "quality" / "results.csv", county / "results.csv")
    import_census(county, CensusStore(tmp / "data"))
    return tmp / "data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_the_report_json_is_the_readme_contract(data: Path) -> None:
    proc = run("quality", "report", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) == {
        "census_version",
        "year",
        "results",
        "parameters",
        "measures",
        "spread",
        "value_added",
        "top100",
    }
    assert (doc["census_version"], doc["results"]) == ("v1", 26)
    county = [m for m in doc["measures"] if m["level"] == "county" and m["exam"] == "monitoring"]
    # 2022 monitoring, mathematics: 50 70 50 70 60 80 | 50 70 50 70 60 → 680 / 11
    assert county[0]["n"] == 11 and county[0]["mean"] == pytest.approx(680 / 11, abs=1e-6)
    [va] = doc["value_added"]
    assert (va["intake_year"], va["exit_year"], va["pupils"]) == (2022, 2024, 11)
    assert {s["school_id"]: s["n"] for s in va["schools"]} == {"J1": 6, "N1": 5}
    assert {"va", "se", "lo", "hi", "judgement", "best", "worst"} <= set(va["schools"][0])
    [top] = doc["top100"]
    assert (top["year"], top["candidates"], top["count"], top["met"]) == (2024, 4, 1, True)
    assert top["top"] == [{"person_id": "H1-01", "school_id": "H1", "rank": 42}]
    assert doc["parameters"]["pass_share"] == 0.6 and doc["parameters"]["clauses"]["top_n"] == "T-HS-3"


def test_a_school_report_holds_the_school_only(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "n1.xlsx"
    proc = run("quality", "school", "N1", "--data-dir", str(data), "--format", "json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["school_id"], doc["name"], doc["township"]) == ("N1", "太源学校", "太源乡")
    assert {r["exam"] for r in doc["results"]} == {"monitoring", "zhongkao"}
    assert doc["value_added"][0]["n"] == 5 and doc["value_added"][0]["schools_estimated"] == 2
    assert "J1-0" not in proc.stdout and "琴城中学" not in proc.stdout
    sheets = openpyxl.load_workbook(out).sheetnames
    assert sheets and all("琴城" not in s for s in sheets)


def test_an_unknown_school_is_a_user_error(data: Path) -> None:
    proc = run("quality", "school", "ZZ", "--data-dir", str(data))
    assert proc.returncode == 2
    assert "ZZ" in proc.stderr and "Traceback" not in proc.stderr

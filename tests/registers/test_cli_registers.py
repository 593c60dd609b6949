"""`countyedu private list` and `countyedu housing list` as the offices run them, on the hand county with
two private kindergartens and four housing projects (tests/fixtures/registers): the JSON contracts
(README), a flag filter, and a flag that does not exist refused (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-registers")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    for name in ("private_schools.csv", "housing_projects.csv"):
        shutil.copy(FIXTURES / "registers" / name, county / name)
    import_census(county, CensusStore(tmp / "data"))
    return tmp / "data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_the_private_register_json(data: Path) -> None:
    proc = run("private", "list", "--data-dir", str(data), "--as-of", "2025-01-15", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["census_version"], doc["year"], doc["as_of"]) == ("v1", 2024, "2025-01-15")
    assert doc["summary"] == {
        "year": 2024,
        "as_of": "2025-01-15",
        "private_schools": 2,
        "private_kindergartens": 2,
        "inclusive_kindergartens": 1,
        "subsidy": 36000.0,
        "flagged_schools": 1,
        "flags": {"licence_expiring": 1, "inspection_failed": 1, "insurance_missing": 1},
    }
    k3 = next(s for s in doc["schools"] if s["school_id"] == "K3")
    assert (k3["name"], k3["classification"], k3["licence_expiry"]) == ("贝贝幼儿园", "for_profit", "2025-02-28")
    assert k3["flags"] == ["licence_expiring", "inspection_failed", "insurance_missing"]  # 44 days to go


def test_the_housing_register_json_and_a_flag(data: Path) -> None:
    proc = run("housing", "list", "--data-dir", str(data), "--as-of", "2024-12-31", "--flagged", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["housing_projects"] == 4 and doc["summary"]["flagged_projects"] == 2
    flagged = {p["project_id"]: p["flags"] for p in doc["projects"]}
    # HP2: handed over 46 days late as a non-普惠 private kindergarten; HP3: housing accepted, not handed over
    assert flagged == {
        "HP2": ["handed_over_late", "not_public_or_inclusive"],
        "HP3": ["late", "accepted_without_facility"],
    }
    hp3 = next(p for p in doc["projects"] if p["project_id"] == "HP3")
    assert (hp3["days_late"], hp3["norm_kindergarten_classes"]) == (184, 0)  # 1,020 households: T-PRE-2's only


def test_a_table_in_chinese_and_a_bad_flag(data: Path) -> None:
    proc = run("private", "list", "--data-dir", str(data), "--as-of", "2025-01-15")
    assert proc.returncode == 0, proc.stderr
    assert "年检不合格" in proc.stdout and "贝贝幼儿园" in proc.stdout
    bad = run("housing", "list", "--data-dir", str(data), "--flag", "lost")
    assert bad.returncode == 2
    assert "没有问题类型 lost" in bad.stderr and "Traceback" not in bad.stderr

"""`countyedu vocational …` as the office runs it, on the hand county with the vocational sheets of
tests/fixtures/vocational: the majors' JSON (README's contract), a pupil's conversions, an unknown
pupil refused (exit 2, no traceback)."""

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
    tmp = tmp_path_factory.mktemp("cli-vocational")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    for sheet in (FIXTURES / "vocational").glob("*.csv"):
        shutil.copy(sheet, county / sheet.name)
    import_census(county, CensusStore(tmp / "data"))
    return tmp / "data"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "countyedu", "vocational", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_the_majors_json_is_the_readme_contract(data: Path) -> None:
    proc = run("majors", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["census_version"], doc["year"], doc["target"], doc["enrolled"]) == ("v1", 2024, 1200, 70)
    assert [(m["major_id"], m["enrolled"], m["share_of_target"]) for m in doc["majors"]] == [
        ("ZZ05", 40, round(40 / 1200, 4)),
        ("ZZ03", 30, 0.025),
    ]
    assert doc["expansion"]["latest"] == 40  # nursing


def test_a_pupils_conversions_and_an_unknown_pupil(data: Path) -> None:
    proc = run("credits", "--pupil", "2022ZZ05001", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["pupil_id"], doc["as_of"], doc["credits"]) == ("2022ZZ05001", "2025-08-31", 4.0)
    assert [(c["rule_id"], c["credits"], c["status"]) for c in doc["conversions"]] == [
        ("R09", 3.0, "converted"),
        ("R10", 1.0, "partly"),
    ]
    bad = run("credits", "--pupil", "NOBODY", "--data-dir", str(data))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "NOBODY" in bad.stderr and "学分银行" in bad.stderr

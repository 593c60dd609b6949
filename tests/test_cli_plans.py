"""`countyedu plan …` and `countyedu funding …` as a planner and a finance officer run them, on the hand
county (tests/fixtures/hand: 2024 only; children aged 3–5 and 15–17 in the population sheet)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore

HAND = Path(__file__).parent / "fixtures" / "hand"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-plans") / "data"
    import_census(HAND, CensusStore(d))
    return d


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300)


def test_plan_run_stores_every_part_and_says_what_it_cannot_compute(data: Path) -> None:
    proc = run("plan", "run", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["year"] == 2024
    # one year of population: no cohort-change ratio can be formed, and the part says so in both languages
    assert doc["projection"]["part"] == "projection" and doc["projection"]["error_zh"] and doc["projection"]["error_en"]
    assert "facility_needs" in doc and "consolidation" in doc
    assert list((data / "planning").glob("v1-*.json")), "the run is stored for the web app and the reports"


def test_divisible_kindergarten_catchments_place_every_child(data: Path) -> None:
    # demand = persons aged 3–5 × 90% (T-PRE-5): C1 120 → 108, C2 60 → 54, C3 30 → 27; seats 90 + 80 + 50 = 220
    proc = run("plan", "catchments", "--stage", "kindergarten", "--year", "2024", "--divisible",
               "--data-dir", str(data), "--format", "json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    plan = json.loads(proc.stdout)
    assert plan["status"] == "optimal"
    placed: dict[str, float] = {}
    for a in plan["assignments"]:
        placed[a["community_id"]] = placed.get(a["community_id"], 0) + a["pupils"]
    assert placed == {"C1": 108, "C2": 54, "C3": 27}
    seats = {"K1": 90, "K2": 80, "K3": 50}
    for z in plan["zones"]:
        assert z["pupils"] <= seats[z["school_id"]]


def test_whole_community_catchments_that_cannot_fit_explain_why(data: Path) -> None:
    proc = run("plan", "catchments", "--stage", "kindergarten", "--year", "2024", "--single", "--data-dir", str(data))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "108" in proc.stderr and "90" in proc.stderr  # C1's 108 children, the largest kindergarten's 90 seats


def test_funding_run_and_a_scenario_in_excel(data: Path, tmp_path: Path) -> None:
    proc = run("funding", "run", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["year"] == 2024 and doc["per_pupil"]["total"] > 0
    out = tmp_path / "scenario.xlsx"
    proc = run("funding", "scenario", "--set", "boarder_subsidy=300", "--data-dir", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(openpyxl.load_workbook(out).sheetnames) >= 2


@pytest.mark.parametrize(
    ("setting", "words"),
    [("boarder_subsidy", "parameter=number"), ("bogus=1", "bogus"), ("step_rate=7", "step_rate")],
)
def test_a_bad_scenario_setting_is_named(data: Path, setting: str, words: str) -> None:
    proc = run("funding", "scenario", "--set", setting, "--data-dir", str(data))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert words in proc.stderr


def test_a_bad_sites_file_is_located(data: Path, tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,name,lat,lon,capacity\nX1,新校址,27.2,116.5,300\nX2,坏校址,95,116.5,-4\n", "utf-8")
    proc = run("plan", "site", "--sites", str(sites), "--stage", "primary", "--data-dir", str(data))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "lat" in proc.stderr and "capacity" in proc.stderr and "3" in proc.stderr  # row 3 of the file


def test_the_assessment_report_carries_the_stored_planning_and_funding(data: Path, tmp_path: Path) -> None:
    for args in (("plan", "run"), ("funding", "run")):
        assert run(*args, "--data-dir", str(data), "--format", "json").returncode == 0
    out = tmp_path / "report.html"
    proc = run("assess", "--data-dir", str(data), "--format", "html", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    html = out.read_text("utf-8")
    assert 'id="chapter-planning"' in html and 'id="chapter-funding"' in html
    assert "生均公用经费" in html and "第22条" in html


def test_a_census_without_population_or_school_years_says_what_each_part_lacks(tmp_path: Path) -> None:
    """The small county (tests/fixtures/small) has no population or school_years sheet: every planning part
    that needs them says so, and the funding rules still run on its classes."""
    data = tmp_path / "data"
    import_census(Path(__file__).parent / "fixtures" / "small", CensusStore(data))
    proc = run("plan", "run", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert "population sheet is empty" in doc["catchments.primary"]["error_en"]
    assert "school_years sheet is empty" in doc["consolidation"]["error_en"]
    assert "学校年度表为空" in doc["consolidation"]["error_zh"]
    proc = run("funding", "run", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["per_pupil"]["total"] > 0


def test_a_usage_error_is_shown_without_a_traceback() -> None:
    proc = run("assess", "--format", "nope")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nope" in proc.stderr


def test_funding_tables_are_in_the_language_asked_for(data: Path) -> None:
    """The printed blocks are worded in --lang only (issue 11): Chinese without English words or raw keys,
    English without Chinese but the county's proper names and the policy's clause ids."""
    import re

    import pandas as pd

    names = {
        str(n) for sheet in ("schools", "townships", "communities") for n in pd.read_csv(HAND / f"{sheet}.csv")["name"]
    }
    import os

    def wide(*args: str) -> subprocess.CompletedProcess[str]:  # tables unfolded: a phrase stays on one line
        cmd = [sys.executable, "-m", "countyedu", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "1000"})

    zh = wide("funding", "run", "--data-dir", str(data), "--lang", "zh", "--rows", "200")
    assert zh.returncode == 0, zh.stderr
    assert "生均公用经费合计" in zh.stdout and "状态" in zh.stdout
    assert not re.search(r"finance:\w|sheet:\w|_id\b|\b(clause|rule|status|explanation|met|not_met)\b", zh.stdout)
    en = wide("funding", "run", "--data-dir", str(data), "--lang", "en", "--rows", "200")
    assert en.returncode == 0, en.stderr
    assert "Per-pupil funds: total" in en.stdout
    rest = re.sub(r"第[\d、]+条", "", en.stdout)
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, "")
    assert not re.search(r"[\u3400-\u9fff]", rest), re.findall(r".{0,30}[\u3400-\u9fff]+.{0,30}", rest)[:5]

"""`countyedu supervise evaluate | report` as the supervision office runs them, on the hand county
(tests/fixtures/hand, 2024; no web records): the README's JSON contract, the office's scores and
vetoes from CSV, the letters, a report workbook and a clean error."""

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
    d = tmp_path_factory.mktemp("cli-evaluate") / "data"
    import_census(HAND, CensusStore(d))
    return d


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_evaluate_json_is_the_readme_contract_with_the_offices_entries(data: Path, tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text("unit_id,rubric_id,points\nT2,T-L2,8\nT2,T-F1,4\n", "utf-8")
    vetoes = tmp_path / "vetoes.csv"
    vetoes.write_text("unit_id,veto,note\nT1,pay_arrears,拖欠绩效工资\n", "utf-8")
    letters = tmp_path / "letters"
    proc = run(
        "supervise", "evaluate", "--data-dir", str(data), "--year", "2024", "--as-of", "2025-06-30",
        "--scores", str(scores), "--vetoes", str(vetoes), "--letters", str(letters), "--format", "json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["year"] == 2024 and doc["as_of"] == "2025-06-30"
    towns = {t["township_id"]: t for t in doc["townships"]}
    assert set(towns) == {"T1", "T2"}
    for t in towns.values():
        assert {"township_id", "score", "grade", "vetoes", "rows"} <= set(t)
        assert all({"rubric_id", "points", "max", "source"} <= set(r) for r in t["rows"])
        scored = [r for r in t["rows"] if r["points"] is not None]
        assert t["score"] == pytest.approx(
            sum(r["points"] for r in scored) * 100 / sum(r["max"] for r in scored), abs=0.01
        )
    rows = {r["rubric_id"]: r for r in towns["T2"]["rows"]}
    assert rows["T-L2"]["points"] == 8 and rows["T-F1"]["points"] == 4  # the office's ratings
    # T1 vetoed (pay arrears): 不合格 whatever its score, ranked last, on the 约谈 list with its letter
    assert towns["T1"]["vetoes"] == ["pay_arrears"] and towns["T1"]["grade"] == "fail" and towns["T1"]["rank"] == 2
    assert {"T1"} <= {i["unit_id"] for i in doc["interviews"]}
    assert "拖欠教师工资" in (letters / "T1.txt").read_text("utf-8")
    assert {"school_id", "township_id", "score", "grade", "vetoes", "rows"} <= set(doc["schools"][0])


def test_report_workbook_and_errors(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "t1.xlsx"
    proc = run(
        "supervise", "report", "--data-dir", str(data), "--township", "T1", "--format", "xlsx", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    sheets = openpyxl.load_workbook(out).sheetnames
    assert "考核得分明细" in sheets and "乡镇目标任务" in sheets
    bad = run("supervise", "report", "--data-dir", str(data), "--school", "NOPE")
    assert bad.returncode == 2 and "NOPE" in bad.stderr and "Traceback" not in bad.stderr

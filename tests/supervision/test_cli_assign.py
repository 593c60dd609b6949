"""`countyedu supervise assign | plan` as the supervision office runs them, on the hand county with three
inspectors (I1 worked at 琴城第一小学 P1; I3 is part-time, based in 太源乡): the JSON contract of the
README (issue 15 item 8), the reassignment when an inspector leaves, the visit plan and a user error.
In-process (typer's runner), so the folder's conftest checks every assignment the commands make."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.cli import app

HAND = Path(__file__).parents[1] / "fixtures" / "hand"
INSPECTORS = """inspector_id,name,employment,former_school_id,phone,township_id,zone
I1,刘建华,专职,P1,0794-3200001,T1,
I2,黄志明,专职,,0794-3200002,T1,
I3,曾文斌,兼职,,0794-3200003,T2,
"""
SCHOOLS = {"K1", "K2", "K3", "P1", "N1", "J1", "H1", "V1", "TP1"}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli-assign")
    shutil.copytree(HAND, tmp / "county")
    (tmp / "county" / "inspectors.csv").write_text(INSPECTORS, encoding="utf-8")
    (tmp / "none.csv").write_text("school_id,inspector_id\n", encoding="utf-8")
    import_census(tmp / "county", CensusStore(tmp / "data"))
    return tmp / "data"


def invoke(*args: str) -> dict:  # type: ignore[type-arg]
    res = CliRunner().invoke(app, [*args, "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_assign_json_is_the_readme_contract(data: Path, tmp_path: Path) -> None:
    doc = invoke("supervise", "assign", "--data-dir", str(data), "--previous", str(data.parent / "none.csv"))
    assert {"inspectors", "unassigned", "checks"} <= set(doc)
    assert all({"inspector_id", "school_ids", "km"} <= set(i) for i in doc["inspectors"])
    assert all(set(c) == {"rule", "ok", "detail"} and isinstance(c["detail"], str) for c in doc["checks"])
    owner = {s: i["inspector_id"] for i in doc["inspectors"] for s in i["school_ids"]}
    assert set(owner) == SCHOOLS and doc["unassigned"] == []
    assert owner["P1"] != "I1" and owner["N1"] == owner["TP1"] == "I3"
    assert {c["rule"]: c["ok"] for c in doc["checks"]}["conflict"] is True
    assert doc["solver"]["status"] == "optimal"
    saved = tmp_path / "a.json"
    saved.write_text(json.dumps(doc), encoding="utf-8")
    # I2 leaves: the others keep their schools; P1 cannot go to I1
    again = invoke(
        "supervise", "assign", "--data-dir", str(data), "--previous", str(saved), "--leaving", "I2", "--lang", "en"
    )
    after = {s: i["inspector_id"] for i in again["inspectors"] for s in i["school_ids"]}
    assert set(after) == SCHOOLS and "I2" not in after.values()
    assert all(after[s] == i for s, i in owner.items() if i != "I2")
    assert after["P1"] == "I3"
    assert {m["school_id"] for m in again["moved"]} == {s for s, i in owner.items() if i == "I2"}
    kept = next(c for c in again["checks"] if c["rule"] == "kept")
    assert kept["ok"] and "keep their inspector" in kept["detail"]
    # the visit plan of that assignment: every school once in September 2025, on working days
    plan = invoke("supervise", "plan", "--data-dir", str(data), "--assignment", str(saved), "--from", "2025-09-01")
    assert plan["months"] == ["2025-09"] and {v["school_id"] for v in plan["visits"]} == SCHOOLS
    assert all(c["ok"] for c in plan["checks"])
    assert all(v["inspector_id"] == owner[v["school_id"]] for v in plan["visits"])


def test_the_workbook_holds_the_plaque_list(data: Path, tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "plaque.xlsx"
    args = ["supervise", "assign", "--data-dir", str(data), "--previous", str(data.parent / "none.csv")]
    res = CliRunner().invoke(app, [*args, "--format", "xlsx", "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    plaque = next(wb[n] for n in wb.sheetnames if n.startswith("挂牌公示名单"))
    rows = list(plaque.iter_rows(values_only=True))
    assert rows[0] == ("乡镇", "学校", "责任督学", "联系方式") and len(rows) == 1 + len(SCHOOLS)
    assert ("太源乡", "太源村教学点", "曾文斌", "0794-3200003") in rows


def test_an_unknown_leaver_is_a_user_error(data: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "countyedu",
            "supervise",
            "assign",
            "--data-dir",
            str(data),
            "--leaving",
            "I9",
            "--previous",
            str(data.parent / "none.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "I9" in proc.stderr and "Traceback" not in proc.stderr

"""`countyedu teachers qualifications | backbone` as the personnel office runs them, on the hand county
(tests/fixtures/hand, 2024): JSON, the table in Chinese and the workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from test_cli_teachers import HAND, run

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli-qualifications") / "data"
    import_census(HAND, CensusStore(d))
    return d


def test_qualifications_json_follows_every_target_to_its_year(data: Path) -> None:
    proc = run("teachers", "qualifications", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["census_version"] == "v1" and doc["base_year"] == 2024 and doc["years"][0] == 2024
    t = {(x["target_id"], x["stage"]): x for x in doc["targets"]}
    # the hand county's primary teachers in 2024 (P1, N1's primary share, TP1): t4 (高中及以下) and t2
    # (normal associate, qualified) — TQ-PRI-QUAL is below 100% in 2024
    pri = t[("TQ-PRI-QUAL", "primary")]
    assert pri["shares"]["2024"] < 1 and pri["by"] == 2025
    assert pri["status"] in ("met", "not_met") and (pri["shortfall"] == 0) == (pri["status"] == "met")
    assert {"retirements", "upgrades", "hires", "params"} <= set(doc)


def test_backbone_table_in_chinese_and_the_workbook(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "backbone.xlsx"
    proc = run("teachers", "backbone", "--data-dir", str(data), "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    sheets = openpyxl.load_workbook(out).sheetnames
    assert "骨干教师名册" in sheets and "职称与岗位结构比例" in sheets
    table = run("teachers", "backbone", "--data-dir", str(data), "--rows", "5")
    assert table.returncode == 0, table.stderr
    assert "骨干教师" in table.stdout and "已评未聘" in table.stdout and "2024 年或更早" in table.stdout

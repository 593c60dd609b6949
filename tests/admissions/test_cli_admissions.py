"""`countyedu admissions run | check | explain | report` on a small county with a hand admission
(issue 14 item 7): the JSON contract of `run`, the verifier's exit code on a tampered allocation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from census_support import SMALL
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.cli import app
from countyedu.errors import CountyEduError

# S3 (a junior school of the small county) graduates six candidates; two programmes: P1 (general,
# 4 places, half of them quota places, line 500) and V1 (vocational, 3 places)
PROGRAMMES = """programme_id,year,school_id,track,quota,quota_to_schools,batch,min_score
P1,2024,S3,general,4,0.5,unified,500
V1,2024,S3,vocational,3,,vocational,
"""
CANDIDATES = """candidate_id,year,junior_school_id,took_exam,exam_score,score_chinese,score_math,score_english,three_years_at_school,choice_1,choice_2
K1,2024,S3,true,620,100,110,105,true,P1,V1
K2,2024,S3,true,600,100,100,100,false,P1,V1
K3,2024,S3,true,590,95,100,100,true,P1,V1
K4,2024,S3,true,485,90,80,70,true,P1,V1
K5,2024,S3,true,470,90,80,70,true,P1,V1
K6,2024,S3,false,,,,,true,V1,
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("admissions-cli")
    folder = tmp / "county"
    shutil.copytree(SMALL, folder)
    (folder / "programmes.csv").write_text(PROGRAMMES, encoding="utf-8")
    (folder / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    import_census(folder, CensusStore(tmp / "data"))
    return tmp / "data"


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def test_run_prints_the_json_contract(data_dir: Path) -> None:
    code, out = cli("admissions", "run", "--data-dir", str(data_dir), "--format", "json", "--param", "quota_margin=20")
    assert code == 0, out
    doc = json.loads(out)
    assert list(doc) == [
        "census_version",
        "year",
        "params",
        "admitted",
        "unplaced",
        "cutoffs",
        "returned_quota",
        "verification",
    ]
    assert doc["census_version"] == "v1" and doc["year"] == 2024
    assert doc["params"]["quota_margin"] == 20 and doc["params"]["tie_rule"] == "lottery"
    # quota places: round(4 × 0.5) = 2, all to S3; line 500 − 20 = 480: K1 and K3 (K2 moved school)
    # 统招: 4 − 2 = 2 places above 500: K2 only; K4 (485) and K5 (470) and K6 (no exam) to V1
    assert doc["admitted"] == [
        {"candidate_id": "K1", "programme_id": "P1", "batch": "quota", "rank": 1},
        {"candidate_id": "K2", "programme_id": "P1", "batch": "unified", "rank": 2},
        {"candidate_id": "K3", "programme_id": "P1", "batch": "quota", "rank": 3},
        {"candidate_id": "K4", "programme_id": "V1", "batch": "vocational", "rank": 4},
        {"candidate_id": "K5", "programme_id": "V1", "batch": "vocational", "rank": 5},
        {"candidate_id": "K6", "programme_id": "V1", "batch": "vocational", "rank": 6},
    ]
    assert doc["unplaced"] == []
    assert doc["cutoffs"] == [
        {"programme_id": "P1", "batch": "quota", "score": 590.0},
        {"programme_id": "P1", "batch": "unified", "score": 600.0},
        {"programme_id": "V1", "batch": "vocational", "score": None},
    ]
    assert doc["returned_quota"] == []
    assert doc["verification"]["ok"] is True
    checks = doc["verification"]["checks"]
    assert [c["check"] for c in checks] == ["one_place", "quota", "eligibility", "no_envy", "quota_places", "returned"]
    assert all(
        list(c) == ["check", "ok", "detail"] and c["ok"] is True and isinstance(c["detail"], str) for c in checks
    )


def test_check_fails_on_a_tampered_allocation_and_explain_answers(data_dir: Path, tmp_path: Path) -> None:
    code, out = cli("admissions", "run", "--data-dir", str(data_dir), "--format", "json")
    doc = json.loads(out)
    good = tmp_path / "good.json"
    good.write_text(out, encoding="utf-8")
    code, out = cli("admissions", "check", "--data-dir", str(data_dir), "--allocation", str(good), "--format", "json")
    assert code == 0 and json.loads(out)["ok"] is True
    doc["admitted"][4]["programme_id"] = "P1"  # K5 (470) into P1's free 统招 place, below its line 500
    doc["admitted"][4]["batch"] = "unified"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    code, out = cli("admissions", "check", "--data-dir", str(data_dir), "--allocation", str(bad), "--format", "json")
    assert code == 1
    failed = {c["check"] for c in json.loads(out)["checks"] if not c["ok"]}
    assert failed == {"eligibility"}
    code, out = cli("admissions", "explain", "K4", "--data-dir", str(data_dir), "--format", "json")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["programme_id"] == "V1" and answer["batch"] == "vocational" and answer["rank"] == 4
    # P1 refused K4 (485) in both batches it runs in: 指标到校 and 统招
    assert [(r["programme_id"], r["batch"]) for r in answer["why_not"]] == [("P1", "quota"), ("P1", "unified")]
    code, out = cli("admissions", "report", "--data-dir", str(data_dir), "--lang", "zh")
    assert code == 0 and "2024 年高中阶段招生" in out and "各招生计划分批次录取分数线" in out
    result = CliRunner().invoke(app, ["admissions", "run", "--data-dir", str(data_dir), "--param", "tie_rule=coin"])
    assert isinstance(result.exception, CountyEduError)  # `countyedu` (cli.main) prints it and exits 2
    assert "tie_rule: coin is not one of" in result.exception.user_text()

"""The admission columns of the exchange format (issue 14 item 1): candidates' subject scores, PE,
three years at school, bonus with its reason; programmes' batch, minimum line and quality-grade
condition — read, typed, and every bad value a located error in Chinese and English."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from census_support import SMALL
from countyedu.admissions.allocate import BATCHES, Instance
from countyedu.census import vocabulary
from countyedu.census.importer import check_source
from countyedu.census.store import CensusStore

PROGRAMMES = """programme_id,year,school_id,track,quota,quota_to_schools,batch,min_score,min_quality_grade
P1,2024,S3,普通高中,40,0.5,统招,500,B
P2,2024,S3,general,10,,提前批,,
V1,2024,S3,中职,30,,职校,,
"""
CANDIDATES = """candidate_id,year,junior_school_id,took_exam,exam_score,quality_grade,score_chinese,score_math,score_english,pe_score,three_years_at_school,bonus,bonus_reason,choice_1,choice_2
K1,2024,S3,是,600,A,100,110,105,55,是,5,少数民族考生,P1,V1
K2,2024,S3,true,480,C,90,80,70,50,否,,,P1,V1
K3,2024,S3,否,,,,,,,是,,,V1,
"""


def county(tmp_path: Path, programmes: str = PROGRAMMES, candidates: str = CANDIDATES) -> Path:
    folder = tmp_path / "county"
    shutil.copytree(SMALL, folder)
    (folder / "programmes.csv").write_text(programmes, encoding="utf-8")
    (folder / "candidates.csv").write_text(candidates, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("exchange")
    return check_source(county(tmp), CensusStore(tmp / "data"))


def test_it_reads_the_new_columns_typed_with_labels_accepted(checked) -> None:  # type: ignore[no-untyped-def]
    typed, merged, problems = checked
    assert not [p for p in problems if p.severity == "error"], problems
    progs = typed["programmes"].set_index("programme_id")
    assert progs["batch"].tolist() == ["unified", "early", "vocational"]
    assert progs.loc["P1", "min_score"] == 500 and progs.loc["P1", "min_quality_grade"] == "B"
    cands = typed["candidates"].set_index("candidate_id")
    assert cands.loc["K1", "bonus_reason"] == "ethnic_minority" and cands.loc["K1", "bonus"] == 5
    assert cands.loc["K1", "three_years_at_school"] == True and cands.loc["K2", "three_years_at_school"] == False  # noqa: E712
    assert cands.loc["K1", "score_math"] == 110 and cands.loc["K1", "pe_score"] == 55
    inst = Instance.from_frames(merged, 2024)
    assert [BATCHES[b] for b in inst.prog_batch] == ["unified", "early", "vocational"]
    assert inst.total.tolist()[:2] == [605.0, 480.0]  # K1's bonus counts


def test_the_batch_and_bonus_reason_codes_have_labels_in_both_languages() -> None:
    assert vocabulary.labels("admission_batch") == {
        "early": "提前批",
        "quota": "指标到校",
        "unified": "统招",
        "vocational": "职校",
    }
    assert vocabulary.label("admission_batch", "unified", "en") == "unified batch"
    assert vocabulary.label("bonus_reason", "martyr_family", "en") == "child of a martyr"


def test_bad_admission_values_are_located_errors_in_chinese_and_english(tmp_path: Path) -> None:
    programmes = PROGRAMMES.replace("V1,2024,S3,中职,30,,职校", "V1,2024,S3,中职,30,,统招").replace(
        "P2,2024,S3,general,10,,提前批,,", "P2,2024,S3,general,10,,第二批,,E"
    )
    candidates = (
        CANDIDATES.replace("5,少数民族考生", "5,")  # a bonus without its reason
        .replace("90,80,70,50", "490,80,70,50")  # Chinese 490 above the total 480
        .replace("K3,2024,S3,否,,", "K3,2024,S3,否,300,")  # a score without the exam
    )
    _typed, _merged, problems = check_source(county(tmp_path, programmes, candidates), CensusStore(tmp_path / "d"))
    got = {(p.sheet, p.row, p.column, p.rule, p.severity) for p in problems}
    assert ("programmes.csv", 3, "batch", "code", "error") in got  # 第二批 is no batch
    assert ("programmes.csv", 3, "min_quality_grade", "code", "error") in got
    by_rule = {p.rule: p for p in problems}
    assert set(by_rule) == {"code"}  # references are checked once every sheet's values are good
    fixed = programmes.replace("第二批,,E", "提前批,,")
    _typed, _merged, problems = check_source(county(tmp_path / "2", fixed, candidates), CensusStore(tmp_path / "d2"))
    located = {(p.sheet, p.row, p.column, p.rule): p for p in problems}
    batch = located[("programmes.csv", 4, "batch", "batch_track")]
    assert batch.message_zh == "录取批次 unified 与类别 vocational 不符：中职计划为职校批，普通高中计划不能为职校批"
    assert "does not fit the track vocational" in batch.message_en
    bonus = located[("candidates.csv", 2, "bonus", "bonus_reason")]
    assert "未填加分原因" in bonus.message_zh and "without its reason" in bonus.message_en
    over = located[("candidates.csv", 3, "score_chinese", "subject_over_total")]
    assert over.message_zh == "单科成绩 490 高于考试总分 480"
    stray = located[("candidates.csv", 4, "exam_score", "score_without_exam")]
    assert stray.severity == "warning" and "第7条" in stray.message_zh


CONDITIONS_PROGRAMMES = """programme_id,year,school_id,track,quota,batch,boarding,gender
P1,2024,S3,普通高中,40,统招,全部住校,
P2,2024,S3,general,10,提前批,required,男
V1,2024,S3,中职,30,职校,走读,female
"""
CONDITIONS_CANDIDATES = """candidate_id,year,junior_school_id,took_exam,exam_score,gender,boarding,choice_1
K1,2024,S3,是,600,男,是,P1
K2,2024,S3,是,480,F,否,P2
K3,2024,S3,否,,,,V1
"""


def test_the_boarding_and_gender_columns_read_typed_with_labels_accepted(tmp_path: Path) -> None:
    typed, _merged, problems = check_source(
        county(tmp_path, CONDITIONS_PROGRAMMES, CONDITIONS_CANDIDATES), CensusStore(tmp_path / "d")
    )
    assert not [p for p in problems if p.severity == "error"], problems
    progs = typed["programmes"].set_index("programme_id")
    assert progs["boarding"].tolist() == ["required", "required", "none"]
    assert progs["gender"].tolist()[1:] == ["male", "female"] and pd.isna(progs.loc["P1", "gender"])
    cands = typed["candidates"].set_index("candidate_id")
    assert cands["gender"].tolist()[:2] == ["male", "female"] and pd.isna(cands.loc["K3", "gender"])
    assert cands.loc["K1", "boarding"] == True and cands.loc["K2", "boarding"] == False  # noqa: E712
    assert pd.isna(cands.loc["K3", "boarding"])
    assert vocabulary.label("programme_boarding", "none") == "不提供住宿"
    assert vocabulary.label("programme_boarding", "required", "en") == "boarding required"


def test_bad_boarding_and_gender_values_are_located_errors(tmp_path: Path) -> None:
    programmes = CONDITIONS_PROGRAMMES.replace("required,男", "住不住,男女")
    candidates = CONDITIONS_CANDIDATES.replace("480,F,否", "480,X,也许")
    _typed, _merged, problems = check_source(county(tmp_path, programmes, candidates), CensusStore(tmp_path / "d"))
    got = {(p.sheet, p.row, p.column, p.rule) for p in problems if p.severity == "error"}
    assert {
        ("programmes.csv", 3, "boarding", "code"),
        ("programmes.csv", 3, "gender", "code"),
        ("candidates.csv", 3, "gender", "code"),
        ("candidates.csv", 3, "boarding", "type_bool"),
    } <= got, got
    zh = next(p for p in problems if p.column == "boarding" and p.sheet == "programmes.csv")
    assert zh.value == "住不住" and "不提供住宿" in zh.message_zh and "none" in zh.message_en

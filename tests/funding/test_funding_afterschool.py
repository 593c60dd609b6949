"""The after-school services sheet (课后服务, 第30条): format, import, round trip, and the ledger checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from funding_support import census, demo, school

from census_support import SMALL, snapshot
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_workbook
from countyedu.errors import ValidationFailed
from countyedu.funding.afterschool import ledger
from countyedu.funding.params import FundingParams

HEADER = "school_id,year,term,fee_standard,fee_charged,participants,collected,paid_in,returned,teacher_hours,teacher_subsidy,note"
# S1: urban primary, 147 pupils in 2024; S3: junior, 116 pupils (tests/fixtures/small/classes.csv)
GOOD = [
    "S1,2024,秋季学期,300,300,100,30000,30000,28000,640,25600,",
    "S1,2024,spring,300,300,90,27000,27000,27000,480,,",
    "S3,2024,秋季学期,300,300,116,34800,34800,30000,,,全员自愿",
]


def folder(tmp_path: Path, rows: list[str], name: str = "课后服务.csv") -> Path:
    src = tmp_path / "src"
    shutil.copytree(SMALL, src)
    (src / name).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return src


def test_the_template_has_the_sheet_with_notes_and_a_term_dropdown(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "t.xlsx"))
    assert "课后服务" in wb.sheetnames
    ws = wb["课后服务"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["学校代码 (school_id)", "学年 (year)", "学期 (term)", "核定收费标准 (fee_standard)"]
    assert all(c.comment is not None and c.comment.text for c in ws[1])
    assert "第30条" in ws["D1"].comment.text
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert '"秋季学期,春季学期,暑期托管"' in lists


def test_a_good_sheet_imports_with_labels_normalised(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    a = store.census("v1")["after_school"].sort_values(["school_id", "term"]).reset_index(drop=True)
    assert list(a["term"]) == ["autumn", "spring", "autumn"]
    assert a["collected"].sum() == 30000 + 27000 + 34800
    assert a["teacher_subsidy"].isna().sum() == 2


def test_bad_rows_are_located_in_both_languages_and_change_nothing(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    before = snapshot(store.data_dir)
    bad = [
        "S1,2024,冬季学期,300,300,100,30000,30000,28000,640,25600,",  # row 2: no such term
        "S1,2024,spring,300,300,90,-5,27000,27000,480,,",  # row 3: negative collected
        "S9,2024,autumn,300,300,10,3000,3000,3000,,,",  # row 4: unknown school
    ]
    with pytest.raises(ValidationFailed) as e:
        import_census(folder(tmp_path / "b", bad), store)
    found = {(p.row, p.column, p.rule) for p in e.value.problems if p.severity == "error"}
    assert (2, "term", "code") in found
    assert (3, "collected", "negative") in found
    for p in e.value.problems:
        if (p.row, p.column) == (2, "term"):
            assert "秋季学期" in p.message_zh and "allowed" in p.message_en and p.sheet == "课后服务.csv"
    assert snapshot(store.data_dir) == before
    with pytest.raises(ValidationFailed) as e2:  # the reference error shows once the values are right
        import_census(folder(tmp_path / "c", [bad[2]]), store)
    assert {(p.row, p.column, p.rule) for p in e2.value.problems if p.severity == "error"} == {
        (2, "school_id", "reference")
    }
    assert snapshot(store.data_dir) == before


def test_export_import_round_trip(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    first = store.census("v1")
    write_workbook(tmp_path / "export.xlsx", first)
    import_census(tmp_path / "export.xlsx", store)
    key = ["school_id", "year", "term"]
    a = first["after_school"].sort_values(key).reset_index(drop=True)
    b = store.census("v2")["after_school"].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------------------ the ledger


def hand_ledger() -> dict[str, pd.DataFrame]:
    f = census(school("A", "primary", {"P": 100}), school("B", "junior", {"J": 50}), years=(2023,))
    rows = [
        # school, term, standard, charged, participants, collected, paid_in, returned
        ("A", "autumn", 300, 300, 80, 24_000, 24_000, 24_000),  # fine (returned = paid in)
        ("A", "spring", 300, 300, 80, 24_000, 23_999.6, 20_000),  # 0.4 short: within 0.5 yuan
        ("B", "autumn", 200, 250, 40, 10_000, 9_000, 9_500),  # paid in short, returned > paid in, fee above
        ("B", "spring", 200, 200, 51, 10_200, 10_200, 10_000),  # 51 participants, 50 pupils
    ]
    f["after_school"] = pd.DataFrame(
        [
            {
                "school_id": s,
                "year": 2023,
                "term": t,
                "fee_standard": fs,
                "fee_charged": fc,
                "participants": n,
                "collected": c,
                "paid_in": p,
                "returned": r,
                "teacher_hours": 100.0,
                "teacher_subsidy": 4000.0,
            }
            for s, t, fs, fc, n, c, p, r in rows
        ]
    )
    return f


def test_ledger_checks_by_hand() -> None:
    led = ledger(hand_ledger(), FundingParams())
    by = {c.id: c for c in led.checks}
    assert {k: list(zip(c.rows["school_id"], c.rows["term"], strict=True)) for k, c in by.items()} == {
        "paid_in": [("B", "autumn")],
        "returned": [("B", "autumn")],
        "fee": [("B", "autumn")],
        "participants": [("B", "spring")],
    }
    assert all(c.checked == 4 for c in led.checks)
    f = by["participants"].finding(led.school_names, "zh")
    assert f.status == "not_met" and f.clause == "第30条" and "学校B 2023 春季学期" in f.explanation
    assert led.rows["subsidy_per_hour"].eq(40.0).all()
    t = led.totals()
    assert t.loc[0, "collected"] == 24_000 + 24_000 + 10_000 + 10_200


def test_no_sheet_is_no_data() -> None:
    led = ledger(census(school("A", "primary", {"P": 100})), FundingParams())
    assert [f.status for f in led.findings("en")] == ["no_data"] * 4


def test_demo_ledger_shows_its_deliberate_breaches() -> None:
    d = demo()
    led = ledger(d, FundingParams())
    assert len(led.rows) == len(d["after_school"]) > 100
    bad = {c.id: c.rows for c in led.checks}
    assert all(len(rows) >= 1 for rows in bad.values())
    assert all(rows["note"].str.contains("synthetic breach").all() for rows in bad.values())
    json.dumps(led.as_dict())
    (block,) = led.blocks("zh")
    assert block.id == "funding.after_school" and len(block.findings) == 4

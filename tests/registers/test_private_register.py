"""The private-school register (第16条, issue 16 item 2): the sheet imported and checked, and the flags a
day puts on a school, worked out by hand."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from census_support import SMALL
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import ValidationFailed
from countyedu.private.params import PrivateParams
from countyedu.private.register import read_register

PRIVATE = """S5,蜜桔幼儿园(民办),幼儿园,民办,是,否,T1,C1,是,否,否,27.2,116.5,2005,,,
S6,育才学校(民办),小学,民办,否,否,T1,C1,是,否,否,27.2,116.5,2008,,,
"""
HEAD = (
    "学校代码,学年,办学许可证号,许可证有效期至,营利性质,举办者,年检结果,年检日期,收费标准,收费已核准,"
    "收费核准文号,教职工数,签订劳动合同人数,缴纳社会保险人数,普惠性认定,普惠认定有效期至,普惠补助\n"
)
GOOD = HEAD + (
    "S5,2024,教民001,2026-08-31,非营利性,桔乡教育公司,合格,2024-11-10,1600,是,丰价〔2024〕1号,20,20,18,是,2025-08-31,72000\n"
    "S6,2024,教民002,2025/1/31,营利性,个人举办,,,5800,否,,30,28,30,,,\n"
)


def folder(tmp_path: Path, register: str) -> Path:
    out = tmp_path / "county"
    shutil.copytree(SMALL, out)
    with (out / "schools.csv").open("a", encoding="utf-8") as f:
        f.write(PRIVATE)
    (out / "private_schools.csv").write_text(register, encoding="utf-8")
    return out


def test_it_imports_the_register_with_chinese_headers_and_codes(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    version = store.latest()
    assert version is not None
    reg = store.frames(version.version_id)["private_schools"].sort_values("school_id")
    assert list(reg["classification"]) == ["non_profit", "for_profit"]
    assert list(reg["licence_expiry"]) == ["2026-08-31", "2025-01-31"]  # 2025/1/31 read as a date


def test_a_bad_code_is_named(tmp_path: Path) -> None:
    bad = GOOD + "S6,2023,教民009,2027-08-31,盈利性,某人,合格,,,,,5,5,5,,,\n"
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert found == {(4, "classification", "code")}


def test_rows_against_the_schools_sheet_are_named(tmp_path: Path) -> None:
    bad = GOOD + (
        "S1,2024,教民003,2027-08-31,非营利性,某公司,合格,,,,,10,10,10,,,\n"  # a public school
        "S6,2023,教民002,2027-08-31,非营利性,个人举办,合格,,,,,30,31,30,是,,5000\n"  # 普惠 for a primary school
        "S9,2024,教民009,2027-08-31,非营利,某人,合格,,,,,5,5,5,,,\n"  # no such school
    )
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert found == {
        (4, "school_id", "not_private"),
        (5, "staff_contracted", "over_staff"),
        (5, "inclusive", "inclusive_kindergarten"),  # its subsidy goes with the (wrong) recognition
        (6, "school_id", "reference"),
    }
    words = next(p for p in info.value.problems if p.rule == "not_private")
    assert words.message_zh == "民办学校登记表只登记民办学校：该校在学校表中为 公办 (public)"
    assert "private-school register holds private schools only" in words.message_en


SCHOOLS = pd.DataFrame(
    {
        "school_id": ["K1", "P1"],
        "name": ["蜜桔幼儿园", "育才学校"],
        "stage": ["kindergarten", "primary"],
        "township_id": ["T1", "T1"],
    }
)
ROWS = pd.DataFrame(
    {
        "school_id": ["K1", "P1"],
        "year": [2025, 2025],
        "licence_no": ["L1", "L2"],
        "licence_expiry": ["2026-03-31", "2026-08-31"],
        "classification": ["non_profit", "for_profit"],
        "sponsor": ["A", "B"],
        "inspection_result": [None, "basic_pass"],
        "inspection_date": [None, "2025-11-20"],
        "fee_standard": [1600.0, 5800.0],
        "fee_approved": [True, None],
        "staff": [20, 30],
        "staff_contracted": [20, 29],
        "staff_insured": [18, 30],
        "inclusive": [True, None],
        "inclusive_until": ["2026-02-28", None],
        "subsidy": [72000.0, None],
    }
)


def flags(day: date) -> dict[str, tuple[str, ...]]:
    reg = read_register({"schools": SCHOOLS, "private_schools": ROWS}, None, day, PrivateParams())
    return {s.school_id: s.flags for s in reg.schools}


def test_flags_by_date() -> None:
    # 1 October 2025: the licence (31 March 2026) and the 普惠 recognition (28 February 2026) are more
    # than 90 days away; the inspection is not due before 1 December
    assert flags(date(2025, 10, 1)) == {
        "K1": ("insurance_missing",),
        "P1": ("inspection_rectify", "for_profit_compulsory", "fee_not_approved", "contracts_missing"),
    }
    # 1 January 2026: licence 89 days away, recognition 58 days away, inspection now missing
    assert flags(date(2026, 1, 1))["K1"] == (
        "licence_expiring",
        "not_inspected",
        "insurance_missing",
        "inclusive_expiring",
    )
    # 1 March 2026: the recognition ran out the day before; 1 April 2026: the licence too
    assert "inclusive_lapsed" in flags(date(2026, 3, 1))["K1"]
    assert flags(date(2026, 4, 1))["K1"][0] == "licence_expired"
    # a licence's last day is still valid
    assert flags(date(2026, 3, 31))["K1"][0] == "licence_expiring"


def test_the_summary_counts_the_register() -> None:
    reg = read_register({"schools": SCHOOLS, "private_schools": ROWS}, 2025, date(2026, 1, 1), PrivateParams())
    s = reg.summary()
    assert (s["private_schools"], s["private_kindergartens"], s["inclusive_kindergartens"]) == (2, 1, 1)
    assert s["subsidy"] == 72000.0 and s["flagged_schools"] == 2
    assert s["flags"]["insurance_missing"] == 1 and s["flags"]["contracts_missing"] == 1

"""Teacher gender as users type it (issue 10, item 11): 男/女, male/female, M/F and the GB/T 2261.1-2003
codes 1 男 / 2 女, as text in a CSV or as numbers in a workbook; anything else is a located error."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd

from census_support import SMALL, small_frames
from countyedu.census.readers import read_source
from countyedu.census.validate import validate_sheet
from countyedu.census.writers import write_workbook


def teachers(path: Path) -> tuple[pd.DataFrame, list]:
    frame, problems = validate_sheet(read_source(path).sheets["teachers"])
    return frame, [p for p in problems if p.severity == "error"]


def test_a_csv_accepts_m_f_and_the_national_codes(tmp_path: Path) -> None:
    folder = tmp_path / "county"
    shutil.copytree(SMALL, folder)
    df = pd.read_csv(folder / "teachers.csv", dtype=str, keep_default_na=False)
    df["gender"] = ["F", "m", "1", "2", " f "]  # A1 … A5
    df.to_csv(folder / "teachers.csv", index=False)
    frame, errors = teachers(folder)
    assert errors == []
    assert frame.set_index("teacher_id")["gender"].to_dict() == {
        "A1": "female",
        "A2": "male",
        "A3": "male",
        "A4": "female",
        "A5": "female",
    }


def test_a_workbook_accepts_1_and_2_as_numbers_and_refuses_3(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "county.xlsx", small_frames())
    wb = openpyxl.load_workbook(path)
    ws = wb["教师"]
    col = next(c.column for c in ws[1] if str(c.value).endswith("(gender)"))
    for row, value in ((2, 1), (3, 2), (4, 3)):
        ws.cell(row=row, column=col, value=value)
    wb.save(path)
    frame, errors = teachers(path)
    assert [(p.row, p.column, p.rule) for p in errors] == [(4, "gender", "code")]
    assert list(frame["gender"][:2]) == ["male", "female"]

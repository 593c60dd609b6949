"""Bad input (issue: census import): every malformed input is reported with its location, in
Chinese and English, all problems at once, and the data dir is left byte-for-byte unchanged.

Each case starts from the good small county (tests/fixtures/small), writes it as a workbook or a
CSV folder and injects one kind of problem with openpyxl or by editing the file's bytes.
Excel rows: the header is row 1, so the n-th record of a sheet is on row n + 1.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from census_support import SMALL, small_frames
from countyedu.census.importer import import_census
from countyedu.census.limits import Limits
from countyedu.census.problems import Problem
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_workbook
from countyedu.cli import main
from countyedu.errors import InputFileError, ValidationFailed

ANY = object()

# Sheet names as the workbook shows them (write_workbook uses the Chinese names).
TOWNSHIPS, COMMUNITIES, POPULATION, SCHOOLS, CLASSES, TEACHERS = "乡镇", "社区村", "人口", "学校", "班级", "教师"


# ------------------------------------------------------------------------------------ builders


def column_letter(ws: Worksheet, code: str) -> str:
    """The letter of the column whose header is the code or ends with '(code)'."""
    for cell in ws[1]:
        text = str(cell.value or "")
        if text == code or text.endswith(f"({code})"):
            return cell.column_letter
    raise KeyError(f"{ws.title}: no column {code}")


def workbook(
    tmp: Path,
    *,
    edits: dict[tuple[str, str, int], Any] | None = None,
    frames: Callable[[dict[str, pd.DataFrame]], None] | None = None,
    then: Callable[[openpyxl.Workbook], None] | None = None,
    name: str = "census.xlsx",
) -> Path:
    """The small county as a workbook; frames(f) edits the frames, edits[(sheet, column, row)] sets
    cells with openpyxl, then(wb) does anything else to the openpyxl workbook."""
    f = small_frames()
    if frames:
        frames(f)
    path = write_workbook(tmp / name, f)
    if edits or then:
        wb = openpyxl.load_workbook(path)
        for (sheet, code, row), value in (edits or {}).items():
            ws = wb[sheet]
            ws[f"{column_letter(ws, code)}{row}"] = value
        if then:
            then(wb)
        wb.save(path)
    return path


def csv_folder(tmp: Path, edit: Callable[[Path], None] | None = None) -> Path:
    """A copy of the small county's CSV folder, then edit(folder)."""
    folder = tmp / "county"
    shutil.copytree(SMALL, folder)
    if edit:
        edit(folder)
    return folder


def set_csv(folder: Path, file: str, column: str, row: int, value: str) -> None:
    """Set one CSV cell; row is the row a spreadsheet shows (header = 1)."""
    df = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    df.loc[row - 2, column] = value
    df.to_csv(folder / file, index=False)


def rewrite_part(path: Path, part: str | None, edit: Callable[[str], str], *, sheet: str | None = None) -> Path:
    """Edit one XML part of an .xlsx in place: the named part, or the part of the named sheet
    (write_workbook, like Excel, stores sheet n as xl/worksheets/sheet<n>.xml with rId<n>)."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    if sheet is not None:
        wb = members["xl/workbook.xml"].decode()
        rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="rId(\d+)"', wb).group(1)  # type: ignore[union-attr]
        part = f"xl/worksheets/sheet{rid}.xml"
    assert part is not None
    members[part] = edit(members[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def with_cached_formula(path: Path, sheet: str, ref: str, formula: str, cached: str, *, error: bool = False) -> Path:
    """Replace a cell by a formula carrying a cached result, as Excel saves it (openpyxl cannot)."""
    pattern = re.compile(rf'<c r="{ref}"([^>]*?)(/>|>.*?</c>)', re.S)

    def edit(xml: str) -> str:
        attrs = re.sub(r'\st="[^"]*"', "", pattern.search(xml).group(1))  # type: ignore[union-attr]
        kind = ' t="e"' if error else ""
        cell = f'<c r="{ref}"{attrs}{kind}><f>{formula}</f><v>{cached}</v></c>'
        return pattern.sub(lambda _m: cell, xml, count=1)

    return rewrite_part(path, None, edit, sheet=sheet)


def raw_value(sheet: str, ref: str, value: str) -> Callable[[Path], Path]:
    """The small county with one cell's stored value replaced by bytes no spreadsheet program
    writes (such as -1e309, which reads as minus infinity)."""

    def build(tmp: Path) -> Path:
        pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', re.S)
        cell = f'<c r="{ref}"><v>{value}</v></c>'
        return rewrite_part(workbook(tmp), None, lambda xml: pattern.sub(lambda _m: cell, xml, count=1), sheet=sheet)

    return build


def rename_header(sheet: str, code: str, new: str) -> Callable[[openpyxl.Workbook], None]:
    def do(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        ws[f"{column_letter(ws, code)}1"] = new

    return do


def add_population(f: dict[str, pd.DataFrame], bad_age: int | None = None) -> None:
    """A population sheet for C1 in 2024, ages 0–5 (row 2 = age 0); bad_age replaces the last age."""
    ages = list(range(6))
    if bad_age is not None:
        ages[-1] = bad_age
    f["population"] = pd.DataFrame(
        {"community_id": "C1", "year": 2024, "age": ages, "persons": [60, 62, 58, 61, 64, 59]}
    )


def drop_column(sheet: str, code: str) -> Callable[[openpyxl.Workbook], None]:
    def do(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        ws.delete_cols(ws[f"{column_letter(ws, code)}1"].column)

    return do


def duplicate_column(wb: openpyxl.Workbook) -> None:
    ws = wb[CLASSES]
    ws["F1"] = "pupils"
    for r in range(2, ws.max_row + 1):
        ws[f"F{r}"] = 40


def merge_cells(wb: openpyxl.Workbook) -> None:
    ws = wb[CLASSES]
    ws.merge_cells("A5:A6")  # S2's two classes: the school id typed once over two rows


def date_cell(wb: openpyxl.Workbook) -> None:
    ws = wb[CLASSES]
    ws[f"{column_letter(ws, 'year')}4"] = dt.datetime(2024, 9, 1)


def year_formatted_as_date(wb: openpyxl.Workbook) -> None:
    ws = wb[SCHOOLS]
    cell = ws[f"{column_letter(ws, 'opened_year')}2"]
    cell.value = 2019
    cell.number_format = "yyyy-mm-dd"  # Excel shows 1905-07-11


def title_row(wb: openpyxl.Workbook) -> None:
    ws = wb[CLASSES]
    ws.insert_rows(1)
    ws["A1"] = "南丰县2024年秋季学期班级统计表"


def blank_first_row(wb: openpyxl.Workbook) -> None:
    wb[CLASSES].insert_rows(1)


def unknown_sheet_only(wb: openpyxl.Workbook) -> None:
    for ws in list(wb.worksheets)[1:]:
        wb.remove(ws)
    wb.worksheets[0].title = "Sheet1"


def duplicate_sheet(wb: openpyxl.Workbook) -> None:
    copy = wb.copy_worksheet(wb[CLASSES])
    copy.title = "classes"


def without(*sheets: str) -> Callable[[dict[str, pd.DataFrame]], None]:
    def do(f: dict[str, pd.DataFrame]) -> None:
        for s in sheets:
            del f[s]

    return do


# --------------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Expect:
    """A problem that must be reported: sheet, Excel row, column, rule (and value if given)."""

    sheet: str
    row: int | None
    column: Any
    rule: str
    value: Any = ANY
    severity: str = "error"

    def matches(self, p: Problem) -> bool:
        return (
            (p.severity, p.sheet, p.row, p.rule) == (self.severity, self.sheet, self.row, self.rule)
            and (self.column is ANY or p.column == self.column)
            and (self.value is ANY or p.value == self.value)
        )


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]
    expect: tuple[Expect, ...]
    store: str = "small"  # "small": the data dir holds the small county; "empty": no census yet
    exact: bool = False  # the problems (errors and warnings) are exactly the expected ones
    options: dict[str, Any] = field(default_factory=dict)  # keyword arguments of import_census


def _wb(**kw: Any) -> Callable[[Path], Path]:
    return lambda tmp: workbook(tmp, **kw)


def _csv(edit: Callable[[Path], None]) -> Callable[[Path], Path]:
    return lambda tmp: csv_folder(tmp, edit)


CASES: list[Case] = [
    # --- structure -------------------------------------------------------------------------
    Case(
        "missing_sheet",
        _wb(frames=without("townships", "communities", "schools")),
        (Expect(TOWNSHIPS, None, None, "missing_sheet"), Expect(SCHOOLS, None, None, "missing_sheet")),
        store="empty",
        exact=True,
    ),
    Case(
        "missing_sheet_townships",
        _wb(frames=without("townships", "communities", "classes", "teachers")),
        (Expect(TOWNSHIPS, None, None, "missing_sheet"),),
        store="empty",
        exact=True,
    ),
    Case(
        "missing_column",
        _wb(then=drop_column(CLASSES, "pupils")),
        (Expect(CLASSES, 1, "pupils", "missing_column"),),
        exact=True,
    ),
    Case(  # a renamed required header is a missing column, named, not a crash (issue 10, item 9)
        "school_id_header_renamed",
        _wb(then=rename_header(CLASSES, "school_id", "学校编号")),
        (
            Expect(CLASSES, 1, "school_id", "missing_column"),
            Expect(CLASSES, 1, "学校编号", "unknown_column", severity="warning"),
        ),
        exact=True,
    ),
    Case(
        "duplicate_column",
        _wb(then=duplicate_column),
        (Expect(CLASSES, 1, "pupils", "duplicate_column", "pupils"),),
        exact=True,
    ),
    Case(
        "duplicate_sheet",  # 班级 and classes are the same sheet
        _wb(then=duplicate_sheet),
        (Expect("classes", None, None, "duplicate_sheet"),),
        exact=True,
    ),
    Case(
        "unknown_sheet_only",
        _wb(then=unknown_sheet_only),
        (
            Expect("census.xlsx", None, None, "no_known_sheet"),
            Expect("Sheet1", None, None, "unknown_sheet", severity="warning"),
        ),
        exact=True,
    ),
    Case(
        "title_row_above_header",
        _wb(then=title_row),
        (
            *(Expect(CLASSES, 1, c, "missing_column") for c in ("school_id", "year", "grade", "class_no", "pupils")),
            Expect(CLASSES, 1, "南丰县2024年秋季学期班级统计表", "unknown_column", severity="warning"),
        ),
        exact=True,
    ),
    Case("blank_header_row", _wb(then=blank_first_row), (Expect(CLASSES, 1, None, "header_missing"),), exact=True),
    Case("merged_cells", _wb(then=merge_cells), (Expect(CLASSES, 5, "school_id", "merged_cells", "S2"),), exact=True),
    Case(
        "formula_without_value",
        _wb(edits={(CLASSES, "pupils", 3): "=40+5"}),
        (Expect(CLASSES, 3, "pupils", "formula_no_value"),),
        exact=True,
    ),
    Case(
        "formula_with_bad_cached_value",
        lambda tmp: with_cached_formula(workbook(tmp), CLASSES, "E3", "40-45", "-5"),
        (Expect(CLASSES, 3, "pupils", "negative", -5), Expect(CLASSES, 3, "pupils", "formula", -5, "warning")),
        exact=True,
    ),
    Case(
        "formula_with_error_value",
        lambda tmp: with_cached_formula(workbook(tmp), CLASSES, "E3", "45/0", "#DIV/0!", error=True),
        (Expect(CLASSES, 3, "pupils", "formula_error", "#DIV/0!"),),
        exact=True,
    ),
    # --- types -----------------------------------------------------------------------------
    Case(
        "text_in_number_column",
        _wb(edits={(CLASSES, "pupils", 4): "四十四"}),
        (Expect(CLASSES, 4, "pupils", "type_int", "四十四"),),
        exact=True,
    ),
    Case(
        "text_in_year_column",
        _wb(edits={(TEACHERS, "birth_year", 6): "1995年"}),
        (Expect(TEACHERS, 6, "birth_year", "type_year", "1995年"),),
        exact=True,
    ),
    Case(
        "not_a_boolean",
        _wb(edits={(SCHOOLS, "urban", 3): "也许"}),
        (Expect(SCHOOLS, 3, "urban", "type_bool", "也许"),),
        exact=True,
    ),
    Case(
        "fraction_in_count",
        _wb(edits={(CLASSES, "pupils", 2): 45.5}),
        (Expect(CLASSES, 2, "pupils", "integer", 45.5),),
        exact=True,
    ),
    Case(
        "date_in_year_column",
        _wb(then=date_cell),
        (Expect(CLASSES, 4, "year", "date_in_number"),),
        exact=True,
    ),
    Case(
        "year_formatted_as_date",
        _wb(then=year_formatted_as_date),
        (Expect(SCHOOLS, 2, "opened_year", "date_in_number", dt.date(1905, 7, 11)),),
        exact=True,
    ),
    Case(
        "required_value_empty",
        _wb(edits={(SCHOOLS, "name", 3): None}),
        (Expect(SCHOOLS, 3, "name", "required", None),),
        exact=True,
    ),
    # --- values ----------------------------------------------------------------------------
    Case(
        "negative_count",
        _wb(edits={(CLASSES, "pupils", 3): -3}),
        (Expect(CLASSES, 3, "pupils", "negative", -3),),
        exact=True,
    ),
    Case(
        "code_not_allowed",
        _wb(edits={(SCHOOLS, "stage", 2): "大学"}),
        (Expect(SCHOOLS, 2, "stage", "code", "大学"),),
        exact=True,
    ),
    Case(
        "age_30_in_population",
        _wb(frames=lambda f: add_population(f, bad_age=30)),
        (Expect(POPULATION, 7, "age", "age_range", 30),),
        exact=True,
    ),
    Case(
        "year_1900",
        _wb(edits={(CLASSES, "year", 2): 1900}),
        (Expect(CLASSES, 2, "year", "year_range", 1900),),
        exact=True,
    ),
    Case(
        "latitude_60",
        _wb(edits={(SCHOOLS, "lat", 4): 60}),
        (Expect(SCHOOLS, 4, "lat", "lat_range", 60),),
        exact=True,
    ),
    Case(
        "duplicate_school_id",
        _wb(edits={(SCHOOLS, "school_id", 5): "S3"}),
        (Expect(SCHOOLS, 4, "school_id", "duplicate_key"), Expect(SCHOOLS, 5, "school_id", "duplicate_key")),
        exact=True,
    ),
    Case(
        "duplicate_key_in_classes",
        _wb(edits={(CLASSES, "class_no", 3): 1}),  # S1 2024 P1 class 1 twice
        (
            Expect(CLASSES, 2, "school_id", "duplicate_key", "S1"),
            Expect(CLASSES, 3, "school_id", "duplicate_key", "S1"),
        ),
        exact=True,  # once per row, not once per key column
    ),
    # --- references across sheets ----------------------------------------------------------
    Case(
        "school_township_unknown",
        _wb(edits={(SCHOOLS, "township_id", 3): "T9"}),
        (Expect(SCHOOLS, 3, "township_id", "reference", "T9"),),
        exact=True,
    ),
    Case(
        "class_school_unknown",
        _wb(edits={(CLASSES, "school_id", 6): "S9"}),
        (Expect(CLASSES, 6, "school_id", "reference", "S9"),),
        exact=True,
    ),
    Case(
        "teacher_at_unknown_school",
        _wb(edits={(TEACHERS, "school_id", 4): "S99"}),
        (
            Expect(TEACHERS, 4, "school_id", "reference", "S99"),
            Expect(CLASSES, 5, "school_id", "no_teachers", "S2", "warning"),  # A3 was S2's only teacher
        ),
        exact=True,
    ),
    Case(
        "grade_J1_in_primary_school",
        _wb(edits={(CLASSES, "grade", 4): "七年级"}),  # S1 is a primary school
        (Expect(CLASSES, 4, "grade", "grade_stage", "J1"),),
        exact=True,
    ),
    Case(
        "grade_P1_in_junior_school",
        _wb(edits={(CLASSES, "grade", 8): "P1"}),  # S3 is a junior school
        (Expect(CLASSES, 8, "grade", "grade_stage", "P1"),),
        exact=True,
    ),
    Case(
        "school_closed_before_class_year",
        _wb(edits={(SCHOOLS, "closed_year", 3): 2020}),  # S2 closed in 2020, has classes in 2024
        (
            Expect(CLASSES, 5, "year", "school_not_open", 2024),
            Expect(CLASSES, 6, "year", "school_not_open", 2024),
            Expect(TEACHERS, 4, "year", "school_not_open", 2024),
        ),
        exact=True,
    ),
    Case(
        "teacher_school_not_open_that_year",
        _wb(
            edits={(SCHOOLS, "opened_year", 4): 2025, (CLASSES, "school_id", 7): "S1", (CLASSES, "school_id", 8): "S1"}
        ),
        # S3 opens in 2025; its classes moved to S1 (J1 there is a grade_stage error too)
        (Expect(TEACHERS, 5, "year", "school_not_open", 2024),),
    ),
    Case(
        "opened_after_closed",
        _wb(edits={(SCHOOLS, "opened_year", 5): 2000, (SCHOOLS, "closed_year", 5): 1990}),
        (Expect(SCHOOLS, 5, "closed_year", "year_order", 1990),),
    ),
    # --- CSV folders -----------------------------------------------------------------------
    Case(
        "csv_negative_count",
        _csv(lambda d: set_csv(d, "classes.csv", "pupils", 4, "-44")),
        (Expect("classes.csv", 4, "pupils", "negative", -44),),
        exact=True,
    ),
    Case(
        "csv_chinese_file_dangling_township",
        _csv(lambda d: set_csv(d, "社区村.csv", "乡镇代码", 3, "T7")),
        (Expect("社区村.csv", 3, "township_id", "reference", "T7"),),
        exact=True,
    ),
    Case(
        "csv_empty_file",
        _csv(lambda d: (d / "classes.csv").write_bytes(b"")),
        (Expect("classes.csv", None, None, "empty_file"),),
        exact=True,
    ),
    Case(  # found in the sheet's XML, before it is parsed: row 10 holds the ninth class
        "too_many_rows",
        _wb(),
        (Expect(CLASSES, 10, "A10", "sheet_rows", 10),),
        exact=True,
        options={"limits": Limits(rows={"classes": 8})},  # classes has 9 rows
    ),
    # --- numbers no census holds (issue 10, item 9): located errors, never infinity in the data --
    Case("minus_1e309", raw_value(CLASSES, "E3", "-1e309"), (Expect(CLASSES, 3, "pupils", "not_finite"),), exact=True),
    Case("plus_1e309", raw_value(CLASSES, "E3", "1e309"), (Expect(CLASSES, 3, "pupils", "not_finite"),), exact=True),
    Case("nan_stored", raw_value(CLASSES, "E4", "NaN"), (Expect(CLASSES, 4, "pupils", "not_finite"),), exact=True),
    Case(
        "inf_typed_as_text",
        _wb(edits={(CLASSES, "pupils", 3): "inf", (CLASSES, "pupils", 4): "1e400"}),
        (Expect(CLASSES, 3, "pupils", "not_finite"), Expect(CLASSES, 4, "pupils", "not_finite")),
        exact=True,
    ),
    Case(  # annual_salary may be empty: "nan" must not pass as an empty cell
        "nan_typed_in_an_optional_column",
        _wb(edits={(TEACHERS, "annual_salary", 2): "nan"}),
        (Expect(TEACHERS, 2, "annual_salary", "not_finite"),),
        exact=True,
    ),
    Case(
        "huge_exponent",
        raw_value(CLASSES, "E3", "1e300"),
        (Expect(CLASSES, 3, "pupils", "too_large"),),
        exact=True,
    ),
    Case(
        "csv_infinity",
        _csv(lambda d: set_csv(d, "classes.csv", "pupils", 3, "-Infinity")),
        (Expect("classes.csv", 3, "pupils", "not_finite"),),
        exact=True,
    ),
    # --- many at once ----------------------------------------------------------------------
    Case(
        "three_errors_all_reported",
        _wb(edits={(CLASSES, "pupils", 3): -1, (SCHOOLS, "lat", 2): 60, (TEACHERS, "birth_year", 6): "abc"}),
        (
            Expect(CLASSES, 3, "pupils", "negative", -1),
            Expect(SCHOOLS, 2, "lat", "lat_range", 60),
            Expect(TEACHERS, 6, "birth_year", "type_year", "abc"),
        ),
        exact=True,
    ),
    Case(
        "errors_in_many_rows_of_one_column",
        _wb(edits={(CLASSES, "pupils", 2): -1, (CLASSES, "pupils", 5): "x", (CLASSES, "pupils", 10): -7}),
        (
            Expect(CLASSES, 2, "pupils", "negative", -1),
            Expect(CLASSES, 5, "pupils", "type_int", "x"),
            Expect(CLASSES, 10, "pupils", "negative", -7),
        ),
        exact=True,
    ),
]


def assert_reported(problems: list[Problem], expect: tuple[Expect, ...], exact: bool) -> None:
    for e in expect:
        assert any(e.matches(p) for p in problems), f"{e} not among {problems}"
    for p in problems:
        assert p.message_zh.strip() and p.message_en.strip(), p
        assert p.message_zh != p.message_en, p
        assert set(p.as_dict()) == {"severity", "sheet", "row", "column", "value", "rule", "message_zh", "message_en"}
        json.dumps(p.as_dict(), ensure_ascii=False, allow_nan=False)  # strict JSON, as the database stores it
    if exact:
        assert len(problems) == len(expect), f"expected exactly {expect}, got {problems}"


def test_at_least_25_cases() -> None:
    assert len(CASES) >= 25
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_located_and_changes_nothing(
    case: Case, tmp_path: Path, request: pytest.FixtureRequest, unchanged: Callable[[CensusStore], Callable[[], None]]
) -> None:
    store: CensusStore = request.getfixturevalue("small_store" if case.store == "small" else "empty_store")
    src = tmp_path / "input"
    src.mkdir()
    path = case.build(src)
    check = unchanged(store)
    versions = store.versions()
    with pytest.raises(ValidationFailed) as info:
        import_census(path, store, **case.options)
    exc = info.value
    assert exc.message_zh and exc.message_en
    assert_reported(exc.problems, case.expect, case.exact)
    check()
    assert store.versions() == versions
    if case.store == "empty":
        assert not store.data_dir.exists()


# --------------------------------------------------------------------------- unreadable files


def _truncated(tmp: Path) -> Path:
    good = workbook(tmp, name="good.xlsx")
    data = good.read_bytes()
    bad = tmp / "truncated.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    return bad


def _docx_renamed(tmp: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document>南丰县</document>")
    path = tmp / "report.xlsx"
    path.write_bytes(buf.getvalue())
    return path


def _write(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    return build


def _empty_folder(tmp: Path) -> Path:
    (tmp / "empty").mkdir()
    return tmp / "empty"


# (id, build, rule in InputFileError.facts, words of the English message)
FILE_CASES: list[tuple[str, Callable[[Path], Path], str | None, str]] = [
    ("empty_file_0_bytes", _write("census.xlsx", b""), "empty_file", "empty"),
    ("text_file", _write("census.txt", "学校代码,学校名称\nS1,琴城第一小学\n".encode()), "not_xlsx", "not an Excel"),
    ("old_xls_signature", _write("census.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088), "not_xlsx", ".xls"),
    (
        "html_named_xlsx",
        _write("census.xlsx", b"<html><body><table></table></body></html>"),
        "not_xlsx",
        "not an Excel",
    ),
    ("truncated_xlsx", _truncated, "unreadable", "damaged or truncated"),
    ("zip_not_a_workbook", _docx_renamed, "unreadable", "damaged or truncated"),
    ("empty_folder", _empty_folder, "no_known_sheet", "no .csv or .parquet"),
    ("no_such_file", lambda tmp: tmp / "nowhere.xlsx", None, "no such file"),
]


@pytest.mark.parametrize("build,rule,says", [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_unreadable_file_changes_nothing(
    build: Callable[[Path], Path],
    rule: str | None,
    says: str,
    tmp_path: Path,
    small_store: CensusStore,
    unchanged: Callable[[CensusStore], Callable[[], None]],
) -> None:
    src = tmp_path / "input"
    src.mkdir()
    path = build(src)
    check = unchanged(small_store)
    with pytest.raises(InputFileError) as info:
        import_census(path, small_store)
    exc = info.value
    assert exc.message_zh.strip() and exc.message_en.strip() and exc.message_zh != exc.message_en
    assert path.name in exc.message_en and says in exc.message_en
    if rule is not None:
        assert exc.facts.get("rule") == rule
    check()


# ---------------------------------------------------------------------------------- huge sheet


def huge_classes_workbook(path: Path, n: int, bad: dict[int, int]) -> Path:
    """A classes sheet of n rows for S1 (P1–P6 in turn, pupils 40, or bad[record index]).

    write_workbook writes the first six rows; the rest repeat them in the sheet's XML, with the
    same shared strings and styles (600,000 cells written one by one would take seconds)."""
    grades = ["P1", "P2", "P3", "P4", "P5", "P6"]
    head = pd.DataFrame({"school_id": "S1", "year": 2024, "grade": grades, "class_no": 1, "pupils": 40})
    write_workbook(path, {"classes": head})

    def edit(xml: str) -> str:
        templates = []
        for r in range(2, 8):
            row = re.search(rf'<row r="{r}".*?</row>', xml).group(0)  # type: ignore[union-attr]
            row = row.replace("{", "{{").replace("}", "}}")
            row = re.sub(rf'r="([A-E]?){r}"', r'r="\1{r}"', row)
            row = row.replace('<c r="D{r}"><v>1</v>', '<c r="D{r}"><v>{d}</v>')
            row = row.replace('<c r="E{r}"><v>40</v>', '<c r="E{r}"><v>{e}</v>')
            templates.append(row)
        body = "".join(templates[i % 6].format(r=i + 2, d=i // 6 + 1, e=bad.get(i, 40)) for i in range(n))
        xml = re.sub(r'<row r="2".*</row>', lambda _m: body, xml, flags=re.S)
        return xml.replace('<dimension ref="A1:E7"/>', f'<dimension ref="A1:E{n + 1}"/>')

    return rewrite_part(path, "xl/worksheets/sheet1.xml", edit)


def test_huge_sheet_reports_the_exact_row(
    tmp_path: Path, small_store: CensusStore, unchanged: Callable[[CensusStore], Callable[[], None]]
) -> None:
    n = 120_000
    bad = n - 7  # a record near the end; Excel row = record index + 2
    path = huge_classes_workbook(tmp_path / "huge.xlsx", n, {bad: -2})
    check = unchanged(small_store)
    with pytest.raises(ValidationFailed) as info:
        import_census(path, small_store)
    problems = [(p.severity, p.sheet, p.row, p.column, p.rule, p.value) for p in info.value.problems]
    assert problems == [("error", CLASSES, 119_995, "pupils", "negative", -2)]
    assert bad + 2 == 119_995
    check()


def test_huge_sheet_is_read_as_written(tmp_path: Path) -> None:
    """The generated sheet is what it claims: n rows, grades in turn, class numbers counting up."""
    from countyedu.census.readers import read_source

    frame = read_source(huge_classes_workbook(tmp_path / "h.xlsx", 12, {10: 85})).sheets["classes"].frame
    assert frame["_row"].tolist() == list(range(2, 14))
    assert frame["grade"].tolist() == ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"] * 2
    assert frame["class_no"].tolist() == [1] * 6 + [2] * 6
    assert frame["pupils"].tolist() == [40] * 10 + [85, 40]


# ------------------------------------------------------------------------------ good and warned


def test_gb18030_csv_imports(tmp_path: Path, small_store: CensusStore) -> None:
    """A CSV folder saved by Chinese Excel (GB18030) reads like UTF-8."""
    folder = tmp_path / "gbk"
    folder.mkdir()
    for f in SMALL.iterdir():
        (folder / f.name).write_bytes(f.read_text(encoding="utf-8").encode("gb18030"))
    assert (folder / "schools.csv").read_bytes() != (SMALL / "schools.csv").read_bytes()
    result = import_census(folder, small_store)
    assert result.version.version_id == "v2"
    assert result.warnings == []
    schools = small_store.frames("v2", ["schools"])["schools"].set_index("school_id")
    assert schools.loc["S1", "name"] == "琴城第一小学"
    assert schools.loc["S1", "stage"] == "primary"
    fresh = CensusStore(tmp_path / "fresh")
    assert import_census(folder, fresh).version.row_counts == result.version.row_counts


def _warned(store: CensusStore, path: Path, expect: Expect) -> None:
    before = store.versions()
    result = import_census(path, store)
    assert len(store.versions()) == len(before) + 1
    assert_reported(result.warnings, (expect,), exact=False)
    assert all(p.severity == "warning" for p in result.warnings)


def test_big_class_is_a_warning(tmp_path: Path, small_store: CensusStore) -> None:
    path = workbook(tmp_path, edits={(CLASSES, "pupils", 3): 85})
    _warned(small_store, path, Expect(CLASSES, 3, "pupils", "big_class", 85, "warning"))


def test_school_with_pupils_and_no_teachers_is_a_warning(tmp_path: Path, small_store: CensusStore) -> None:
    def drop_a5(f: dict[str, pd.DataFrame]) -> None:
        f["teachers"] = f["teachers"][f["teachers"]["teacher_id"] != "A5"]  # S4's only teacher

    path = workbook(tmp_path, frames=drop_a5)
    _warned(small_store, path, Expect(CLASSES, 9, "school_id", "no_teachers", "S4", "warning"))


def test_formula_with_cached_value_is_used_with_a_warning(tmp_path: Path, small_store: CensusStore) -> None:
    path = with_cached_formula(workbook(tmp_path), CLASSES, "E3", "40+5", "45")
    _warned(small_store, path, Expect(CLASSES, 3, "pupils", "formula", 45, "warning"))
    classes = small_store.frames("v2", ["classes"])["classes"]
    assert classes["pupils"].sum() == small_frames()["classes"]["pupils"].sum()


def test_unknown_column_is_a_warning(tmp_path: Path, small_store: CensusStore) -> None:
    def note(wb: openpyxl.Workbook) -> None:
        ws = wb[CLASSES]
        ws["F1"] = "备注"
        ws["F2"] = "新教室"

    path = workbook(tmp_path, then=note)
    _warned(small_store, path, Expect(CLASSES, 1, "备注", "unknown_column", "备注", "warning"))


# ------------------------------------------------------------------------------------------ CLI

COUNTYEDU = Path(sys.executable).parent / "countyedu"


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(COUNTYEDU), *map(str, args)], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_reports_every_problem_without_traceback(
    tmp_path: Path, small_store: CensusStore, unchanged: Callable[[CensusStore], Callable[[], None]]
) -> None:
    path = workbook(tmp_path, edits={(CLASSES, "pupils", 3): -1, (SCHOOLS, "lat", 2): 60})
    check = unchanged(small_store)
    r = _cli("import", path, "--data-dir", small_store.data_dir)
    text = r.stdout + r.stderr
    assert r.returncode != 0
    assert "Traceback" not in text
    for needle in (CLASSES, "pupils", "-1", SCHOOLS, "lat", "60", "不能为负数", "must not be negative", "未导入"):
        assert needle in text, needle
    assert re.search(r"班级\s*[│|]\s*3\s*[│|]\s*pupils", text), text  # sheet, row, column of one problem
    check()


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, str, str]:
    """countyedu.cli.main in this process (the same entry point as the script, faster)."""
    monkeypatch.setattr(sys, "argv", ["countyedu", *map(str, args)])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as info:
        main()
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def test_cli_json_lists_problems(
    tmp_path: Path,
    small_store: CensusStore,
    unchanged: Callable[[CensusStore], Callable[[], None]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = workbook(
        tmp_path, edits={(CLASSES, "pupils", 3): -1, (SCHOOLS, "lat", 2): 60, (TEACHERS, "birth_year", 6): "abc"}
    )
    check = unchanged(small_store)
    rc, stdout, stderr = _main(
        monkeypatch, capsys, "import", path, "--data-dir", small_store.data_dir, "--format", "json"
    )
    assert rc != 0
    assert "Traceback" not in stdout + stderr
    doc = json.loads(stdout)
    assert doc["ok"] is False
    keys = {"severity", "sheet", "row", "column", "value", "rule", "message_zh", "message_en"}
    assert all(set(p) == keys for p in doc["problems"])
    got = {(p["sheet"], p["row"], p["column"], p["rule"], p["value"]) for p in doc["problems"]}
    assert got == {
        (CLASSES, 3, "pupils", "negative", -1),
        (SCHOOLS, 2, "lat", "lat_range", 60),
        (TEACHERS, 6, "birth_year", "type_year", "abc"),
    }
    assert all(p["message_zh"] and p["message_en"] for p in doc["problems"])
    # whole numbers as the user typed them, not -1.0
    assert [type(p["value"]) for p in doc["problems"] if p["rule"] != "type_year"] == [int, int]
    check()


def test_cli_unreadable_file_is_a_message_not_a_traceback(
    tmp_path: Path,
    small_store: CensusStore,
    unchanged: Callable[[CensusStore], Callable[[], None]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _truncated(tmp_path)
    check = unchanged(small_store)
    rc, stdout, stderr = _main(monkeypatch, capsys, "import", path, "--data-dir", small_store.data_dir)
    assert rc != 0
    assert "Traceback" not in stdout + stderr
    text = " ".join(stderr.split())  # rich wraps long lines
    assert "truncated.xlsx" in text and "损坏" in text and "damaged" in text
    check()

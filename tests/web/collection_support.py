"""Helpers for the data collection tests: rounds and submissions in a given state, workbooks.

The workbooks are the pre-filled template of P1 (琴城第一小学) for the round's year, as the page
serves it: P1's row in 学校, its 2024 row in 学校年度, its seven 2024 classes (header = Excel row 1,
so class P1-1 is row 2 … P6-1 row 8) and its four teachers (t1–t4), relabelled as the round's year.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.web import actions
from countyedu.web import census as census_data
from countyedu.web.models import CollectionRound, Submission

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def open_round(users: dict[str, User], year: int = 2025) -> CollectionRound:
    return actions.do_open_round(year, "", acting_user=users["admin"])


def template_bytes(users: dict[str, User], r: CollectionRound, school_id: str = "P1") -> bytes:
    """The pre-filled workbook the page serves to the school's clerk."""
    c = Client()
    c.force_login(users["admin"])
    response = c.get(reverse("web:submission_template", args=[r.pk, school_id]))
    assert response.status_code == 200, response.status_code
    return response.content


def edit(data: bytes, sheet: str, row: int, column: str, value: Any) -> bytes:
    """The workbook with one cell changed: sheet by its Chinese name, Excel row, column by code."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    col = next(c.column for c in ws[1] if str(c.value).endswith(f"({column})"))
    ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def add_row(data: bytes, sheet: str, values: dict[str, Any]) -> bytes:
    """The workbook with a row appended to a sheet (values by column code)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    codes = [str(c.value).rsplit("(", 1)[-1].rstrip(")") for c in ws[1]]
    ws.append([values.get(code) for code in codes])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member holding a sheet (by its name in the workbook)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        wb, rels = zf.read("xl/workbook.xml").decode(), zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', wb).group(1)  # type: ignore[union-attr]
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + (target.group(1) or target.group(2)).removeprefix("/xl/")  # type: ignore[union-attr]


def rewrite_part(data: bytes, part: str, edit: Any) -> bytes:
    """The workbook with one zip member's bytes passed through edit(bytes) -> bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            zout.writestr(info.filename, edit(body) if info.filename == part else body)
    return out.getvalue()


def set_raw(data: bytes, sheet: str, ref: str, value: str) -> bytes:
    """The workbook with one cell's stored value replaced by bytes no spreadsheet program writes
    (-1e309 reads as minus infinity)."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)'.encode(), re.S)
    cell = f'<c r="{ref}"><v>{value}</v></c>'.encode()
    return rewrite_part(data, sheet_part(data, sheet), lambda xml: pattern.sub(lambda _m: cell, xml, count=1))


def upload(data: bytes, name: str = "P1-2025.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def submission(users: dict[str, User], status: str, school_id: str = "P1", year: int = 2025) -> Submission:
    """A submission of the school brought to a status the way users would: upload (draft or, with a
    negative pupils count, invalid), submit, return. 'approved' is not offered: approving writes a
    census version, which only the end-to-end test does."""
    r = open_round(users, year)
    clerk = users["clerk_p1"] if school_id == "P1" else users["clerk_n1"]
    data = template_bytes(users, r, school_id)
    if status == Submission.Status.INVALID:
        data = edit(data, "班级", 2, "pupils", -5)
    sub, _job = actions.do_upload_submission(r, school_id, upload(data), acting_user=clerk)
    if status in (Submission.Status.SUBMITTED, Submission.Status.RETURNED):
        sub = actions.do_submit_submission(sub, acting_user=clerk)
    if status == Submission.Status.RETURNED:
        sub = actions.do_return_submission(sub, "请核对学生数", acting_user=users["planner"])
    assert sub.status == status, (sub.status, sub.problems)
    return sub


def login_redirect(response: Any) -> bool:
    """An anonymous user was sent to the login page."""
    return response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


@pytest.fixture
def own_census(settings: Any, tmp_path: Path) -> Iterator[CensusStore]:
    """A data dir of the test's own holding the hand county and its assessment: an approval writes a
    census version, which would outlive the test in the session's shared store. Import it into a test
    module with `from collection_support import own_census  # noqa: F401`."""
    settings.DATA_DIR = tmp_path
    store = CensusStore(tmp_path)
    import_census(HAND, store)
    cache.get_or_compute(store)
    census_data.forget()
    yield store
    census_data.forget()

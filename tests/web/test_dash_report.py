"""GET /report/<county|township|school>/<id>.<html|pdf|xlsx> — the assessment report of a unit, as an attachment."""

from __future__ import annotations

import io

import openpyxl
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body(r) -> bytes:
    return b"".join(r.streaming_content)


def test_it_serves_the_county_report_as_a_pdf(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    r = client.get("/report/county/361023.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith('attachment; filename="assessment-v1-county-361023-2024-zh.pdf"')
    assert body(r).startswith(b"%PDF")


def test_it_serves_a_township_report_of_that_township_only(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t1"])
    r = client.get("/report/township/T1.html")
    assert r.status_code == 200 and r["Content-Type"] == "text/html; charset=utf-8"
    html = body(r).decode()
    assert "琴城镇" in html and "琴城第一小学" in html
    assert "太源学校" not in html and "太源乡" not in html
    assert "105.6%" in html  # T-PRE-5 of T1 (190/180), as the report's one-pager
    # the headings name the township, not the county
    assert "乡镇教育高质量发展监测报告" in html and "本乡镇一页概览" in html
    assert "县域教育高质量发展监测报告" not in html and "全县一页概览" not in html


def test_it_serves_a_school_report_as_a_workbook(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/report/school/P1.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(body(r)))
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert "P1" in cells and "琴城第一小学" in cells
    assert not {"N1", "J1", "T1", "太源学校"} & cells


def test_it_hides_reports_outside_the_users_scope(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_n1"])
    assert client.get("/report/school/P1.pdf").status_code == 404
    assert client.get("/report/township/T2.pdf").status_code == 404
    assert client.get("/report/county/361023.pdf").status_code == 404
    client.force_login(users["t2"])
    assert client.get("/report/township/T1.html").status_code == 404
    client.force_login(users["admin"])
    assert client.get("/report/county/999999.html").status_code == 404
    assert client.get("/report/county/361023.docx").status_code == 404


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/report/school/P1.pdf")
    assert r.status_code == 302 and r["Location"].startswith("/login/")

"""Planning and funding blocks become report chapters: the same numbers in HTML, PDF and Excel."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import openpyxl
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.engine import Assessment, assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import load_pack
from countyedu.reports import write_report
from countyedu.runs.blocks import (
    Block,
    BlockChart,
    BlockColumn,
    BlockMap,
    BlockTable,
    Finding,
    Value,
    format_value,
)
from countyedu.runs.registry import chapters

SMALL = Path(__file__).parent / "fixtures" / "small"
WHEN = dt.datetime(2025, 11, 1, 9, 30)


def _blocks() -> list[Block]:
    return [
        Block(
            id="planning.seats",
            title="学位缺口",
            clause="第4条; CS",
            paragraphs=["城区小学 2027 年缺 1,350 个学位。"],
            findings=[Finding("第4条", "2020 年消除大班额", "3.2%", "not_met", "2022 年起无 56 人以上班级")],
            tables=[
                BlockTable(
                    "各乡镇学位",
                    [
                        BlockColumn("tid", "乡镇"),
                        BlockColumn("gap", "缺口", "count"),
                        BlockColumn("use", "使用率", "share"),
                    ],
                    [["琴城镇", -1350, 1.125], ["太和镇", 240, 0.8]],
                    clause="第4条",
                )
            ],
            charts=[BlockChart("学位缺口", "bar", ["2025", "2026"], {"琴城镇": [-1200.0, -1350.0]})],
            maps=[
                BlockMap(
                    "学区划分图",
                    [
                        {"kind": "school", "id": "P1", "name": "琴城第一小学", "lat": 27.219, "lon": 116.531},
                        {
                            "kind": "community",
                            "id": "C1",
                            "name": "人民路社区",
                            "lat": 27.218,
                            "lon": 116.532,
                            "site_id": "P1",
                        },
                    ],
                )
            ],
        ),
        Block(
            id="funding.budget",
            title="预算",
            clause="第22条",
            tables=[
                BlockTable(
                    "年度预算", [BlockColumn("line", "项目"), BlockColumn("yuan", "金额", "yuan")], [["专项经费", 5e6]]
                )
            ],
        ),
    ]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    store = CensusStore(tmp_path_factory.mktemp("blocks") / "data")
    import_census(SMALL, store)
    return assess(duckdb_tables(store), [load_pack("nanfeng-2019")])


def test_format_value_by_unit() -> None:
    assert format_value(1.125, "share") == "112.5%"
    assert format_value(5e6, "yuan") == "5,000,000"
    assert format_value(-1350, "count") == "-1,350"
    assert format_value(None, "count") == "—"
    assert format_value(True, "", "en") == "yes"


def test_blocks_group_into_chapters_in_order() -> None:
    got = chapters(_blocks(), "zh")
    assert [(c.key, c.title, [b.id for b in c.blocks]) for c in got] == [
        ("planning", "学位与布局规划", ["planning.seats"]),
        ("funding", "经费与预算", ["funding.budget"]),
    ]


def test_html_report_has_the_chapters_findings_tables_and_chart(small: Assessment, tmp_path: Path) -> None:
    html = write_report(small, tmp_path / "r.html", "html", blocks=_blocks(), generated_at=WHEN).read_text("utf-8")
    assert 'href="#chapter-planning"' in html and 'id="chapter-funding"' in html
    assert "2022 年起无 56 人以上班级" in html and "未达标" in html
    assert "-1,350" in html and "112.5%" in html and "5,000,000" in html
    planning = html[html.index('id="chapter-planning"') :]
    planning = planning[: planning.index('id="chapter-funding"')]
    assert planning.count("<svg") == 2  # the chart and the map


def test_excel_report_has_a_sheet_per_chapter_with_numbers(small: Assessment, tmp_path: Path) -> None:
    path = write_report(small, tmp_path / "r.xlsx", "xlsx", lang="en", blocks=_blocks(), generated_at=WHEN)
    wb = openpyxl.load_workbook(path)
    assert "Planning" in wb.sheetnames and "Funding" in wb.sheetnames
    cells = [c for row in wb["Planning"].iter_rows(values_only=True) for c in row if c is not None]
    assert -1350 in cells and 1.125 in cells and "琴城镇" in cells
    assert 5e6 in [c for row in wb["Funding"].iter_rows(values_only=True) for c in row if c is not None]


@pytest.mark.slow
def test_pdf_report_renders_the_chapters_in_chinese(small: Assessment, tmp_path: Path) -> None:
    pdf = write_report(small, tmp_path / "r.pdf", "pdf", blocks=_blocks(), generated_at=WHEN)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "学位与布局规划" in text and "经费与预算" in text and "专项经费" in text


def test_a_report_words_the_blocks_messages_in_its_language(small: Assessment, tmp_path: Path) -> None:
    """Blocks carry message keys (issue 11): the HTML and Excel reports word them in the report's language."""
    from countyedu.messages import Code, Msg, Num

    blocks = [
        Block(
            "funding.budget",
            Msg("County education budget plan"),
            "第20条",
            paragraphs=[
                Msg(
                    "{year}: planned {plan}, actual {actual} yuan (data: {sources})",
                    year=2024,
                    plan="1",
                    actual="2",
                    sources=(Msg("finance sheet: {item}", item=Msg("education informatization spending")),),
                )
            ],
            findings=[Finding("第20条", Msg("Informatization"), Num(5e6, "yuan"), "met", Msg("plan"))],
            tables=[
                BlockTable(Msg("Plan and actual"), [BlockColumn("s", Msg("status"))], [[Code("status", "not_met")]])
            ],
        )
    ]
    zh = write_report(small, tmp_path / "r.html", "html", blocks=blocks, generated_at=WHEN).read_text("utf-8")
    assert "县教育经费预算计划" in zh and "财政表：教育信息化经费" in zh and "5,000,000 元" in zh and "未达标" in zh
    assert "Informatization" not in zh and "finance sheet" not in zh
    path = write_report(small, tmp_path / "r.xlsx", "xlsx", lang="en", blocks=blocks, generated_at=WHEN)
    cells = [c for row in openpyxl.load_workbook(path)["Funding"].iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("Plan and actual") for c in cells)
    assert "Informatization" in cells and "not met" in cells and "5,000,000 yuan" in cells


def test_a_long_table_shows_its_first_rows_and_says_where_the_rest_are(small: Assessment, tmp_path: Path) -> None:
    from countyedu.reports.html import REPORT_TABLE_ROWS

    rows: list[list[Value]] = [[f"T{i:04d}", i] for i in range(REPORT_TABLE_ROWS + 25)]
    long = Block(
        id="funding.long",
        title="培训学时不足的教师",
        clause="QB-G9",
        tables=[BlockTable("名单", [BlockColumn("t", "教师"), BlockColumn("h", "学时", "count")], rows)],
    )
    html = write_report(small, tmp_path / "r.html", "html", blocks=[long], generated_at=WHEN).read_text("utf-8")
    assert f"T{REPORT_TABLE_ROWS - 1:04d}" in html and f"T{REPORT_TABLE_ROWS:04d}" not in html
    assert "另有 25 行未列出" in html
    path = write_report(small, tmp_path / "r.xlsx", "xlsx", blocks=[long], generated_at=WHEN)
    cells = [c for ws in openpyxl.load_workbook(path) for row in ws.iter_rows(values_only=True) for c in row]
    assert f"T{REPORT_TABLE_ROWS + 24:04d}" in cells

"""Reports (countyedu.reports): HTML, PDF and Excel renderings of an assessment, in Chinese and English."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.engine import Assessment, assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import load_pack
from countyedu.reports import ReportError, build_report, names_from_frames, write_report
from countyedu.reports.html import render_html
from countyedu.reports.values import addition_text, target_text, value_text
from demo_support import built_demo

SMALL = Path(__file__).parent / "fixtures" / "small"
PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")
WHEN = dt.datetime(2025, 11, 1, 9, 30)
HEADINGS_ZH = ("全县一页概览", "图表", "分学段", "乡镇对比", "学校资源配置达标情况", "督学核查清单", "附录：指标定义")
HEADINGS_EN = (
    "The county at a glance",
    "Charts",
    "By stage",
    "Townships",
    "Schools: resource standards",
    "Inspector checklist",
    "Appendix: definitions",
)


def _assessment(store: CensusStore) -> tuple[Assessment, dict[str, dict[str, str]]]:
    a = assess(duckdb_tables(store), [load_pack(p) for p in PACKS])
    return a, names_from_frames(store.frames(a.census_version, ["schools", "townships"]))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessment, dict[str, dict[str, str]]]:
    """The small county (2024 only, no population sheet) assessed on the three shipped packs."""
    store = CensusStore(tmp_path_factory.mktemp("reports") / "data")
    import_census(SMALL, store)
    return _assessment(store)


def _html(small: tuple[Assessment, dict[str, dict[str, str]]], *, lang: str = "zh", synthetic: bool = False) -> str:
    a, names = small
    return render_html(build_report(a, names=names, lang=lang, synthetic=synthetic, generated_at=WHEN))


def _one_pager(html: str) -> str:
    """The one-pager section of a report."""
    return html[html.index('<section id="one-pager">') : html.index('<section id="charts"')]


def _targets_2025(pack_id: str) -> list[str]:
    return [it.id for it in load_pack(pack_id).items if any(t.by == 2025 for t in it.targets)]


def _external_references(html: str) -> list[str]:
    """src/href/url() values that leave the document (http, https or protocol-relative)."""
    attrs = re.findall(r"""(?:src|href)\s*=\s*["']?\s*((?:[a-z]+:)?//[^"'\s>]*)""", html, flags=re.I)
    css = re.findall(r"""url\(\s*["']?\s*((?:[a-z]+:)?//[^)"']*)""", html, flags=re.I)
    return attrs + css


def _pdftotext(path: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True, check=True
    )
    return out.stdout.decode("utf-8")


def _pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))  # type: ignore[union-attr]


# ------------------------------------------------------------------------------ values


def test_it_formats_values_by_unit() -> None:
    assert value_text(2 / 7, "share of classes") == "28.6%"
    assert value_text(0.0005, "share") == "0.05%"
    assert value_text(2430.0, "seats") == "2,430"
    assert value_text(5_250_000.4, "yuan") == "5,250,000"
    assert value_text(4.236, "per 100 pupils") == "4.24"
    assert value_text(None, "share") == "—"


def test_it_words_targets_in_both_languages() -> None:
    t = load_pack("nanfeng-2019").item("T-PRE-5").targets[0]
    assert target_text(t, "share", "zh") == "2025 年前 ≥ 90%"
    assert target_text(t, "share", "en") == "≥ 90% by 2025"
    hs2 = load_pack("nanfeng-2019").item("T-HS-2").targets[0]
    assert target_text(hs2, "share", "zh") == "2025 年前 ≈ 40% ± 5%"


def test_it_words_what_a_school_needs() -> None:
    words = "平方米教学及辅助用房 / m² teaching rooms"
    assert addition_text(420.0, words, "zh") == "+420 平方米教学及辅助用房"
    assert addition_text(1200.0, words, "en") == "+1,200 m² teaching rooms"


# ------------------------------------------------------------------------------ model


def test_it_puts_every_county_target_on_the_one_pager(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    report = build_report(small[0], names=small[1], generated_at=WHEN)
    on_page = {r.indicator for r in report.rows()}
    assert set(_targets_2025("nanfeng-2019")) <= on_page
    assert report.year == 2024 and report.years == [2024]


def test_it_reads_the_small_county_by_hand(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    report = build_report(small[0], names=small[1], generated_at=WHEN)
    rows = {(r.indicator, r.stage): r for r in report.rows()}
    # 大班额: S1 P1 has 58 pupils and S3 J1 has 66, out of 7 compulsory classes → 2/7.
    big = rows[("T-CMP-2", None)]
    assert (big.value_text, big.target_text, big.status.label) == ("28.6%", "2025 年前 ≤ 0%", "未达标")
    assert big.stage_label == "小学、初中" and big.sections == ("primary", "junior")
    # No population sheet: the gross enrolment ratio has no data.
    assert rows[("T-PRE-5", "kindergarten")].status.code == "no_data"
    assert rows[("T-PRE-5", "kindergarten")].value_text == "—"


def test_it_lists_each_school_part_with_what_it_needs(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    report = build_report(small[0], names=small[1], generated_at=WHEN)
    assert report.schools is not None
    rows = {(r.school_id, r.stage): r for r in report.schools.rows}
    assert set(rows) == {("S1", "primary"), ("S2", "primary"), ("S3", "junior")}
    s2 = rows[("S2", "primary")]
    assert s2.name == "太源乡中心小学" and s2.result.label == "未达标"
    # S2: 58 pupils, one full-time teacher (专科, above the primary requirement, not backbone).
    # QB-R1 needs 4.2 × 58 / 100 = 2.44 such teachers → 2 more; QB-R2 needs 0.58 backbone → 1.
    assert "+2 名高于规定学历教师" in s2.needs
    assert "+1 名县级及以上骨干教师" in s2.needs
    en = build_report(small[0], names=small[1], lang="en", generated_at=WHEN)
    assert en.schools is not None
    assert "+2 teachers above the required degree" in next(r.needs for r in en.schools.rows if r.school_id == "S2")


def test_it_lists_checklist_items_and_every_definition(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    a = small[0]
    report = build_report(a, names=small[1], generated_at=WHEN)
    checklist = [it.id for p in a.packs for it in p.items if it.kind == "checklist"]
    assert [c.indicator for c in report.checklist] == checklist
    assert [d.indicator for d in report.definitions] == [it.id for p in a.packs for it in p.items]
    pre5 = next(d for d in report.definitions if d.indicator == "T-PRE-5")
    assert (pre5.clause, pre5.mark, pre5.targets, pre5.unit) == ("T-PRE-5", "政策原文", "2025 年前 ≥ 90%", "比例")


# ------------------------------------------------------------------------------ HTML


def test_it_writes_html_with_version_headings_and_targets(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    html = _html(small)
    assert f"普查版本 {small[0].census_version}" in html
    assert "生成时间 2025-11-01 09:30" in html
    for heading in HEADINGS_ZH:
        assert f">{heading}</h2>" in html
    one_pager = _one_pager(html)
    for item in _targets_2025("nanfeng-2019"):
        assert f'data-indicator="{item}"' in one_pager
    for township in ("琴城镇", "太源乡"):
        assert township in html
    assert html.count("<svg") >= 2


def test_it_refers_to_nothing_outside_the_file(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    html = _html(small)
    assert _external_references(html) == []
    assert not re.search(r"<(script|link|img|iframe)\b", html, flags=re.I)
    # "http" appears only as XML namespace names of the inline SVG charts, which are never fetched.
    for attr, _ in re.findall(r'([\w:-]+)="(https?://[^"]*)"', html):
        assert attr.startswith("xmlns"), attr
    assert html.count("http") == len(re.findall(r'xmlns(?::\w+)?="https?://', html))


def test_it_writes_english_with_lang_en(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    html = _html(small, lang="en")
    assert '<html lang="en">' in html
    for heading in HEADINGS_EN:
        assert f">{heading}</h2>" in html
    assert not any(h in html for h in HEADINGS_ZH)
    assert "≤ 0% by 2025" in _one_pager(html)


def test_it_says_when_data_are_synthetic(small: tuple[Assessment, dict[str, dict[str, str]]]) -> None:
    assert "合成示例数据" in _html(small, synthetic=True)
    assert "合成示例数据" not in _html(small)
    assert "synthetic demo data" in _html(small, synthetic=True, lang="en")


def test_it_writes_an_html_file(small: tuple[Assessment, dict[str, dict[str, str]]], tmp_path: Path) -> None:
    path = write_report(small[0], tmp_path / "report.html", "html", names=small[1])
    assert path == tmp_path / "report.html"
    assert "全县一页概览" in path.read_text(encoding="utf-8")


def test_it_refuses_an_unknown_format_or_language(
    small: tuple[Assessment, dict[str, dict[str, str]]], tmp_path: Path
) -> None:
    with pytest.raises(ReportError):
        write_report(small[0], tmp_path / "r.doc", "doc")
    with pytest.raises(ReportError):
        write_report(small[0], tmp_path / "r.html", "html", lang="fr")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ PDF


def test_it_writes_an_a4_pdf_with_real_chinese_text(
    small: tuple[Assessment, dict[str, dict[str, str]]], tmp_path: Path
) -> None:
    path = write_report(small[0], tmp_path / "report.pdf", "pdf", names=small[1], generated_at=WHEN)
    assert path.read_bytes().startswith(b"%PDF")
    assert _pdf_pages(path) >= 2
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    first = _pdftotext(path, 1)
    # Text extracted as characters proves the CJK font is embedded with its text, not drawn as boxes.
    assert "县域教育高质量发展监测报告" in first
    assert "全县一页概览" in first


# ------------------------------------------------------------------------------ Excel

SHEETS_ZH = ["概览", "全部结果", "学校", "乡镇", "定义"]
RESULTS_HEAD_ZH = [
    "政策包",
    "指标",
    "名称",
    "层级",
    "单位（地区/学校）",
    "单位名称",
    "学段",
    "年份",
    "数值",
    "计量单位",
    "目标运算符",
    "目标值",
    "目标期限",
    "状态",
]


def _head(ws: Worksheet) -> list[object]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_it_writes_a_workbook_of_five_sheets(
    small: tuple[Assessment, dict[str, dict[str, str]]], tmp_path: Path
) -> None:
    a = small[0]
    path = write_report(a, tmp_path / "report.xlsx", "xlsx", names=small[1], generated_at=WHEN)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS_ZH
    assert _head(wb["概览"]) == ["政策包", "编号", "指标", "学段", "数值", "目标", "状态", "期限年趋势值", "2024"]
    assert _head(wb["全部结果"]) == RESULTS_HEAD_ZH
    qb = [f"QB-R{i} {load_pack('national-qb-2017').item(f'QB-R{i}').name_zh}" for i in range(1, 8)]
    assert _head(wb["学校"]) == ["学校代码", "学校", "学段", *qb, "结果", "达标所需补充"]
    assert _head(wb["乡镇"])[:2] == ["乡镇代码", "乡镇"]
    assert _head(wb["定义"]) == ["政策包", "编号", "名称", "类型", "说明", "计量单位", "目标", "条款", "依据"]
    assert wb["全部结果"].max_row == len(a.results) + 1
    assert wb["定义"].max_row == sum(len(p.items) for p in a.packs) + 1
    assert [r[0] for r in wb["乡镇"].iter_rows(min_row=2, values_only=True)] == ["T1", "T2"]
    big = next(r for r in wb["概览"].iter_rows(min_row=2, values_only=True) if r[1] == "T-CMP-2")
    assert big[4] == pytest.approx(2 / 7) and big[6] == "未达标"


def test_it_names_sheets_in_english(small: tuple[Assessment, dict[str, dict[str, str]]], tmp_path: Path) -> None:
    path = write_report(small[0], tmp_path / "report.xlsx", "xlsx", lang="en", names=small[1])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Overview", "All results", "Schools", "Townships", "Definitions"]
    assert _head(wb["All results"])[:9] == [
        "Pack",
        "Indicator",
        "Name",
        "Level",
        "Unit (place)",
        "Unit name",
        "Stage",
        "Year",
        "Value",
    ]


# ------------------------------------------------------------------------------ the demo county


@pytest.mark.slow
def test_it_reports_on_the_demo_county(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from countyedu.reports.excel import write_xlsx
    from countyedu.reports.html import write_html
    from countyedu.reports.pdf import write_pdf

    data, _doc = built_demo(tmp_path_factory)  # `countyedu demo`'s workbook imported (read here, not changed)
    a, names = _assessment(CensusStore(data))
    report = build_report(a, names=names, synthetic=True, generated_at=WHEN)
    html = write_html(report, tmp_path / "demo.html").read_text(encoding="utf-8")

    assert report.years == list(range(2019, 2026)) and report.year == 2025
    assert "合成示例数据" in html and f"普查版本 {a.census_version}" in html
    one_pager = _one_pager(html)
    for item in _targets_2025("nanfeng-2019"):
        assert f'data-indicator="{item}"' in one_pager
    assert _external_references(html) == []
    assert report.schools is not None
    failing = [r for r in report.schools.rows if r.result.code == "not_met"]
    assert failing and all(r.needs.startswith("+") for r in failing)
    assert {t.key for t in report.townships} >= {"kindergarten", "primary", "junior"}
    assert all(len(t.rows) == 12 for t in report.townships)

    pdf = write_pdf(report, tmp_path / "demo.pdf", html)
    assert _pdf_pages(pdf) >= 5
    assert "全县一页概览" in _pdftotext(pdf, 1)

    wb = openpyxl.load_workbook(write_xlsx(report, tmp_path / "demo-report.xlsx"), read_only=True)
    assert wb.sheetnames == SHEETS_ZH

"""The long run pages (/planning/, /funding/) open on a summary: the findings with their status, problems
first, each linking to its section; key charts; the sections reached through an index of anchor links
(tabs in a browser with scripts, tests/web/test_browser_plans.py). Here without scripts, as the web
client reads the page, on the hand county."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from test_plans import computed  # noqa: F401  (the planner computes the runs of the hand county)

from countyedu.runs.blocks import Block, BlockChart, Finding
from countyedu.web import summaries


def _charts(html: str) -> list[dict]:
    return json.loads(html.split('<script id="block-charts" type="application/json">')[1].split("</script>")[0])


def _summary(html: str) -> str:
    return html.split('<div class="tab-panel" id="summary">')[1].split('<div class="tab-panel"')[0]


@pytest.mark.parametrize("path", ["/planning/", "/funding/"])
@pytest.mark.usefixtures("computed")
def test_it_opens_on_a_summary_with_an_index_of_every_section(
    client: Client, users: dict[str, User], path: str
) -> None:
    client.force_login(users["leader"])
    html = client.get(path).content.decode()
    index = html.split('<nav class="page-index"')[1].split("</nav>")[0]
    targets = re.findall(r'href="#([^"]+)"', index)
    assert targets[0] == "summary" and len(targets) > 3
    assert ">汇总<" in index and "Section" not in _summary(html)
    for t in targets:  # every index entry is an anchor on the page itself, no script needed
        assert f'id="{t}"' in html, t
    # every section (block) is on the page, inside the panel of its index entry
    sections = re.findall(r'<section class="card block" id="([^"]+)"', html)
    assert sections
    for s in sections:
        assert f'<div class="tab-panel" id="part-{summaries.group_key(s)}">' in html
    # the summary comes before the first section
    assert html.index('id="summary"') < html.index(f'id="{sections[0]}"')


@pytest.mark.parametrize("path", ["/planning/", "/funding/"])
@pytest.mark.usefixtures("computed")
def test_the_summary_counts_and_lists_every_finding_problems_first(
    client: Client, users: dict[str, User], path: str
) -> None:
    client.force_login(users["leader"])
    html = client.get(path).content.decode()
    summary = _summary(html)
    sections = "".join(re.findall(r'<section class="card block".*?</section>', html, re.S))
    in_sections = re.findall(r'<span class="status (\w+)">', sections)
    assert in_sections
    counts = {code: int(n) for code, n in re.findall(r'<span class="status (\w+)">[^<]*? (\d+)</span>', summary)}
    for code in ("met", "at_risk", "not_met"):
        assert code in counts  # always shown, even at 0
    for code, n in counts.items():
        assert n == in_sections.count(code), code
    # the list: one row per finding, each linking to a section on the page, problems before what is met
    rows = re.findall(r'<tr><td><a href="#([^"]+)">[^<]+</a></td>.*?<span class="status (\w+)">', summary)
    assert len(rows) == len(in_sections)
    for section, _status in rows:
        assert f'<section class="card block" id="{section}">' in html
    order = [summaries.SEVERITY.index(status) for _s, status in rows]
    assert order == sorted(order)


def test_the_planning_summary_shows_the_county_seat_gap_first() -> None:
    # the hand county has one year of population (no charts): the demo county's are in the browser test
    gap = BlockChart("全县学位余缺", "bar", ["2019", "2020"], {"小学": [7865.0, 8685.0]}, unit="count")
    people = BlockChart("学龄人口预测", "line", ["2019"], {"小学": [19745.0]})
    blocks = [
        Block("planning.projection", "学龄人口预测", "第1条", charts=[people]),
        Block("planning.seats", "学位需求与供给", "第4条", charts=[gap]),
    ]
    key = summaries.key_charts("planning", blocks)
    assert [(c["id"], c["section"], c["section_title"], c["title"]) for c in key] == [
        ("key-chart-0", "planning.seats", "学位需求与供给", "全县学位余缺"),
        ("key-chart-1", "planning.projection", "学龄人口预测", "学龄人口预测"),
    ]
    assert key[0]["series"] == {"小学": [7865.0, 8685.0]} and key[0]["kind"] == "bar"


@pytest.mark.usefixtures("computed")
def test_the_funding_summary_charts_the_per_pupil_funds_by_stage(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    html = client.get("/funding/").content.decode()
    key = [c for c in _charts(html) if c["id"].startswith("key-chart-")]
    assert [c["section"] for c in key] == ["funding.per_pupil", "funding.per_pupil"]
    by_stage = key[0]
    assert by_stage["stack"] is True and by_stage["unit"] == "yuan"
    assert list(by_stage["series"]) == ["生均标准", "小规模学校补足", "寄宿生补助", "特教学生补助"]
    # the bars are the numbers of the section's table 按学段 (the API gives the same run)
    run = client.get("/api/funding/", {"lang": "zh"}).json()
    table = next(b for b in run["blocks"] if b["id"] == "funding.per_pupil")["tables"][0]
    assert by_stage["x"] == [r["stage"] for r in table["rows"]]
    assert by_stage["series"]["生均标准"] == [pytest.approx(r["standard"]) for r in table["rows"]]


@pytest.mark.usefixtures("computed")
def test_the_english_page_has_its_summary_in_english(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    client.cookies["django_language"] = "en"
    summary = _summary(client.get("/planning/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Summary" in summary and "Section" in summary
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", summary).replace("第4条", "").replace("大班额", ""))


def test_sections_of_one_kind_share_a_tab_named_by_their_common_words() -> None:
    parts = [
        {"block": Block("planning.catchments.primary", "学区划分（划片招生）（小学）", "")},
        {"block": Block("planning.catchments.junior", "学区划分（划片招生）（初中）", "")},
        {"block": Block("funding.compliance", "经费保障承诺落实情况", "")},
        {"block": Block("funding.compliance.2024", "2024 年经费保障检查", "")},
    ]
    tabs = summaries.tabs(parts)
    assert [(t["id"], t["title"], len(t["parts"])) for t in tabs] == [
        ("part-planning.catchments", "学区划分（划片招生）", 2),
        ("part-funding.compliance", "经费保障承诺落实情况", 2),
    ]


def test_findings_are_listed_problems_first_then_in_page_order() -> None:
    blocks = [
        Block("a.one", "一", "", findings=[Finding("c", "r1", "1", "met"), Finding("c", "r2", "2", "no_data")]),
        Block("a.two", "二", "", findings=[Finding("c", "r3", "3", "not_met"), Finding("c", "r4", "4", "at_risk")]),
    ]
    fs = summaries.findings(blocks, "zh")
    assert [r["f"].rule for r in fs["problems"]] == ["r3", "r4", "r2"]
    assert [r["f"].rule for r in fs["met"]] == ["r1"]
    assert [(c["status"].label, c["n"]) for c in fs["counts"]] == [
        ("达标", 1),
        ("有风险", 1),
        ("未达标", 1),
        ("无数据", 1),
    ]

"""Funding's words at the edge (issue 11): its blocks are computed once, with message keys, and read in
Chinese or English: Chinese without English words or raw keys, English without Chinese but for proper
names (the county's places and schools) and the policy's clause ids."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from funding_support import demo

from countyedu.funding import compliance as compliance_module
from countyedu.funding.params import funding_params
from countyedu.funding.run import run_funding
from countyedu.messages import Msg
from countyedu.policy.pack import load_pack
from countyedu.runs.blocks import Block, localize
from countyedu.runs.store import RunKey, RunStore, StoredRun

CLAUSE = re.compile(r"第[\d、]+条")
CJK = re.compile(r"[\u3400-\u9fff]")
# what may stay in Chinese text: clause ids of STANDARDS.md (FD, QB-G6 …) and units
ASCII_WORD = re.compile(r"(?<![A-Za-z-])[A-Za-z]{2,}(?![A-Za-z-]*-?\d)")
ALLOWED_ASCII = {"FD", "QB", "m²"}
RAW = re.compile(r"finance:\w|sheet:\w|_id\b|@\d{4}|\{\w+\}")


@pytest.fixture(scope="module")
def demo_run():  # type: ignore[no-untyped-def]
    frames = demo()
    return frames, run_funding(frames, funding_params(load_pack("nanfeng-2019")))


def texts(blocks: list[Block]) -> Iterator[tuple[str, str]]:
    """(where, text) of every text a reader sees in worded blocks."""
    for b in blocks:
        yield b.id, str(b.title)
        yield from ((b.id, str(p)) for p in b.paragraphs)
        for f in b.findings:
            yield from ((f"{b.id} finding", str(x)) for x in (f.rule, f.value, f.explanation))
        for t in b.tables:
            where = f"{b.id} {t.title}"
            yield where, str(t.title)
            yield where, str(t.note)
            yield from ((where, str(c.label)) for c in t.columns)
            yield from ((where, v) for r in t.rows for v in r if isinstance(v, str))
        for c in b.charts:
            yield from ((b.id, str(x)) for x in (c.title, c.y_label, *c.x, *c.series))
        for m in b.maps:
            yield b.id, str(m.title)


def proper_names(frames) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(n) for sheet in ("schools", "townships", "communities") for n in frames[sheet]["name"]}


def assert_chinese(blocks: list[Block]) -> None:
    for where, text in texts(blocks):
        assert not RAW.search(text), (where, text)
        words = {w for w in ASCII_WORD.findall(text) if w not in ALLOWED_ASCII}
        assert not words, (where, text, words)


def assert_english(blocks: list[Block], names: set[str]) -> None:
    for where, text in texts(blocks):
        assert not RAW.search(text), (where, text)
        rest = CLAUSE.sub("", text)
        for name in sorted(names, key=len, reverse=True):
            rest = rest.replace(name, "")
        assert not CJK.search(rest), (where, text)


def test_compliance_checks_each_year_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = compliance_module._checks_of_year

    def counted(y):  # type: ignore[no-untyped-def]
        calls.append(y.y)
        return real(y)

    monkeypatch.setattr(compliance_module, "_checks_of_year", counted)
    run = run_funding(demo(), funding_params(None))
    years = run.compliance.years
    assert sorted(calls) == years  # once per year, not once per language
    zh, en = run.blocks("zh"), run.blocks("en")
    assert sorted(calls) == years  # wording the blocks computes nothing again
    assert [b.id for b in zh] == [b.id for b in en]
    assert [f.status for b in zh for f in b.findings] == [f.status for b in en for f in b.findings]


def test_the_blocks_carry_message_keys_not_words(demo_run) -> None:  # type: ignore[no-untyped-def]
    _frames, run = demo_run
    blocks = run.blocks()
    assert all(isinstance(b.title, Msg) for b in blocks)
    assert isinstance(blocks[0].paragraphs[0], Msg)


def test_a_stored_funding_run_reads_in_both_languages(demo_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frames, run = demo_run
    blocks = run.blocks()
    key = RunKey("funding", "v1", "packs")
    RunStore(tmp_path).save(StoredRun(key, {}, run.as_dict(), {"zh": blocks, "en": blocks}, {}))
    doc = json.loads(next(tmp_path.rglob("*.json")).read_text("utf-8"))
    assert doc["blocks"]["zh"][0]["title"]["msg"] == "Per-pupil operating funds ({year})"  # keys, not words
    back = RunStore(tmp_path).load(key)
    assert back is not None and back.blocks["zh"] == blocks
    zh, en = localize(back.blocks["zh"], "zh"), localize(back.blocks["en"], "en")
    assert zh[0].title == "生均公用经费（2025 学年）" and en[0].title == "Per-pupil operating funds (2025)"
    assert_chinese(zh)
    assert_english(en, proper_names(frames))


def test_a_budget_line_names_the_data_it_reads(demo_run) -> None:  # type: ignore[no-untyped-def]
    _frames, run = demo_run
    (budget,) = [b for b in localize(run.blocks(), "zh") if b.id == "funding.budget"]
    detail = budget.tables[1]
    data = [c.label for c in detail.columns].index("数据")
    line = [c.label for c in detail.columns].index("项目")
    info = next(r for r in detail.rows if r[line] == "教育信息化经费")
    assert info[data] == "财政表：教育信息化经费"  # not finance:informatization_spending
    # the data keeps the item's code
    lines = run.budget.as_dict()["by_year"]["2025"]["lines"]
    assert "finance:informatization_spending" in next(x for x in lines if x["line"] == "informatization")["uses"]


def test_the_scenario_is_one_name_worded_per_language() -> None:
    from countyedu.funding.service import scenario_comparison
    from countyedu.runs.store import load_packs

    cmp = scenario_comparison(demo(), {"step_rate": 0.15}, load_packs())
    zh, en = localize(cmp.blocks(), "zh"), localize(cmp.blocks(), "en")
    assert [r[0] for r in zh[0].tables[0].rows] == ["基准", "测算方案"]
    assert [r[0] for r in en[0].tables[0].rows] == ["base", "scenario"]
    assert [r[1] for r in zh[0].tables[0].rows] == ["—", "每两年提高比例 = 0.15"]
    assert_chinese(zh)


def test_the_scenario_workbook_is_worded_in_the_language_asked_for(tmp_path: Path) -> None:
    import openpyxl

    from countyedu.funding.service import scenario_comparison
    from countyedu.runs.store import load_packs

    cmp = scenario_comparison(demo(), {"step_rate": 0.15}, load_packs())
    zh = openpyxl.load_workbook(cmp.write_xlsx(tmp_path / "zh.xlsx", "zh"))
    assert zh.sheetnames == ["全县合计对比", "学校", "参数"]
    assert [c.value for c in zh["学校"][1]] == ["学校代码", "学校", "学校类型", "乡镇代码", "学生数", "基准", "测算方案",
                                                "差额·测算方案"]  # fmt: skip
    assert [c.value for c in zh["参数"][2]] == ["测算方案", "每两年提高比例", "0.15"]
    en = openpyxl.load_workbook(cmp.write_xlsx(tmp_path / "en.xlsx", "en"))
    assert en.sheetnames == ["County totals side by side", "Schools", "Parameters"]
    heads = [c.value for c in en["County totals side by side"][1]]
    assert heads[:3] == ["scenario", "total", "vs base"] and "preschool" in heads
    assert not any(re.search(r"[\u3400-\u9fff]", str(c.value)) for c in en["Schools"]["C"])  # school types

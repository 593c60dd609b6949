"""Words at the edge: Msg, translate, the one catalogue, and every message key the code uses."""

from __future__ import annotations

import ast
import copy
import json
import pickle
import re
from pathlib import Path

import pytest

import countyedu.census.vocabulary  # noqa: F401  (registers the code lists)
from countyedu.errors import CountyEduError, ValidationFailed
from countyedu.messages import Code, Msg, Num, catalogue, dumps, loads, register_codes, translate
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockMap, BlockTable, Finding, localize

SRC = Path(__file__).parents[1] / "src" / "countyedu"


def msg_literals() -> dict[str, str]:
    """Every `Msg("…")` key written in the code → where (file:line)."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Msg"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_it_has_chinese_for_every_message_key_in_the_code():
    keys = msg_literals()
    assert len(keys) > 0
    missing = {k: where for k, where in keys.items() if k not in catalogue()}
    assert not missing, f"no Chinese in countyedu/locale for: {missing}"


def test_no_key_is_given_twice_in_the_catalogue():
    """Helpers add their blocks at the end of the .po: a key given twice is a fatal error for gettext's
    msgfmt, and the two translations can differ (polib keeps the last one silently)."""
    import polib

    from countyedu.messages import CATALOGUE

    seen: dict[tuple[str, str], int] = {}
    twice = []
    for entry in polib.pofile(str(CATALOGUE)):
        key = (entry.msgctxt or "", entry.msgid)
        if key in seen:
            twice.append((entry.msgid, seen[key], entry.linenum))
        seen[key] = entry.linenum
    assert not twice, f"given twice (key, first line, second line): {twice}"


def test_its_chinese_uses_only_the_placeholders_of_the_key():
    names = re.compile(r"\{(\w+)\}")
    for key in msg_literals():
        zh = catalogue().get(key)
        if zh is not None:
            assert set(names.findall(zh)) <= set(names.findall(key)), (key, zh)


def test_it_words_a_message_in_each_language():
    m = Msg("{count} error(s) found; nothing was imported", count=3)
    assert translate(m, "zh") == "发现 3 处错误，未导入任何数据"
    assert translate(m, "zh-hans") == "发现 3 处错误，未导入任何数据"
    assert translate(m, "en") == "3 error(s) found; nothing was imported"
    assert str(m) == "3 error(s) found; nothing was imported"


def test_it_passes_plain_text_through():
    assert translate("南丰县", "en") == "南丰县"
    assert translate(None, "zh") is None
    assert translate(12, "zh") == 12


def test_it_formats_numbers_with_their_units():
    def both(n: Num) -> tuple[str, str]:
        return translate(n, "zh"), translate(n, "en")

    assert both(Num(1234567.4, "yuan")) == ("1,234,567 元", "1,234,567 yuan")
    assert both(Num(0.256, "share")) == ("25.6%", "25.6%")
    assert both(Num(12, "persons")) == ("12 人", "12 persons")
    assert both(Num(1, "persons")) == ("1 人", "1 person")
    assert both(Num(3.2, "km")) == ("3.20 公里", "3.20 km")
    assert both(Num(1520, "m2")) == ("1,520 平方米", "1,520 m²")
    assert both(Num(2019, "year")) == ("2019", "2019")
    assert both(Num(None, "yuan")) == ("—", "—")
    with pytest.raises(ValueError, match="unknown unit"):
        translate(Num(1, "furlong"), "en")


def test_it_words_parameters_that_are_messages_codes_and_lists():
    register_codes("test_colour", lambda v, lang: {"red": ("红", "red")}[v][lang == "en"])
    inner = Msg("{count} error(s) found; nothing was imported", count=2)
    m = Msg("{a} / {b} / {c}", a=inner, b=Code("test_colour", "red"), c=("x", Code("test_colour", "red")))
    assert translate(m, "zh") == "{a} / {b} / {c}".format(a="发现 2 处错误，未导入任何数据", b="红", c="x、红")
    assert translate(m, "en") == "2 error(s) found; nothing was imported / red / x, red"
    # the exchange format's code lists are labelled by census.vocabulary
    assert (translate(Code("ownership", "private"), "zh"), translate(Code("ownership", "private"), "en")) == (
        "民办",
        "private",
    )
    # an unknown vocabulary shows the code itself rather than failing at the edge
    assert translate(Code("no_such_vocabulary", "v1"), "zh") == "v1"


def test_it_round_trips_through_json():
    m = Msg("{a} {b} {c} {d}", a=Num(1.5, "km"), b=Code("stage", "primary"), c=(1, "x"), d=Msg("{n} x", n=2))
    again = Msg.from_dict(json.loads(json.dumps(m.as_dict())))
    assert again == m and hash(again) == hash(m)
    assert m.as_dict()["params"]["a"] == {"num": 1.5, "unit": "km", "digits": None}


def test_it_is_immutable_and_copies():
    m = Msg("x", n=1, p=Msg("y"))
    with pytest.raises(AttributeError):
        m.key = "y"  # type: ignore[misc]
    assert copy.deepcopy(m) == m and pickle.loads(pickle.dumps(m)) == m


def blocks_with_messages() -> list[Block]:
    n = Msg("{count} error(s) found; nothing was imported", count=1)
    return [
        Block(
            "funding.test",
            n,
            "第22条",
            paragraphs=[n, "plain"],
            findings=[Finding("第5条", n, Num(3, "yuan"), "met", n)],
            tables=[BlockTable(n, [BlockColumn("a", n), BlockColumn("b", "B")], [[n, 1.5]], note=n)],
            charts=[BlockChart(n, "line", ["2019"], {n: [1.0], "plain": [2.0]}, y_label=n)],
            maps=[BlockMap(n, [{"kind": "school", "id": "S1", "name": "一中", "detail": n}])],
        )
    ]


def test_a_block_keeps_its_messages_through_json_and_words_them_per_language():
    blocks = blocks_with_messages()
    stored = json.loads(json.dumps([b.as_dict() for b in blocks], ensure_ascii=False))
    again = [Block.from_dict(d) for d in stored]
    assert again == blocks
    zh, en = localize(again, "zh")[0], localize(again, "en")[0]
    words_zh, words_en = "发现 1 处错误，未导入任何数据", "1 error(s) found; nothing was imported"
    assert (zh.title, en.title) == (words_zh, words_en)
    assert zh.paragraphs == [words_zh, "plain"]
    assert (zh.findings[0].rule, zh.findings[0].value, en.findings[0].value) == (words_zh, "3 元", "3 yuan")
    assert zh.tables[0].columns[0].label == words_zh and zh.tables[0].rows == [[words_zh, 1.5]]
    assert list(en.charts[0].series) == [words_en, "plain"] and en.charts[0].y_label == words_en
    assert en.maps[0].title == words_en and en.maps[0].points[0]["detail"] == words_en
    # plain blocks serialise as they always did (the API's shape): series by name
    assert localize(again, "en")[0].as_dict()["charts"][0]["series"] == {words_en: [1.0], "plain": [2.0]}


def test_an_error_is_raised_with_a_key_and_worded_at_the_edge():
    exc = CountyEduError(Msg("{count} error(s) found; nothing was imported", count=4), rule="x")
    assert exc.message_zh == "发现 4 处错误，未导入任何数据"
    assert exc.message_en == str(exc) == "4 error(s) found; nothing was imported"
    assert exc.user_text() == "发现 4 处错误，未导入任何数据\n4 error(s) found; nothing was imported"
    assert exc.facts == {"rule": "x"} and exc.text("en") == exc.message_en


def test_validation_failed_counts_its_problems_in_both_languages():
    class P:
        severity, rule, value = "error", "required", ""

    exc = ValidationFailed([P(), P()])
    assert (exc.message_zh, exc.message_en) == (
        "发现 2 处错误，未导入任何数据",
        "2 error(s) found; nothing was imported",
    )


def test_no_error_is_made_with_words_composed_inline():
    """CountyEduError and its subclasses take a Msg, not English and Chinese strings written where they are
    raised (issue 11)."""
    inline = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id.endswith(("Error", "Infeasible"))
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant | ast.JoinedStr) for a in node.args[:2])
            ):
                inline.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not inline, inline


def test_a_message_kept_in_a_text_column_reads_back():
    m = Msg("{count} error(s) found; nothing was imported", count=2)
    assert loads(dumps(m)) == m
    assert loads(dumps("halfway")) == "halfway" and loads('{"not": "a message"}') == '{"not": "a message"}'

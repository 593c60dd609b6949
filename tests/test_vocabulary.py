"""The one vocabulary (census.vocabulary): every code labelled in both languages, stages in order."""

from __future__ import annotations

import re

from countyedu.census import vocabulary as v
from countyedu.census.schema import CODES, CODES_EN, SHEETS
from countyedu.policy.pack import Stage


def test_it_labels_every_code_of_every_list_in_both_languages() -> None:
    assert set(CODES) == set(CODES_EN)
    for code_list, codes in CODES.items():
        assert list(CODES_EN[code_list]) == list(codes), code_list
        for code in codes:
            zh, en = v.label(code_list, code, "zh"), v.label(code_list, code, "en")
            assert zh and en, (code_list, code)
            if code_list != "quality_grade":
                assert re.search(r"[\u4e00-\u9fff]", zh), (code_list, code, zh)
                assert not re.search(r"[\u4e00-\u9fff]", en), (code_list, code, en)


def test_it_knows_every_code_list_a_column_names() -> None:
    named = {c.codes for s in SHEETS for c in s.columns if c.codes}
    assert named <= set(CODES)


def test_it_orders_stages_preschool_first_vocational_last() -> None:
    # special education (特殊教育, a special-education school's grades S1–S12) after them all
    assert v.STAGES == ("kindergarten", "primary", "junior", "high", "vocational", "special")
    assert [v.stage_label(s, "zh") for s in v.STAGES] == ["学前", "小学", "初中", "高中", "中职", "特殊教育"]
    assert v.sorted_stages(["special", "vocational", "high", "junior", "kindergarten", "primary"]) == list(v.STAGES)
    assert v.sorted_stages(["nine_year", "primary"]) == ["primary", "nine_year"]
    # the policy packs' stages are the vocabulary's
    assert set(Stage.__args__) == set(v.STAGES)  # type: ignore[attr-defined]


def test_it_names_a_school_type_apart_from_a_stage() -> None:
    assert v.stage_label("kindergarten", "zh") == "学前"
    assert v.school_type_label("kindergarten", "zh") == "幼儿园"
    assert v.stage_label("nine_year", "zh") == "九年一贯制"
    assert v.stage_label("nine_year", "en") == "nine-year school"
    assert v.label("stage", "unknown", "en") == "unknown"


def test_it_gives_each_stage_its_own_colour() -> None:
    colours = [v.colour(s) for s in v.STAGES]
    assert len(set(colours)) == len(colours)
    assert v.colour(None) not in colours
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)


def test_the_web_pages_colour_a_status_as_charts_and_reports_do() -> None:
    """app.css can import nothing: its --status-* variables repeat reports.labels.STATUS, equal."""
    from pathlib import Path

    from countyedu.reports.labels import STATUS

    css = (Path(v.__file__).parents[1] / "web" / "static" / "web" / "app.css").read_text(encoding="utf-8")
    found = dict(re.findall(r"--status-(\w+):\s*(#[0-9a-f]{6})", css))
    assert found == {code: colour for code, (_zh, _en, colour) in STATUS.items()}

"""Scenarios (issue 6 item 4): parameters changed, per-school and county totals side by side, Excel."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from funding_support import census, demo, school

from countyedu.funding.params import FundingParams, FundingParamsError
from countyedu.funding.scenarios import compare


def test_side_by_side_by_hand(tmp_path: Path) -> None:
    f = census(school("A", "junior", {"J": 320}, boarders=40), school("B", "primary", {"P": 300}, urban=True))
    cmp = compare(
        f,
        2023,
        {"floor300": {"floor_junior": 300}, "board500": {"boarder_subsidy": 500}, "simple": {"compound": False}},
        FundingParams(),
    )
    s = cmp.schools().set_index("school_id")
    # base: A = 540,400 (500 × 1064.8 + 40 × 200); B = 300 × 600 × 1.331 = 239,580
    assert s.loc["A", "base"] == pytest.approx(540_400) and s.loc["B", "base"] == pytest.approx(239_580)
    # floor 300: A has 320 ≥ 300 → 320 × 1064.8 + 8,000 = 348,736
    assert s.loc["A", "floor300"] == pytest.approx(348_736)
    assert s.loc["A", "diff_floor300"] == pytest.approx(348_736 - 540_400)
    assert s.loc["B", "diff_floor300"] == 0
    # boarders 500: + 40 × 300
    assert s.loc["A", "diff_board500"] == pytest.approx(12_000)
    # simple: 2023 → ×1.3: A 500 × 1040 + 8,000 = 528,000; B 300 × 780 = 234,000
    assert s.loc["A", "simple"] == pytest.approx(528_000) and s.loc["B", "simple"] == pytest.approx(234_000)
    county = cmp.county().set_index("scenario")
    assert county.loc["base", "total"] == pytest.approx(540_400 + 239_580)
    assert county.loc["simple", "difference"] == pytest.approx(528_000 + 234_000 - 540_400 - 239_580)
    path = cmp.write_xlsx(tmp_path / "scenarios.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["县合计 county", "各校 schools", "参数 parameters"]
    ws = wb["各校 schools"]
    assert [c.value for c in ws[1]][-3:] == ["diff_floor300", "diff_board500", "diff_simple"]
    json.dumps(cmp.as_dict())


def test_a_bad_scenario_names_itself() -> None:
    f = census(school("A", "junior", {"J": 320}))
    with pytest.raises(FundingParamsError) as e:
        compare(f, 2023, {"oops": {"step_rate": -1}}, FundingParams())
    assert "scenario oops" in e.value.message_en and "step_rate" in e.value.message_en
    assert "scenario oops" in e.value.message_zh


def test_demo_scenarios_move_the_totals_the_right_way() -> None:
    d = demo()
    cmp = compare(
        d,
        2023,
        {
            "baseline+": {"baseline": {"primary": {2019: 650}, "junior": {2019: 850}}},
            "no_floors": {"floor_primary": 0, "floor_junior": 0},
        },
        FundingParams(),
    )
    c = cmp.county().set_index("scenario")
    assert c.loc["baseline+", "difference"] > 0 and c.loc["no_floors", "difference"] < 0
    assert c.loc["no_floors", "small_school_floor"] == 0
    # kindergartens, high schools and the vocational school do not change
    for stage in ("kindergarten", "high", "vocational"):
        assert c[f"stage_{stage}"].nunique() == 1
    blocks = cmp.blocks("zh")
    assert blocks[0].id == "funding.scenarios" and blocks[0].tables[2].rows

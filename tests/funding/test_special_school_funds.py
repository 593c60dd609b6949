"""The 6000-yuan rule (STANDARDS FD, QB-G7) pays a special-education school's pupils (issue 12, item 2)."""

from __future__ import annotations

import pytest
from funding_support import census, demo, school

from countyedu.funding.params import FundingParams
from countyedu.funding.perpupil import school_funds


def test_a_special_school_is_funded_at_6000_per_pupil() -> None:
    f = census(school("X", "special_education", {"S": 25}, urban=True, disabled=25), years=(2023,))
    rows = school_funds(f, 2023, FundingParams()).rows
    got = {(r.stage, r.component): (r.funded_pupils, r.rate, r.amount) for r in rows.itertuples()}
    # 25 pupils × 6000 = 150,000, nothing else (not the primary rate, no disabled top-up on top)
    assert got == {("special", "standard"): (25.0, 6000.0, 150_000.0)}
    assert rows["rule_zh"].tolist() == ["特殊教育学校：每生每年 6000 元（FD，QB-G7）"]


def test_the_demo_county_funds_its_special_school() -> None:
    f = demo()
    rows = school_funds(f, 2024, FundingParams()).rows
    mine = rows[rows["school_id"] == "S901"]
    c = f["classes"]
    pupils = c[(c["school_id"] == "S901") & (c["year"] == 2024)]["pupils"].sum()
    assert mine["component"].tolist() == ["standard"] and mine["stage"].tolist() == ["special"]
    assert mine["amount"].sum() == pytest.approx(6000 * pupils)

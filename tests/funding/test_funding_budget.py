"""Budget plan (第17、20、22、23、34条) and compliance (第20、21条, FD, QB-G8, QB-Q4): hand cases and the demo."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from funding_support import census, demo, finance, school

from countyedu.funding.budget import budget_plan
from countyedu.funding.compliance import compliance
from countyedu.funding.params import FundingParams

P = FundingParams()


def small() -> dict[str, pd.DataFrame]:
    f = census(school("A", "junior", {"J": 320}, boarders=40, received=540_400.0), years=(2022, 2023))
    f["communities"] = pd.DataFrame({"community_id": ["C1", "C2"], "registered_residents": [120_000, 80_000]})
    f["finance"] = finance(
        {
            2022: {
                "fiscal_revenue_total": 2_000_000_000,
                "general_budget_education_expenditure": 100_000_000,
                "regular_fiscal_revenue": 1_000_000_000,
                "education_expenditure": 120_000_000,
                "teacher_avg_salary": 80_000,
            },
            2023: {
                "fiscal_revenue_total": 2_100_000_000,
                "general_budget_education_expenditure": 105_000_000,
                "province_education_expenditure_growth": 0.04,
                "regular_fiscal_revenue": 1_060_000_000,
                "education_expenditure": 126_000_000,
                "teacher_avg_salary": 81_000,
                "civil_servant_avg_salary": 81_500,
                "teacher_training_spending": 27_020,
                "informatization_spending": 4_999_999,
                "special_funds": 5_000_000,
                "temporary_staff_wages": 3_500_000,
                "supervision_funds": 400_000,
                "education_foundation": 1_000_000,
                "community_education_funds": 150_000,
            },
        }
    )
    return f


def lines(plan, year):  # type: ignore[no-untyped-def]
    return {x.line: x for x in plan.year_lines(year)}


def test_budget_lines_by_hand() -> None:
    plan = budget_plan(small(), [2023], P)
    got = lines(plan, 2023)
    assert got["per_pupil.junior"].amount == pytest.approx(540_400)  # the example school
    assert got["per_pupil.total"].actual == pytest.approx(540_400) and got["per_pupil.total"].status == "met"
    assert got["informatization"].amount == 5_000_000 and got["informatization"].status == "not_met"  # 4,999,999
    assert got["special_funds"].amount == 5_000_000 and got["special_funds"].status == "met"
    assert got["temporary_staff"].amount == 3_500_000
    assert got["supervision"].amount == 400_000 and got["supervision"].status == "met"  # ≥ includes 400,000
    # 第23条: 0.05% of 2022's 2,000,000,000 = 1,000,000
    assert got["foundation"].amount == pytest.approx(1_000_000) and got["foundation"].status == "met"
    # 第17条: 200,000 registered × 1 yuan = 200,000 (range 200,000–400,000); 150,000 given → not met
    c = got["community_education"]
    assert (c.amount, c.low, c.high, c.status) == (pytest.approx(200_000), 200_000, 400_000, "not_met")
    # total = 540,400 + 5,000,000 + 5,000,000 + 3,500,000 + 400,000 + 1,000,000 + 200,000
    assert plan.total(2023) == pytest.approx(15_640_400)
    assert "finance:fiscal_revenue_total@2022" in got["foundation"].uses


def test_budget_parameters_each_and_community_rate() -> None:
    p = FundingParams(special_funds_mode="each", community_education_yuan=2)
    got = lines(budget_plan(small(), [2023], p), 2023)
    assert got["special_funds"].amount == 20_000_000  # 4 purposes × 5,000,000
    assert got["special_funds"].status == "not_met"
    assert got["community_education"].amount == pytest.approx(400_000)


def test_foundation_without_last_year_is_no_data() -> None:
    got = lines(budget_plan(small(), [2022], P), 2022)
    assert got["foundation"].amount is None and got["foundation"].status == "no_data"


def status(c, year: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {ch.id: ch.finding.status for ch in c.checks if ch.year == year}


def test_compliance_by_hand() -> None:
    c = compliance(small(), P)
    s = status(c, 2023)
    # 第20条: 105/100 − 1 = 5% ≥ 4%
    assert s["edu_growth"] == "met"
    # 三个增长①: 5% > regular revenue 1,060/1,000 − 1 = 6%? no
    assert s["three_growth.appropriation"] == "not_met"
    # 三个增长②: 126,000,000 / 320 pupils > 120,000,000 / 320
    assert s["three_growth.per_pupil"] == "met"
    assert s["three_growth.teacher_pay"] == "met"  # 81,000 > 80,000
    # public_funding 540,400 both years: not growing (strict)
    assert s["three_growth.operating_funds"] == "not_met"
    assert s["no_decrease.total"] == "met" and s["no_decrease.per_pupil"] == "met"
    assert s["teacher_pay"] == "not_met"  # 81,000 < 81,500 (第21条, QB-G8)
    # QB-Q4: 27,020 / 540,400 = 5.0% ≥ 5%
    assert s["training_share"] == "met"
    assert s["budget.informatization"] == "not_met" and s["budget.foundation"] == "met"
    first = status(c, 2022)
    assert first["edu_growth"] == "no_data" and first["three_growth.appropriation"] == "no_data"
    missing = next(ch for ch in c.checks if ch.year == 2022 and ch.id == "edu_growth").finding.explanation
    # what is missing is named in words, not by its finance item code (issue 11)
    assert "2021 年一般公共预算教育支出" in missing and "全省教育支出平均增长率" in missing and "@" not in missing


def test_compliance_findings_in_both_languages() -> None:
    c = compliance(small(), P)
    zh, en = c.findings(2023, "zh"), c.findings(2023, "en")
    assert [f.status for f in zh] == [f.status for f in en]
    assert "全省" in zh[0].rule and "province" in en[0].rule
    json.dumps(c.as_dict())


# ------------------------------------------------------------------------------ demo county


@pytest.fixture(scope="module")
def demo_results():  # type: ignore[no-untyped-def]
    d = demo()
    return d, budget_plan(d, range(2019, 2026), P), compliance(d, P)


def test_demo_budget_reads_its_finance_sheet(demo_results) -> None:  # type: ignore[no-untyped-def]
    d, plan, _ = demo_results
    fin = d["finance"].pivot(index="year", columns="item", values="amount")
    for y in range(2019, 2026):
        got = lines(plan, y)
        assert got["informatization"].status == ("met" if fin.loc[y, "informatization_spending"] >= 5e6 else "not_met")
        assert got["supervision"].status == ("met" if fin.loc[y, "supervision_funds"] >= 4e5 else "not_met")
        assert plan.total(y) == pytest.approx(sum(x.amount or 0 for k, x in got.items() if k != "per_pupil.total"))
        stages = sum(x.amount for k, x in got.items() if k.startswith("per_pupil.") and k != "per_pupil.total")
        assert stages == pytest.approx(got["per_pupil.total"].amount)
        if y > 2019:
            assert got["foundation"].amount == pytest.approx(fin.loc[y - 1, "fiscal_revenue_total"] * 0.0005)
    assert lines(plan, 2019)["foundation"].status == "no_data"
    assert {x.status for x in plan.lines} >= {"met", "not_met"}  # the demo keeps some promises, not all


def test_demo_compliance_has_every_check_every_year(demo_results) -> None:  # type: ignore[no-untyped-def]
    d, _, c = demo_results
    assert c.years == list(range(2019, 2026))
    ids = {ch.id for ch in c.checks if ch.year == 2019}
    for y in c.years:
        assert {ch.id for ch in c.checks if ch.year == y} == ids
    fin = d["finance"].pivot(index="year", columns="item", values="amount")
    for y in range(2020, 2026):
        g = (
            fin.loc[y, "general_budget_education_expenditure"] / fin.loc[y - 1, "general_budget_education_expenditure"]
            - 1
        )
        expected = "met" if g >= fin.loc[y, "province_education_expenditure_growth"] else "not_met"
        assert status(c, y)["edu_growth"] == expected
        pay = "met" if fin.loc[y, "teacher_avg_salary"] >= fin.loc[y, "civil_servant_avg_salary"] else "not_met"
        assert status(c, y)["teacher_pay"] == pay
    assert status(c, 2019)["edu_growth"] == "no_data"
    blocks = c.blocks("en")
    assert blocks[0].id == "funding.compliance" and all(b.clause for b in blocks)

"""Compliance findings show their numbers with the decimals that decided them (issue 10, item 11; the
rule of reports.values): teacher pay 84,999.6 against civil servants' 85,000 is not met, so it is not
shown as "85,000 against 85,000"; growth of 3.999% against the province's 4% is not "4.00% ≥ 4.00%"."""

from __future__ import annotations

from funding_support import census, finance, school

from countyedu.funding.compliance import compliance
from countyedu.funding.params import FundingParams


def test_values_beside_a_status_show_the_decimals_that_decide() -> None:
    f = census(school("A", "junior", {"J": 320}, received=540_400.0), years=(2022, 2023))
    f["finance"] = finance(
        {
            2022: {"general_budget_education_expenditure": 100_000_000, "teacher_avg_salary": 80_000},
            2023: {
                "general_budget_education_expenditure": 103_999_000,  # +3.999%
                "province_education_expenditure_growth": 0.04,
                "teacher_avg_salary": 84_999.6,
                "civil_servant_avg_salary": 85_000,
            },
        }
    )
    checks = {ch.id: ch.finding for ch in compliance(f, FundingParams()).checks if ch.year == 2023}
    pay = checks["teacher_pay"]
    assert pay.status == "not_met" and pay.value == "84,999.6"
    assert pay.explanation == "教师 84,999.6 元，公务员 85,000.0 元（比值 0.999995）"
    growth = checks["edu_growth"]
    assert growth.status == "not_met" and growth.value == "3.999%"
    assert growth.explanation == "县增长 3.999%，全省平均 4.000%"

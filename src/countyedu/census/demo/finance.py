"""The demo county's finance sheet: the county items of POLICY.md 第17、20–23、34条, money in yuan."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from countyedu.census.demo.county import FIRST_YEAR, YEARS, Rng, _between
from countyedu.census.demo.geography import _Community

FISCAL_REVENUE_2019 = 1.56e9
FISCAL_GROWTH = {2020: 0.02, 2021: 0.085, 2022: 0.03, 2023: 0.06, 2024: 0.055, 2025: 0.05}
FISCAL_REVENUE_2018 = 1.48e9  # for the 2019 education foundation (第23条)
GENERAL_BUDGET_SHARE = 0.58
GENERAL_EDU_2019 = 0.70e9
PROVINCE_EDU_GROWTH = {2019: 0.072, 2020: 0.051, 2021: 0.046, 2022: 0.058, 2023: 0.043, 2024: 0.039, 2025: 0.041}
COUNTY_EDU_GROWTH_GAP = {2020: 0.010, 2021: 0.008, 2022: -0.012, 2023: 0.005, 2024: 0.010, 2025: 0.004}
GENERAL_EDU_SHARE = 0.84  # general-budget education / all education expenditure
CIVIL_SERVANT_PAY_RATIO = {2019: 1.02, 2020: 0.99, 2021: 0.985, 2022: 0.99, 2023: 0.98, 2024: 0.985, 2025: 0.98}
INFORMATIZATION = {2019: 4.2e6, 2020: 5.1e6, 2021: 5.6e6, 2022: 4.8e6, 2023: 6.0e6, 2024: 6.3e6, 2025: 6.5e6}
SUPERVISION_FUNDS = {2019: 3.0e5, 2020: 4.0e5, 2021: 4.2e5, 2022: 4.2e5, 2023: 4.5e5, 2024: 4.5e5, 2025: 4.8e5}
EDUCATION_FOUNDATION_RATE = 0.0005  # 第23条: 万分之五 of last year's fiscal revenue
FOUNDATION_SHORTFALL = {2022: 0.9}  # the demo county paid 90% in 2022
COMMUNITY_EDU_PER_REGISTERED = {2019: 1.0, 2020: 1.5, 2021: 1.5, 2022: 1.5, 2023: 2.0, 2024: 2.0, 2025: 2.0}  # 第17条
TEMPORARY_STAFF_WAGES = {2019: 3.0e6}  # 第22条: 3,500,000 a year; 2019 short
TEMPORARY_STAFF_WAGES_DEFAULT = 3.5e6
SPECIAL_FUNDS = 5.0e6  # 第22条
TRAINING_SHARE_OF_FUNDING = (0.045, 0.065)  # QB-Q: ≥ 5% of operating funds
# 编制 the county holds for its public schools' staff (RT 县管校聘), as a share of the public teachers in
# post: the county holds fewer posts than it has teachers (temporary staff fill the rest) [invented].
STAFFING_QUOTA_SHARE = 0.97
REGULAR_REVENUE_SHARE = 0.62  # 财政经常性收入 / total fiscal revenue (三个增长, STANDARDS.md FD); invented


def _finance_rows(
    rng: Rng,
    teachers: list[dict[str, Any]],
    school_years: list[dict[str, Any]],
    communities: list[_Community],
    public_schools: set[str],
) -> list[dict[str, Any]]:
    """County finance items (POLICY.md 第17, 20–23, 34条); money in yuan, growth as a fraction."""
    registered = sum(c.registered_residents for c in communities)
    pay: dict[int, list[float]] = defaultdict(list)
    for r in teachers:
        if r["school_id"] in public_schools:  # 第21条 compares public teachers' pay
            pay[r["year"]].append(r["annual_salary"])
    funding: dict[int, float] = defaultdict(float)
    for r in school_years:
        funding[r["year"]] += r["public_funding"] or 0.0
    rows: list[dict[str, Any]] = []
    fiscal = FISCAL_REVENUE_2019
    previous_fiscal = FISCAL_REVENUE_2018
    general_edu = GENERAL_EDU_2019
    for y in YEARS:
        if y > FIRST_YEAR:
            previous_fiscal = fiscal
            fiscal *= 1 + FISCAL_GROWTH[y]
            general_edu *= 1 + PROVINCE_EDU_GROWTH[y] + COUNTY_EDU_GROWTH_GAP[y]
        teacher_pay = float(np.mean(pay[y]))
        items = {
            "fiscal_revenue_total": fiscal,
            "general_budget_revenue": fiscal * GENERAL_BUDGET_SHARE * rng.uniform(0.98, 1.02),
            "education_expenditure": general_edu / GENERAL_EDU_SHARE,
            "general_budget_education_expenditure": general_edu,
            "province_education_expenditure_growth": PROVINCE_EDU_GROWTH[y],
            "civil_servant_avg_salary": teacher_pay * CIVIL_SERVANT_PAY_RATIO[y],
            "teacher_avg_salary": teacher_pay,
            "informatization_spending": INFORMATIZATION[y],
            "supervision_funds": SUPERVISION_FUNDS[y],
            "teacher_training_spending": funding[y] * _between(rng, TRAINING_SHARE_OF_FUNDING),
            "education_foundation": previous_fiscal * EDUCATION_FOUNDATION_RATE * FOUNDATION_SHORTFALL.get(y, 1.0),
            "community_education_funds": registered * COMMUNITY_EDU_PER_REGISTERED[y],
            "temporary_staff_wages": TEMPORARY_STAFF_WAGES.get(y, TEMPORARY_STAFF_WAGES_DEFAULT),
            "special_funds": SPECIAL_FUNDS,
        }
        for item, amount in items.items():
            digits = 4 if item == "province_education_expenditure_growth" else 2
            rows.append({"year": y, "item": item, "amount": round(float(amount), digits)})
    # Added with the funding rules (三个增长): after every other row, so those rows keep their places.
    total = {r["year"]: r["amount"] for r in rows if r["item"] == "fiscal_revenue_total"}
    for y in YEARS:
        rows.append({"year": y, "item": "regular_fiscal_revenue", "amount": round(total[y] * REGULAR_REVENUE_SHARE, 2)})
    # Added with the teachers module (staffing, RT): after every other row, drawing no random number.
    for y in YEARS:
        rows.append(
            {"year": y, "item": "teacher_staffing_quota", "amount": float(round(len(pay[y]) * STAFFING_QUOTA_SHARE))}
        )
    return rows

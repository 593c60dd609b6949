"""One call for the report, the CLI and the web page: per-pupil funds, budget plan, compliance, after school."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.census.years import years_of
from countyedu.funding.afterschool import AfterSchoolLedger, ledger
from countyedu.funding.budget import BudgetPlan, budget_plan
from countyedu.funding.compliance import Compliance, compliance
from countyedu.funding.params import FundingParams
from countyedu.funding.perpupil import SchoolFunds
from countyedu.runs.blocks import Block, worded


@dataclass
class FundingRun:
    """The four funding results of a census; per-pupil funds for `year`, the others for every year."""

    year: int
    per_pupil: SchoolFunds
    budget: BudgetPlan
    compliance: Compliance
    after_school: AfterSchoolLedger

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "per_pupil": self.per_pupil.as_dict(),
            "budget": self.budget.as_dict(),
            "compliance": self.compliance.as_dict(),
            "after_school": self.after_school.as_dict(),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """Per-pupil, budget, compliance, after-school — in that order; their texts are messages, worded
        in `lang` when given."""
        blocks = [
            *self.per_pupil.blocks(),
            *self.budget.blocks(),
            *self.compliance.blocks(),
            *self.after_school.blocks(),
        ]
        return worded(blocks, lang)


def census_years(frames: dict[str, pd.DataFrame]) -> list[int]:
    """Years with classes (pupils) in the census (census.years.years_of)."""
    return years_of(frames, ("classes",))


def run_funding(frames: dict[str, pd.DataFrame], params: FundingParams, year: int | None = None) -> FundingRun:
    """Everything of issue 6 on one census: `year` (default the latest with classes) for per-pupil funds."""
    years = census_years(frames)
    y = year if year is not None else (years[-1] if years else 0)
    plan = budget_plan(frames, sorted(set(years) | {y}), params)
    return FundingRun(y, plan.funds[y], plan, compliance(frames, params), ledger(frames, params))

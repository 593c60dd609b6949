"""The funding parameters live in countyedu.policy.funding (planning's consolidation reads the same
rule: a small school's per-pupil rate, floor and boarder subsidy, 第5、22条); their names stay
importable from here for the funding package and its callers."""

from countyedu.policy.funding import (
    COMPULSORY,
    STAGES,
    FinanceItems,
    FundingParams,
    FundingParamsError,
    funding_params,
    make_params,
    with_overrides,
)

__all__ = [
    "COMPULSORY",
    "STAGES",
    "FinanceItems",
    "FundingParams",
    "FundingParamsError",
    "funding_params",
    "make_params",
    "with_overrides",
]

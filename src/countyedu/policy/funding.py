"""Funding parameters (POLICY.md 第5、17、20–23、30、34条; STANDARDS.md FD, QB-G6–G8, QB-Q4).

Every number of the funding rules lives here with its clause and a mark: **text** (the policy or the
standard says so), **practice** (how counties apply it), **assumed** (a reading of an ambiguous
sentence or an unknown provincial figure: change it in the pack). The pack sets them under
``parameters.funding``; a pack without that key gets the defaults below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from countyedu.census import vocabulary
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

COMPULSORY = vocabulary.COMPULSORY_STAGES  # the parts the 第22条 raise, floors, boarding and special-ed rules cover
STAGES = vocabulary.STAGES  # in their order (census.vocabulary)


class FundingParamsError(CountyEduError):
    """A funding parameter that is unknown or out of its range (the field and the value are named)."""


class FinanceItems(BaseModel):
    """Finance-sheet item codes each rule reads (DESIGN.md finance sheet; names are the pack's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    fiscal_revenue_total: str = "fiscal_revenue_total"  # 第23条 base (previous year)
    regular_fiscal_revenue: str = "regular_fiscal_revenue"  # FD 三个增长: 财政经常性收入
    education_expenditure: str = "education_expenditure"  # FD 三个增长: education spending per pupil
    general_budget_education_expenditure: str = "general_budget_education_expenditure"  # 第20条, 两个只增不减
    province_education_expenditure_growth: str = "province_education_expenditure_growth"  # 第20条 (fraction)
    teacher_avg_salary: str = "teacher_avg_salary"  # 第21条, QB-G8
    civil_servant_avg_salary: str = "civil_servant_avg_salary"  # 第21条, QB-G8
    informatization: str = "informatization_spending"  # 第20条
    special_funds: str = "special_funds"  # 第22条
    temporary_staff: str = "temporary_staff_wages"  # 第22条
    supervision: str = "supervision_funds"  # 第34条
    foundation: str = "education_foundation"  # 第23条
    community_education: str = "community_education_funds"  # 第17条
    teacher_training: str = "teacher_training_spending"  # QB-Q4


def _default_baseline() -> dict[str, dict[int, float]]:
    # STANDARDS.md FD: 国发〔2015〕67号 central provinces primary 600, junior 800 [text]; Jiangxi's own
    # 2019 figures [assumed 600/800]; kindergarten, high school and vocational: "per the provincial
    # standards" (第22条) — the figures are unknown [assumed 500 / 1000 / 1200].
    return {
        "kindergarten": {2019: 500.0},
        "primary": {2019: 600.0},
        "junior": {2019: 800.0},
        "high": {2019: 1000.0},
        "vocational": {2019: 1200.0},
    }


class FundingParams(BaseModel):
    """The parameters of every funding rule; ``funding_params(pack, **overrides)`` builds one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- 第22条 per-pupil operating funds (生均公用经费)
    # Provincial baseline per stage, yuan per pupil and year: {stage: {from_year: yuan}}; a year uses the
    # entry of the latest from_year ≤ it (the earliest entry before that). [assumed: see _default_baseline]
    baseline: dict[str, dict[int, float]] = Field(default_factory=_default_baseline)
    # "从2019年起…每两年提高10%" [text]; which stages: the compulsory standard [text].
    step_rate: float = Field(0.10, ge=0, le=1)
    step_years: int = Field(2, ge=1)
    # Ambiguous [assumed, POLICY.md 第22条]: first raise in 2019 (2019–20 ×1.10) or in 2021 (2019 = base).
    first_raise_year: int = Field(2019, ge=1949, le=2100)
    # Ambiguous [assumed]: compound (×1.10, ×1.21, ×1.331, ×1.4641) or simple (×1.1, ×1.2, ×1.3, ×1.4).
    compound: bool = True
    raised_stages: tuple[str, ...] = COMPULSORY
    # 第5条, 第22条, QB-G6 [text]: rural primary schools and teaching points under 100 pupils funded as 100.
    floor_primary: int = Field(100, ge=0)
    # 第22条 [text]: rural junior high schools under 500 pupils funded as 500.
    floor_junior: int = Field(500, ge=0)
    # [assumed] the floors also apply to the primary / junior part of a rural nine-year school (split by grade).
    floors_apply_to_parts: bool = True
    # [assumed] floors apply to public schools only (a private school's pupils are funded as counted).
    floors_public_only: bool = True
    # 第5条 (township boarding schools), FD [text]: +200 yuan per boarder and year, compulsory parts.
    boarder_subsidy: float = Field(200.0, ge=0)
    # [assumed] 第5条 names township boarding schools; FD covers every boarder: default every school.
    boarder_rural_only: bool = False
    # FD, QB-G7 [text / practice]: special-education pupils funded at 6000 yuan a year.
    special_ed_rate: float = Field(6000.0, ge=0)
    # [practice] "replace": a disabled pupil is funded at 6000 instead of the regular rate (the top-up is
    # 6000 − rate); "add": 6000 on top of the regular rate.
    special_ed_mode: Literal["replace", "add"] = "replace"
    # [assumed] private compulsory schools receive the standard (国发〔2015〕67号 covers 民办 schools too).
    private_compulsory_funded: bool = True
    # [assumed] inclusive private kindergartens (第3条 same treatment) get this per child; non-inclusive 0.
    inclusive_private_kindergarten_rate: float = Field(300.0, ge=0)

    # --- fixed lines of the budget plan
    informatization_min: float = Field(5_000_000.0, ge=0)  # 第20条 ≥ 500万元 a year [text]
    special_funds: float = Field(5_000_000.0, ge=0)  # 第22条 500万元 [text]
    # 第22条 "分别…500万元" [assumed]: "together" = 5,000,000 for the four purposes, "each" = 5,000,000 each.
    special_funds_mode: Literal["together", "each"] = "together"
    special_funds_purposes: tuple[str, ...] = ("教研", "电教", "装备", "教师培训")
    temporary_staff: float = Field(3_500_000.0, ge=0)  # 第22条 350万元 a year [text]
    supervision_min: float = Field(400_000.0, ge=0)  # 第34条 ≥ 40万元 a year [text]
    foundation_rate: float = Field(0.0005, ge=0, le=1)  # 第23条 万分之五 of last year's fiscal revenue [text]
    # 第17条 1–2 yuan per registered resident [text]; the plan uses this figure [assumed: the floor, 1].
    community_education_yuan: float = Field(1.0, ge=1.0, le=2.0)
    community_education_range: tuple[float, float] = (1.0, 2.0)  # 第17条 [text]

    # --- compliance
    training_share_min: float = Field(0.05, ge=0, le=1)  # QB-Q4: training ≥ 5% of operating funds [text]
    # the pack item the training_share check decides and cites (national-qb-2017's checklist item QB-Q4)
    training_share_item: str = Field("QB-Q4", min_length=1)
    money_tolerance: float = Field(0.5, ge=0)  # yuan: sums equal within this (rounding of ledgers) [assumed]

    items: FinanceItems = Field(default_factory=FinanceItems)

    @field_validator("baseline")
    @classmethod
    def _baseline_stages(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        for stage, table in v.items():
            if stage not in STAGES:
                raise ValueError(f"unknown stage {stage!r} (known: {', '.join(STAGES)})")
            if not table:
                raise ValueError(f"stage {stage}: the baseline table is empty")
            if any(x < 0 for x in table.values()):
                raise ValueError(f"stage {stage}: a baseline is negative")
        return v

    # ------------------------------------------------------------------------------ rules

    def raise_factor(self, year: int) -> float:
        """第22条 multiplier of the provincial baseline in `year` (1.0 before the first raise).

        n = (year − first_raise_year) // step_years + 1 raises; compound (1 + r)^n, simple 1 + r·n."""
        if year < self.first_raise_year:
            return 1.0
        n = (year - self.first_raise_year) // self.step_years + 1
        return (1 + self.step_rate) ** n if self.compound else 1 + self.step_rate * n

    def baseline_for(self, stage: str, year: int) -> float:
        """Provincial baseline of a stage in a year (latest entry from a year ≤ `year`); special
        education's is the special-education rate (FD: 6000) unless the pack gives one."""
        if stage == "special" and stage not in self.baseline:
            return self.special_ed_rate
        table = self.baseline.get(stage) or _default_baseline()[stage]
        years = sorted(table)
        usable = [y for y in years if y <= year] or years[:1]
        return float(table[usable[-1]])

    def rate(self, stage: str, year: int) -> float:
        """County standard per pupil: the baseline, raised (第22条) for the raised stages."""
        base = self.baseline_for(stage, year)
        return base * self.raise_factor(year) if stage in self.raised_stages else base

    def floor(self, stage: str) -> int:
        return {"primary": self.floor_primary, "junior": self.floor_junior}.get(stage, 0)

    def special_funds_total(self) -> float:
        """第22条 special funds a year: 5,000,000 together, or 5,000,000 for each purpose."""
        return self.special_funds * (len(self.special_funds_purposes) if self.special_funds_mode == "each" else 1)


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides on top of a parameter dict; dict values (baseline, items) merge one level deep."""
    out = dict(base)
    for k, v in overrides.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = {**out[k], **v}
        else:
            out[k] = v
    return out


def make_params(values: Mapping[str, Any], where: str = "parameters.funding") -> FundingParams:
    """FundingParams from a mapping; a bad field raises FundingParamsError naming it."""
    try:
        return FundingParams.model_validate(dict(values))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise FundingParamsError(
            Msg("bad funding parameter in {where}: {problems}", where=where, problems=problems),
            where=where,
            problems=problems,
        ) from exc


def funding_params(pack: Any = None, **overrides: Any) -> FundingParams:
    """The pack's ``parameters.funding`` (a Pack, a parameters dict or None) with overrides applied."""
    if pack is None:
        given: Mapping[str, Any] = {}
    elif isinstance(pack, Mapping):  # the pack's parameters, or the funding mapping itself
        given = pack if set(pack) <= set(FundingParams.model_fields) else pack.get("funding") or {}
    else:
        given = (getattr(pack, "parameters", None) or {}).get("funding") or {}
    return make_params(_merge(dict(given), overrides))


def with_overrides(base: FundingParams, overrides: Mapping[str, Any], where: str = "scenario") -> FundingParams:
    """A copy of `base` with overrides (validated like the pack)."""
    return make_params(_merge(base.model_dump(), overrides), where)

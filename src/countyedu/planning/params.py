"""Planning parameters: the numbers projection, seats, facility norms and projects read.

Every field has a default and cites the clause or standard it comes from (POLICY.md 第N条 / T-…,
STANDARDS.md CS / PN / TW). "assumed" marks a choice the texts do not make; a pack may override any
field under `parameters.planning` (a pack without that key gets these defaults).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from countyedu.planning.demand import ENROLMENT_RATES, STAGE_AGES

# The stages a catchment can be drawn for (demand by community, schools teaching the stage).
CatchmentStage = Literal["kindergarten", "primary", "junior"]
CATCHMENT_STAGES: tuple[str, ...] = get_args(CatchmentStage)


class Promise(BaseModel):
    """One project promised in 第4条: the named projects, their seats and years."""

    model_config = ConfigDict(frozen=True)
    label: str  # the promise as the policy words it
    names: list[str]  # name fragments a project of the projects sheet must contain (any of them)
    seats: int  # seats promised for all the matched projects together
    start_year: int
    end_year: int
    clause: str = "第4条"


DEFAULT_PROMISES: list[Promise] = [
    Promise(
        label="南丰二中新教学楼 +1000 学位（2019）", names=["南丰二中"], seats=1000, start_year=2019, end_year=2019
    ),
    Promise(
        label="桔都小学分校 +1260 学位（2019）", names=["桔都小学分校"], seats=1260, start_year=2019, end_year=2019
    ),
    Promise(
        label="河东区高中、桥背学校 +9360 学位（2019–2021）",
        names=["河东区高中", "桥背学校"],
        seats=9360,
        start_year=2019,
        end_year=2021,
    ),
    Promise(
        label="三湾、朝先、美好家园学校 +8000 学位（2020–2025）",
        names=["三湾", "朝先", "美好家园"],
        seats=8000,
        start_year=2020,
        end_year=2025,
    ),
]


class PlanningParams(BaseModel):
    """The planning parameters (pack key `parameters.planning`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # ---------------------------------------------------------------- demand (planning.demand)
    # Official school ages per stage: T-PRE-5 (3–5), compulsory 6–11 / 12–14, T-HS-1 (15–17).
    stage_ages: dict[str, tuple[int, int]] = Field(default_factory=lambda: dict(STAGE_AGES))
    # Enrolment rates the pack targets: T-PRE-5 90%, compulsory 100%, T-HS-1 95%.
    enrolment_rates: dict[str, float] = Field(default_factory=lambda: dict(ENROLMENT_RATES))

    # ---------------------------------------------------------------- projection (Hamilton–Perry)
    # How many of the latest one-year intervals the cohort-change ratios pool (assumed: 3).
    ccr_base_years: int = 3
    # A community's CCR for an age falls back to its township's (then the county's) when the pooled
    # base persons are fewer than this (small-area noise; assumed: 20).
    ccr_min_base: float = 20.0
    # Births (age 0): "child_adult_ratio" = age-0 persons / persons of `birth_adult_ages`, pooled over
    # the base years; "births" = an optional `births` frame (year, births[, community_id]).
    birth_method: Literal["child_adult_ratio", "births"] = "child_adult_ratio"
    # The sheet only holds ages 0–25: the adults of the ratio are the oldest ages it has, 20–25, the
    # ages of most first births (assumed; the textbook child-woman ratio uses women 15–49).
    birth_adult_ages: tuple[int, int] = (20, 25)
    # "constant" holds the ratio at its base-year level (Hamilton–Perry as published); "linear"
    # continues its base-year trend (assumed option, floored at 0).
    birth_ratio_trend: Literal["constant", "linear"] = "constant"
    # Community size classes (residents) the back-test reports its errors by (assumed).
    size_class_bounds: tuple[int, int] = (1500, 3000)

    # ---------------------------------------------------------------- seats (CS, PP-4)
    # Standard class sizes (CS [text, GB 50099-2011]); kindergarten K1 25, K2 30, K3 35 (PP-4 [text,
    # 幼儿园工作规程 2016]); vocational 50 (assumed: CS gives no figure).
    class_size: dict[str, int] = Field(
        default_factory=lambda: {
            "complete_primary": 45,
            "incomplete_primary": 30,
            "junior": 50,
            "high": 50,
            "vocational": 50,
            "K1": 25,
            "K2": 30,
            "K3": 35,
            "kindergarten": 30,  # mixed-age class (PP-4)
        }
    )
    # Planning capacity: "seats" (approved seats, the figure T-CMP-1 and T-PRE-4 count; default),
    # "class_capacity" (classes × standard size) or "min" of the two.
    capacity_basis: Literal["seats", "class_capacity", "min"] = "seats"
    # 大班额 ≥ 56, 超大班额 ≥ 66 (CS [text]).
    big_class_at_least: int = 56
    super_big_class_at_least: int = 66
    # Classrooms are counted to bring every compulsory class to "standard" size (CS 45/50, QB-G5) or
    # only below the 大班额 limit ("big_limit": ≤ 55).
    classroom_target: Literal["standard", "big_limit"] = "standard"
    # Pupils of one grade may be regrouped across its classes (default) or each class is split alone.
    regroup_within_grade: bool = True
    # Teachers for the added classes: "tw_ratio" = standard class size ÷ TW pupils per teacher per
    # class (TW [text]); "school_ratio" = the school's own teachers per class that year.
    teacher_basis: Literal["tw_ratio", "school_ratio"] = "tw_ratio"
    # TW staffing norms, pupils per teacher (TW [text], urban standard 2014).
    tw_pupils_per_teacher: dict[str, float] = Field(
        default_factory=lambda: {"primary": 19.0, "junior": 13.5, "high": 12.5}
    )
    # 第4条: 大班额 ≤ 10% of compulsory classes by autumn 2019, none in 2020.
    big_share_max: float = 0.10
    big_share_year: int = 2019
    big_none_year: int = 2020
    # T-CMP-1 / 第4条: ≥ 3000 urban compulsory seats added a year. "average" = the mean yearly
    # addition since the first census year; "each_year" = every year on its own (assumed: average).
    urban_seats_per_year: int = 3000
    urban_seats_rule: Literal["average", "each_year"] = "average"
    # The school kinds whose whole-school seats T-CMP-1 counts (as the pack's T-CMP-1 indicator).
    urban_seat_stages: list[str] = Field(default_factory=lambda: ["primary", "junior", "nine_year", "teaching_point"])

    # ---------------------------------------------------------------- catchments (第4条; QB-G13)
    # The stages the planning run draws catchments for: 第4条 划片招生 (免试就近入学) is for compulsory
    # education. The catchment tool (web page, `countyedu plan catchments`) solves any of
    # CATCHMENT_STAGES on request.
    catchment_stages: list[CatchmentStage] = ["primary", "junior"]

    # ---------------------------------------------------------------- facility norms (第1、4、5条; PN)
    # 第1条: a community of ≥ 1200 households builds its own kindergarten of ≥ 6 classes per 1200.
    kg_households: int = 1200
    kg_min_classes: int = 6
    # 第1条: smaller communities jointly, one kindergarten per 3,000–12,000 residents; the count uses
    # the upper end (fewest kindergartens; assumed).
    kg_residents_min: int = 3000
    kg_residents_max: int = 12000
    # PN [text, 2019 design guide]: size by residents served (upper bound → classes), never > 12.
    kg_size_table: list[tuple[int, int]] = Field(default_factory=lambda: [(3000, 3), (6000, 6), (9000, 9), (12000, 12)])
    kg_seats_per_class: int = 30  # PN: 3 classes = 90 children
    # 第1条: an administrative village of ≥ 2000 actual residents gets its own public kindergarten.
    village_kg_residents: int = 2000
    # 第4条: one complete primary school per ≥ 10,000 urban residents, one junior per ≥ 30,000.
    primary_residents: int = 10000
    junior_residents: int = 30000
    # "one per ≥ N": floor (a school needs N residents behind it; default) or ceil (assumed).
    school_count_rounding: Literal["floor", "ceil"] = "floor"

    # ---------------------------------------------------------------- projects (第4条)
    promises: list[Promise] = Field(default_factory=lambda: list(DEFAULT_PROMISES))
    # Seats of a project count from the school year starting `project_open_offset` years after its
    # end_year (assumed: 0, the building is used the autumn it is finished).
    project_open_offset: int = 0

    def rate(self, stage: str) -> float:
        return float(self.enrolment_rates.get(stage, 1.0))

    def kg_classes_for(self, residents: float) -> int:
        """PN: kindergarten classes for the residents served (the first band holding them; ≤ 12)."""
        for upper, classes in sorted(self.kg_size_table):
            if residents <= upper:
                return classes
        return max(c for _, c in self.kg_size_table)


def planning_params(pack: Any = None) -> PlanningParams:
    """The planning parameters of a pack (its `parameters.planning`), defaults for what it omits."""
    if pack is None:
        return PlanningParams()
    raw = pack.parameters if hasattr(pack, "parameters") else dict(pack)
    return PlanningParams(**(raw.get("planning") or {}))

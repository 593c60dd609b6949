"""The vocational parameters (pack key `parameters.vocational`): the majors the county expands, the
internship rule and the credit bank's courses and conversion rules.

Every field has a default and cites its clause (POLICY.md 第N条, T-VOC ids); "assumed" marks a choice
the texts do not make. The credit bank's courses and rules are the county's own (第13条 "by fixed
rules"): the code holds none, a pack without them converts nothing and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from countyedu.census.schema import CODES
from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.store import parameters

LEVELS: tuple[str, ...] = tuple(CODES["outcome_level"])  # elementary < intermediate < advanced


class Course(BaseModel):
    """A course of the school's programme that outcomes convert into, with its credits (its cap)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    course_id: str
    name: str  # the county's own name of the course (a proper name, as a school's)
    credits: float = Field(gt=0)


class CreditRule(BaseModel):
    """One conversion rule: an outcome of `kind` named `name` ("*": any name) at `min_level` or above
    (None: any level) gives `credits` credits of `course_id`; with `per_hours`, `credits` for every
    `per_hours` hours of it (a training's or a course's hours)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str
    kind: str
    name: str = "*"
    min_level: str | None = None
    course_id: str
    credits: float = Field(gt=0)
    per_hours: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _known_codes(self) -> CreditRule:
        if self.kind not in CODES["outcome_kind"]:
            raise ValueError(f"kind {self.kind} is none of {', '.join(CODES['outcome_kind'])}")
        if self.min_level is not None and self.min_level not in LEVELS:
            raise ValueError(f"min_level {self.min_level} is none of {', '.join(LEVELS)}")
        return self


class CreditBank(BaseModel):
    """The credit bank's rules (学分银行, 第13条)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    courses: list[Course] = Field(default_factory=list)
    rules: list[CreditRule] = Field(default_factory=list)
    # A pupil's converted credits at most (assumed: 20, a third of a programme's specialty credits).
    max_credits_per_pupil: float = 20.0
    # An outcome converts within this many years of the date it was obtained (assumed: 5).
    valid_years: int = 5

    @model_validator(mode="after")
    def _courses_exist(self) -> CreditBank:
        known = {c.course_id for c in self.courses}
        for r in self.rules:
            if r.course_id not in known:
                raise ValueError(f"rule {r.rule_id} names course {r.course_id}, which is not among the courses")
        return self

    def course(self, course_id: str) -> Course:
        return next(c for c in self.courses if c.course_id == course_id)


class VocationalParams(BaseModel):
    """The vocational parameters (pack key `parameters.vocational`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # 第12条: the majors to expand (nursing, elderly care, health services, modern services).
    expand_categories: list[str] = Field(
        default_factory=lambda: ["nursing", "elderly_care", "health_services", "modern_services"]
    )
    # the year their enrolment is compared with (the policy's year, 2019)
    expand_base_year: int = 2019
    # T-VOC-1: students in the secondary vocational school (the pack's item T-VOC-1 gives the number;
    # this is used when no pack has that item).
    enrolment_target: int = 1200
    # 岗位实习 lasts at most this many months (职业学校学生实习管理规定 2021: 原则上 6 个月 [text]).
    placement_max_months: int = 6
    credit_bank: CreditBank = Field(default_factory=CreditBank)

    @model_validator(mode="after")
    def _known_categories(self) -> VocationalParams:
        for c in self.expand_categories:
            if c not in CODES["major_category"]:
                raise ValueError(f"expand_categories: {c} is none of {', '.join(CODES['major_category'])}")
        return self


# Clause ids of the fields (shown with the parameters in the docs and the report).
CLAUSES: dict[str, str] = {
    "expand_categories": "第12条",
    "expand_base_year": "第12条 (assumed)",
    "enrolment_target": "T-VOC-1",
    "placement_max_months": "第15条; 职业学校学生实习管理规定 2021",
    "credit_bank": "第13条",
    "credit_bank.max_credits_per_pupil": "第13条 (assumed)",
    "credit_bank.valid_years": "第13条 (assumed)",
}


def vocational_params(packs: Sequence[Any] | Mapping[str, Any] | None = None) -> VocationalParams:
    """The vocational parameters of the packs (the first that sets `parameters.vocational`), or of a
    mapping (the section itself); defaults for what it omits. A bad section is a CountyEduError naming it."""
    if packs is None:
        raw: Mapping[str, Any] = {}
    elif isinstance(packs, Mapping):
        raw = packs
    else:
        raw = parameters(packs, "vocational")
    try:
        p = VocationalParams(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "vocational"
        raise CountyEduError(
            Msg("parameters.vocational.{field}: {problem}", field=where, problem=first["msg"]), field=where
        ) from None
    if packs is not None and not isinstance(packs, Mapping):
        target = _item_target(packs, "T-VOC-1")
        if target is not None:
            p = p.model_copy(update={"enrolment_target": int(target)})
    return p


def _item_target(packs: Sequence[Any], item_id: str) -> float | None:
    """The last target value of a pack item (T-VOC-1's 1200), the first pack that has the item."""
    for pack in packs:
        for item in getattr(pack, "items", ()):
            if getattr(item, "id", None) == item_id and getattr(item, "targets", None):
                return float(item.targets[-1].value)
    return None

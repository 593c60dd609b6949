"""The teachers parameters (pack key `parameters.teachers`): staffing norms (编制), the 县管校聘
allocation, training, and the sub-sections the other parts of the module read.

Every field has a default and cites the clause or standard it comes from (POLICY.md 第N条, STANDARDS.md
TW / RT, QB-G*); "assumed" marks a choice the texts do not make. A pack may override any field under
`parameters.teachers` (a pack without that key gets these defaults).

Other parts of the module (rotation, qualifications, backbone) keep their own parameters in a
sub-section of the same pack key (`parameters.teachers.rotation`, …), read by their own model from
`TeachersParams.section(name)`; this model only carries those sub-sections through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.store import parameters

# Staff : pupils norms, unified to the urban standard in 2014 (STANDARDS.md TW [text]); vocational
# schools 1:20 (中等职业学校设置标准 [text]).
PUPILS_PER_TEACHER: dict[str, float] = {"primary": 19.0, "junior": 13.5, "high": 12.5, "vocational": 20.0}

# Weekly periods per subject and grade: the national curriculum plans (义务教育课程方案 2022, 普通高中课程
# 方案 2017/2020) as a county timetable spreads them over the grades [text, spread assumed]. Subjects are
# the exchange format's codes; "other" is 综合实践/劳动/校本 taught by any teacher (not counted).
_P12: dict[str, float] = {"chinese": 8, "math": 4, "moral": 2, "science": 1, "pe": 4, "music": 2, "fine_art": 2}
_P34: dict[str, float] = {
    "chinese": 7,
    "math": 4,
    "english": 2,
    "moral": 2,
    "science": 2,
    "pe": 3,
    "music": 2,
    "fine_art": 2,
    "it": 1,
}
_P56: dict[str, float] = {
    "chinese": 6,
    "math": 5,
    "english": 3,
    "moral": 2,
    "science": 2,
    "pe": 3,
    "music": 2,
    "fine_art": 2,
    "it": 1,
}
_J: dict[str, float] = {
    "chinese": 5,
    "math": 5,
    "english": 4,
    "moral": 2,
    "history": 2,
    "pe": 3,
    "music": 1,
    "fine_art": 1,
    "it": 1,
}
_H: dict[str, float] = {
    "chinese": 4,
    "math": 4,
    "english": 4,
    "politics": 2,
    "history": 2,
    "geography": 2,
    "physics": 3,
}
_H |= {"chemistry": 2, "biology": 2, "pe": 2, "music": 1, "fine_art": 1, "it": 2}
_V: dict[str, float] = {"chinese": 3, "math": 3, "english": 2, "politics": 2, "pe": 2, "it": 2, "specialty": 16}
WEEKLY_PERIODS: dict[str, dict[str, float]] = {
    "P1": _P12,
    "P2": _P12,
    "P3": _P34,
    "P4": _P34,
    "P5": _P56,
    "P6": _P56,
    "J1": _J | {"geography": 2, "biology": 2},
    "J2": _J | {"geography": 2, "biology": 2, "physics": 2},
    "J3": _J | {"physics": 3, "chemistry": 3},
    "H1": _H,
    "H2": _H,
    "H3": _H,
    "V1": _V,
    "V2": _V,
    "V3": _V,
}


class TeachersParams(BaseModel):
    """The teachers parameters (pack key `parameters.teachers`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # ------------------------------------------------------------------ staffing norms (编制), TW
    # Pupils per teacher of each stage's norm (TW [text]).
    pupils_per_teacher: dict[str, float] = Field(default_factory=lambda: dict(PUPILS_PER_TEACHER))
    # How a school part's ratio norm becomes whole posts: round half up, ceil or none (assumed: round).
    norm_rounding: Literal["round", "ceil", "none"] = "round"
    # Kindergartens by class: 2 teachers + 1 caregiver per class (幼儿园教职工配备标准 2013 "两教一保"
    # [text]). The teachers sheet lists teachers: caregivers count in the county's 编制 need, not in a
    # school's teacher norm, unless `caregivers_in_norm`.
    kindergarten_teachers_per_class: float = 2.0
    kindergarten_caregivers_per_class: float = 1.0
    caregivers_in_norm: bool = False
    # The class-based floor of village schools and teaching points (TW, 第5条 small schools [practice]):
    # at least `floor_per_class` teachers per class plus a subject teacher share for each of
    # `floor_subjects` (1 at a village school, 0.5 at a teaching point: shared, itinerant [assumed]).
    floor_per_class: float = 1.0
    floor_subjects: list[str] = Field(default_factory=lambda: ["pe", "music", "fine_art"])
    floor_subject_share: dict[str, float] = Field(default_factory=lambda: {"village": 1.0, "teaching_point": 0.5})
    # Which schools the floor covers: rural primary schools that are no township central school
    # ("village") and teaching points (assumed); "rural" = every rural primary part.
    floor_applies_to: Literal["village", "rural"] = "village"
    # Boarding schools' extra staff (生活管理): one post per this many boarders (assumed: 100; 0 = none).
    boarders_per_extra_staff: float = 100.0
    # Part-time (non 专任) teachers count as this fraction of a post (assumed: 0.5).
    part_time_fraction: float = 0.5
    # Weekly periods per subject and grade (national plans): a school's teaching posts are shared among
    # subjects in proportion to its classes' periods.
    weekly_periods: dict[str, dict[str, float]] = Field(default_factory=lambda: dict(WEEKLY_PERIODS))
    # The 编制 the county holds: the finance sheet's item of that name (RT 县管校聘: the county holds the
    # total), else `county_quota` (None: not known).
    county_quota_item: str = "teacher_staffing_quota"
    county_quota: float | None = None

    # ------------------------------------------------------------------ 县管校聘 allocation, RT
    # Subjects a surplus teacher may take up at the own school (in-school competition) or, by the
    # bureau's assignment, at another (assumed: the minor subjects small schools share out).
    switch_subjects: list[str] = Field(default_factory=lambda: ["pe", "music", "fine_art", "science", "moral", "it"])
    # Cross-school competition reaches schools within this distance; farther is the bureau's
    # assignment (assumed: 20 km).
    cross_school_km: float = 20.0

    # ------------------------------------------------------------------ training, QB-G9
    training_hours_5y: float = 360.0

    # ------------------------------------------------------------------ other parts' sub-sections
    rotation: dict[str, Any] = Field(default_factory=dict)
    qualifications: dict[str, Any] = Field(default_factory=dict)
    backbone: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _merge_tables(cls, data: Any) -> Any:
        """A pack's table (ratios, periods, floor shares) changes the entries it names, keeps the others."""
        if isinstance(data, Mapping):
            data = dict(data)
            for name, default in _TABLES.items():
                given = data.get(name)
                if isinstance(given, Mapping):
                    data[name] = {**default, **given}
        return data

    def section(self, name: str) -> dict[str, Any]:
        """A part's own sub-section (`parameters.teachers.<name>`), {} when the pack has none."""
        return dict(getattr(self, name))

    def ratio(self, stage: str) -> float | None:
        return self.pupils_per_teacher.get(stage)


_TABLES: dict[str, dict[str, Any]] = {
    "pupils_per_teacher": PUPILS_PER_TEACHER,
    "weekly_periods": WEEKLY_PERIODS,
    "floor_subject_share": {"village": 1.0, "teaching_point": 0.5},
}

# Clause ids of the fields (shown with the parameters in the report and the API).
CLAUSES: dict[str, str] = {
    "pupils_per_teacher": "TW",
    "norm_rounding": "TW (assumed)",
    "kindergarten_teachers_per_class": "TW; 幼儿园教职工配备标准",
    "kindergarten_caregivers_per_class": "TW; 幼儿园教职工配备标准",
    "caregivers_in_norm": "TW (assumed)",
    "floor_per_class": "TW; 第5条 (practice)",
    "floor_subjects": "TW; 第5条 (practice)",
    "floor_subject_share": "TW; 第5条 (assumed)",
    "floor_applies_to": "第5条 (assumed)",
    "boarders_per_extra_staff": "TW (assumed)",
    "part_time_fraction": "TW (assumed)",
    "weekly_periods": "义务教育课程方案 2022",
    "county_quota_item": "RT 县管校聘",
    "county_quota": "RT 县管校聘",
    "switch_subjects": "RT (assumed)",
    "cross_school_km": "RT (assumed)",
    "training_hours_5y": "QB-G9",
}


def teachers_params(packs: Sequence[Any] | Mapping[str, Any] | None = None) -> TeachersParams:
    """The teachers parameters of the packs (the first that sets `parameters.teachers`), or of a mapping
    (the section itself); defaults for what it omits. A bad section is a CountyEduError naming it."""
    if packs is None:
        raw: Mapping[str, Any] = {}
    elif isinstance(packs, Mapping):
        raw = packs
    else:
        raw = parameters(packs, "teachers")
    try:
        return TeachersParams(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CountyEduError(
            Msg("parameters.teachers.{field}: {problem}", field=where, problem=first["msg"]), field=where
        ) from None

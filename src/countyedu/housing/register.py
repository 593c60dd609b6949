"""The housing-development register as of a day (第2、19条; the norms of 第1、4条 and PN).

One entry per residential project: households, the facility its plan requires (`facility`), the
facility the norms require, and the dates of its permit, the facility's start, due handover, the
housing's and the facility's completion acceptance and the handover. The flags a day puts on it:
- `below_norm`: the plan leaves out what the norms require — a kindergarten of ≥ `kg_min_classes`
  classes per `kg_households` households (第1条), a primary school from `primary_residents` residents
  (第4条; households × `persons_per_household`) — or plans fewer kindergarten classes;
- `late`: the facility is not handed over and its due day is before the day; `due_soon`: due within
  `warning_days`; `handed_over_late`: handed over after its due day;
- `accepted_without_facility`: the housing passed completion acceptance before its facility did
  (第2条: built, accepted and handed over together; 第19条: no completion filing without it);
- `not_public_or_inclusive`: handed over but run as a non-inclusive private kindergarten or used for
  something else (第2条).
A project of ≥ 1000 households whose housing was accepted serves as a 千户小区 of T-PRE-2
(indicators.registers reads the same sheet).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from countyedu.housing.params import HousingParams
from countyedu.messages import Code, Msg, Num
from countyedu.planning.params import PlanningParams
from countyedu.private.register import _day, _int, _opt
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value

CLAUSE = "第2条; 第19条"
KINDERGARTEN = frozenset({"kindergarten", "kindergarten_primary"})
PRIMARY = frozenset({"primary", "kindergarten_primary", "nine_year"})
FLAGS: dict[str, tuple[Msg, str]] = {
    "below_norm": (Msg("plan below the norm"), "第1条; 第4条; PN"),
    "late": (Msg("facility late"), "第2条"),
    "due_soon": (Msg("facility due soon"), "第2条"),
    "handed_over_late": (Msg("handed over late"), "第2条"),
    "accepted_without_facility": (Msg("housing accepted before its facility"), "第2条; 第19条"),
    "not_public_or_inclusive": (Msg("handed over, neither public nor inclusive"), "第2条"),
}


@dataclass(frozen=True)
class Norm:
    """What the norms require of a project: kindergarten classes (0: none) and whether a primary school."""

    kindergarten_classes: int
    primary: bool


def norm_for(households: int, plan: PlanningParams, persons_per_household: float) -> Norm:
    """第1条: ≥ kg_min_classes classes per kg_households households; 第4条: a primary school from
    primary_residents residents."""
    kg = plan.kg_min_classes * (households // plan.kg_households)
    return Norm(kg, households * persons_per_household >= plan.primary_residents)


@dataclass(frozen=True)
class Project:
    """One housing project with what the norms require and its flags as of a day."""

    project_id: str
    name: str
    developer: str | None
    township_id: str
    community_id: str | None
    households: int
    facility: str
    facility_classes: int | None
    facility_school_id: str | None
    facility_school: str | None
    norm_kindergarten_classes: int
    norm_primary: bool
    permit_date: date | None
    facility_start: date | None
    facility_due: date | None
    housing_acceptance: date | None
    facility_acceptance: date | None
    handover_date: date | None
    handed_to: str | None
    days_late: int
    flags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, date):
                d[k] = v.isoformat()
        d["flags"] = list(self.flags)
        return d


def flags_of(p: Project, day: date, hp: HousingParams) -> tuple[str, ...]:
    """The flags of a project on `day` (the module's docstring lists them)."""
    out: list[str] = []
    kg_planned = p.facility in KINDERGARTEN
    if (
        (p.norm_kindergarten_classes and not kg_planned)
        or (p.norm_primary and p.facility not in PRIMARY)
        or (
            p.facility == "kindergarten"
            and p.facility_classes is not None
            and p.facility_classes < p.norm_kindergarten_classes
        )
    ):
        out.append("below_norm")
    builds = p.facility != "none"
    handed = p.handover_date is not None and p.handover_date <= day
    if builds and p.facility_due is not None:
        if not handed and p.facility_due < day:
            out.append("late")
        elif not handed and p.facility_due <= day + timedelta(days=hp.warning_days):
            out.append("due_soon")
        elif handed and p.handover_date is not None and p.handover_date > p.facility_due:
            out.append("handed_over_late")
    accepted = p.housing_acceptance is not None and p.housing_acceptance <= day
    if builds and accepted and (p.facility_acceptance is None or p.facility_acceptance > p.housing_acceptance):  # type: ignore[operator]
        out.append("accepted_without_facility")
    if builds and handed and p.handed_to is not None and p.handed_to not in hp.accepted_uses:
        out.append("not_public_or_inclusive")
    return tuple(out)


def _days_late(due: date | None, handover: date | None, day: date) -> int:
    if due is None:
        return 0
    end = handover if handover is not None and handover <= day else day
    return max(0, (end - due).days)


@dataclass
class HousingRegister:
    """The register as of a day: every project with its norm and flags."""

    as_of: date
    projects: list[Project]
    params: HousingParams

    def flagged(self, flag: str | None = None) -> list[Project]:
        return [p for p in self.projects if (flag in p.flags if flag else p.flags)]

    def flag_counts(self) -> dict[str, int]:
        found = Counter(f for p in self.projects for f in p.flags)
        return {f: found[f] for f in FLAGS if found[f]}

    def summary(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "housing_projects": len(self.projects),
            "households": sum(p.households for p in self.projects),
            "facilities_planned": sum(p.facility != "none" for p in self.projects),
            "facilities_handed_over": sum(
                p.handover_date is not None and p.handover_date <= self.as_of for p in self.projects
            ),
            "flagged_projects": len(self.flagged()),
            "flags": self.flag_counts(),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "parameters": self.params.model_dump(mode="json"),
            "projects": [p.as_dict() for p in self.projects],
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        from countyedu.runs.blocks import worded

        return worded(register_blocks(self), lang)


def read_register(
    frames: Mapping[str, pd.DataFrame], day: date, hp: HousingParams, plan: PlanningParams
) -> HousingRegister:
    """Every project of the housing_projects sheet as of `day`."""
    reg = frames.get("housing_projects")
    if reg is None or not len(reg):
        return HousingRegister(day, [], hp)
    names = dict(zip(frames["schools"]["school_id"].astype(str), frames["schools"]["name"], strict=True))
    out = []
    for r in reg.to_dict("records"):
        households = _int(r["households"]) or 0
        norm = norm_for(households, plan, hp.persons_per_household)
        school = _opt(r.get("facility_school_id"))
        due, handover = _day(r.get("facility_due")), _day(r.get("handover_date"))
        p = Project(
            project_id=str(r["project_id"]),
            name=str(r["name"]),
            developer=_opt(r.get("developer")),
            township_id=str(r["township_id"]),
            community_id=_opt(r.get("community_id")),
            households=households,
            facility=str(r["facility"]),
            facility_classes=_int(r.get("facility_classes")),
            facility_school_id=school,
            facility_school=names.get(str(school)) if school else None,
            norm_kindergarten_classes=norm.kindergarten_classes,
            norm_primary=norm.primary,
            permit_date=_day(r.get("permit_date")),
            facility_start=_day(r.get("facility_start")),
            facility_due=due,
            housing_acceptance=_day(r.get("housing_acceptance")),
            facility_acceptance=_day(r.get("facility_acceptance")),
            handover_date=handover,
            handed_to=_opt(r.get("handed_to")),
            days_late=_days_late(due, handover, day) if str(r["facility"]) != "none" else 0,
            flags=(),
        )
        out.append(_with_flags(p, day, hp))
    out.sort(key=lambda p: p.project_id)
    return HousingRegister(day, out, hp)


def _with_flags(p: Project, day: date, hp: HousingParams) -> Project:
    from dataclasses import replace

    return replace(p, flags=flags_of(p, day, hp))


def _flag_words(flags: tuple[str, ...]) -> Value:
    return tuple(FLAGS[f][0] for f in flags) if flags else Msg("none")  # type: ignore[return-value]


def _norm_words(p: Project) -> Value:
    parts: list[Msg] = []
    if p.norm_kindergarten_classes:
        parts.append(Msg("kindergarten of {n} classes", n=p.norm_kindergarten_classes))
    if p.norm_primary:
        parts.append(Msg("primary school"))
    return tuple(parts) if parts else Msg("none")  # type: ignore[return-value]


def register_blocks(r: HousingRegister) -> list[Block]:
    """The report chapter: the headline, each flag with its projects, the register."""
    if not r.projects:
        return [
            Block(
                "housing.register",
                Msg("Housing developments"),
                CLAUSE,
                [Msg("This census holds no housing register: import the housing_projects sheet (住宅项目).")],
            )
        ]
    s = r.summary()
    head = Msg(
        "{n} housing projects of {households} households; {planned} plan a school or kindergarten, {handed} "
        "handed over; {flagged} flagged as of {day}",
        n=s["housing_projects"],
        households=Num(s["households"], "count"),
        planned=s["facilities_planned"],
        handed=s["facilities_handed_over"],
        flagged=s["flagged_projects"],
        day=r.as_of.isoformat(),
    )
    findings = [
        Finding(FLAGS[f][1], FLAGS[f][0], Num(n, "count"), "not_met", tuple(p.name for p in r.flagged(f)))  # type: ignore[arg-type]
        for f, n in r.flag_counts().items()
    ]

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    table = BlockTable(
        Msg("The housing-development register"),
        [
            BlockColumn("project", Msg("Housing project")),
            BlockColumn("households", Msg("Households"), "count"),
            BlockColumn("facility", Msg("Planned facility")),
            BlockColumn("norm", Msg("Required by the norms")),
            BlockColumn("due", Msg("Due")),
            BlockColumn("housing_acceptance", Msg("Housing accepted")),
            BlockColumn("facility_acceptance", Msg("Facility accepted")),
            BlockColumn("handover", Msg("Handed over")),
            BlockColumn("handed_to", Msg("Run as")),
            BlockColumn("days_late", Msg("Days late"), "count"),
            BlockColumn("flags", Msg("Flags")),
        ],
        [
            [
                p.name,
                p.households,
                Code("housing_facility", p.facility),
                _norm_words(p),
                iso(p.facility_due),
                iso(p.housing_acceptance),
                iso(p.facility_acceptance),
                iso(p.handover_date),
                Code("handover_use", p.handed_to) if p.handed_to else None,
                p.days_late or None,
                _flag_words(p.flags),
            ]
            for p in r.projects
        ],
        clause=CLAUSE,
    )
    return [Block("housing.register", Msg("Housing developments"), CLAUSE, [head], findings, [table])]

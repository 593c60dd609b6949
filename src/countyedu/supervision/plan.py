"""The visit plan (issue 15 item 3; STANDARDS SV): every school visited by its responsible inspector at
least `visits_per_month` times in each school month (SV [practice]: at least once a month), the visits
spread evenly over the inspector's working days (a part-time inspector's fewer days), at most
`max_visits_per_day` a day.

How a month is laid out: an inspector with schools s₁ … s_K (nearest their base first) makes
V = K · visits_per_month visits on the month's D working days; visit j (the r-th round of school k, j =
r · K + k) falls on working day ⌊(j + ½) · D / V⌋, so visits are evenly apart and a school's rounds
half a month apart. Where V > D · max_visits_per_day the month cannot hold them: the visits that do not
fit are listed in the checks, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding
from countyedu.supervision.assign import Check

_RULES: dict[str, Msg] = {
    "monthly": Msg("Every school visited every school month"),
    "working_days": Msg("Visits on working days, not too many a day"),
    "own_inspector": Msg("Every visit by the school's own inspector"),
}


class PlanParams(BaseModel):
    """The visit plan's parameters (pack key `parameters.supervision.plan`); clauses in CLAUSES."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    visits_per_month: int = Field(default=1, ge=1)
    # months schools are in session (assumed: no routine visits in the winter holiday of February and
    # the summer holiday of July and August)
    school_months: list[int] = Field(default_factory=lambda: [1, 3, 4, 5, 6, 9, 10, 11, 12])
    working_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    part_time_weekdays: list[int] = Field(default_factory=lambda: [1, 3])  # assumed: Tuesday and Thursday
    max_visits_per_day: int = Field(default=2, ge=1)
    holidays: list[dt.date] = Field(default_factory=list)  # the county's public holidays (none by default)


CLAUSES: dict[str, str] = {
    "visits_per_month": "SV (practice: at least once a month)",
    "school_months": "SV (assumed: term months)",
    "working_weekdays": "SV (assumed)",
    "part_time_weekdays": "SV (assumed)",
    "max_visits_per_day": "SV (assumed)",
    "holidays": "(assumed: none)",
}


def plan_params(packs: Sequence[Any] | Mapping[str, Any] | None = None) -> PlanParams:
    """The plan parameters of the packs (`parameters.supervision.plan`) or of a mapping (the
    sub-section itself); defaults for what they omit, a bad field a CountyEduError naming it."""
    from countyedu.supervision.params import section, supervision_params

    given = supervision_params({"plan": dict(packs)} if isinstance(packs, Mapping) else packs)
    return section(given, "plan", PlanParams)


@dataclass(frozen=True)
class VisitPlan:
    """Planned routine visits: `visits` (date, inspector_id, school_id, kind) in date order, the school
    months it covers, the visits a month could not hold, and the checks."""

    start: dt.date
    end: dt.date
    months: tuple[tuple[int, int], ...]
    visits: pd.DataFrame
    unplaced: pd.DataFrame  # inspector_id, school_id, month (YYYY-MM): visits no working day could take
    checks: tuple[Check, ...] = ()
    params: PlanParams = field(default_factory=PlanParams)
    names: Mapping[str, str] = field(default_factory=dict)  # school and inspector ids → names

    def summary(self) -> dict[str, Any]:
        return {"plan_visits": len(self.visits), "plan_unplaced": len(self.unplaced), "plan_months": len(self.months)}

    def blocks(self) -> list[Block]:
        """The plan's report block: its checks and the visits by day."""
        n = self.names
        rows: list[list[Any]] = [
            [r.date.date().isoformat(), n.get(r.inspector_id, r.inspector_id), n.get(r.school_id, r.school_id)]
            for r in self.visits.itertuples(index=False)
        ]
        return [
            Block(
                "supervision.plan",
                Msg("Visit plan"),
                "SV",
                paragraphs=[
                    Msg(
                        "{visits} routine visits from {start} to {end}; {unplaced} could not be placed",
                        visits=len(self.visits),
                        start=self.start.isoformat(),
                        end=self.end.isoformat(),
                        unplaced=len(self.unplaced),
                    )
                ],
                findings=[Finding("SV", _RULES[c.rule], c.detail, "met" if c.ok else "not_met") for c in self.checks],
                tables=[
                    BlockTable(
                        Msg("Visit plan"),
                        [
                            BlockColumn("date", Msg("Date")),
                            BlockColumn("inspector", Msg("Inspector")),
                            BlockColumn("school", Msg("School")),
                        ],
                        rows,
                        clause="SV",
                    )
                ],
            )
        ]

    def on(self, day: dt.date, inspector_id: str | None = None) -> pd.DataFrame:
        """The visits planned on `day` (of one inspector when given): what an inspector's page shows today."""
        v = self.visits[self.visits["date"] == pd.Timestamp(day)]
        return v if inspector_id is None else v[v["inspector_id"] == inspector_id]

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """`countyedu supervise plan --format json` (README): from, to, the visits and the checks."""
        per = self.visits.groupby("inspector_id")
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "months": [f"{y}-{m:02d}" for y, m in self.months],
            "visits": [
                {"date": r.date.date().isoformat(), "inspector_id": r.inspector_id, "school_id": r.school_id}
                for r in self.visits.itertuples(index=False)
            ],
            "inspectors": [
                {"inspector_id": str(i), "visits": len(g), "days": int(g["date"].nunique())} for i, g in per
            ],
            "unplaced": [
                {"inspector_id": r.inspector_id, "school_id": r.school_id, "month": r.month}
                for r in self.unplaced.itertuples(index=False)
            ],
            "checks": [c.as_dict(lang) for c in self.checks],
        }


def _month_days(
    year: int, month: int, start: dt.date, end: dt.date, weekdays: set[int], off: set[dt.date]
) -> list[dt.date]:
    day = dt.date(year, month, 1)
    out = []
    while day.month == month:
        if start <= day <= end and day.weekday() in weekdays and day not in off:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def visit_plan(
    mapping: Mapping[str, str],
    inspectors: pd.DataFrame,
    start: dt.date,
    months: int = 1,
    params: PlanParams | None = None,
    km: Mapping[str, float] | None = None,
    names: Mapping[str, str] | None = None,
) -> VisitPlan:
    """Routine visits from `start` for `months` calendar months: each school of `mapping` (school_id →
    inspector_id) by its inspector (`inspectors`: inspector_id, employment), laid out as the module's
    docstring says. `km` (school_id → km from its inspector's base) orders an inspector's schools."""
    p = params or PlanParams()
    if months < 1:
        raise CountyEduError(Msg("a visit plan covers at least one month"))
    y, m = start.year, start.month
    span: list[tuple[int, int]] = []
    for _ in range(months):
        span.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    end = dt.date(y, m, 1) - dt.timedelta(days=1)
    school_months = tuple((yy, mm) for yy, mm in span if mm in set(p.school_months))
    employment = dict(zip(inspectors["inspector_id"].astype(str), inspectors["employment"], strict=True))
    by_ins: dict[str, list[str]] = {}
    for sid, iid in sorted(mapping.items()):
        by_ins.setdefault(str(iid), []).append(str(sid))
    dist = dict(km or {})
    off = set(p.holidays)
    rows: list[tuple[pd.Timestamp, str, str, str]] = []
    left: list[tuple[str, str, str]] = []
    for iid, schools in sorted(by_ins.items()):
        schools.sort(key=lambda s: (dist.get(s, 0.0), s))
        weekdays = set(p.part_time_weekdays if employment.get(iid) == "part_time" else p.working_weekdays)
        for yy, mm in school_months:
            days = _month_days(yy, mm, start, end, weekdays, off)
            wanted = [(r, s) for r in range(p.visits_per_month) for s in schools]
            room = len(days) * p.max_visits_per_day
            fit, rest = wanted[:room], wanted[room:]
            for j, (_r, s) in enumerate(fit):
                day = days[int((j + 0.5) * len(days) / len(fit))] if len(fit) <= len(days) else days[j % len(days)]
                rows.append((pd.Timestamp(day), iid, s, "routine"))
            left += [(iid, s, f"{yy}-{mm:02d}") for _r, s in rest]
    visits = pd.DataFrame(rows, columns=["date", "inspector_id", "school_id", "kind"])
    visits["date"] = pd.to_datetime(visits["date"])  # datetime64 even when no month is in session
    visits = visits.sort_values(["date", "inspector_id", "school_id"], kind="stable").reset_index(drop=True)
    unplaced = pd.DataFrame(left, columns=["inspector_id", "school_id", "month"])
    plan = VisitPlan(start, end, school_months, visits, unplaced, (), p, dict(names or {}))
    return VisitPlan(**{**plan.__dict__, "checks": tuple(check_plan(plan, mapping, employment))})


def check_plan(plan: VisitPlan, mapping: Mapping[str, str], employment: Mapping[str, str]) -> list[Check]:
    """Every school its visits in every school month; visits on the inspector's working days only and no
    more a day than allowed; the visits by their school's own inspector."""
    p, v = plan.params, plan.visits
    month = v["date"].dt.strftime("%Y-%m")
    counts = v.groupby([v["school_id"], month]).size()
    short = [
        (s, f"{yy}-{mm:02d}")
        for s in sorted(mapping)
        for yy, mm in plan.months
        if counts.get((s, f"{yy}-{mm:02d}"), 0) < p.visits_per_month
    ]
    checks = [
        Check(
            "monthly",
            not short,
            Msg(
                "{n} schools visited at least {k} times in each of {months} school months; {short} school-months short",
                n=len(mapping),
                k=p.visits_per_month,
                months=len(plan.months),
                short=len(short),
            ),
        )
    ]
    bad_day = 0
    for r in v.itertuples(index=False):
        days = p.part_time_weekdays if employment.get(r.inspector_id) == "part_time" else p.working_weekdays
        if r.date.weekday() not in days or r.date.date() in set(p.holidays):
            bad_day += 1
    per_day = v.groupby(["inspector_id", "date"]).size()
    busiest = int(per_day.max()) if len(per_day) else 0
    checks.append(
        Check(
            "working_days",
            bad_day == 0 and busiest <= p.max_visits_per_day,
            Msg(
                "visits on the inspectors' working days only ({bad} not); at most {most} a day (busiest day {top})",
                bad=bad_day,
                most=p.max_visits_per_day,
                top=busiest,
            ),
        )
    )
    wrong = int((v["school_id"].map(dict(mapping)) != v["inspector_id"]).sum())
    checks.append(
        Check("own_inspector", wrong == 0, Msg("every visit by the school's own inspector ({bad} not)", bad=wrong))
    )
    return checks


# ---------------------------------------------------------------------- the supervision run's part
NEEDS = ("assign",)


def part(ctx: Any) -> VisitPlan | None:
    """The routine visits of the run's month (the whole calendar month of its day) for its assignment."""
    a = ctx.parts.get("assign")
    if a is None:
        return None
    from countyedu.supervision.params import section

    p = section(ctx.params, "plan", PlanParams)
    km = dict(zip(a.schools["school_id"], a.schools["km"], strict=True))
    names = {**dict(zip(a.schools["school_id"], a.schools["name"], strict=True))}
    names |= dict(zip(a.inspectors["inspector_id"], a.inspectors["name"], strict=True))
    return visit_plan(a.mapping(), a.inspectors, ctx.as_of.replace(day=1), 1, p, km, names)


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The plan's headline, as `countyedu demo` prints it."""
    if "plan_visits" not in s:
        return []
    return [f"督导计划 / visit plan: 本月 {s['plan_visits']} 次经常性督导，无法安排 unplaced {s['plan_unplaced']}"]

"""Teacher qualifications to 2025 (第26条): the yearly plan that takes each stage's teachers from the
census year to the TQ-* targets of the packs.

The projection is in expected numbers (fractions of a teacher are kept, so rates apply exactly):
each year, in this order,

1. retirements: a teacher leaves in the first school year y with y − birth_year ≥ the retirement age
   of the teacher's gender (parameters `retirement_age`, RT's "age limits are local");
2. in-service upgrades: of the teachers staying, the share `upgrade_rates[level]` of each level
   moves one level up (高中及以下 → 专科 → 本科 → 研究生), keeping their normal-school major;
3. hires: `replace_share` of the leavers of each stage are replaced, with the degree mix
   `hire_mix[stage]` (normal-school graduates), at age `hire_age`.

A teacher of a combined school (九年一贯制, 完全中学, …) counts in each stage by the school's pupil
share, as the TQ-* indicators count them. Each target's share is then followed year by year: the
first year it is reached, or the teachers still missing in its target year (the shortfall, to be
closed by more upgrades or by hiring at the target's degree instead of below it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.census.vocabulary import STAGE_OF_GRADE, STAGES, colour
from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num, register_codes
from countyedu.policy.pack import Item, Pack
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding, Value
from countyedu.runs.store import parameters

CLAUSE = "第26条"
LEVELS = ("below_associate", "associate", "bachelor", "master", "doctorate")
RANK = {e: i for i, e in enumerate(LEVELS)}
# one level up by an in-service degree: 专科 → 本科 → 研究生 (a doctorate is never planned in service)
NEXT_LEVEL = {"below_associate": "associate", "associate": "bachelor", "bachelor": "master"}
# a stage's teachers when the school has no classes that year: by the kind of school
STAGE_OF_SCHOOL = {
    "kindergarten": "kindergarten",
    "primary": "primary",
    "teaching_point": "primary",
    "junior": "junior",
    "nine_year": "primary",
    "complete_secondary": "junior",
    "high": "high",
    "twelve_year": "primary",
    "vocational": "vocational",
}
EPS = 1e-9

# The defaults of `parameters.teachers.qualifications` (each with its clause; a pack may change any).
DEFAULTS: dict[str, Any] = {
    # RT: retirement ages are local (the national rule: men 60, women teachers 55)
    "retirement_age": {"male": 60, "female": 55},
    # 第26条: in-service degree study, share of each level moving one level up each year
    "upgrade_rates": {"below_associate": 0.10, "associate": 0.05, "bachelor": 0.01},
    # 第28条 县管校聘: the county replaces its leavers (share of them, per stage)
    "replace_share": 1.0,
    # 第26条: the degree mix of new teachers per stage (they are normal-school graduates)
    "hire_mix": {
        "kindergarten": {"associate": 0.5, "bachelor": 0.5},
        "primary": {"bachelor": 0.85, "master": 0.15},
        "junior": {"bachelor": 0.75, "master": 0.25},
        "high": {"bachelor": 0.5, "master": 0.5},
        "vocational": {"bachelor": 0.8, "master": 0.2},
    },
    "hire_age": 24,
    # the plan runs at least this many years past the census year (and always to the targets' year)
    "horizon_years": 5,
}


class QualificationsError(CountyEduError):
    """A qualification plan that cannot be made (no teachers, a bad parameter)."""


def _target_name(item: Item) -> Code:
    return Code("teacher_target", json.dumps([item.name_zh, item.name_en], ensure_ascii=False))


register_codes("teacher_target", lambda value, lang: json.loads(value)[lang == "en"])


# ---------------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class QualificationParams:
    retirement_age: Mapping[str, int]
    upgrade_rates: Mapping[str, float]
    replace_share: float
    hire_mix: Mapping[str, Mapping[str, float]]
    hire_age: int
    horizon_years: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "retirement_age": dict(self.retirement_age),
            "upgrade_rates": dict(self.upgrade_rates),
            "replace_share": self.replace_share,
            "hire_mix": {s: dict(m) for s, m in self.hire_mix.items()},
            "hire_age": self.hire_age,
            "horizon_years": self.horizon_years,
        }


def over_defaults(
    defaults: Mapping[str, Any], packs: Sequence[Pack], name: str, changes: Mapping[str, Any], unknown: Msg
) -> dict[str, Any]:
    """`parameters.teachers.<name>` of the packs over `defaults`, then `changes` (a mapping value is
    merged key by key); CountyEduError(`unknown`) for a name the defaults lack."""
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in defaults.items()}
    for k, v in {**(parameters(packs, "teachers").get(name) or {}), **changes}.items():
        if k not in defaults:
            raise CountyEduError(Msg(unknown.key, name=k), parameter=k)
        merged[k] = merged[k] | v if isinstance(v, dict) and isinstance(merged[k], dict) else v
    return merged


def qualification_params(packs: Sequence[Pack], **changes: Any) -> QualificationParams:
    """The packs' `parameters.teachers.qualifications` over the defaults, then `changes`."""
    merged = over_defaults(DEFAULTS, packs, "qualifications", changes, Msg("unknown qualification parameter {name}"))
    for level, rate in merged["upgrade_rates"].items():
        if level not in NEXT_LEVEL or not 0 <= float(rate) <= 1:
            raise QualificationsError(
                Msg("upgrade rate of {level}: {rate} is not a share between 0 and 1", level=level, rate=str(rate)),
                parameter="upgrade_rates",
            )
    for stage, mix in merged["hire_mix"].items():
        if abs(sum(mix.values()) - 1) > 1e-6 or any(e not in RANK for e in mix):
            raise QualificationsError(
                Msg(
                    "the hire mix of {stage} must be shares of degrees adding up to 1",
                    stage=Code("education_stage", stage),
                ),
                parameter="hire_mix",
            )
    return QualificationParams(
        retirement_age={str(k): int(v) for k, v in merged["retirement_age"].items()},
        upgrade_rates={str(k): float(v) for k, v in merged["upgrade_rates"].items()},
        replace_share=float(merged["replace_share"]),
        hire_mix=merged["hire_mix"],
        hire_age=int(merged["hire_age"]),
        horizon_years=int(merged["horizon_years"]),
    )


# ---------------------------------------------------------------------------------- teachers by stage


def stage_weights(schools: pd.DataFrame, classes: pd.DataFrame, year: int) -> pd.DataFrame:
    """school_id, stage, weight: the pupil share of each stage of a school in `year` (a school without
    classes that year counts wholly in the stage of its kind)."""
    c = classes[classes["year"] == year]
    if len(c):
        c = c.assign(stage=c["grade"].astype(str).str[0].map(STAGE_OF_GRADE))
        g = c.groupby(["school_id", "stage"], as_index=False)["pupils"].sum()
        total = g.groupby("school_id")["pupils"].transform("sum")
        g = g.assign(weight=(g["pupils"] / total).where(total > 0, 0.0))
        g = g[g["weight"] > 0][["school_id", "stage", "weight"]]
    else:
        g = pd.DataFrame({"school_id": [], "stage": [], "weight": []})
    rest = schools[~schools["school_id"].isin(set(g["school_id"]))]
    fallback = pd.DataFrame(
        {"school_id": rest["school_id"], "stage": rest["stage"].map(STAGE_OF_SCHOOL), "weight": 1.0}
    ).dropna()
    return pd.concat([g, fallback], ignore_index=True)


def teacher_cells(frames: Mapping[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """Full-time teachers of `year` by stage share: stage, education, normal, gender, birth_year, weight."""
    t = frames["teachers"]
    t = t[(t["year"] == year) & (t["full_time"].astype(bool))]
    w = stage_weights(frames["schools"], frames["classes"], year)
    j = t.merge(w, on="school_id")
    return pd.DataFrame(
        {
            "stage": j["stage"].astype(str),
            "education": j["education"].astype(str),
            "normal": j["normal_major"].astype(bool),
            "gender": j["gender"].astype(str),
            "birth_year": j["birth_year"].astype(int),
            "weight": j["weight"].astype(float),
        }
    )


def meets(cells: pd.DataFrame, cond: Mapping[str, Any]) -> pd.Series:
    """Which cells meet a pack's teacher condition (education_at_least, normal_major, any_of)."""
    hit = pd.Series(True, index=cells.index)
    if "any_of" in cond:
        alt = pd.Series(False, index=cells.index)
        for sub in cond["any_of"]:
            alt |= meets(cells, sub)
        hit &= alt
    if "education_at_least" in cond:
        hit &= cells["education"].map(RANK).fillna(-1) >= RANK[cond["education_at_least"]]
    if "normal_major" in cond:
        hit &= cells["normal"] == bool(cond["normal_major"])
    return hit


# ---------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Target:
    id: str
    name: Code
    stage: str
    value: float
    by: int
    condition: Mapping[str, Any]


@dataclass(frozen=True)
class TargetOutcome:
    """A target's path: the share each year (census years, then the plan), when it is reached, and
    the teachers still missing in its target year."""

    target: Target
    shares: dict[int, float]
    teachers: dict[int, float]
    reached_year: int | None
    shortfall: int  # teachers short of the target in its target year under the plan (0 when reached)

    def status(self) -> str:
        if not self.shares:
            return "no_data"
        return "met" if self.shortfall == 0 else "not_met"

    def as_dict(self) -> dict[str, Any]:
        t = self.target
        return {
            "target_id": t.id,
            "stage": t.stage,
            "value": t.value,
            "by": t.by,
            "shares": {str(y): round(s, 6) for y, s in self.shares.items()},
            "teachers": {str(y): round(n, 3) for y, n in self.teachers.items()},
            "reached_year": self.reached_year,
            "shortfall": self.shortfall,
            "status": self.status(),
        }


@dataclass(frozen=True)
class QualificationPlan:
    census_version: str
    base_year: int
    years: list[int]  # the census years read (up to the base year) then the planned years
    params: QualificationParams
    retirements: pd.DataFrame  # year, stage, gender, education, teachers
    upgrades: pd.DataFrame  # year, stage, from_level, to_level, teachers
    hires: pd.DataFrame  # year, stage, education, teachers
    outcomes: list[TargetOutcome] = field(default_factory=list)

    @property
    def planned_years(self) -> list[int]:
        return [y for y in self.years if y > self.base_year]

    def as_dict(self) -> dict[str, Any]:
        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in df.to_dict("records")
            ]

        return {
            "census_version": self.census_version,
            "base_year": self.base_year,
            "years": self.years,
            "params": self.params.as_dict(),
            "targets": [o.as_dict() for o in self.outcomes],
            "retirements": rows(self.retirements),
            "upgrades": rows(self.upgrades),
            "hires": rows(self.hires),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        from countyedu.runs.blocks import worded

        return worded(qualification_blocks(self), lang)

    def summary(self) -> dict[str, Any]:
        """Headline numbers (keys prefixed with the part's name): targets met by their year, of all."""
        judged = [o for o in self.outcomes if o.status() != "no_data"]
        return {
            "qualifications_targets": len(judged),
            "qualifications_met": sum(o.status() == "met" for o in judged),
            "qualifications_short": sum(o.shortfall for o in judged),
        }


def targets_of(packs: Sequence[Pack]) -> list[Target]:
    """The packs' TQ-* teacher-share targets, one per item and stage (the first pack holding an id)."""
    seen: set[str] = set()
    out = []
    for p in packs:
        for it in p.items:
            if not it.id.startswith("TQ-") or it.id in seen or it.formula != "teacher_share" or not it.targets:
                continue
            seen.add(it.id)
            tgt = max(it.targets, key=lambda t: t.by)
            for stage in [s for s in it.stages if s] or ["primary"]:
                out.append(
                    Target(it.id, _target_name(it), stage, float(tgt.value), int(tgt.by), it.params["condition"])
                )
    return out


def _retiring(cells: pd.DataFrame, year: int, ages: Mapping[str, int]) -> pd.Series:
    age = cells["gender"].map(ages).fillna(max(ages.values(), default=60))
    return (year - cells["birth_year"]) >= age


def _observe(
    cells: pd.DataFrame,
    year: int,
    targets: list[Target],
    shares: dict[str, dict[int, float]],
    teachers: dict[str, dict[int, float]],
) -> None:
    for t in targets:
        c = cells[cells["stage"] == t.stage]
        n = float(c["weight"].sum())
        q = float(c["weight"][meets(c, t.condition)].sum())
        key = f"{t.id}:{t.stage}"
        teachers[key][year] = n
        if n > 0:
            shares[key][year] = q / n


def _step(cells: pd.DataFrame, year: int, prm: QualificationParams) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """One planned year: retirements, upgrades, hires. The new cells and the year's three tables."""
    out = _retiring(cells, year, prm.retirement_age)
    leavers, stay = cells[out], cells[~out]
    ret = leavers.groupby(["stage", "gender", "education"], as_index=False)["weight"].sum()
    ret.insert(0, "year", year)
    moved_parts, kept_parts, up_rows = [], [stay], []
    for level, rate in prm.upgrade_rates.items():
        sel = stay[stay["education"] == level]
        if rate <= 0 or sel.empty:
            continue
        moved = sel.assign(weight=sel["weight"] * rate, education=NEXT_LEVEL[level])
        moved_parts.append(moved)
        kept_parts.append(sel.assign(weight=-sel["weight"] * rate))  # taken from the level below
        g = moved.groupby("stage", as_index=False)["weight"].sum()
        up_rows.append(g.assign(year=year, from_level=level, to_level=NEXT_LEVEL[level]))
    hire_rows = []
    by_stage = leavers.groupby("stage")["weight"].sum()
    for stage, left in by_stage.items():
        n = float(left) * prm.replace_share
        for level, share in (prm.hire_mix.get(str(stage)) or {"bachelor": 1.0}).items():
            if n * share > 0:
                hire_rows.append(
                    {
                        "stage": stage,
                        "education": level,
                        "normal": True,
                        "gender": "female",
                        "birth_year": year - prm.hire_age,
                        "weight": n * share,
                    }
                )
    hired = pd.DataFrame(hire_rows, columns=list(cells.columns))
    new = pd.concat([p for p in (*kept_parts, *moved_parts, hired) if len(p)], ignore_index=True)
    new = new.groupby(list(cells.columns.drop("weight")), as_index=False)["weight"].sum()
    new = new[new["weight"] > EPS]
    up = (
        pd.concat(up_rows, ignore_index=True)[["year", "stage", "from_level", "to_level", "weight"]]
        if up_rows
        else pd.DataFrame(columns=["year", "stage", "from_level", "to_level", "weight"])
    )
    hi = hired.assign(year=year)[["year", "stage", "education", "weight"]]
    return new, [ret, up, hi]


def plan(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Pack],
    year: int | None = None,
    params: QualificationParams | None = None,
    census_version: str = "",
) -> QualificationPlan:
    """The qualification plan from the census year `year` (default the latest with teachers) to the
    targets' year: retirements, upgrades and hires each year, and each TQ-* target's path."""
    prm = params or qualification_params(packs)
    t = frames["teachers"]
    census_years = sorted(int(y) for y in t["year"].unique())
    if not census_years:
        raise QualificationsError(Msg("the census has no teachers"))
    base = year if year is not None else census_years[-1]
    if base not in census_years:
        raise QualificationsError(Msg("the census has no teachers in {year}", year=base), year=base)
    targets = targets_of(packs)
    end = max([base + prm.horizon_years, *(tg.by for tg in targets)])
    shares: dict[str, dict[int, float]] = {f"{tg.id}:{tg.stage}": {} for tg in targets}
    teachers: dict[str, dict[int, float]] = {f"{tg.id}:{tg.stage}": {} for tg in targets}
    for y in [y for y in census_years if y <= base]:
        _observe(teacher_cells(frames, y), y, targets, shares, teachers)
    cells = teacher_cells(frames, base)
    cells = cells.groupby(list(cells.columns.drop("weight")), as_index=False)["weight"].sum()
    tables: list[list[pd.DataFrame]] = [[], [], []]
    for y in range(base + 1, end + 1):
        cells, parts = _step(cells, y, prm)
        for acc, part in zip(tables, parts, strict=True):
            acc.append(part)
        _observe(cells, y, targets, shares, teachers)
    ret, up, hi = (_frame(acc) for acc in tables)
    outcomes = []
    for tg in targets:
        key = f"{tg.id}:{tg.stage}"
        s, n = shares[key], teachers[key]
        # reached: the first year from which the share stays at or above the target
        reached = None
        for y in sorted(s):
            if s[y] + EPS >= tg.value:
                reached = y if reached is None else reached
            else:
                reached = None
        at = tg.by if tg.by in s else max(s, default=base)
        short = 0 if at not in s else max(0, math.ceil((tg.value - s[at]) * n[at] - EPS))
        outcomes.append(TargetOutcome(tg, s, n, reached, short))
    return QualificationPlan(
        census_version,
        base,
        [y for y in census_years if y <= base] + list(range(base + 1, end + 1)),
        prm,
        ret,
        up,
        hi,
        outcomes,
    )


def _frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    df = pd.concat(parts, ignore_index=True).rename(columns={"weight": "teachers"})
    keys = [c for c in df.columns if c != "teachers"]
    return df.groupby(keys, as_index=False, sort=False)["teachers"].sum()


# ---------------------------------------------------------------------------------- blocks


def _stage_sort(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(_o=df["stage"].map(lambda s: STAGES.index(s) if s in STAGES else 99)).sort_values(
        ["_o", "year"] if "year" in df.columns else ["_o"], kind="stable"
    )


def qualification_blocks(p: QualificationPlan) -> list[Block]:
    """The report chapter's blocks: the targets' outcomes, their paths (chart), and the plan's yearly
    retirements, upgrades and hires."""
    findings: list[Finding] = []
    rows: list[list[Value]] = []
    for o in p.outcomes:
        t = o.target
        at = o.shares.get(t.by)
        value = Msg(
            "{share} in {year} (target {target})",
            share=Num(at, "share"),
            year=t.by,
            target=Num(t.value, "share"),
        )
        if o.status() == "no_data":
            why = Msg("no full-time teachers of this stage in the census")
        elif o.shortfall == 0 and o.reached_year is not None:
            why = Msg("reached in {year}", year=o.reached_year)
        else:
            why = Msg("{n} teachers short in {year}", n=o.shortfall, year=t.by)
        findings.append(
            Finding(
                CLAUSE,
                Msg("{target} ({stage})", target=t.name, stage=Code("education_stage", t.stage)),
                value,
                o.status(),
                why,
            )
        )
        rows.append(
            [
                t.id,
                t.name,
                Code("education_stage", t.stage),
                t.value,
                o.shares.get(p.base_year),
                at,
                o.reached_year,
                o.shortfall,
            ]
        )
    table = BlockTable(
        Msg("Qualification targets: the census year and the plan"),
        [
            BlockColumn("target_id", Msg("Indicator")),
            BlockColumn("name", Msg("Target")),
            BlockColumn("stage", Msg("Stage")),
            BlockColumn("value", Msg("Target value"), "share"),
            BlockColumn("base", Msg("Share in the census year"), "share"),
            BlockColumn("at_by", Msg("Share in the target year"), "share"),
            BlockColumn("reached", Msg("Year reached"), "year"),
            BlockColumn("shortfall", Msg("Teachers short"), "count"),
        ],
        rows,
        clause=CLAUSE,
    )
    charts = []
    for stage in STAGES:
        outs = [o for o in p.outcomes if o.target.stage == stage]
        if not outs:
            continue
        charts.append(
            BlockChart(
                Msg("Qualification shares of {stage} teachers by year", stage=Code("education_stage", stage)),
                "line",
                [str(y) for y in p.years],
                {o.target.name: [o.shares.get(y) for y in p.years] for o in outs},
                Msg("share of teachers"),
                "share",
                [colour(stage)] if len(outs) == 1 else [],
            )
        )
    main = Block(
        "teachers.qualifications",
        Msg("Teacher qualifications to 2025"),
        CLAUSE,
        paragraphs=[
            Msg(
                "From the census year {base}, each year: retirements at the retirement ages, in-service degrees one level up, and the leavers replaced by new teachers of the planned degree mix.",
                base=p.base_year,
            )
        ],
        findings=findings,
        tables=[table],
        charts=charts,
    )
    return [main, _flows_block(p)]


def _flows_block(p: QualificationPlan) -> Block:
    tables = []
    if len(p.retirements):
        r = _stage_sort(p.retirements.groupby(["year", "stage"], as_index=False)["teachers"].sum())
        tables.append(
            BlockTable(
                Msg("Retirements by year and stage"),
                [
                    BlockColumn("year", Msg("Year"), "year"),
                    BlockColumn("stage", Msg("Stage")),
                    BlockColumn("n", Msg("Teachers")),
                ],
                [[int(x.year), Code("education_stage", x.stage), round(float(x.teachers), 1)] for x in r.itertuples()],
                clause="RT",
            )
        )
    if len(p.hires):
        h = _stage_sort(p.hires.groupby(["year", "stage", "education"], as_index=False)["teachers"].sum())
        tables.append(
            BlockTable(
                Msg("Hires needed by year, stage and degree"),
                [
                    BlockColumn("year", Msg("Year"), "year"),
                    BlockColumn("stage", Msg("Stage")),
                    BlockColumn("education", Msg("Degree")),
                    BlockColumn("n", Msg("Teachers")),
                ],
                [
                    [
                        int(x.year),
                        Code("education_stage", x.stage),
                        Code("education", x.education),
                        round(float(x.teachers), 1),
                    ]
                    for x in h.itertuples()
                ],
                clause=CLAUSE,
            )
        )
    if len(p.upgrades):
        u = _stage_sort(
            p.upgrades.groupby(["year", "stage", "from_level", "to_level"], as_index=False)["teachers"].sum()
        )
        tables.append(
            BlockTable(
                Msg("In-service degree upgrades by year"),
                [
                    BlockColumn("year", Msg("Year"), "year"),
                    BlockColumn("stage", Msg("Stage")),
                    BlockColumn("from", Msg("From")),
                    BlockColumn("to", Msg("To")),
                    BlockColumn("n", Msg("Teachers")),
                ],
                [
                    [
                        int(x.year),
                        Code("education_stage", x.stage),
                        Code("education", x.from_level),
                        Code("education", x.to_level),
                        round(float(x.teachers), 1),
                    ]
                    for x in u.itertuples()
                ],
                clause=CLAUSE,
            )
        )
    return Block(
        "teachers.qualification_flows", Msg("Retirements, upgrades and hires by year"), f"{CLAUSE}; RT", tables=tables
    )


# ---------------------------------------------------------------------------------- the teachers run's part


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The line `countyedu demo` prints (both languages, as the other kinds' lines)."""
    if "qualifications_targets" not in s:
        return []
    met, n, short = s["qualifications_met"], s["qualifications_targets"], s["qualifications_short"]
    return [
        f"学历目标（第26条）：{met}/{n} 项按期达到，尚差 {short} 人 / qualification targets met in time: {met} of {n}, {short} teachers short"
    ]


def part(ctx: Any) -> QualificationPlan | None:
    """The teachers run's part (teachers.parts): the plan from the run's year, None without teachers."""
    if ctx.frames["teachers"].empty:
        return None
    prm = qualification_params(ctx.packs, **ctx.params.section("qualifications"))
    year = ctx.year
    if year is not None and year not in set(ctx.frames["teachers"]["year"]):
        return None
    return plan(ctx.frames, ctx.packs, year, prm)

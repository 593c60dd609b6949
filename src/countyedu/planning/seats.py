"""Seats: supply per school and stage, demand from projected cohorts, the gap, and the 大班额 plan.

- Supply (`stage_supply`): one row per school × stage it teaches that year. Multi-stage schools
  (nine-year, complete-secondary, twelve-year, primary schools with attached preschool classes) are
  split by grade as `indicators.tables` splits them (K → kindergarten, P → primary, J → junior,
  H → high, V → vocational; teaching points are primary): pupils and classes by the grades', seats
  in proportion to pupils. `class_capacity` = classes × the standard class size (CS: complete primary
  45, incomplete primary 30 — a primary part without all six grades —, junior and high 50; PP-4:
  K1 25, K2 30, K3 35; vocational 50, assumed). `capacity` is the planning capacity
  (`capacity_basis`: seats by default).
- Demand (`seat_plan`): `planning.demand.community_demand` on the projection, per stage × area
  (county, township, urban core = the townships flagged urban_core, catchment) × year. The high-school
  stage's demand (T-HS-1, general + vocational) is met by high and vocational seats together. Years
  after the last census year keep its supply (no projects: see `planning.projects`).
- 大班额 (第4条; CS ≥ 56 big, ≥ 66 super-big; T-CMP-2): per compulsory school and year, the classes
  over the limit, the classrooms needed to bring every class to ≤ the standard size (regrouping the
  pupils of a grade: ceil(pupils / size) − classes), the teachers those classes need, and the
  milestones of 第4条 (≤ 10% in 2019, none in 2020) and T-CMP-1 (≥ 3000 urban seats a year).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.census.schema import GRADES_BY_STAGE
from countyedu.census.vocabulary import COMPULSORY_STAGES, colour, sorted_stages, stage_key
from countyedu.errors import CountyEduError
from countyedu.indicators.tables import PART_OF_GRADE
from countyedu.messages import Code, Msg, Num
from countyedu.planning.demand import community_demand
from countyedu.planning.params import PlanningParams
from countyedu.planning.projection import STAGE_ZH, Projection
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding, worded

SUPPLY_COLUMNS = [
    "school_id",
    "stage",
    "township_id",
    "community_id",
    "urban",
    "lat",
    "lon",
    "pupils",
    "classes",
    "seats",
    "class_capacity",
    "capacity",
]
COMPULSORY = COMPULSORY_STAGES
# Supply stages that meet a demand stage: T-HS-1 counts general and vocational high school together.
SUPPLY_FOR = {
    "kindergarten": ("kindergarten",),
    "primary": ("primary",),
    "junior": ("junior",),
    "high": ("high", "vocational"),
}
_ZH = STAGE_ZH


def _grade_size(grade: str, complete_primary: bool, params: PlanningParams) -> int:
    cs = params.class_size
    part = PART_OF_GRADE.get(grade[:1], "")
    if part == "kindergarten":
        return int(cs.get(grade, cs.get("kindergarten", 30)))
    if part == "primary":
        return int(cs["complete_primary"] if complete_primary else cs["incomplete_primary"])
    return int(cs.get(part, 50))


def _classes_of(frames: Mapping[str, pd.DataFrame], year: int) -> pd.DataFrame:
    c = frames["classes"]
    c = c[c["year"] == year].copy()
    c["stage"] = c["grade"].str[:1].map(PART_OF_GRADE)
    return c


def _complete_primary(c: pd.DataFrame) -> set[str]:
    """Schools whose primary part has classes in all six grades that year (CS complete primary)."""
    p = c[c["stage"] == "primary"].groupby("school_id")["grade"].nunique()
    return set(p[p >= 6].index)


def _stages_of_school(stage: str) -> dict[str, int]:
    """Stages a school of this kind teaches, with their number of grades (preschool classes of primary
    schools left out: they are optional)."""
    grades = [g for g in GRADES_BY_STAGE.get(stage, ()) if not (stage in ("primary", "teaching_point") and g[0] == "K")]
    out: dict[str, int] = {}
    for g in grades:
        out[PART_OF_GRADE[g[0]]] = out.get(PART_OF_GRADE[g[0]], 0) + 1
    return out


def stage_supply(frames: Mapping[str, pd.DataFrame], year: int, params: PlanningParams | None = None) -> pd.DataFrame:
    """Seats, pupils, classes and capacity per school × stage taught in `year` (CS; see the module)."""
    p = params or PlanningParams()
    c = _classes_of(frames, year)
    complete = _complete_primary(c)
    c["size"] = [_grade_size(g, s in complete, p) for g, s in zip(c["grade"], c["school_id"], strict=True)]
    parts = (
        c.groupby(["school_id", "stage"])
        .agg(pupils=("pupils", "sum"), classes=("pupils", "size"), class_capacity=("size", "sum"))
        .reset_index()
    )
    sy = frames["school_years"]
    sy = sy[sy["year"] == year][["school_id", "seats"]]
    schools = frames["schools"].set_index("school_id")
    # schools with seats but no classes that year: split by the grades their kind teaches
    missing = sorted(set(sy["school_id"]) - set(parts["school_id"]))
    extra = []
    for sid in missing:
        for stage, n in _stages_of_school(str(schools.at[sid, "stage"])).items():
            extra.append({"school_id": sid, "stage": stage, "pupils": 0, "classes": 0, "class_capacity": 0, "w": n})
    parts["w"] = parts["pupils"].astype(float)
    zero = parts.groupby("school_id")["pupils"].transform("sum") == 0
    parts.loc[zero, "w"] = parts.loc[zero, "classes"].astype(float)
    if extra:
        parts = pd.concat([parts, pd.DataFrame(extra)], ignore_index=True)
    wsum = parts.groupby("school_id")["w"].transform("sum")
    share = np.where(
        wsum > 0, parts["w"] / wsum.where(wsum > 0, 1.0), 1.0 / parts.groupby("school_id")["w"].transform("size")
    )
    seats = parts["school_id"].map(sy.set_index("school_id")["seats"]).fillna(0).astype(float)
    parts["seats"] = seats * share
    parts["class_capacity"] = parts["class_capacity"].astype(float)
    if p.capacity_basis == "seats":
        parts["capacity"] = parts["seats"]
    elif p.capacity_basis == "class_capacity":
        parts["capacity"] = parts["class_capacity"]
    else:
        parts["capacity"] = np.minimum(parts["seats"], parts["class_capacity"])
    info = schools[["township_id", "community_id", "urban", "lat", "lon"]]
    out = parts.join(info, on="school_id")
    out["pupils"] = out["pupils"].astype(int)
    out["classes"] = out["classes"].astype(int)
    return out[SUPPLY_COLUMNS].sort_values(["school_id", "stage"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------- the 大班额 plan


def classrooms_needed(class_sizes: list[int], target: int, regroup: bool = True) -> int:
    """Classrooms to add so that no class of one grade exceeds `target` pupils (CS): regrouped,
    ceil(Σ pupils / target) − classes; class by class, Σ (ceil(pupils / target) − 1)."""
    if not class_sizes:
        return 0
    if regroup:
        return max(0, math.ceil(sum(class_sizes) / target) - len(class_sizes))
    return sum(max(0, math.ceil(n / target) - 1) for n in class_sizes)


def big_class_plan(frames: Mapping[str, pd.DataFrame], params: PlanningParams | None = None) -> pd.DataFrame:
    """Per school and census year: compulsory classes, 大班额 (≥ 56) and 超大班额 (≥ 66) classes, the
    classrooms and teachers needed to bring every class to the target size (第4条; CS; TW)."""
    p = params or PlanningParams()
    rows = []
    teachers = frames.get("teachers")
    t_count = (
        teachers.groupby(["school_id", "year"]).size()
        if teachers is not None and not teachers.empty
        else pd.Series(dtype=int)
    )
    for year in sorted(int(y) for y in frames["classes"]["year"].unique()):
        c = _classes_of(frames, year)
        school_pupils = c.groupby("school_id")["pupils"].sum()
        school_classes = c.groupby("school_id").size()
        complete = _complete_primary(c)
        comp = c[c["stage"].isin(COMPULSORY)]
        for (sid, stage), g in comp.groupby(["school_id", "stage"]):
            if p.classroom_target == "big_limit":
                target = p.big_class_at_least - 1
            else:
                target = _grade_size("P1" if stage == "primary" else "J1", sid in complete, p)
            extra = sum(
                classrooms_needed(gg["pupils"].astype(int).tolist(), target, p.regroup_within_grade)
                for _, gg in g.groupby("grade")
            )
            if p.teacher_basis == "school_ratio":
                n_t = float(t_count.get((sid, year), 0))
                per_class = n_t / float(school_classes[sid]) if school_classes[sid] else 0.0
            else:
                per_class = target / p.tw_pupils_per_teacher.get(str(stage), 19.0)
            rows.append(
                {
                    "school_id": sid,
                    "stage": stage,
                    "year": year,
                    "classes": len(g),
                    "pupils": int(g["pupils"].sum()),
                    "big": int((g["pupils"] >= p.big_class_at_least).sum()),
                    "super_big": int((g["pupils"] >= p.super_big_class_at_least).sum()),
                    "max_class": int(g["pupils"].max()),
                    "target_size": target,
                    "classrooms_needed": int(extra),
                    "teachers_needed": round(extra * per_class, 1),
                    "school_share": float(g["pupils"].sum() / school_pupils[sid]) if school_pupils[sid] else 0.0,
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    names = frames["schools"].set_index("school_id")
    out["name"] = out["school_id"].map(names["name"])
    out["township_id"] = out["school_id"].map(names["township_id"])
    out["urban"] = out["school_id"].map(names["urban"]).astype(bool)
    return out.drop(columns="school_share")


def _first_year_met(years: list[int], values: list[float], ok: Any, horizon: int) -> tuple[int | None, bool]:
    """First observed year whose value passes `ok`; else the first year a linear trend of the observed
    values passes it (≤ horizon), flagged as a trend. (None, False) when neither."""
    for y, v in zip(years, values, strict=True):
        if ok(v):
            return y, False
    if len(years) >= 2:
        slope, icpt = np.polyfit(np.array(years, dtype=float), np.array(values, dtype=float), 1)
        for y in range(years[-1] + 1, horizon + 1):
            if ok(max(0.0, slope * y + icpt)):
                return y, True
    return None, False


def milestones(
    frames: Mapping[str, pd.DataFrame],
    plan: pd.DataFrame,
    params: PlanningParams,
    horizon: int,
) -> list[Finding]:
    """The 第4条 milestones (≤ 10% 大班额 by autumn 2019, none in 2020) and T-CMP-1 (≥ 3000 urban
    compulsory seats added a year), each met / not_met with the year it was or would be met."""
    out: list[Finding] = []
    by_year = plan.groupby("year")[["classes", "big"]].sum() if not plan.empty else pd.DataFrame()
    years = [int(y) for y in by_year.index]
    shares = [float(r.big / r.classes) if r.classes else 0.0 for r in by_year.itertuples()]
    share_of = dict(zip(years, shares, strict=True))

    def share_finding(year: int, limit: float, rule: Msg) -> Finding:
        if year not in share_of:
            return Finding("第4条", rule, "—", "no_data", Msg("no classes that year"))
        s = share_of[year]
        met_year, trend = _first_year_met(years, shares, lambda v: v <= limit + 1e-12, horizon)
        big = int(by_year.at[year, "big"])
        n = int(by_year.at[year, "classes"])
        when: Any = "—" if met_year is None else Num(met_year, "year")
        if met_year is not None and trend:
            when = Msg("{year} (trend)", year=Num(met_year, "year"))
        expl = Msg(
            "{year}: {big} of {classes} compulsory classes have ≥ 56 pupils ({share}); year met: {when}",
            year=Num(year, "year"),
            big=big,
            classes=n,
            share=Num(s, "share"),
            when=when,
        )
        return Finding("第4条; T-CMP-2; CS", rule, f"{s:.1%}", "met" if s <= limit + 1e-12 else "not_met", expl)

    out.append(
        share_finding(
            params.big_share_year,
            params.big_share_max,
            Msg(
                "large classes (56+) ≤ {share} of classes by autumn {year}",
                share=Num(params.big_share_max * 100, "percent", 0),
                year=Num(params.big_share_year, "year"),
            ),
        )
    )
    out.append(
        share_finding(
            params.big_none_year, 0.0, Msg("no large classes (56+) in {year}", year=Num(params.big_none_year, "year"))
        )
    )
    # T-CMP-1: urban compulsory seats per census year
    # whole-school seats of urban schools of the T-CMP-1 stages, as the pack's indicator counts them
    sy = frames["school_years"].merge(frames["schools"][["school_id", "stage", "urban"]], on="school_id")
    sy = sy[sy["urban"].astype(bool) & sy["stage"].isin(params.urban_seat_stages)]
    seat_years = sorted(int(y) for y in frames["school_years"]["year"].unique())
    seats_by_year = sy.groupby("year")["seats"].sum()
    totals = [float(seats_by_year.get(y, 0.0)) for y in seat_years]
    added = [b - a for a, b in itertools.pairwise(totals)]
    need = params.urban_seats_per_year
    rule = Msg("≥ {seats} urban compulsory seats added a year", seats=Num(need, "count"))
    if not added:
        out.append(Finding("T-CMP-1; 第4条", rule, "—", "no_data", Msg("one year of seats only")))
        return out
    running = [sum(added[: i + 1]) / (i + 1) for i in range(len(added))]
    if params.urban_seats_rule == "average":
        value, status = running[-1], running[-1] >= need
        met_years = [seat_years[i + 1] for i, v in enumerate(running) if v >= need]
    else:
        value, status = min(added), all(a >= need for a in added)
        met_years = [seat_years[i + 1] for i, v in enumerate(added) if v >= need]
    listing = tuple(f"{y}: {a:+,.0f}" for y, a in zip(seat_years[1:], added, strict=True))
    expl = Msg(
        "urban compulsory seats added: {listing}; mean {mean} a year {first}–{last} (rule: {rule}); first met: {when}",
        listing=listing,
        mean=Num(round(running[-1]), "count"),
        first=Num(seat_years[0], "year"),
        last=Num(seat_years[-1], "year"),
        rule=Msg("mean") if params.urban_seats_rule == "average" else Msg("every year"),
        when=Num(met_years[0], "year") if met_years else "—",
    )
    out.append(Finding("T-CMP-1; 第4条", rule, f"{value:,.0f}", "met" if status else "not_met", expl))
    return out


# ---------------------------------------------------------------------------------- the seat plan


@dataclass
class SeatPlan:
    """Seat demand, supply and gap by stage × area × year, the 大班额 plan and the 第4条 milestones."""

    areas: pd.DataFrame  # area_kind, area_id, area_name, stage, year, projected, demand, supply, gap
    supply: pd.DataFrame  # year + stage_supply rows, per census year used
    big_classes: pd.DataFrame  # see big_class_plan
    milestones: list[Finding]  # their texts are messages
    horizon: int
    params: PlanningParams = field(default_factory=PlanningParams)

    def county(self) -> pd.DataFrame:
        return self.areas[self.areas["area_kind"] == "county"]

    def as_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
                for r in df.round(1).to_dict(orient="records")
            ]

        bc = self.big_classes
        bc_out = bc[(bc["big"] > 0) | (bc["classrooms_needed"] > 0)] if not bc.empty else bc
        return {
            "horizon": self.horizon,
            "capacity_basis": self.params.capacity_basis,
            "areas": rec(self.areas),
            "big_classes": rec(bc_out),
            "big_class_totals": rec(
                bc.groupby("year")[["classes", "big", "super_big", "classrooms_needed", "teachers_needed"]]
                .sum()
                .reset_index()
            )
            if not bc.empty
            else [],
            "milestones": [f.as_dict() for f in self.milestones],
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """Seats and the 大班额 plan as two blocks (their texts messages, worded in `lang` when given)."""
        county = self.county()
        stages = sorted_stages(dict.fromkeys(county["stage"]))
        years = sorted(int(y) for y in county["year"].unique())
        cols = [
            BlockColumn("year", Msg("year"), "year"),
            BlockColumn("stage", Msg("stage")),
            BlockColumn("demand", Msg("demand"), "count"),
            BlockColumn("supply", Msg("supply"), "count"),
            BlockColumn("gap", Msg("gap (+ surplus, − shortfall)"), "count"),
            BlockColumn("projected", Msg("projected")),
        ]
        rows: list[list[Any]] = [
            [int(r.year), _stage(r.stage), round(r.demand), round(r.supply), round(r.gap), bool(r.projected)]
            for r in county.sort_values(["year", "stage"], key=stage_key).itertuples()
        ]
        chart = BlockChart(
            title=Msg("County seat gap"),
            kind="bar",
            x=[str(y) for y in years],
            series={
                Msg("{stage}", stage=_stage(s)): [
                    float(round(county[(county["stage"] == s) & (county["year"] == y)]["gap"].sum())) for y in years
                ]
                for s in stages
            },
            y_label=Msg("seats"),
            unit="count",
            colours=[colour(s) for s in stages],
        )
        last = max(years)
        town = self.areas[(self.areas["area_kind"].isin(["township", "urban_core"])) & (self.areas["year"] == last)]
        town_rows: list[list[Any]] = [
            [
                Msg("urban core") if r.area_kind == "urban_core" else r.area_name,
                _stage(r.stage),
                round(r.demand),
                round(r.supply),
                round(r.gap),
            ]
            for r in town.sort_values(["area_kind", "area_id", "stage"], key=stage_key).itertuples()
        ]
        town_cols = [
            BlockColumn("area", Msg("area")),
            *[c for c in cols if c.key in ("stage", "demand", "supply", "gap")],
        ]
        seats = Block(
            id="planning.seats",
            title=Msg("Seat demand and supply"),
            clause="第1、4条; T-PRE-5; T-HS-1; CS",
            paragraphs=[
                Msg(
                    "Demand = projected school-age persons × target enrolment rate (preschool 90%, compulsory "
                    "100%, high-school stage 95%); supply = approved seats (multi-stage schools split by grade, seats "
                    "by pupils); after the last census year supply is held (projects excluded)."
                )
            ],
            tables=[
                BlockTable(Msg("County seats by stage"), cols, rows, clause="第4条; CS"),
                BlockTable(
                    Msg("Seats by township, {year}", year=Num(last, "year")), town_cols, town_rows, clause="第4条"
                ),
            ],
            charts=[chart],
        )
        bc = self.big_classes
        bc_rows: list[list[Any]] = []
        if not bc.empty:
            sel = bc[bc["big"] > 0].sort_values(["year", "school_id", "stage"], key=stage_key)
            bc_rows = [
                [
                    int(r.year),
                    str(r.name),
                    _stage(r.stage),
                    int(r.classes),
                    int(r.big),
                    int(r.super_big),
                    int(r.max_class),
                    int(r.classrooms_needed),
                    float(r.teachers_needed),
                ]
                for r in sel.itertuples()
            ]
        bc_cols = [
            BlockColumn("year", Msg("year"), "year"),
            BlockColumn("school", Msg("school")),
            BlockColumn("stage", Msg("stage")),
            BlockColumn("classes", Msg("classes"), "count"),
            BlockColumn("big", Msg("classes of ≥ 56"), "count"),
            BlockColumn("super_big", Msg("classes of ≥ 66"), "count"),
            BlockColumn("max_class", Msg("largest class"), "count"),
            BlockColumn("classrooms", Msg("classrooms needed"), "count"),
            BlockColumn("teachers", Msg("teachers needed")),
        ]
        big = Block(
            id="planning.big_classes",
            title=Msg("Plan to end large classes (56+)"),
            clause="第4条; T-CMP-2; T-CMP-1; CS; TW",
            paragraphs=[
                Msg(
                    "Big class ≥ {big}, super-big ≥ {super_big}; classrooms needed = per grade ⌈pupils ÷ standard "
                    "size⌉ − classes (primary 45, junior 50); teachers at the staffing norms (primary 1:19, junior "
                    "1:13.5).",
                    big=self.params.big_class_at_least,
                    super_big=self.params.super_big_class_at_least,
                )
            ],
            findings=list(self.milestones),
            tables=[BlockTable(Msg("Schools with classes of 56+"), bc_cols, bc_rows, clause="第4条; CS")],
        )
        blocks = [seats, big]
        return worded(blocks, lang)


def _stage(stage: str) -> Code:
    """A stage (学段), labelled by the vocabulary when worded."""
    return Code("education_stage", stage)


def _area_frame(
    demand: pd.DataFrame, supply: pd.DataFrame, key: str, kind: str, names: Mapping[str, str], projected: set[int]
) -> pd.DataFrame:
    d = demand.groupby([key, "stage", "year"], as_index=False)["demand"].sum()
    s = supply.groupby([key, "stage", "year"], as_index=False)["capacity"].sum().rename(columns={"capacity": "supply"})
    m = d.merge(s, on=[key, "stage", "year"], how="outer")
    m["demand"] = m["demand"].fillna(0.0)
    m["supply"] = m["supply"].fillna(0.0)
    m["projected"] = m["year"].isin(projected)
    m["gap"] = m["supply"] - m["demand"]
    m = m.rename(columns={key: "area_id"})
    m["area_kind"] = kind
    m["area_name"] = m["area_id"].map(lambda i: names.get(str(i), str(i)))
    return m


def seat_plan(
    frames: Mapping[str, pd.DataFrame],
    projection: Projection,
    params: PlanningParams | None = None,
    catchments: Mapping[str, str] | None = None,
) -> SeatPlan:
    """Demand (community_demand on the projection), supply and gap per stage × area × year, the
    大班额 plan and the 第4条 / T-CMP-1 milestones."""
    p = params or PlanningParams()
    persons = projection.persons
    years = sorted(int(y) for y in persons["year"].unique())
    census_years = sorted(int(y) for y in frames["school_years"]["year"].unique())
    if not census_years:
        raise CountyEduError(Msg("the school_years sheet is empty: no seats to plan with"), sheet="school_years")
    projected_years = set(int(y) for y in persons.loc[persons["projected"], "year"].unique())
    comm = frames["communities"].astype({"community_id": str})
    town_of = dict(zip(comm["community_id"], comm["township_id"].astype(str), strict=True))
    towns = frames["townships"]
    core = set(towns.loc[towns["urban_core"].astype(bool), "township_id"].astype(str))
    d_rows = []
    for year in years:
        for stage in p.stage_ages:
            d = community_demand(persons, stage, year, rate=p.rate(stage), ages=p.stage_ages)
            d["stage"] = stage
            d["year"] = year
            d_rows.append(d)
    demand = pd.concat(d_rows, ignore_index=True)
    demand["projected"] = demand["year"].isin(projected_years)
    demand["township_id"] = demand["community_id"].astype(str).map(town_of)
    demand["county"] = "county"
    demand["core"] = demand["township_id"].isin(core).map({True: "urban_core", False: None})

    supplies = {y: stage_supply(frames, y, p) for y in census_years}
    s_rows = []
    for year in years:
        src = max([y for y in census_years if y <= year], default=census_years[0])
        s = supplies[src].copy()
        s["year"] = year
        s_rows.append(s)
    supply = pd.concat(s_rows, ignore_index=True)
    supply["supply_stage"] = supply["stage"]
    to_demand = {ss: ds for ds, sss in SUPPLY_FOR.items() for ss in sss}
    supply["stage"] = supply["stage"].map(to_demand)
    supply = supply[supply["stage"].notna()]
    supply["county"] = "county"
    supply["core"] = supply["township_id"].astype(str).isin(core).map({True: "urban_core", False: None})

    tnames = dict(zip(towns["township_id"].astype(str), towns["name"].astype(str), strict=True))
    parts = [
        _area_frame(demand, supply, "county", "county", {"county": "全县"}, projected_years),
        _area_frame(demand, supply, "township_id", "township", tnames, projected_years),
        _area_frame(
            demand[demand["core"].notna()],
            supply[supply["core"].notna()],
            "core",
            "urban_core",
            {"urban_core": "城区"},
            projected_years,
        ),
    ]
    if catchments:
        snames = dict(zip(frames["schools"]["school_id"], frames["schools"]["name"], strict=True))
        demand["school_id"] = demand["community_id"].astype(str).map(dict(catchments))
        taught = set(zip(supply["school_id"], supply["stage"], strict=True))
        dc = demand[[(s, st) in taught for s, st in zip(demand["school_id"], demand["stage"], strict=True)]]
        cf = _area_frame(dc, supply, "school_id", "catchment", snames, projected_years)
        parts.append(cf[[(s, st) in taught for s, st in zip(cf["area_id"], cf["stage"], strict=True)]])
    areas = pd.concat(parts, ignore_index=True)
    areas = areas[["area_kind", "area_id", "area_name", "stage", "year", "projected", "demand", "supply", "gap"]]
    areas["projected"] = areas["projected"].astype(bool)
    plan = big_class_plan(frames, p)
    ms = milestones(frames, plan, p, projection.horizon)
    sup = pd.concat([supplies[y].assign(year=y) for y in census_years], ignore_index=True)
    return SeatPlan(areas.reset_index(drop=True), sup, plan, ms, projection.horizon, p)

"""Facilities the network norms require (第1、4、5条; T-PRE-2/3, T-CMP-3; STANDARDS.md PN).

Rules, each a row kind of the result (numbers are `PlanningParams` fields):
- kg_community (第1条, the urban planning norm): an urban community of ≥ 1200 households builds its own kindergarten, one per 1200
  households (floor) of ≥ 6 classes: required = ⌊households / 1200⌋, minus the kindergartens already
  in it; each sized max(6, PN size for residents / required).
- kg_joint (第1条): smaller urban communities of a township build jointly, one kindergarten per
  3,000–12,000 residents: required = ⌈residents / 12,000⌉ when their residents reach 3,000, minus the
  kindergartens in them; sized by PN for the residents each serves.
- kg_village (第1条; B-1-VILLAGE-KG): an administrative village of ≥ 2000 residents without a public
  kindergarten gets one, sized by PN for its residents.
- kg_township (T-PRE-3; 第1条 一乡一园): a township without an open public kindergarten; sized by
  the township's kindergarten demand (persons 3–5 × 90%) at 30 a class, 3–12 classes (PN).
- kg_separate (第1条): preschool classes attached to a primary school or teaching point are separated
  into an independent kindergarten of as many classes.
- primary_urban / junior_urban (第4条): in an urban-core township one complete primary school per
  ≥ 10,000 residents and one junior high school per ≥ 30,000 (floor, a parameter); the new schools'
  size is the township's stage demand per required school at the CS class size (45 / 50).
- boarding_or_nine_year (T-CMP-3; 第5条): a township without an open boarding compulsory school and
  without a nine-year school; sized by the township's primary and junior demand (45 / 50 a class).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.messages import Msg, Num, encode
from countyedu.planning.demand import community_demand
from countyedu.planning.params import PlanningParams
from countyedu.planning.projection import Projection
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, worded

KINDS: dict[str, tuple[Msg, str]] = {
    # kind → (what it is, clause)
    "kg_community": (Msg("kindergarten of a community of ≥ 1200 households"), "第1条; T-PRE-2; PN"),
    "kg_joint": (Msg("joint kindergarten of smaller communities"), "第1条; PN"),
    "kg_village": (Msg("public kindergarten of a village of ≥ 2000 residents"), "第1条; PN"),
    "kg_township": (Msg("independent public township kindergarten"), "T-PRE-3; 第1条; PN"),
    "kg_separate": (Msg("attached preschool classes made an independent kindergarten"), "第1条"),
    "primary_urban": (Msg("urban complete primary school"), "第4条; CS"),
    "junior_urban": (Msg("urban junior high school"), "第4条; CS"),
    "boarding_or_nine_year": (Msg("boarding or nine-year school"), "T-CMP-3; 第5条; CS"),
}
NEED_COLUMNS = [
    "kind",
    "township_id",
    "township_name",
    "community_id",
    "community_name",
    "count",
    "classes",
    "seats",
    "clause",
    "rule",
    "trigger",
]


def open_schools(schools: pd.DataFrame, year: int) -> pd.DataFrame:
    """Schools open in `year` (opened_year ≤ year < closed_year; unknown years count as open)."""
    opened = pd.to_numeric(schools["opened_year"], errors="coerce")
    closed = pd.to_numeric(schools["closed_year"], errors="coerce")
    ok = (opened.isna() | (opened <= year)) & (closed.isna() | (closed > year))
    return schools[ok.to_numpy()]


@dataclass
class FacilityNeeds:
    """The facilities the norms require in `year`, one row per need (kind, place, size, clause, trigger)."""

    year: int
    needs: pd.DataFrame  # NEED_COLUMNS
    params: PlanningParams = field(default_factory=PlanningParams)

    def as_dict(self) -> dict[str, Any]:
        rows = []
        for r in self.needs.to_dict(orient="records"):
            rows.append(
                {
                    k: (
                        encode(v)
                        if isinstance(v, Msg)
                        else None
                        if (not isinstance(v, str) and pd.isna(v))
                        else (v.item() if hasattr(v, "item") else v)
                    )
                    for k, v in r.items()
                }
            )
        return {
            "year": self.year,
            "needs": rows,
            "by_kind": {str(k): int(v) for k, v in self.needs.groupby("kind")["count"].sum().items()},
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The facilities required, as one block (its texts messages, worded in `lang` when given)."""
        cols = [
            BlockColumn("kind", Msg("facility")),
            BlockColumn("where", Msg("where")),
            BlockColumn("count", Msg("number"), "count"),
            BlockColumn("classes", Msg("classes each"), "count"),
            BlockColumn("seats", Msg("seats each"), "count"),
            BlockColumn("clause", Msg("clause")),
            BlockColumn("trigger", Msg("trigger")),
        ]
        rows: list[list[Any]] = []
        for r in self.needs.itertuples():
            where = r.township_name + (
                f" {r.community_name}" if isinstance(r.community_name, str) and r.community_name else ""
            )
            rows.append(
                [
                    KINDS[r.kind][0],
                    where,
                    int(r.count),
                    None if pd.isna(r.classes) else int(r.classes),
                    None if pd.isna(r.seats) else int(r.seats),
                    r.clause,
                    r.trigger,
                ]
            )
        n = int(self.needs["count"].sum()) if not self.needs.empty else 0
        para = Msg(
            "{count} facilities required in {year} by 第1、4、5条 and the planning norms (PN).",
            count=Num(n, "count"),
            year=Num(self.year, "year"),
        )
        blocks = [
            Block(
                id="planning.facility_needs",
                title=Msg("Facilities required by the planning norms"),
                clause="第1、4、5条; T-PRE-2; T-PRE-3; T-CMP-3; PN",
                paragraphs=[para],
                tables=[BlockTable(Msg("Facilities required"), cols, rows, clause="第1、4、5条; PN")],
            )
        ]
        return worded(blocks, lang)


def _demand(persons: pd.DataFrame | None, stage: str, year: int, p: PlanningParams) -> pd.Series | None:
    if persons is None or persons.empty or not (persons["year"] == year).any():
        return None
    d = community_demand(persons, stage, year, rate=p.rate(stage), ages=p.stage_ages)
    return d.set_index(d["community_id"].astype(str))["demand"]


def facility_needs(
    frames: Mapping[str, pd.DataFrame],
    year: int,
    params: PlanningParams | None = None,
    projection: Projection | None = None,
) -> FacilityNeeds:
    """The facilities 第1、4、5条 and PN require in `year` (see the module for each rule)."""
    p = params or PlanningParams()
    comm = frames["communities"].copy()
    comm["community_id"] = comm["community_id"].astype(str)
    towns = frames["townships"].copy()
    tname = dict(zip(towns["township_id"].astype(str), towns["name"].astype(str), strict=True))
    schools = open_schools(frames["schools"], year)
    persons = projection.persons if projection is not None else frames.get("population")
    demand = {s: _demand(persons, s, year, p) for s in ("kindergarten", "primary", "junior")}
    needs: list[dict[str, Any]] = []

    def add(
        kind: str,
        town: str,
        community: str | None,
        count: int,
        classes: int | None,
        seats: int | None,
        rule: Msg,
        trigger: Msg,
    ) -> None:
        cname = None
        if community is not None:
            cname = str(comm.loc[comm["community_id"] == community, "name"].iloc[0])
        needs.append(
            {
                "kind": kind,
                "township_id": town,
                "township_name": tname.get(town, town),
                "community_id": community,
                "community_name": cname,
                "count": count,
                "classes": classes,
                "seats": seats,
                "clause": KINDS[kind][1],
                "rule": rule,
                "trigger": trigger,
            }
        )

    kg = schools[schools["stage"] == "kindergarten"]
    kg_in = kg.groupby(kg["community_id"].astype(str)).size()
    public_kg_in = kg[kg["ownership"] == "public"].groupby(kg["community_id"].astype(str)).size()
    for r in comm.itertuples():
        hh = None if pd.isna(r.households) else int(r.households)
        res = None if pd.isna(r.residents) else int(r.residents)
        have = int(kg_in.get(r.community_id, 0))
        if r.kind == "urban_community" and hh is not None and hh >= p.kg_households:
            required = hh // p.kg_households
            if required > have:
                size = p.kg_min_classes if res is None else max(p.kg_min_classes, p.kg_classes_for(res / required))
                add(
                    "kg_community",
                    str(r.township_id),
                    r.community_id,
                    required - have,
                    size,
                    size * p.kg_seats_per_class,
                    Msg(
                        "one kindergarten of at least {classes} classes per {households} households",
                        classes=p.kg_min_classes,
                        households=Num(p.kg_households, "count"),
                    ),
                    Msg(
                        "{households} households, {residents} residents, {kindergartens} kindergartens, "
                        "{required} required",
                        households=Num(hh, "count"),
                        residents="—" if res is None else Num(res, "count"),
                        kindergartens=have,
                        required=required,
                    ),
                )
        if (
            r.kind == "village"
            and res is not None
            and res >= p.village_kg_residents
            and int(public_kg_in.get(r.community_id, 0)) == 0
        ):
            size = p.kg_classes_for(res)
            add(
                "kg_village",
                str(r.township_id),
                r.community_id,
                1,
                size,
                size * p.kg_seats_per_class,
                Msg(
                    "a public kindergarten in every village of at least {residents} residents",
                    residents=Num(p.village_kg_residents, "count"),
                ),
                Msg("{residents} residents, no public kindergarten", residents=Num(res, "count")),
            )
    small = comm[(comm["kind"] == "urban_community") & (comm["households"].fillna(0) < p.kg_households)]
    for town, g in small.groupby(small["township_id"].astype(str)):
        res_total = float(g["residents"].fillna(0).sum())
        if res_total < p.kg_residents_min:
            continue
        required = math.ceil(res_total / p.kg_residents_max)
        have = int(sum(kg_in.get(c, 0) for c in g["community_id"]))
        if required > have:
            size = p.kg_classes_for(res_total / required)
            add(
                "kg_joint",
                str(town),
                None,
                required - have,
                size,
                size * p.kg_seats_per_class,
                Msg(
                    "one joint kindergarten per {low}–{high} residents of small communities",
                    low=Num(p.kg_residents_min, "count"),
                    high=Num(p.kg_residents_max, "count"),
                ),
                Msg(
                    "{communities} small communities, {residents} residents, {kindergartens} kindergartens, "
                    "{required} required",
                    communities=len(g),
                    residents=Num(round(res_total), "count"),
                    kindergartens=have,
                    required=required,
                ),
            )

    def town_demand(stage: str, town: str) -> float | None:
        d = demand[stage]
        if d is None:
            return None
        ids = comm.loc[comm["township_id"].astype(str) == town, "community_id"]
        return float(d.reindex(ids, fill_value=0.0).sum())

    for town in towns["township_id"].astype(str):
        s = schools[schools["township_id"].astype(str) == town]
        if not ((s["stage"] == "kindergarten") & (s["ownership"] == "public")).any():
            dk = town_demand("kindergarten", town)
            size = 3 if dk is None else min(12, max(3, math.ceil(dk / p.kg_seats_per_class)))
            add(
                "kg_township",
                town,
                None,
                1,
                size,
                size * p.kg_seats_per_class,
                Msg("at least one independent public kindergarten in every township"),
                Msg("no public kindergarten; preschool demand {demand}", demand="—" if dk is None else round(dk)),
            )
        boarding = s["stage"].isin(["primary", "junior", "nine_year"]) & s["boarding"].astype(bool)
        if not (boarding | (s["stage"] == "nine_year")).any():
            dp, dj = town_demand("primary", town), town_demand("junior", town)
            cp = p.class_size["complete_primary"]
            cj = p.class_size["junior"]
            classes = None if dp is None or dj is None else math.ceil(dp / cp) + math.ceil(dj / cj)
            seats = None if dp is None or dj is None else math.ceil(dp / cp) * cp + math.ceil(dj / cj) * cj
            add(
                "boarding_or_nine_year",
                town,
                None,
                1,
                classes,
                seats,
                Msg("a boarding or nine-year school in every township"),
                Msg(
                    "no boarding compulsory school and no nine-year school; primary demand {primary}, junior demand "
                    "{junior}",
                    primary="—" if dp is None else Num(round(dp), "count"),
                    junior="—" if dj is None else Num(round(dj), "count"),
                ),
            )
    core = towns.loc[towns["urban_core"].astype(bool), "township_id"].astype(str)
    for town in core:
        res_total = float(comm.loc[comm["township_id"].astype(str) == town, "residents"].fillna(0).sum())
        s = schools[schools["township_id"].astype(str) == town]
        for kind, stage, per, stages in (
            ("primary_urban", "primary", p.primary_residents, ["primary", "nine_year", "twelve_year"]),
            (
                "junior_urban",
                "junior",
                p.junior_residents,
                ["junior", "nine_year", "complete_secondary", "twelve_year"],
            ),
        ):
            raw = res_total / per
            required = math.floor(raw) if p.school_count_rounding == "floor" else math.ceil(raw)
            have = int(s["stage"].isin(stages).sum())
            if required <= have:
                continue
            size_at = p.class_size["complete_primary" if stage == "primary" else "junior"]
            dem = town_demand(stage, town)
            classes = None if dem is None else max(1, math.ceil(dem / required / size_at))
            add(
                kind,
                town,
                None,
                required - have,
                classes,
                None if classes is None else classes * size_at,
                Msg(
                    "one {school} per {residents} urban residents",
                    school=Msg("complete primary school") if stage == "primary" else Msg("junior high school"),
                    residents=Num(per, "count"),
                ),
                Msg(
                    "{residents} residents, {schools} schools, {required} required",
                    residents=Num(round(res_total), "count"),
                    schools=have,
                    required=required,
                ),
            )
    c = frames["classes"]
    att = c[(c["year"] == year) & c["grade"].str.startswith("K")]
    att = att[att["school_id"].isin(schools.loc[schools["stage"].isin(["primary", "teaching_point"]), "school_id"])]
    for sid, g in att.groupby("school_id"):
        row = schools[schools["school_id"] == sid].iloc[0]
        add(
            "kg_separate",
            str(row["township_id"]),
            None if pd.isna(row["community_id"]) else str(row["community_id"]),
            1,
            len(g),
            len(g) * p.kg_seats_per_class,
            Msg("attached preschool classes of township primary schools become independent kindergartens"),
            Msg(
                "{school}: {classes} attached preschool classes, {pupils} pupils",
                school=str(row["name"]),
                classes=len(g),
                pupils=Num(int(g["pupils"].sum()), "count"),
            ),
        )
    out = pd.DataFrame(needs, columns=NEED_COLUMNS)
    out["classes"] = out["classes"].astype("Int64")
    out["seats"] = out["seats"].astype("Int64")
    return FacilityNeeds(year, out, p)

"""The words of siting and consolidation: their plans as blocks (titles, tables, paragraphs, findings),
computed once with message keys (`Msg`) and worded at the edge."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from countyedu.messages import Code, Msg, Num, Text
from countyedu.planning.siting.terms import CLAUSE, CONSOLIDATION_CLAUSE, KEEP, MERGE_ALL, OPTIMISE
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, worded

if TYPE_CHECKING:  # the plans call these functions from their blocks(): no import back at run time
    from countyedu.planning.siting.consolidation import ConsolidationPlan
    from countyedu.planning.siting.model import SitingPlan

REASONS = {
    "saves": Msg("merging costs less a year than keeping it"),
    "reach": Msg("no other school within walking distance, no boarding school within reach"),
    "cost": Msg("keeping it costs less a year than merging"),
    "seats": Msg("the schools within reach have no seats to spare"),
}
SCENARIOS = {KEEP: Msg("keep all"), OPTIMISE: Msg("optimised"), MERGE_ALL: Msg("merge every small school")}
STEPS = {
    "no_intake": Msg("no new intake (grade 1 enrols at the receiving school)"),
    "move": Msg("remaining grades move"),
    "closed": Msg("school closed, the building put to other use (第5条)"),
}


def _status(status: str) -> Code:
    return Code("solver_status", status)


def _worded(blocks: list[Block], lang: str | None) -> list[Block]:
    return worded(blocks, lang)


def siting_blocks(plan: SitingPlan, lang: str | None = None) -> list[Block]:
    """The plan's blocks (their texts messages, worded in `lang` when given)."""

    def nm(i: Any) -> str:
        return plan.names.get(str(i), str(i))

    pupils = int(plan.assignments["pupils"].sum())
    s = plan.sites
    new = tuple(nm(i) for i in plan.opened if i in set(s.loc[~s["existing"], "site_id"]))
    para: Text = Msg(
        "{opened} sites open, {closed} closed; all {pupils} pupils assigned, {pupil_km} pupil-km, {boarders} "
        "boarders; objective {objective}, bound {bound}, gap {gap}, status {status}.",
        opened=len(plan.opened),
        closed=len(plan.closed),
        pupils=Num(pupils, "count"),
        pupil_km=Num(plan.pupil_km, "", 1),
        boarders=Num(plan.boarders, "count"),
        objective=Num(plan.objective, "", 1),
        bound=Num(plan.bound, "", 1),
        gap=Num(plan.gap, "share", 2),
        status=_status(plan.status),
    )
    if new:
        para = Msg("{text} New sites opened: {sites}.", text=para, sites=new)
    table = BlockTable(
        title=Msg("Sites"),
        columns=[
            BlockColumn("site_id", Msg("site")),
            BlockColumn("existing", Msg("existing")),
            BlockColumn("open", Msg("opened here")),
            BlockColumn("pupils", Msg("pupils"), "count"),
            BlockColumn("capacity", Msg("seats"), "count"),
            BlockColumn("utilisation", Msg("utilisation"), "share"),
        ],
        rows=[
            [nm(r.site_id), bool(r.existing), bool(r.open), int(r.pupils), int(r.capacity), _num(r.utilisation)]
            for r in s.itertuples()
        ],
        clause=CLAUSE,
    )
    a = plan.assignments
    assign = BlockTable(
        title=Msg("Community → site"),
        columns=[
            BlockColumn("community_id", Msg("community")),
            BlockColumn("site_id", Msg("site")),
            BlockColumn("pupils", Msg("pupils"), "count"),
            BlockColumn("km", Msg("distance (km)"), "km"),
            BlockColumn("boarder", Msg("boarders")),
        ],
        rows=[[nm(r.community_id), nm(r.site_id), int(r.pupils), _num(r.km), bool(r.boarder)] for r in a.itertuples()],
        clause=CLAUSE,
    )
    over = s[s["pupils"] > s["capacity"]]
    blocks = [
        Block(
            id="planning.siting",
            title=Msg("Siting"),
            clause=CLAUSE,
            paragraphs=[para, *plan.notes],
            findings=[
                Finding(
                    CLAUSE,
                    Msg("every pupil assigned to an open site within capacity"),
                    f"{pupils:,}",
                    "met" if over.empty else "not_met",
                )
            ],
            tables=[table, assign],
        )
    ]
    return worded(blocks, lang)


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _int(v: Any) -> int | None:
    return None if pd.isna(v) else int(v)


def consolidation_blocks(plan: ConsolidationPlan, lang: str | None = None) -> list[Block]:
    """The plan's block (its texts messages, worded in `lang` when given)."""
    p = plan.params

    def nm(i: Any) -> str:
        return "" if i is None or (isinstance(i, float) and math.isnan(i)) else plan.names.get(str(i), str(i))

    c = plan.candidates
    cand = BlockTable(
        title=Msg("Teaching points and small rural schools (the optimised choice)"),
        columns=[
            BlockColumn("school_id", Msg("school")),
            BlockColumn("pupils", Msg("pupils"), "count"),
            BlockColumn("receiving_id", Msg("receiving school")),
            BlockColumn("km", Msg("distance (km)"), "km"),
            BlockColumn("boarders", Msg("boarders"), "count"),
            BlockColumn("keep_yuan", Msg("top-up to keep (yuan/year)"), "yuan"),
            BlockColumn("move_yuan", Msg("travel and boarding if merged (yuan/year)"), "yuan"),
            BlockColumn("merge", Msg("merge")),
            BlockColumn("reason", Msg("why")),
        ],
        rows=[
            [
                nm(r.school_id),
                int(r.demand),
                nm(r.receiving_id),
                _num(r.km),
                int(r.boarders),
                _num(r.keep_yuan),
                _num(r.move_yuan),
                bool(r.merge),
                REASONS.get(r.reason, ""),
            ]
            for r in c.itertuples()
        ],
        note=Msg(
            "small: rural schools under {small} pupils or teaching points (PN; 第5条); walking limit {walk} km, beyond "
            "it boarding (≤ {board} km); keep: the top-up to {funded} funded pupils; merge: {per_km} yuan per "
            "pupil-km (daily) or boarding {boarder} yuan + {boarder_km} yuan per km",
            small=p.small_below,
            walk=f"{p.max_km:g}",
            board=f"{p.boarding_km:g}",
            funded=p.funded_as,
            per_km=f"{p.yuan_per_pupil_km:g}",
            boarder=f"{p.boarder_yuan:g}",
            boarder_km=f"{p.boarder_yuan_per_km:g}",
        ),
        clause="第5条; PN; FD",
    )
    sc = BlockTable(
        title=Msg("Scenarios compared"),
        columns=[
            BlockColumn("name", Msg("consolidation scenario")),
            BlockColumn("merged", Msg("schools merged"), "count"),
            BlockColumn("pupil_km", Msg("travel (pupil-km)"), "km"),
            BlockColumn("added_pupil_km", Msg("added travel (pupil-km)"), "km"),
            BlockColumn("seats_short", Msg("seats short"), "count"),
            BlockColumn("big_classes", Msg("big classes created (≥ 56)"), "count"),
            BlockColumn("boarders", Msg("boarders"), "count"),
            BlockColumn("funds_yuan", Msg("operating funds (yuan/year)"), "yuan"),
            BlockColumn("cost_yuan", Msg("total cost (yuan/year)"), "yuan"),
            BlockColumn("note", Msg("note")),
        ],
        rows=[
            [
                scenario_name(r.name, r.mode),
                _int(r.merged),
                _num(r.pupil_km),
                _num(r.added_pupil_km),
                _int(r.seats_short),
                _int(r.big_classes),
                _int(r.boarders),
                _num(r.funds_yuan),
                _num(r.cost_yuan),
                r.note,
            ]
            for r in plan.scenarios.itertuples()
        ],
        note=Msg(
            "funds: {per_pupil} yuan per pupil (FD), small schools funded as {funded} pupils (第5/22条), +{boarder} "
            "yuan per boarder (第5条); total = funds + boarder subsidy + travel ({per_km} yuan per daily pupil-km, "
            "{boarder_km} per boarder-km, assumed); big classes: pupils spread evenly over the receiving school's "
            "classes (at least one per {class_size})",
            per_pupil=f"{p.per_pupil_yuan:g}",
            funded=p.funded_as,
            boarder=f"{p.boarder_yuan:g}",
            per_km=f"{p.yuan_per_pupil_km:g}",
            boarder_km=f"{p.boarder_yuan_per_km:g}",
            class_size=p.class_size,
        ),
        clause="第5条; 第22条; CS; FD",
    )
    steps = BlockTable(
        title=Msg("Transition by year (the optimised choice)"),
        columns=[
            BlockColumn("year", Msg("year"), "year"),
            BlockColumn("step", Msg("step")),
            BlockColumn("schools", Msg("schools concerned")),
            BlockColumn("pupils", Msg("pupils moving"), "count"),
        ],
        rows=[
            [
                s["year"],
                STEPS.get(s["step"], s["step"]),
                Msg("{names}", names=tuple(nm(i) for i in s.get("schools", []))),
                int(s.get("pupils", 0)),
            ]
            for s in plan.schedule
        ],
        note=Msg("第5条: {years}-year transition (default, a parameter)", years=p.transition_years),
        clause="第5条",
    )
    opt = plan.scenarios[plan.scenarios["mode"] == OPTIMISE]
    findings = []
    if not opt.empty and bool(opt.iloc[0]["feasible"]):
        short = int(opt.iloc[0]["seats_short"])
        findings.append(
            Finding(
                "第5条; PN",
                Msg(
                    "after merging every pupil has a seat within {walk} km walking or {board} km boarding",
                    walk=f"{p.max_km:g}",
                    board=f"{p.boarding_km:g}",
                ),
                f"{short:,}",
                "met" if short == 0 else "not_met",
                Msg("seats short {count}", count=Num(short, "count")),
            )
        )
    blocks = [
        Block(
            id="planning.consolidation",
            title=Msg("Rural school consolidation and boarding"),
            clause=CONSOLIDATION_CLAUSE,
            paragraphs=_consolidation_paragraphs(plan, nm),
            findings=findings,
            tables=[cand, sc, steps],
        )
    ]
    return worded(blocks, lang)


def scenario_name(name: str, mode: str) -> Text:
    """A scenario's name: the one it was given, or its mode's words (the default scenarios)."""
    return SCENARIOS.get(mode, mode) if name == mode else name


def _consolidation_paragraphs(plan: ConsolidationPlan, nm: Any) -> list[Text]:
    out: list[Text] = []
    if plan.basis == "enrolment":
        out.append(
            Msg(
                "No population data for the year: the schools' current pupils, located at their school, are the demand."
            )
        )
    sc = plan.scenarios.set_index("mode")
    if OPTIMISE in sc.index and KEEP in sc.index:
        o, k = sc.loc[OPTIMISE], sc.loc[KEEP]
        if isinstance(o, pd.DataFrame):
            o = o.iloc[0]
        if isinstance(k, pd.DataFrame):
            k = k.iloc[0]
        if bool(o["feasible"]) and bool(k["feasible"]):
            cand = plan.candidates
            merged = cand[cand["merge"].eq(True)]  # None where a school's plan was not feasible
            saving = float(k["cost_yuan"]) - float(o["cost_yuan"])
            who = tuple(nm(i) for i in merged["school_id"])
            out.append(
                Msg(
                    "Optimised: {merged} of the {small} small schools merge ({who}); {pupils} pupils move, {boarders} "
                    "of them board; {saving} yuan a year less than keeping all, {travel} more pupil-km; status "
                    "{status} (gap {gap}).",
                    merged=len(merged),
                    small=len(plan.candidates),
                    who=who or Msg("none"),
                    pupils=Num(int(merged["demand"].sum()), "count"),
                    boarders=Num(int(merged["boarders"].sum()), "count"),
                    saving=Num(saving, "", 0),
                    travel=Num(float(o["pupil_km"]) - float(k["pupil_km"]), "", 1),
                    status=_status(plan.status),
                    gap=Num(plan.gap, "share", 2),
                )
            )
    for r in plan.scenarios.itertuples():
        if not bool(r.feasible):
            out.append(Msg("{name}: {note}", name=scenario_name(r.name, r.mode), note=r.note))
    out.append(
        Msg(
            "Method: each community's pupils and each small school's own pupils are assigned to open schools within "
            "capacity (capacitated facility location, HiGHS); the objective is the yearly cost (the top-up of small "
            "schools funded as 100 pupils, the boarder subsidy, travel); non-small schools stay open and take the "
            "communities' other pupils; a small school's pupils stay, walk to a school within the limit, or board."
        )
    )
    return out

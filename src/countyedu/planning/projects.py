"""Projects against 第4条's promises, and the seat balance with and without them.

- Promises (`PlanningParams.promises`, default the four named in 第4条): a promise matches every
  project of the projects sheet whose name contains one of its name fragments; its seats are the sum
  of theirs. Status, first that applies: `missing` (no project matches), `short` (fewer seats than
  promised), `late` (finished after the promised year, or unfinished and the promised year is past
  the last census year), `delivered` (done, in time, all seats), `pending` (not done, not yet due).
- Balance, per stage (the demand stages; vocational seats meet high-school demand, T-HS-1) and year
  at county level: supply with projects = the census supply of the year (the last census year's after
  it) + the seats of projects opening after the last census year (end_year + `project_open_offset`);
  supply without projects = that minus the seats of every project opened by the year. A project of a
  multi-stage school is split by the school's seat shares per stage (its grades' count if it has no
  census row yet). Balance = supply − demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import countyedu.planning.labels  # noqa: F401  (labels the project_promise codes of the blocks)
from countyedu.census.vocabulary import stage_key
from countyedu.messages import Code, Msg, Num
from countyedu.planning.params import PlanningParams, Promise
from countyedu.planning.projection import Projection
from countyedu.planning.seats import SUPPLY_FOR, SeatPlan, _stages_of_school, seat_plan
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding, Text, worded

_TO_DEMAND = {ss: ds for ds, sss in SUPPLY_FOR.items() for ss in sss}


def promise_status(promise: Promise, projects: pd.DataFrame, as_of: int) -> dict[str, Any]:
    """One 第4条 promise checked against the projects that match it by name."""
    names = projects["name"].astype(str)
    hit = projects[[any(n in name for n in promise.names) for name in names]]
    seats = int(hit["seats_added"].sum()) if not hit.empty else 0
    done = not hit.empty and bool((hit["status"] == "done").all())
    finished = int(hit["end_year"].max()) if not hit.empty else None
    if hit.empty:
        status = "missing"
    elif seats < promise.seats:
        status = "short"
    elif (done and finished is not None and finished > promise.end_year) or (not done and as_of > promise.end_year):
        status = "late"
    elif done:
        status = "delivered"
    else:
        status = "pending"
    return {
        "promise": promise.label,
        "clause": promise.clause,
        "seats_promised": promise.seats,
        "year_promised": promise.end_year,
        "projects": ", ".join(f"{r.project_id} {r.name}" for r in hit.itertuples()),
        "project_names": tuple(str(r.name) for r in hit.itertuples()),
        "seats": seats,
        "seat_shortfall": max(0, promise.seats - seats),
        "finished": finished,
        "years_late": max(0, finished - promise.end_year) if (finished is not None and done) else None,
        "status": status,
    }


def _project_parts(frames: Mapping[str, pd.DataFrame], supply: pd.DataFrame, p: PlanningParams) -> pd.DataFrame:
    """Each project's seats per demand stage and the year they open."""
    pr = frames["projects"]
    schools = frames["schools"].set_index("school_id")
    rows = []
    for r in pr.itertuples():
        sid = str(r.school_id)
        own = supply[supply["school_id"] == sid]
        if not own.empty:
            last = own[own["year"] == own["year"].max()]
            total = float(last["seats"].sum())
            shares = (
                {str(s): float(v) / total for s, v in last.groupby("stage")["seats"].sum().items()} if total else {}
            )
        else:
            shares = {}
        if not shares:
            kind = str(schools.at[sid, "stage"]) if sid in schools.index else str(r.stage)
            grades = _stages_of_school(kind) or _stages_of_school(str(r.stage))
            n = sum(grades.values())
            shares = {s: g / n for s, g in grades.items()} if n else {}
        for stage, share in shares.items():
            ds = _TO_DEMAND.get(stage)
            if ds is None:
                continue
            rows.append(
                {
                    "project_id": r.project_id,
                    "stage": ds,
                    "opens": int(r.end_year) + p.project_open_offset,
                    "seats": float(r.seats_added) * share,
                }
            )
    return pd.DataFrame(rows, columns=["project_id", "stage", "opens", "seats"])


@dataclass
class ProjectBalance:
    """第4条 promises vs the projects sheet, and the county seat balance with and without projects."""

    promises: pd.DataFrame  # see promise_status
    projects: pd.DataFrame  # the projects sheet + promise label
    balance: pd.DataFrame  # stage, year, projected, demand, supply_with, supply_without, balance_with, balance_without
    as_of: int
    params: PlanningParams = field(default_factory=PlanningParams)

    def as_dict(self) -> dict[str, Any]:
        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for r in df.to_dict(orient="records"):
                out.append(
                    {
                        k: (
                            list(v)
                            if isinstance(v, tuple)
                            else None
                            if (not isinstance(v, str) and pd.isna(v))
                            else (round(v, 1) if isinstance(v, float) else (v.item() if hasattr(v, "item") else v))
                        )
                        for k, v in r.items()
                    }
                )
            return out

        return {
            "as_of": self.as_of,
            "promises": rec(self.promises),
            "projects": rec(self.projects),
            "balance": rec(self.balance),
        }

    def _promise(self, label: str) -> Msg | str:
        """A promise in words made from its data (the schools named, the seats, the years)."""
        p = next((x for x in self.params.promises if x.label == label), None)
        if p is None:
            return label
        years = Num(p.end_year, "year") if p.start_year == p.end_year else f"{p.start_year}–{p.end_year}"
        return Msg("{names} +{seats} seats ({years})", names=tuple(p.names), seats=Num(p.seats, "count"), years=years)

    def findings(self) -> list[Finding]:
        out = []
        for r in self.promises.itertuples():
            status = "met" if r.status == "delivered" else ("at_risk" if r.status == "pending" else "not_met")
            expl = Msg(
                "promised {promised} seats by {year}; projects: {projects}; seats {seats}, finished {finished} "
                "({status})",
                promised=Num(r.seats_promised, "count"),
                year=Num(r.year_promised, "year"),
                projects=tuple(r.project_names) or Msg("none"),
                seats=Num(r.seats, "count"),
                finished="—" if r.finished is None or pd.isna(r.finished) else Num(r.finished, "year"),
                status=Code("project_promise", r.status),
            )
            out.append(Finding(r.clause, self._promise(r.promise), f"{r.seats}", status, expl))
        return out

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The promises and the seat balance as one block (its texts messages, worded in `lang` when given)."""
        b = self.balance.sort_values(["stage", "year"], key=stage_key)
        cols = [
            BlockColumn("year", Msg("year"), "year"),
            BlockColumn("stage", Msg("stage")),
            BlockColumn("demand", Msg("demand"), "count"),
            BlockColumn("balance_with", Msg("balance with projects"), "count"),
            BlockColumn("balance_without", Msg("balance without projects"), "count"),
            BlockColumn("projected", Msg("projected")),
        ]
        rows: list[list[Any]] = [
            [
                int(r.year),
                Code("education_stage", r.stage),
                round(r.demand),
                round(r.balance_with),
                round(r.balance_without),
                bool(r.projected),
            ]
            for r in b.itertuples()
        ]
        years = sorted(int(y) for y in b["year"].unique())
        series: dict[Text, list[float | None]] = {}
        for stage in ("primary", "junior"):
            s = b[b["stage"] == stage].set_index("year")
            if s.empty:
                continue
            name = Code("education_stage", stage)
            series[Msg("{stage} with projects", stage=name)] = [float(round(s.at[y, "balance_with"])) for y in years]
            series[Msg("{stage} without", stage=name)] = [float(round(s.at[y, "balance_without"])) for y in years]
        chart = BlockChart(
            Msg("Compulsory seat balance with and without projects"),
            "line",
            [str(y) for y in years],
            series,
            Msg("seats"),
            "count",
        )
        pcols = [
            BlockColumn("promise", Msg("promise")),
            BlockColumn("projects", Msg("projects")),
            BlockColumn("seats", Msg("seats"), "count"),
            BlockColumn("finished", Msg("finished"), "year"),
            BlockColumn("status", Msg("status")),
        ]
        prow: list[list[Any]] = [
            [
                self._promise(r.promise),
                Msg("{names}", names=tuple(r.project_names)) if len(r.project_names) else "",
                int(r.seats),
                r.finished,
                Code("project_promise", r.status),
            ]
            for r in self.promises.itertuples()
        ]
        blocks = [
            Block(
                id="planning.projects",
                title=Msg("第4条 projects and the seat balance"),
                clause="第4条; T-CMP-1",
                paragraphs=[
                    Msg(
                        "Projects matched by name to 第4条's promises; the balance starts from the {year} census "
                        "seats, plus the seats of projects finishing later (with), or minus those of projects "
                        "already finished (without).",
                        year=Num(self.as_of, "year"),
                    )
                ],
                findings=self.findings(),
                tables=[
                    BlockTable(Msg("Projects promised in 第4条"), pcols, prow, clause="第4条"),
                    BlockTable(Msg("County seat balance"), cols, rows, clause="第4条; T-CMP-1"),
                ],
                charts=[chart],
            )
        ]
        return worded(blocks, lang)


def project_balance(
    frames: Mapping[str, pd.DataFrame],
    seat_plan_or_projection: SeatPlan | Projection,
    params: PlanningParams | None = None,
) -> ProjectBalance:
    """Each 第4条 promise vs the projects sheet, and the seat balance by stage and year with and
    without the projects (see the module)."""
    p = params or PlanningParams()
    plan = (
        seat_plan_or_projection
        if isinstance(seat_plan_or_projection, SeatPlan)
        else seat_plan(frames, seat_plan_or_projection, p)
    )
    census_years = sorted(int(y) for y in plan.supply["year"].unique())
    as_of = census_years[-1]
    projects = frames["projects"].copy()
    promises = pd.DataFrame([promise_status(pr, projects, as_of) for pr in p.promises])
    label = {}
    for pr in p.promises:
        for r in projects.itertuples():
            if any(n in str(r.name) for n in pr.names):
                label[r.project_id] = pr.label
    projects["promise"] = projects["project_id"].map(label)

    parts = _project_parts(frames, plan.supply, p)
    county = plan.county()[["stage", "year", "projected", "demand", "supply"]].copy()
    rows = []
    for r in county.itertuples():
        sp = parts[parts["stage"] == r.stage]
        future = float(sp[(sp["opens"] > as_of) & (sp["opens"] <= r.year)]["seats"].sum())
        opened = float(sp[sp["opens"] <= r.year]["seats"].sum())
        with_ = float(r.supply) + future
        rows.append(
            {
                "stage": r.stage,
                "year": int(r.year),
                "projected": bool(r.projected),
                "demand": float(r.demand),
                "supply_with": with_,
                "supply_without": with_ - opened,
                "balance_with": with_ - float(r.demand),
                "balance_without": with_ - opened - float(r.demand),
            }
        )
    balance = pd.DataFrame(rows).sort_values(["stage", "year"]).reset_index(drop=True)
    return ProjectBalance(promises, projects, balance, as_of, p)

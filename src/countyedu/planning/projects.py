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

from countyedu.census.vocabulary import stage_key
from countyedu.planning.params import PlanningParams, Promise
from countyedu.planning.projection import Projection
from countyedu.planning.seats import _ZH, SUPPLY_FOR, SeatPlan, _stages_of_school, seat_plan
from countyedu.runs.blocks import Block, BlockChart, BlockColumn, BlockTable, Finding, Text

STATUS_ZH = {"missing": "未立项", "short": "学位不足", "late": "逾期", "delivered": "按期完成", "pending": "未到期"}
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
                            None
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

    def findings(self, lang: str = "zh") -> list[Finding]:
        zh = lang == "zh"
        out = []
        for r in self.promises.itertuples():
            status = "met" if r.status == "delivered" else ("at_risk" if r.status == "pending" else "not_met")
            expl = (
                f"承诺 {r.seats_promised} 个学位、{r.year_promised} 年完成；项目：{r.projects or '无'}；"
                f"学位 {r.seats}，完成年份 {r.finished if r.finished is not None else '—'}（{STATUS_ZH[r.status]}）"
                if zh
                else f"promised {r.seats_promised} seats by {r.year_promised}; projects: {r.projects or 'none'}; "
                f"seats {r.seats}, finished {r.finished if r.finished is not None else '—'} ({r.status})"
            )
            out.append(Finding(r.clause, r.promise, f"{r.seats}", status, expl))
        return out

    def blocks(self, lang: str = "zh") -> list[Block]:
        zh = lang == "zh"
        b = self.balance.sort_values(["stage", "year"], key=stage_key)
        cols = [
            BlockColumn("year", "年份" if zh else "year", "year"),
            BlockColumn("stage", "学段" if zh else "stage"),
            BlockColumn("demand", "需求学位" if zh else "demand", "count"),
            BlockColumn("balance_with", "含项目余缺" if zh else "balance with projects", "count"),
            BlockColumn("balance_without", "不含项目余缺" if zh else "balance without projects", "count"),
            BlockColumn("projected", "预测" if zh else "projected"),
        ]
        rows = [
            [
                int(r.year),
                _ZH.get(r.stage, r.stage) if zh else r.stage,
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
            name = _ZH.get(stage, stage) if zh else stage
            series[f"{name}（含项目）" if zh else f"{name} with projects"] = [
                float(round(s.at[y, "balance_with"])) for y in years
            ]
            series[f"{name}（不含项目）" if zh else f"{name} without"] = [
                float(round(s.at[y, "balance_without"])) for y in years
            ]
        chart = BlockChart(
            "义务教育学位余缺：含与不含项目" if zh else "Compulsory seat balance with and without projects",
            "line",
            [str(y) for y in years],
            series,
            "学位" if zh else "seats",
            "count",
        )
        pcols = [
            BlockColumn("promise", "承诺" if zh else "promise"),
            BlockColumn("projects", "项目" if zh else "projects"),
            BlockColumn("seats", "学位" if zh else "seats", "count"),
            BlockColumn("finished", "完成年份" if zh else "finished", "year"),
            BlockColumn("status", "状态" if zh else "status"),
        ]
        prow = [
            [r.promise, r.projects, int(r.seats), r.finished, STATUS_ZH[r.status] if zh else r.status]
            for r in self.promises.itertuples()
        ]
        return [
            Block(
                id="planning.projects",
                title="第4条建设项目与学位平衡" if zh else "第4条 projects and the seat balance",
                clause="第4条; T-CMP-1",
                paragraphs=[
                    (
                        f"项目按名称对照第4条的承诺；学位平衡以 {self.as_of} 年普查学位为基础，加上此后竣工项目的学位（含项目），"
                        "或扣除已竣工项目的学位（不含项目）。"
                        if zh
                        else f"Projects matched by name to 第4条's promises; the balance starts from the {self.as_of} census "
                        "seats, plus the seats of projects finishing later (with), or minus those of projects already "
                        "finished (without)."
                    )
                ],
                findings=self.findings(lang),
                tables=[
                    BlockTable("第4条承诺项目" if zh else "Projects promised in 第4条", pcols, prow, clause="第4条"),
                    BlockTable("全县学位平衡" if zh else "County seat balance", cols, rows, clause="第4条; T-CMP-1"),
                ],
                charts=[chart],
            )
        ]


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

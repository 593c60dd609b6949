"""The whole planning of one census (issue 5), as the CLI, the web app and the report ask for it.

`run_planning` chains the parts: projection (and its back-test) → seats and 大班额 → facility norms →
projects → catchments per stage → consolidation. A part that cannot be computed from the census (no
population sheet, no coordinates…) does not stop the others: it becomes a block saying why, in the
user's language, so a planner sees what is missing. The numbers come from the packs the census is
assessed with (the caller's); `planning.kind` registers the run with countyedu.runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Text, translate
from countyedu.planning.labels import ERROR_TEXT
from countyedu.planning.params import PlanningParams, planning_params
from countyedu.roads.params import RoadParams
from countyedu.runs.blocks import Block, Finding, worded, words
from countyedu.runs.store import parameters

KIND = "planning"
CONSOLIDATION_STAGE = "primary"  # 第5条: teaching points and small rural primary schools


def planning_params_of(packs: Sequence[Any]) -> PlanningParams:
    """The planning parameters of the packs (the first that sets `parameters.planning`; defaults else)."""
    return planning_params({"planning": parameters(packs, "planning")})


@dataclass
class Failed:
    """A part of the planning that could not be computed, and why (the error's message)."""

    part: str
    title: Msg
    clause: str
    message: Text

    def as_dict(self) -> dict[str, Any]:
        return {"part": self.part, "error_zh": words(self.message, "zh"), "error_en": words(self.message, "en")}

    def blocks(self, lang: str | None = None) -> list[Block]:
        blocks = [
            Block(
                id=f"planning.{self.part}",
                title=self.title,
                clause=self.clause,
                findings=[Finding(self.clause, Msg("cannot be computed"), "—", "no_data", self.message)],
            )
        ]
        return worded(blocks, lang)


PARTS: dict[str, tuple[Msg, str]] = {
    "projection": (Msg("School-age population projection"), "第1、4、5条"),
    "projection_backtest": (Msg("Projection back-test"), "第1、4、5条"),
    "seats": (Msg("Seats and large classes"), "第4条; CS"),
    "facility_needs": (Msg("Facilities required by the norms"), "第1、4、5条; PN"),
    "projects": (Msg("Construction projects"), "第4条"),
    "catchments": (Msg("Catchments"), "第4条"),
    "consolidation": (Msg("Consolidation of teaching points and small schools"), "第5条"),
}


def error_text(exc: CountyEduError) -> Text:
    """The error's message as a text worded at the edge."""
    if isinstance(exc.message, Msg):
        return exc.message
    return Msg("{text}", text=Code(ERROR_TEXT, json.dumps([exc.message_zh, exc.message_en], ensure_ascii=False)))


def _attempt(part: str, compute: Callable[[], Any]) -> Any:
    """The part's result, or a Failed saying why (a CountyEduError: a fact about the census)."""
    try:
        return compute()
    except CountyEduError as exc:
        title, clause = PARTS[part.split(".")[0]]
        return Failed(part, title, clause, error_text(exc))


@dataclass
class PlanningRun:
    year: int
    horizon: int
    parts: dict[str, Any] = field(default_factory=dict)  # part → result object or Failed

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "horizon": self.horizon, **{k: v.as_dict() for k, v in self.parts.items()}}

    def blocks(self, lang: str | None = None) -> list[Block]:
        """Every part's blocks, computed once (their texts are messages, worded in `lang` when given)."""
        out: list[Block] = []
        for key, part in self.parts.items():
            blocks = part.blocks()
            if key.startswith("catchments.") and not isinstance(part, Failed):
                stage = key.split(".", 1)[1]
                blocks = [
                    replace(b, id=f"{b.id}.{stage}", title=Msg("{title} ({stage})", title=b.title, stage=_stage(stage)))
                    for b in blocks
                ]
            out += blocks
        return worded(out, lang)

    def failed(self) -> list[str]:
        return [k for k, v in self.parts.items() if isinstance(v, Failed)]

    def summary(self) -> dict[str, Any]:
        """A few headline numbers (for `countyedu demo` and logs)."""
        s: dict[str, Any] = {"year": self.year, "horizon": self.horizon, "failed": self.failed()}
        bt = self.parts.get("projection_backtest")
        if bt is not None and not isinstance(bt, Failed):
            s["backtest_mape"] = bt.as_dict().get("overall", {}).get("mape")
        needs = self.parts.get("facility_needs")
        if needs is not None and not isinstance(needs, Failed):
            s["facilities_required"] = len(needs.needs)
        for key, part in self.parts.items():
            if key.startswith("catchments.") and not isinstance(part, Failed):
                s[key] = {"status": part.status, "objective": part.objective, "gap": part.gap}
        return s


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The headline numbers of a planning run's summary, as lines."""
    lines = []
    if s.get("backtest_mape") is not None:
        lines.append(f"人口预测回测 / projection back-test MAPE: {s['backtest_mape']:.2%}")
    if "facilities_required" in s:
        lines.append(f"按规范需新建或补齐的设施 / facilities required by the norms: {s['facilities_required']}")
    for key, v in s.items():
        if key.startswith("catchments."):
            stage, status = _stage(key.split(".")[1]), Code("solver_status", v["status"])
            lines.append(
                f"划片（{translate(stage, 'zh')}）/ catchments ({translate(stage, 'en')}): "
                f"{translate(status, 'zh')} / {translate(status, 'en')}, {v['objective']:,.0f} 人·公里 pupil-km"
            )
    if s["failed"]:
        titles = [PARTS[k.split(".")[0]][0] for k in s["failed"]]
        lines.append(
            f"未能计算：{'、'.join(translate(t, 'zh') for t in titles)} / not computed: "
            + ", ".join(translate(t, "en") for t in titles)
        )
    return lines


def _stage(stage: str) -> Code:
    """A stage, labelled by the vocabulary when worded."""
    return Code("education_stage", stage)


def latest_year(frames: Mapping[str, pd.DataFrame]) -> int:
    """The census's latest school year (from classes, else school_years)."""
    from countyedu.census.years import years_of

    for sheet in ("classes", "school_years"):
        if held := years_of(frames, (sheet,)):
            return held[-1]
    raise CountyEduError(Msg("the census has no classes or school years"))


def run_planning(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Any],
    *,
    year: int | None = None,
    horizon: int = 2030,
    params: PlanningParams | None = None,
) -> PlanningRun:
    """Every part of the planning on one census with the packs' numbers (`params`: other planning
    parameters than the packs'; road km with the packs' road parameters); `year` (default the latest)
    is the catchment year."""
    from countyedu.planning.norms import facility_needs
    from countyedu.planning.projection import backtest, project
    from countyedu.planning.projects import project_balance
    from countyedu.planning.seats import seat_plan
    from countyedu.roads.travel import params_of

    p = params if params is not None else planning_params_of(packs)
    roads = params_of(packs)
    y = year if year is not None else latest_year(frames)
    run = PlanningRun(y, horizon)
    projection = _attempt("projection", lambda: project(frames, horizon=horizon, params=p))
    run.parts["projection"] = projection
    years = sorted(int(v) for v in frames["population"]["year"].unique()) if "population" in frames else []
    if len(years) >= 3:
        launch = years[-1] - min(3, len(years) - 2)
        run.parts["projection_backtest"] = _attempt("projection_backtest", lambda: backtest(frames, launch, params=p))
    if not isinstance(projection, Failed):
        plan = _attempt("seats", lambda: seat_plan(frames, projection, p))
        run.parts["seats"] = plan
        run.parts["facility_needs"] = _attempt("facility_needs", lambda: facility_needs(frames, y, p, projection))
        basis = plan if not isinstance(plan, Failed) else projection
        run.parts["projects"] = _attempt("projects", lambda: project_balance(frames, basis, p))
    else:
        run.parts["facility_needs"] = _attempt("facility_needs", lambda: facility_needs(frames, y, p))
    for stage in p.catchment_stages:
        run.parts[f"catchments.{stage}"] = _attempt(
            f"catchments.{stage}", partial(_catchments, frames, stage, y, p, roads, single=True)
        )
    run.parts["consolidation"] = _attempt(
        "consolidation", lambda: consolidation_for(frames, CONSOLIDATION_STAGE, y, packs)
    )
    return run


def _catchments(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int,
    params: PlanningParams,
    roads: RoadParams,
    *,
    single: bool,
    max_km: float | None = None,
    keep_current: bool = False,
    travel: pd.DataFrame | None = None,
) -> Any:
    from countyedu.planning.catchments import census_catchments

    return census_catchments(
        dict(frames),
        stage,
        year,
        rate=params.rate(stage),
        roads=roads,
        single=single,
        max_km=max_km,
        keep_current=keep_current,
        travel=travel,
    )


def catchment_map(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int | None,
    packs: Sequence[Any],
    *,
    single: bool = True,
    max_km: float | None = None,
    keep_current: bool = False,
    travel_path: Path | None = None,
) -> tuple[Any, list[dict[str, Any]]]:
    """A catchment plan for one stage and year, and its map points (communities → schools, with names:
    the block map's)."""
    from countyedu.planning.geo import read_travel
    from countyedu.roads.travel import params_of

    y = year if year is not None else latest_year(frames)
    travel = read_travel(travel_path) if travel_path is not None else None
    plan = _catchments(
        frames,
        stage,
        y,
        planning_params_of(packs),
        params_of(packs),
        single=single,
        max_km=max_km,
        keep_current=keep_current,
        travel=travel,
    )
    m = plan.block_map()
    return plan, (m.points if m else [])


def consolidation_for(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int | None,
    packs: Sequence[Any],
    *,
    max_km: float | None = None,
) -> Any:
    """第5条: teaching points and small rural schools that may merge, with the transition and scenarios."""
    from countyedu.planning.siting import ConsolidationParams, consolidation
    from countyedu.policy.funding import funding_params
    from countyedu.roads.travel import params_of

    y = year if year is not None else latest_year(frames)
    # the cost of keeping or merging a small school is the funding rule's (第5、22条), from one place
    money = funding_params({"funding": parameters(packs, "funding")})
    params = replace(
        ConsolidationParams.from_pack({"siting": parameters(packs, "siting")}),
        big_class=planning_params_of(packs).big_class_at_least,  # CS: one 大班额 threshold
        per_pupil_yuan=money.rate(stage, y),
        funded_as=money.floor(stage) or money.floor_primary,
        boarder_yuan=money.boarder_subsidy,
    )
    options: dict[str, Any] = {} if max_km is None else {"max_km": max_km}
    return consolidation(dict(frames), stage, y, params=params, roads=params_of(packs), **options)

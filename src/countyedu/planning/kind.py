"""Planning's entry in the registry of run kinds (countyedu.runs.registry): what `countyedu demo`,
`import` and `run planning`, the web's recompute, the API and the report chapter take up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.messages import Msg
from countyedu.planning.service import PlanningRun, run_planning, summary_lines
from countyedu.policy.pack import Pack
from countyedu.runs.registry import BUREAU_ADMIN, Param, ReportChapter, RunKind


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> PlanningRun:
    """Projection to the horizon, seats and 大班额, facility norms, projects, catchments (in `year`,
    default the latest) and consolidation, with the packs' planning parameters."""
    return run_planning(frames, packs, year=year, horizon=int(params["horizon"]))


KIND = RunKind(
    name="planning",
    label=Msg("Planning"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Planning: population, seats and school network"), sheet=Msg("Planning")),
    run_roles=(BUREAU_ADMIN, "planning"),
    params=(Param("horizon", Msg("the last year of the projection"), int, 2030, 2020, 2100),),
    messages=True,
    summary=PlanningRun.summary,
    summary_lines=summary_lines,
)

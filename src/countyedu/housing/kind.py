"""The housing register's entry in the registry of run kinds (countyedu.runs.registry): what
`countyedu demo`, `import` and `run housing`, the web's recompute, the API and the report chapter take up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.housing.params import housing_params
from countyedu.housing.register import HousingRegister, read_register
from countyedu.messages import Msg
from countyedu.planning.params import PlanningParams
from countyedu.policy.pack import Pack
from countyedu.private.kind import AS_OF
from countyedu.runs.registry import BUREAU_ADMIN, ReportChapter, RunKind
from countyedu.runs.store import parameters
from countyedu.supervision.kind import as_of_date as as_of_day


def run_housing(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None = None, as_of: Any = None
) -> HousingRegister:
    """The housing register as of `as_of` (default 31 December of `year`, else of the census's latest year)."""
    if year is None and not as_of:
        classes = frames.get("classes")
        year = int(classes["year"].max()) if classes is not None and len(classes) else None
    plan = PlanningParams(**parameters(packs, "planning"))
    return read_register(frames, as_of_day(as_of, year), housing_params(packs), plan)


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> HousingRegister:
    """The housing-development register, flagged as of the day given (第2、19条)."""
    return run_housing(frames, packs, year, params.get("as_of"))


def summary(result: HousingRegister) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The headline `countyedu demo` prints."""
    if not s.get("housing_projects"):
        return []
    return [
        f"住宅项目 {s['housing_projects']} 个，配套已移交 {s['facilities_handed_over']} 个，"
        f"{s['as_of']} 有问题 {s['flagged_projects']} 个 / {s['housing_projects']} housing projects, "
        f"{s['flagged_projects']} flagged as of {s['as_of']}"
    ]


KIND = RunKind(
    name="housing",
    label=Msg("Housing developments"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Housing developments"), sheet=Msg("Housing")),
    run_roles=(BUREAU_ADMIN, "planning"),
    params=(AS_OF,),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

"""Funding's entry in the registry of run kinds (countyedu.runs.registry): what `countyedu demo`,
`import` and `run funding`, the web's recompute, the API and the report chapter take up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.funding.run import FundingRun
from countyedu.funding.scenarios import BASELINES, PARAMETERS
from countyedu.funding.service import SCENARIO_FIELDS, run_with, summary, summary_lines
from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.registry import BUREAU_ADMIN, Param, ReportChapter, RunKind


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> FundingRun:
    """Per-pupil funds in `year` (default the latest), the budget plan, compliance and the after-school
    ledger, with the packs' funding parameters changed by the parameters given."""
    return run_with(frames, packs, year, params)


KIND = RunKind(
    name="funding",
    label=Msg("Funding"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Funding and budget"), sheet=Msg("Funding")),
    run_roles=(BUREAU_ADMIN, "finance"),
    # every scenario field of the pack's parameters, in the scenario form's words; None keeps the pack's value
    params=tuple(
        Param(
            name,
            PARAMETERS.get(name) or BASELINES.get(name.removeprefix("baseline_")) or words,
            int if name.startswith("floor_") else float,
            None,
            lo,
            hi,
        )
        for name, (words, lo, hi) in SCENARIO_FIELDS.items()
    ),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

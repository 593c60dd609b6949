"""Which stages the planning run draws catchments for is a planning parameter (pack
`parameters.planning.catchment_stages`, default the compulsory stages of 第4条), one definition."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from countyedu.planning.params import CATCHMENT_STAGES, PlanningParams
from countyedu.planning.service import run_planning
from countyedu.runs.store import load_packs
from demo_support import demo_frames


def test_it_draws_compulsory_catchments_by_default() -> None:
    assert PlanningParams().catchment_stages == ["primary", "junior"]
    assert set(PlanningParams().catchment_stages) <= set(CATCHMENT_STAGES)


def test_it_refuses_a_stage_no_catchment_is_drawn_for() -> None:
    with pytest.raises(ValidationError):
        PlanningParams(catchment_stages=["high"])  # type: ignore[list-item]


def test_a_pack_may_draw_kindergarten_catchments_instead() -> None:
    run = run_planning(
        demo_frames(), load_packs(), params=PlanningParams(catchment_stages=["kindergarten"]), horizon=2026
    )
    assert [k for k in run.parts if k.startswith("catchments.")] == ["catchments.kindergarten"]

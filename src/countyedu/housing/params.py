"""The housing register's rules (pack key `parameters.housing`); the norms themselves (households per
kindergarten, residents per primary school) are planning's (`parameters.planning`, 第1、4条; PN)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from countyedu.private.params import read_section


class HousingParams(BaseModel):
    """第2条 (小区配套园 built, accepted and handed over with the housing), 第19条 (no completion filing
    without the planned school)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Residents per household, to compare a project with the residents' norms of 第4条 (assumed: 2.8).
    persons_per_household: float = Field(default=2.8, gt=0, le=10)
    # What a handed-over facility must become (第2条: handed to the education department, run as public
    # or 普惠; assumed: both count).
    accepted_uses: tuple[str, ...] = ("public", "inclusive")
    # A facility not handed over within this many days of its due day is flagged due soon (assumed: 90).
    warning_days: int = Field(default=90, ge=0, le=3650)


CLAUSES: dict[str, str] = {
    "persons_per_household": "第4条; PN (assumed)",
    "accepted_uses": "第2条 (assumed)",
    "warning_days": "第2条 (assumed)",
}


def housing_params(packs: Sequence[Any] = ()) -> HousingParams:
    """The packs' `parameters.housing`."""
    return read_section(packs, "housing", HousingParams)

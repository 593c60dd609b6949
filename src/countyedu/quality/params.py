"""The quality parameters (pack key `parameters.quality`), each with its default and clause.

The policy asks for a quality evaluation and monitoring system judging schools on the same baseline
(第29条) and for better high-school results (第8条, T-HS-3); it fixes no thresholds. The rates below use
the shares of the full marks that Chinese schools commonly use (及格 60%, 优秀 85%, 低分 below 40%),
marked assumed: a pack may set others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.store import parameters


class Cohort(BaseModel):
    """One value-added pair: the intake exam and grade, the exit exam and grade, the years between."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    intake_exam: str
    intake_grade: str
    exit_exam: str
    exit_grade: str
    years: int = Field(ge=1, le=12)


class QualityParams(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # a score at or above this share of the full marks passes (及格; assumed 0.6)
    pass_share: float = Field(default=0.6, gt=0, le=1)
    # a score at or above this share is excellent (优秀; assumed 0.85)
    excellent_share: float = Field(default=0.85, gt=0, le=1)
    # a score below this share is a low score (低分; assumed 0.4)
    low_share: float = Field(default=0.4, ge=0, le=1)
    # QB-Q9: the between-school difference (pupil-weighted coefficient of variation of school means)
    # is below this (assumed 0.15)
    spread_limit: float = Field(default=0.15, ge=0)
    # value added: the confidence of the interval (第29条: a school of 30 is not ranked as precisely as
    # one of 600; assumed 0.95)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    # value added: a school with fewer matched pupils gets no estimate (too few; assumed 5)
    min_pupils: int = Field(default=5, ge=2)
    # the cohorts value added follows: a junior school from the 七年级 monitoring test to the 中考, a
    # high school from the 中考 to the 高考 (第7、8、29条; assumed)
    cohorts: tuple[Cohort, ...] = (
        Cohort(intake_exam="monitoring", intake_grade="J1", exit_exam="zhongkao", exit_grade="J3", years=2),
        Cohort(intake_exam="zhongkao", intake_grade="J3", exit_exam="gaokao", exit_grade="H3", years=3),
    )
    # T-HS-3: a candidate in the province's top this many of the 高考 counts
    top_n: int = Field(default=100, ge=1)
    # T-HS-3: 1–2 candidates a year: met from this many
    top_target: int = Field(default=1, ge=0)


# Clause ids of the fields (shown with the parameters in docs/quality.md and the run's JSON).
CLAUSES: dict[str, str] = {
    "pass_share": "第29条 (assumed)",
    "excellent_share": "第29条 (assumed)",
    "low_share": "第29条 (assumed)",
    "spread_limit": "QB-Q9 (assumed)",
    "confidence": "第29条 (assumed)",
    "min_pupils": "第29条 (assumed)",
    "cohorts": "第7、8、29条 (assumed)",
    "top_n": "T-HS-3",
    "top_target": "T-HS-3",
}


def quality_params(packs: Sequence[Any] | Mapping[str, Any] | None = None) -> QualityParams:
    """The quality parameters of the packs (the first that sets `parameters.quality`), or of a mapping
    (the section itself); a bad field is a CountyEduError naming `parameters.quality.<field>`."""
    if packs is None:
        raw: Mapping[str, Any] = {}
    elif isinstance(packs, Mapping):
        raw = packs
    else:
        raw = {**_t_hs_3(packs), **parameters(packs, "quality")}
    try:
        return QualityParams(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "quality." + ".".join(str(p) for p in first["loc"])
        raise CountyEduError(
            Msg("parameters.{field}: {problem}", field=where, problem=first["msg"]), field=where
        ) from None


def _t_hs_3(packs: Sequence[Any]) -> dict[str, Any]:
    """top_n and top_target from the packs' T-HS-3 indicator (formula gaokao_top: its rank_at_most and
    its first target), so the quality chapter and the assessment count alike unless
    parameters.quality sets them."""
    for pack in packs:
        for item in getattr(pack, "items", ()):
            if getattr(item, "formula", None) == "gaokao_top":
                out: dict[str, Any] = {}
                if "rank_at_most" in item.params:
                    out["top_n"] = int(item.params["rank_at_most"])
                if item.targets:
                    out["top_target"] = int(item.targets[0].value)
                return out
    return {}

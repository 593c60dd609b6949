"""Quality's entry in the registry of run kinds (countyedu.runs.registry): what `countyedu demo`,
`import` and `run quality`, the web's recompute, the API and the report chapter take up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.quality.params import quality_params
from countyedu.quality.run import QualityRun, run_quality
from countyedu.runs.registry import BUREAU_ADMIN, ReportChapter, RunKind


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> QualityRun:
    """The quality measures, value added and T-HS-3 of the census's exam results (every year, or those up to `year`)."""
    return run_quality(frames, quality_params(packs), year)


def summary(result: QualityRun) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The headline `countyedu demo` prints."""
    if not s.get("quality_results"):
        return ["质量监测 / quality: 无考试成绩 / no exam results"]
    top = "，".join(f"{y} 年 {n} 人" for y, n in s["t_hs_3"].items()) or "—"
    top_en = ", ".join(f"{y}: {n}" for y, n in s["t_hs_3"].items()) or "—"
    return [
        f"质量监测 / quality: {s['quality_results']:,} 条成绩 results；增值评价高于预期 above "
        f"{s['quality_va_above']}，低于预期 below {s['quality_va_below']}，符合预期 as expected "
        f"{s['quality_va_expected']}",
        f"全省高考前 100 名 / province top 100 (T-HS-3): {top} / {top_en}",
    ]


KIND = RunKind(
    name="quality",
    label=Msg("Quality monitoring"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Exam results and quality monitoring"), sheet=Msg("Quality")),
    run_roles=(BUREAU_ADMIN, "basic_education"),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

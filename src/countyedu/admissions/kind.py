"""Admission's entry in the registry of run kinds (countyedu.runs.registry): what `countyedu demo`,
`import` and `run admissions`, the web's recompute, the API and the report chapter take up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.admissions.outcome import AdmissionOutcome, run
from countyedu.admissions.params import CLAUSES, RANGES, AdmissionParams
from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.registry import BUREAU_ADMIN, Param, ReportChapter, RunKind


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> AdmissionOutcome:
    """The admission of `year` (default the latest with candidates) under the packs' rules
    (`parameters.admissions`) changed by the parameters given, with the independent verifier's checks."""
    return run(frames, packs, year, params)


def summary(result: AdmissionOutcome) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The admission headline, as `countyedu demo` prints it."""
    if not s.get("year"):
        return []
    share = s.get("vocational_share")
    share_text = "—" if share is None else f"{share:.1%}"
    verified = {True: "通过 / passed", False: "未通过 / failed", None: "—"}[s.get("verified")]
    return [
        f"{s['year']} 年中招 / admission: {s['candidates']} 名考生 candidates，"
        f"指标到校 {s['quota']}，统招 {s['unified']}，提前批 {s['early']}，职校 {s['vocational']}，"
        f"未录取 unplaced {s['unplaced']}，退回统招名额 returned quota places {s['returned']}",
        f"职普比 / vocational share {share_text}（T-HS-2 ≈ {s['vocational_target']:.0%}）；独立核验 / verifier: {verified}",
    ]


def _param(name: str) -> Param:
    default = getattr(AdmissionParams(), name)
    lo, hi = next(((lo, hi) for n, lo, hi in RANGES if n == name), (None, None))
    _clause, words = CLAUSES[name]
    return Param(name, words, type(default), None, lo, hi)


KIND = RunKind(
    name="admissions",
    label=Msg("High-school admission"),
    compute=compute,
    chapter=ReportChapter(title=Msg("High-school admission"), sheet=Msg("Admission")),
    run_roles=(BUREAU_ADMIN, "admissions"),
    params=tuple(_param(name) for name in CLAUSES),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

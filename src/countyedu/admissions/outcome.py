"""The admission run's result: the allocation of a year under its rules, as the JSON contract of
`countyedu admissions run` (README), its report blocks and its headline numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.admissions.allocate import BATCHES, VOCATIONAL, Allocation, Instance, allocate
from countyedu.admissions.params import AdmissionParams, admission_params
from countyedu.admissions.reports import report_blocks
from countyedu.admissions.verify import verify as independent_check
from countyedu.messages import Msg, Num, encode
from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block, Finding

T_HS_2 = "T-HS-2"  # 职普比 ≈ 4 : 6 (STANDARDS, the pack's item)


@dataclass(frozen=True)
class VocationalShare:
    """普职比 of the outcome against T-HS-2: the vocational share of the admitted."""

    general: int
    vocational: int
    target: float = 0.40
    tolerance: float = 0.05

    @property
    def share(self) -> float | None:
        total = self.general + self.vocational
        return self.vocational / total if total else None

    @property
    def met(self) -> bool | None:
        return None if self.share is None else abs(self.share - self.target) <= self.tolerance + 1e-12


@dataclass(frozen=True)
class AdmissionOutcome:
    """A year's allocation under its rules: `as_dict()` is the JSON contract; `frames` (the census
    it ran on) stay for the report blocks and the verifier, never serialised."""

    year: int | None
    params: AdmissionParams
    instance: Instance
    allocation: Allocation
    vocational_share: VocationalShare
    frames: Mapping[str, pd.DataFrame] = field(repr=False, compare=False)
    census_version: str | None = None
    verification: Mapping[str, Any] = field(default_factory=dict)

    def admitted(self) -> list[dict[str, Any]]:
        """{"candidate_id", "programme_id", "batch", "rank"} in the county's order."""
        a, inst = self.allocation, self.instance
        won = np.flatnonzero(a.programme >= 0)
        won = won[np.argsort(a.rank[won], kind="stable")]
        return [
            {
                "candidate_id": str(inst.candidate_ids[i]),
                "programme_id": str(inst.programme_ids[a.programme[i]]),
                "batch": BATCHES[a.batch[i]],
                "rank": int(a.rank[i]),
            }
            for i in won
        ]

    def admitted_columns(self) -> dict[str, np.ndarray]:
        """The admitted as columns ({"candidate_id", "programme_id", "batch"}: arrays of str), as the
        verifier reads a large run: a million rows without a million dicts."""
        a, inst = self.allocation, self.instance
        won = np.flatnonzero(a.programme >= 0)
        return {
            "candidate_id": np.asarray(inst.candidate_ids)[won].astype(str),
            "programme_id": np.asarray(inst.programme_ids)[a.programme[won]].astype(str),
            "batch": np.array(BATCHES)[a.batch[won]],
        }

    def for_verifier(self) -> dict[str, Any]:
        """What the independent verifier reads of this run: the rules, the admitted (as columns), the
        unplaced and the returned quota places."""
        a = self.allocation
        return {
            "params": self.params.as_dict(),
            "admitted": self.admitted_columns(),
            "unplaced": np.asarray(self.instance.candidate_ids)[a.programme < 0].astype(str),
            "returned_quota": self.returned_quota(),
        }

    def unplaced(self) -> list[str]:
        a = self.allocation
        idx = np.flatnonzero(a.programme < 0)
        return [str(self.instance.candidate_ids[i]) for i in idx[np.argsort(a.rank[idx], kind="stable")]]

    def cutoffs(self) -> list[dict[str, Any]]:
        pids = self.instance.programme_ids
        return [{"programme_id": str(pids[p]), "batch": BATCHES[b], "score": s} for p, b, s in self.allocation.cutoffs]

    def returned_quota(self) -> list[dict[str, Any]]:
        inst = self.instance
        return [
            {
                "programme_id": str(inst.programme_ids[p]),
                "junior_school_id": str(inst.school_ids[s]),
                "places": int(n),
            }
            for p, s, n in self.allocation.returned()
        ]

    def as_dict(self) -> dict[str, Any]:
        """The JSON contract of `countyedu admissions run --format json` (README)."""
        return {
            "census_version": self.census_version,
            "year": self.year,
            "params": self.params.as_dict(),
            "admitted": self.admitted(),
            "unplaced": self.unplaced(),
            "cutoffs": self.cutoffs(),
            "returned_quota": self.returned_quota(),
            "verification": {
                "ok": self.verification.get("ok"),
                "checks": [{**c, "detail": encode(c["detail"])} for c in self.verification.get("checks", [])],
            },
        }

    def counts(self) -> dict[str, int]:
        """Admitted per batch code, and unplaced."""
        a = self.allocation
        out = {b: int((a.batch == i).sum()) for i, b in enumerate(BATCHES)}
        out["unplaced"] = int((a.programme < 0).sum())
        return out

    def summary(self) -> dict[str, Any]:
        vs = self.vocational_share
        return {
            "year": self.year,
            "candidates": self.instance.n,
            **self.counts(),
            "returned": int(self.allocation.returned()[:, 2].sum()) if len(self.allocation.returned()) else 0,
            "vocational_share": vs.share,
            "vocational_target": vs.target,
            "verified": self.verification.get("ok"),
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        """The report chapter: the headline (batches, 普职比 against T-HS-2, the verifier), then the
        cut-offs, junior schools and townships (QB-G14), distributions (admissions/reports.py)."""
        if self.year is None or not self.instance.n:
            return [Block("admissions.none", Msg("High-school admission"), "AD", [Msg("No candidates in the census.")])]
        c, vs = self.counts(), self.vocational_share
        counts = Msg(
            "{candidates} candidates: {early} admitted in the early batch, {quota} to quota places, "
            "{unified} in the unified batch, {vocational} in the vocational batch; {unplaced} unplaced",
            candidates=self.instance.n,
            **c,
        )
        findings = [
            Finding(
                clause=T_HS_2,
                rule=Msg(
                    "Vocational share of the admitted about {target} (T-HS-2: about 4 to 6)",
                    target=Num(vs.target, "share"),
                ),
                value=Num(vs.share, "share"),
                status="no_data" if vs.met is None else "met" if vs.met else "not_met",
            ),
        ]
        ver = self.verification
        if ver:
            failed = tuple(ch["check"] for ch in ver.get("checks", []) if not ch.get("ok"))
            findings.append(
                Finding(
                    clause="AD",
                    rule=Msg("Independent verifier"),
                    value=Msg("all checks passed") if ver.get("ok") else Msg("failed checks: {checks}", checks=failed),
                    status="met" if ver.get("ok") else "not_met",
                )
            )
        title = Msg("High-school admission {year}", year=self.year)
        blocks = [Block("admissions.headline", title, "AD; T-HS-2", [counts], findings)]
        blocks += report_blocks(self.frames, self.year, self.as_dict())
        return blocks


def t_hs_2(packs: Sequence[Pack]) -> tuple[float, float]:
    """(target, tolerance) of the packs' T-HS-2 (the first pack that has it), else 40% ± 5 points."""
    for p in packs:
        for item in p.items:
            if item.id == T_HS_2 and item.targets:
                t = item.targets[-1]
                return t.value, t.tolerance if t.tolerance is not None else 0.05
    return 0.40, 0.05


def latest_year(frames: Mapping[str, pd.DataFrame]) -> int | None:
    """The latest year with candidates."""
    cands = frames.get("candidates")
    if cands is None or cands.empty:
        return None
    return int(pd.to_numeric(cands["year"]).max())


def run(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Pack],
    year: int | None,
    overrides: Mapping[str, Any] | None = None,
    *,
    verify: bool = True,
) -> AdmissionOutcome:
    """The allocation of `year` (default the latest with candidates) under the packs' rules changed
    by `overrides`, verified by the independent verifier when asked and installed."""
    params = admission_params(packs, overrides)
    if year is None:
        year = latest_year(frames)
    empty = {"candidates": pd.DataFrame(columns=["candidate_id", "year", "junior_school_id"])}
    if year is None or "programmes" not in frames or "candidates" not in frames:
        frames = {
            **frames,
            **empty,
            "programmes": pd.DataFrame(columns=["programme_id", "year", "school_id", "track", "quota"]),
        }
    inst = Instance.from_frames(frames, year if year is not None else 0)
    alloc = allocate(inst, params)
    voc = np.isin(alloc.batch, [BATCHES.index(VOCATIONAL)])
    placed = alloc.programme >= 0
    target, tolerance = t_hs_2(packs)
    share = VocationalShare(int((placed & ~voc).sum()), int(voc.sum()), target, tolerance)
    out = AdmissionOutcome(year, params, inst, alloc, share, frames)
    if verify and inst.n and year is not None:
        checked = independent_check(frames, year, out.for_verifier())
        out = AdmissionOutcome(year, params, inst, alloc, share, frames, verification=checked)
    return out

"""Funding (issue 6) as the CLI, the web app and the report ask for it: the packs' parameters, the run
of a census (registered with countyedu.runs by `funding.kind`), and scenarios beside the packs. The
packs are the caller's: those the census is assessed with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.funding.params import FundingParams, funding_params, with_overrides
from countyedu.funding.run import FundingRun, census_years, run_funding
from countyedu.funding.scenarios import SCENARIO, ScenarioComparison, compare
from countyedu.messages import Code, Msg, translate
from countyedu.runs.store import parameters

KIND = "funding"

# The scenario fields a user changes, as FundingParams overrides (issue 6 item 4): what each means, and the
# range a form accepts (FundingParams validates the values again).
SCENARIO_FIELDS: dict[str, tuple[str, float, float]] = {
    "baseline_primary": ("provincial baseline per primary pupil (第22条; FD)", 0.0, 10000.0),
    "baseline_junior": ("provincial baseline per junior pupil (第22条; FD)", 0.0, 10000.0),
    "step_rate": ("raise every step (第22条: 10% every two years)", 0.0, 1.0),
    "floor_primary": ("rural primary schools funded as at least this many pupils (第5、22条)", 0.0, 2000.0),
    "floor_junior": ("rural junior schools funded as at least this many pupils (第22条)", 0.0, 5000.0),
    "boarder_subsidy": ("yuan per boarder a year (第5条)", 0.0, 5000.0),
}


def pack_params(packs: Sequence[Any]) -> FundingParams:
    """The funding parameters of the packs (the first that sets `parameters.funding`; defaults else)."""
    return funding_params({"funding": parameters(packs, "funding")})


def overrides(changes: Mapping[str, float]) -> dict[str, Any]:
    """Scenario fields → FundingParams overrides (a baseline replaces the stage's whole table)."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key.startswith("baseline_"):
            out.setdefault("baseline", {})[key.removeprefix("baseline_")] = {2019: float(value)}
        elif key in ("floor_primary", "floor_junior"):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def scenario_comparison(
    frames: Mapping[str, pd.DataFrame], changes: Mapping[str, float], packs: Sequence[Any], year: int | None = None
) -> ScenarioComparison:
    """The pack's parameters and one scenario (the changed fields) side by side for a year (default latest)."""
    from countyedu.errors import CountyEduError

    unknown = sorted(set(changes) - set(SCENARIO_FIELDS))
    if unknown:
        raise CountyEduError(
            Msg(
                "unknown scenario parameter(s): {unknown}; known: {known}",
                unknown=tuple(unknown),
                known=tuple(SCENARIO_FIELDS),
            ),
            unknown=unknown,
        )
    years = census_years(dict(frames))
    if not years:
        raise CountyEduError(Msg("the census has no classes: no pupils to fund"))
    y = year if year is not None else years[-1]
    if y not in years:
        raise CountyEduError(
            Msg("no pupils in {year}: the census covers {first}–{last}", year=y, first=years[0], last=years[-1]),
            year=y,
        )
    return compare(dict(frames), y, {SCENARIO: overrides(changes)}, pack_params(packs))


def run_with(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Any], year: int | None, changes: Mapping[str, Any]
) -> FundingRun:
    """The funding run on a census with the packs' parameters, changed by the scenario fields given
    (None: the pack's value)."""
    given = {k: v for k, v in changes.items() if v is not None}
    params = pack_params(packs)
    return run_funding(dict(frames), with_overrides(params, overrides(given)) if given else params, year)


def summary(run: FundingRun) -> dict[str, Any]:
    """A few headline numbers (for `countyedu demo` and logs)."""
    statuses: dict[str, int] = {}
    for b in run.compliance.blocks() + run.after_school.blocks():
        for f in b.findings:
            statuses[f.status] = statuses.get(f.status, 0) + 1
    return {"year": run.year, "per_pupil_total": float(run.per_pupil.total), "findings": statuses}


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The headline numbers of a funding run's summary, as lines."""
    counts = sorted(s["findings"].items())
    zh = "，".join(f"{translate(Code('status', k), 'zh')} {n}" for k, n in counts)
    en = ", ".join(f"{translate(Code('status', k), 'en')} {n}" for k, n in counts)
    return [
        f"{s['year']} 年生均公用经费合计 / per-pupil operating funds: {s['per_pupil_total']:,.0f} 元",
        f"经费合规检查 / funding checks: {zh} / {en}",
    ]

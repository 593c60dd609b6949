"""Funding (issue 6) as the CLI, the web app and the report ask for it: the pack's parameters, the stored
run of a census version, and scenarios beside the pack."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.funding.params import FundingParams, funding_params
from countyedu.funding.run import FundingRun, census_years, run_funding
from countyedu.funding.scenarios import SCENARIO, ScenarioComparison, compare
from countyedu.messages import Code, Msg, translate
from countyedu.runs.blocks import Block
from countyedu.runs.store import LANGS, RunKey, RunStore, StoredRun, load_packs, run_key

PACK = "nanfeng-2019"
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


def pack_params() -> FundingParams:
    from countyedu.policy.pack import load_pack

    return funding_params(load_pack(PACK))


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
    frames: Mapping[str, pd.DataFrame], changes: Mapping[str, float], year: int | None = None
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
    return compare(dict(frames), y, {SCENARIO: overrides(changes)}, pack_params())


def funding_for(
    store: Any, version: str, frames: Mapping[str, pd.DataFrame] | None = None, *, year: int | None = None
) -> FundingRunView:
    """Run the funding rules on a census version and store the run (what pages and reports show). The
    years in collection are left out (census.years), but `year` when it names one: by default the
    funding stands on the latest closed year."""
    from countyedu.census.years import census_years, without_partial

    years = census_years(store, version)
    frames = frames if frames is not None else store.census(version)
    run = run_funding(without_partial(frames, years.partial, year), pack_params(), year)
    view = FundingRunView(run)
    blocks = run.blocks()
    RunStore(store.data_dir).save(
        StoredRun(
            _key(version, load_packs(), years, year),
            {"year": year},
            run.as_dict(),
            dict.fromkeys(LANGS, blocks),  # computed once: worded when a page or report shows them
            view.summary(),
        )
    )
    return view


@dataclass
class FundingRunView:
    """A funding run with the headline lines `countyedu demo` prints."""

    run: FundingRun

    def as_dict(self) -> dict[str, Any]:
        return self.run.as_dict()

    def blocks(self, lang: str | None = None) -> list[Block]:
        return self.run.blocks(lang)

    def summary(self) -> dict[str, Any]:
        statuses: dict[str, int] = {}
        for b in self.run.compliance.blocks() + self.run.after_school.blocks():
            for f in b.findings:
                statuses[f.status] = statuses.get(f.status, 0) + 1
        return {"year": self.run.year, "per_pupil_total": float(self.run.per_pupil.total), "findings": statuses}

    def summary_lines(self) -> list[str]:
        s = self.summary()
        counts = sorted(s["findings"].items())
        zh = "，".join(f"{translate(Code('status', k), 'zh')} {n}" for k, n in counts)
        en = ", ".join(f"{translate(Code('status', k), 'en')} {n}" for k, n in counts)
        return [
            f"{s['year']} 年生均公用经费合计 / per-pupil operating funds: {s['per_pupil_total']:,.0f} 元",
            f"经费合规检查 / funding checks: {zh} / {en}",
        ]


def _key(version: str, packs: list[Any], years: Any, year: int | None) -> RunKey:
    return run_key(KIND, version, packs, years, {"year": year})


def stored_funding(
    store: Any, version: str, *, compute: bool, year: int | None = None, years: Any = None
) -> StoredRun | None:
    """The stored funding run of a version (default year: the latest closed) under the years in
    collection now (`years`, read from the store unless given); computed and stored first when asked to."""
    from countyedu.census.years import census_years

    years = census_years(store, version) if years is None else years
    key = _key(version, load_packs(), years, year)
    run = RunStore(store.data_dir).load(key)
    if run is None and compute:
        funding_for(store, version, year=year)
        run = RunStore(store.data_dir).load(key)
    return run

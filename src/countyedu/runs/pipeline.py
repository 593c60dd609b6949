"""What happens after a census version enters (`countyedu demo`, `countyedu import`, an approval on
the web): the assessment, then every registered run kind, each stored in the run store. One
orchestration for every caller.

A kind's run stands on the census without the rows of the years in collection (census.years), but
`year` when it names one: by default a run stands on the latest closed year.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.census.store import CensusStore
from countyedu.census.years import Years, census_years, without_partial
from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.registry import Inputs, Result, RunKind, kinds
from countyedu.runs.store import LANGS, RunKey, RunStore, StoredRun, run_key

# The assessment of a census (indicators, above this package): a module with
# get_or_compute(store, version, packs) -> Assessment, found by name as the kinds are.
ASSESSMENT = "countyedu.indicators.cache"

Progress = Callable[[float, Msg], None]


def _quiet(_fraction: float, _message: Msg) -> None:
    return None


def key(
    kind: RunKind, version: str, packs: Sequence[Pack], years: Years, year: int | None, params: Any, inputs: str = ""
) -> RunKey:
    """Where a run of `kind` with these parameters (and the digest of its other inputs) is kept."""
    return run_key(kind.name, version, packs, years, {"year": year, **params, **({"inputs": inputs} if inputs else {})})


def inputs_of(store: CensusStore, kind: RunKind, version: str, packs: Sequence[Pack]) -> Inputs | None:
    """What a kind reads besides the census (None: the census alone)."""
    return kind.inputs(store, version, packs) if kind.inputs is not None else None


def compute(
    store: CensusStore,
    kind: RunKind,
    version: str,
    packs: Sequence[Pack],
    *,
    year: int | None = None,
    params: Mapping[str, Any] | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
    years: Years | None = None,
) -> tuple[Result, StoredRun]:
    """Run a kind on a census version with the packs and parameters, and store it."""
    ys = census_years(store, version) if years is None else years
    values = kind.resolve(params)
    census = frames if frames is not None else store.census(version)
    extra = inputs_of(store, kind, version, packs)
    given = {**values, **extra.load()} if extra is not None else values
    result = kind.compute(without_partial(census, ys.partial, year), list(packs), year, given)
    run = StoredRun(
        key(kind, version, packs, ys, year, values, extra.digest if extra is not None else ""),
        {"year": year, **values},
        result.as_dict(),
        dict.fromkeys(LANGS, result.blocks()) if kind.messages else {lang: result.blocks(lang) for lang in LANGS},
        kind.summary(result),
    )
    RunStore(store.data_dir).save(run)
    return result, run


def stored(
    store: CensusStore,
    kind: RunKind,
    version: str,
    packs: Sequence[Pack],
    *,
    year: int | None = None,
    params: Mapping[str, Any] | None = None,
    years: Years | None = None,
    compute_missing: bool = False,
    frames: Mapping[str, pd.DataFrame] | None = None,
) -> StoredRun | None:
    """The stored run of a kind (default year: the latest closed) under the years in collection now
    (`years`, read from the store unless given); computed and stored first when missing and asked to."""
    ys = census_years(store, version) if years is None else years
    extra = inputs_of(store, kind, version, packs)
    digest = extra.digest if extra is not None else ""
    run = RunStore(store.data_dir).load(key(kind, version, packs, ys, year, kind.resolve(params), digest))
    if run is None and compute_missing:
        run = compute(store, kind, version, packs, year=year, params=params, frames=frames, years=ys)[1]
    return run


@dataclass
class AfterCensus:
    """The assessment of a census version and the stored run of every kind."""

    assessment: Any
    runs: dict[str, StoredRun] = field(default_factory=dict)


def after_census(
    store: CensusStore,
    version: str,
    packs: Sequence[Pack],
    progress: Progress | None = None,
    *,
    year: int | None = None,
) -> AfterCensus:
    """Assess a census version, then run every registered kind (in `year`, default the latest closed),
    each computed only when not stored yet."""
    say = progress or _quiet
    say(0.0, Msg("assessing census {version}", version=version))
    assessment = importlib.import_module(ASSESSMENT).get_or_compute(store, version, list(packs))
    out = AfterCensus(assessment)
    ys = census_years(store, version)
    frames: Mapping[str, pd.DataFrame] | None = None
    registered = list(kinds().values())
    for i, kind in enumerate(registered):
        say(0.5 + 0.5 * i / len(registered), Msg("{kind} on census {version}", kind=kind.label, version=version))
        run = stored(store, kind, version, packs, year=year, years=ys)
        if run is None:
            frames = frames if frames is not None else store.census(version)
            run = compute(store, kind, version, packs, year=year, frames=frames, years=ys)[1]
        out.runs[kind.name] = run
    say(1.0, Msg("computed: {kinds}", kinds=tuple(k.label for k in registered)))
    return out

"""Supervision's entry in the registry of run kinds (countyedu.runs.registry): what `countyedu demo`,
`import` and `run supervision`, the web's recompute, the API and the report chapter take up.

A supervision run is its parts (`supervision.parts.PARTS`), computed in order on one census, year and
day (`as_of`); the result's JSON holds each part under its name, its blocks are the parts' blocks in
order. The registry's stored run reads, besides the census, the web's records snapshot and the
assessment (`inputs`), as the pages and `countyedu tasks` / `countyedu supervise` do when they call
`run_supervision` with the web's daily records and the assessment's results: one task status, one
evaluation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType
from typing import Any

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block, worded
from countyedu.runs.parts import merged_summary, run_parts
from countyedu.runs.parts import summary_lines as part_lines
from countyedu.runs.registry import BUREAU_ADMIN, Inputs, Param, ReportChapter, RunKind
from countyedu.supervision.params import supervision_params
from countyedu.supervision.parts import PARTS, Context
from countyedu.supervision.records import Records

AS_OF = Param(
    "as_of",
    Msg("the day the run looks from (YYYY-MM-DD; default 31 December of the school year)"),
    str,
    None,
)


def part_modules() -> list[tuple[str, ModuleType]]:
    """The parts' modules, in order."""
    return [(name, importlib.import_module(module)) for name, module in PARTS]


def school_year(frames: Mapping[str, pd.DataFrame], year: int | None) -> int | None:
    """`year`, else the latest school year of the census's classes (None: a census without classes)."""
    if year is not None:
        return year
    classes = frames.get("classes")
    if classes is None or not len(classes):
        return None
    return int(classes["year"].max())


def as_of_date(raw: Any, year: int | None) -> date:
    """The run's day: a date or an ISO text; None: 31 December of `year` (a census without years: an error)."""
    if isinstance(raw, date):
        return raw
    if raw:
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            raise CountyEduError(
                Msg("{name}: {value} is not a date (YYYY-MM-DD)", name="as_of", value=str(raw)[:40]), field="as_of"
            ) from None
    if year is None:
        raise CountyEduError(Msg("the census has no school year: give as_of"), field="as_of")
    return date(year, 12, 31)


@dataclass
class SupervisionRun:
    """A supervision run: the year, the day it looks from and each part's result by name."""

    year: int | None
    as_of: date
    parts: dict[str, Any] = field(default_factory=dict)

    def part(self, name: str) -> Any:
        return self.parts.get(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            **{name: p.as_dict() for name, p in self.parts.items()},
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """Every part's blocks in order; messages, worded in `lang` when given. A census without
        what the parts read (no tasks, no inspectors) gets one block that says so."""
        blocks = [b for p in self.parts.values() for b in p.blocks()]
        if not blocks:
            blocks = [
                Block(
                    "supervision.nothing",
                    Msg("Supervision"),
                    "第33、34条",
                    [
                        Msg(
                            "This census holds no task register and no inspectors: import the tasks and "
                            "inspectors sheets of the exchange format to track the policy's tasks and assign "
                            "responsible inspectors."
                        )
                    ],
                )
            ]
        return worded(blocks, lang)

    def summary(self) -> dict[str, Any]:
        return merged_summary({"year": self.year, "as_of": self.as_of.isoformat()}, self.parts.values())


def run_supervision(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Pack],
    year: int | None = None,
    values: Mapping[str, Any] | None = None,
    *,
    as_of: date | str | None = None,
    records: Records | Mapping[str, pd.DataFrame] | None = None,
    indicators: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
    only: Sequence[str] | None = None,
    results: pd.DataFrame | Callable[[], pd.DataFrame] | None = None,
) -> SupervisionRun:
    """The parts (all, or `only` those named and the parts they read: a part module's `NEEDS`) on a
    census in `year` (default the latest), looking from `as_of` (default the run parameter, else
    31 December of the year), with the daily records, the indicator statuses and the assessment's
    results given (the statuses default to the results' county rows; the evaluation needs the results)."""
    vals = dict(values or {})
    y = school_year(frames, year)
    day = as_of_date(as_of if as_of is not None else vals.get("as_of"), y)
    ctx = Context(
        frames,
        packs,
        year,
        supervision_params(packs),
        day,
        vals,
        records if records is not None else {},
        indicators,
        results_source=results,
    )
    run_parts(part_modules(), ctx, only)
    return SupervisionRun(y, day, ctx.parts)


# what `inputs` adds to the parameters compute finds: the daily records and the assessment's results
EXTRA = ("records", "results")


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> SupervisionRun:
    """Every supervision part on the census in `year` (default the latest), with the web's daily
    records and the assessment's results when the pipeline gives them (`inputs`): the task register's
    statuses from the indicators, the evaluation and its report."""
    values = {k: v for k, v in params.items() if k not in EXTRA}
    return run_supervision(frames, packs, year, values, records=params.get("records"), results=params.get("results"))


def inputs(store: Any, version: str, packs: Sequence[Pack]) -> Inputs:
    """What the stored run reads besides the census: the web's records snapshot (`supervision.snapshot`,
    its digest part of the run's key) and the assessment of the version with the packs (made when the
    run is computed; the assessment's own key is the version and the packs)."""
    from countyedu.supervision import snapshot

    data = snapshot.read_bytes(store.data_dir)

    def load() -> dict[str, Any]:
        def results() -> pd.DataFrame:
            from countyedu.indicators.cache import get_or_compute

            return get_or_compute(store, version, list(packs)).table()

        return {"records": snapshot.loads(data), "results": results}

    return Inputs(snapshot.digest(data), load)


def summary(result: SupervisionRun) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """Each part's headline lines (a part module's `summary_lines(summary)`), in order."""
    return part_lines(part_modules(), s)


def _params() -> tuple[Param, ...]:
    return (AS_OF, *(p for _name, module in part_modules() for p in getattr(module, "PARAMS", ())))


KIND = RunKind(
    name="supervision",
    label=Msg("Supervision"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Supervision and task tracking"), sheet=Msg("Supervision")),
    run_roles=(BUREAU_ADMIN, "inspector"),
    params=_params(),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
    inputs=inputs,
)

"""The parts of a supervision run, and what each part is given (the plug-in point of the module).

A part is a module with a function `part(ctx: Context) -> Part | None` (None: nothing to show, e.g. a
census without the sheet it reads). Parts run in the order of `PARTS`; each sees the parts before it
in `ctx.parts` (the evaluation reads the task register and the assignment). A part's result has
`as_dict()` (its key in the run's JSON is its name), `blocks()` (report blocks whose ids start with
"supervision.", texts as messages) and, optionally, `summary()` (headline numbers, keys prefixed with
its name) and `summary_lines(summary)` on its module (lines `countyedu demo` prints).

A part that reads other parts names them in a module-level `NEEDS` tuple; it may declare run
parameters (`PARAMS: tuple[registry.Param, ...]`, read by `ctx.value(name)`); its pack numbers live in
`parameters.supervision.<name>` (`params.section(ctx.params, name, Model)`).

What the census does not hold comes in plain inputs, never from Django: the daily records
(`ctx.record(name)`: visits, findings, rectifications, task updates — frames whose columns
`supervision.records` declares; the web and the CLI build them from the web's database), the county's
indicator statuses (`ctx.indicators()`), the assessment's results at every level (`ctx.results()`) and the day the run looks from (`ctx.as_of`, a parameter:
tests pass it, the pages and the CLI pass today).

Adding a part is one line in `PARTS` (and its module); nothing else in the module changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import pandas as pd

from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block
from countyedu.supervision import records as rec
from countyedu.supervision.params import SupervisionParams

# name → module (each with `part(ctx)`), in the order they run and the report shows them.
PARTS: tuple[tuple[str, str], ...] = (
    ("tasks", "countyedu.supervision.tasks"),
    ("assign", "countyedu.supervision.assign"),
    ("plan", "countyedu.supervision.plan"),
    ("rectification", "countyedu.supervision.rectify"),
    ("evaluation", "countyedu.supervision.reports"),
)


class Part(Protocol):
    """What a part's function returns."""

    def as_dict(self) -> dict[str, Any]: ...

    def blocks(self) -> list[Block]: ...


# The county-level indicator results a part may read: columns indicator, year, status (met / at_risk /
# not_met / no_data), value; one row per indicator and year (the county's own level).
INDICATOR_COLUMNS = ("indicator", "year", "status", "value")


@dataclass
class Context:
    """What every part is given: the census frames (years in collection left out), the packs, the
    school year (None: the latest), the supervision parameters, the run parameters, the day the run
    looks from, the daily records, the indicator statuses (a table or a function making it) and the
    parts so far."""

    frames: Mapping[str, pd.DataFrame]
    packs: Sequence[Pack]
    year: int | None
    params: SupervisionParams
    as_of: date
    values: Mapping[str, Any] = field(default_factory=dict)
    records: rec.Records | Mapping[str, pd.DataFrame] = field(default_factory=dict)
    indicator_source: pd.DataFrame | Callable[[], pd.DataFrame] | None = None
    parts: dict[str, Any] = field(default_factory=dict)
    # the assessment's results at every level (indicators.engine TABLE_COLUMNS; the evaluation reads
    # them), a table or a function making it; None: not given
    results_source: pd.DataFrame | Callable[[], pd.DataFrame] | None = None

    def value(self, name: str, default: Any = None) -> Any:
        """A run parameter's value (None: not given, the pack's value applies)."""
        v = self.values.get(name)
        return default if v is None else v

    def record(self, name: str) -> pd.DataFrame:
        """A daily record's frame (visits, findings, rectifications, task_updates): empty when not given."""
        found = getattr(self.records, name, None) if isinstance(self.records, rec.Records) else self.records.get(name)
        return found if found is not None else rec.empty(name)

    def frame(self, sheet: str) -> pd.DataFrame | None:
        """A census sheet's frame, None when the census has none (or it is empty)."""
        df = self.frames.get(sheet)
        return df if df is not None and len(df) else None

    def results(self) -> pd.DataFrame | None:
        """The assessment's results at every level, made once; None when not given."""
        src = self.results_source
        if callable(src):
            src = self.results_source = src()
        return src

    def indicators(self) -> pd.DataFrame:
        """The county-level indicator results (INDICATOR_COLUMNS), made once: given, else the county rows
        of the results (when given); empty otherwise."""
        if self.indicator_source is None and self.results_source is not None:
            self.indicator_source = lambda: county_statuses(self.results())
        src = self.indicator_source
        if callable(src):
            src = self.indicator_source = src()
        return src if src is not None else pd.DataFrame(columns=list(INDICATOR_COLUMNS))


# worst first: a task or an evaluation row reading several results takes the worst
_WORST = ("not_met", "at_risk", "needs_evidence", "met", "no_data")


def county_statuses(table: pd.DataFrame) -> pd.DataFrame:
    """An assessment's results table (indicators.engine TABLE_COLUMNS) → INDICATOR_COLUMNS: the county
    level, one row per indicator and year with the worst status over its stages and packs (the value
    of that worst row)."""
    if table is None or not len(table):
        return pd.DataFrame(columns=list(INDICATOR_COLUMNS))
    df = table[table["level"] == "county"][["indicator", "year", "status", "value"]].copy()
    rank = {s: i for i, s in enumerate(_WORST)}
    df["_rank"] = df["status"].map(rank).fillna(len(_WORST))
    df = df.sort_values(["indicator", "year", "_rank"], kind="stable")
    return df.drop_duplicates(["indicator", "year"]).drop(columns="_rank").reset_index(drop=True)

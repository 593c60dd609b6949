"""The parts of a teachers run, and what each part is given (the plug-in point of the module).

A part is a module with a function `part(ctx: Context) -> Part | None` (None: nothing to show, e.g. a
census without the data it reads). Parts run in the order of `PARTS`; each sees the parts before it
in `ctx.parts` (the allocation reads the staffing, the rotation may read both). A part's result has
`as_dict()` (its key in the run's JSON is its name), `blocks()` (report blocks whose ids start with
"teachers.", texts as messages) and, optionally, `summary()` (headline numbers, keys prefixed with
its name) and `summary_lines(summary)` on its module (lines `countyedu demo` prints).

A part that reads other parts names them in a module-level `NEEDS` tuple (so that a command showing
one part computes only what it needs).

A part may declare run parameters: a module-level `PARAMS: tuple[registry.Param, ...]`, read by
`ctx.value(name)`; its pack numbers live in `parameters.teachers.<name>` (`ctx.params.section(name)`).

Adding a part is one line in `PARTS` (and its module); nothing else in the module changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block
from countyedu.teachers.params import TeachersParams

# name → module (each with `part(ctx)`), in the order they run and the report shows them.
PARTS: tuple[tuple[str, str], ...] = (
    ("staffing", "countyedu.teachers.staffing"),
    ("allocation", "countyedu.teachers.allocation"),
    ("rotation", "countyedu.teachers.rotation"),
    ("training", "countyedu.teachers.training"),
    ("qualifications", "countyedu.teachers.qualifications"),
    ("backbone", "countyedu.teachers.backbone"),
)


class Part(Protocol):
    """What a part's function returns."""

    def as_dict(self) -> dict[str, Any]: ...

    def blocks(self) -> list[Block]: ...


@dataclass
class Context:
    """What every part is given: the census frames (years in collection left out), the packs, the
    school year (None: the latest), the teachers parameters, the run parameters and the parts so far."""

    frames: Mapping[str, pd.DataFrame]
    packs: Sequence[Pack]
    year: int | None
    params: TeachersParams
    values: Mapping[str, Any] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)

    def value(self, name: str, default: Any = None) -> Any:
        """A run parameter's value (None: not given, the pack's value applies)."""
        v = self.values.get(name)
        return default if v is None else v

"""The teachers' entry in the registry of run kinds (countyedu.runs.registry): what `countyedu demo`,
`import` and `run teachers`, the web's recompute, the API and the report chapter take up.

A teachers run is its parts (`teachers.parts.PARTS`), computed in order on one census and year; the
result's JSON holds each part under its name, its blocks are the parts' blocks in order.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd

from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block, worded
from countyedu.runs.parts import merged_summary, run_parts
from countyedu.runs.parts import summary_lines as part_lines
from countyedu.runs.registry import BUREAU_ADMIN, Param, ReportChapter, RunKind
from countyedu.teachers.params import teachers_params
from countyedu.teachers.parts import PARTS, Context
from countyedu.teachers.staffing import school_year


def part_modules() -> list[tuple[str, ModuleType]]:
    """The parts' modules, in order."""
    return [(name, importlib.import_module(module)) for name, module in PARTS]


@dataclass
class TeachersRun:
    """A teachers run: the year and each part's result by name (in the order of PARTS)."""

    year: int
    parts: dict[str, Any] = field(default_factory=dict)

    def part(self, name: str) -> Any:
        return self.parts.get(name)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, **{name: p.as_dict() for name, p in self.parts.items()}}

    def blocks(self, lang: str | None = None) -> list[Block]:
        """Every part's blocks in order; messages, worded in `lang` when given."""
        return worded([b for p in self.parts.values() for b in p.blocks()], lang)

    def summary(self) -> dict[str, Any]:
        return merged_summary({"year": self.year}, self.parts.values())


def run_teachers(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Pack],
    year: int | None = None,
    values: Mapping[str, Any] | None = None,
    only: Sequence[str] | None = None,
) -> TeachersRun:
    """The parts (all, or `only` those named and the parts they read: a part module's `NEEDS`) on a
    census in `year` (default the latest with classes)."""
    ctx = Context(frames, packs, year, teachers_params(packs), dict(values or {}))
    run_parts(part_modules(), ctx, only)
    return TeachersRun(school_year(dict(frames), year), ctx.parts)


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> TeachersRun:
    """Staffing, allocation and the other parts of the teachers module in `year` (default the latest)."""
    return run_teachers(frames, packs, year, params)


def summary(result: TeachersRun) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """Each part's headline lines (a part module's `summary_lines(summary)`), in order."""
    return part_lines(part_modules(), s)


def _params() -> tuple[Param, ...]:
    return tuple(p for _name, module in part_modules() for p in getattr(module, "PARAMS", ()))


KIND = RunKind(
    name="teachers",
    label=Msg("Teachers"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Teachers: staffing, allocation and rotation"), sheet=Msg("Teachers")),
    run_roles=(BUREAU_ADMIN, "personnel"),
    params=_params(),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

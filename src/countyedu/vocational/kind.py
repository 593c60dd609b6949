"""The vocational entry in the registry of run kinds (countyedu.runs.registry): majors and T-VOC-1,
school–enterprise cooperation, 1+X certificates and the credit bank (issue 16 item 3). A run is its
parts (`vocational.parts.PARTS`) on one census and school year, as the teachers run."""

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
from countyedu.runs.registry import BUREAU_ADMIN, ReportChapter, RunKind
from countyedu.vocational.frames import run_year
from countyedu.vocational.params import vocational_params
from countyedu.vocational.parts import PARTS, Context


def part_modules() -> list[tuple[str, ModuleType]]:
    """The parts' modules, in order."""
    return [(name, importlib.import_module(module)) for name, module in PARTS]


@dataclass
class VocationalRun:
    """A vocational run: the school year (None: the census has no majors) and each part's result."""

    year: int | None
    parts: dict[str, Any] = field(default_factory=dict)

    def part(self, name: str) -> Any:
        return self.parts.get(name)

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, **{name: p.as_dict() for name, p in self.parts.items()}}

    def blocks(self, lang: str | None = None) -> list[Block]:
        """Every part's blocks in order (one block saying so when the census has no vocational records)."""
        blocks = [b for p in self.parts.values() for b in p.blocks()]
        if not blocks:
            blocks = [
                Block(
                    "vocational.none",
                    Msg("Vocational education"),
                    "第12、13、15条",
                    paragraphs=[Msg("The census has no vocational records (majors, enterprises, learning outcomes).")],
                )
            ]
        return worded(blocks, lang)

    def summary(self) -> dict[str, Any]:
        return merged_summary({"year": self.year}, self.parts.values())


def run_vocational(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Pack],
    year: int | None = None,
    values: Mapping[str, Any] | None = None,
    only: Sequence[str] | None = None,
) -> VocationalRun:
    """The parts (all, or `only` those named) in `year` (default the latest of the majors sheet)."""
    y = run_year(frames, year)
    ctx = Context(frames, packs, y, vocational_params(packs), dict(values or {}))
    run_parts(part_modules(), ctx, only)
    return VocationalRun(y, ctx.parts)


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> VocationalRun:
    """Majors, cooperation, certificates and the credit bank in `year` (default the latest)."""
    return run_vocational(frames, packs, year, params)


def summary(result: VocationalRun) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """Each part's headline lines, in order."""
    return part_lines(part_modules(), s)


KIND = RunKind(
    name="vocational",
    label=Msg("Vocational education"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Vocational education and the credit bank"), sheet=Msg("Vocational")),
    run_roles=(BUREAU_ADMIN, "vocational"),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

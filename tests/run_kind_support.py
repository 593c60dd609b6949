"""A run kind registered by a test only (tests/test_run_kinds.py): pupils per stage in a year, from the
census classes. It stands for the next module: nothing but its registry entry makes it appear."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block, BlockColumn, BlockTable
from countyedu.runs.registry import Param, ReportChapter, RunKind


@dataclass
class Headcount:
    year: int
    pupils: dict[str, int]
    scale: float

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "pupils": self.pupils, "scale": self.scale}

    def blocks(self, lang: str = "zh") -> list[Block]:
        columns = [BlockColumn("stage", "stage"), BlockColumn("pupils", "pupils", "count")]
        rows: list[list[Any]] = [[s, n * self.scale] for s, n in sorted(self.pupils.items())]
        return [Block("headcount.pupils", "Headcount check", "T-0", tables=[BlockTable("Pupils", columns, rows)])]


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> Headcount:
    classes = frames["classes"].merge(frames["schools"][["school_id", "stage"]], on="school_id")
    y = int(year if year is not None else pd.to_numeric(classes["year"]).max())
    this = classes[pd.to_numeric(classes["year"]) == y]
    pupils = {str(s): int(n) for s, n in this.groupby("stage")["pupils"].sum().items()}
    return Headcount(y, pupils, float(params["scale"]))


KIND = RunKind(
    name="headcount",
    label="Headcount",
    compute=compute,
    chapter=ReportChapter(title="Headcount chapter", sheet="Headcount"),
    run_roles=("bureau_admin",),
    read_roles=("bureau_admin", "leadership"),
    params=(Param("scale", "a factor on every count", float, 1.0, 0.0, 10.0),),
    summary=lambda r: {"year": r.year, "total": sum(r.pupils.values())},
    summary_lines=lambda s: [f"headcount {s['year']}: {s['total']}"],
)

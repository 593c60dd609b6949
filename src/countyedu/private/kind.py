"""The private-school register's entry in the registry of run kinds (countyedu.runs.registry): what
`countyedu demo`, `import` and `run private`, the web's recompute, the API and the report chapter take up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.private.params import private_params
from countyedu.private.register import PrivateRegister, read_register
from countyedu.runs.registry import BUREAU_ADMIN, Param, ReportChapter, RunKind
from countyedu.supervision.kind import as_of_date as as_of_day

AS_OF = Param(
    "as_of",
    Msg("the day the run looks from (YYYY-MM-DD; default 31 December of the school year)"),
    str,
    None,
)


def register_year(frames: Mapping[str, pd.DataFrame], year: int | None) -> int | None:
    """`year`, else the private-school register's latest year (None: no register)."""
    if year is not None:
        return year
    reg = frames.get("private_schools")
    return int(reg["year"].max()) if reg is not None and len(reg) else None


def run_private(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None = None, as_of: Any = None
) -> PrivateRegister:
    """The register of `year` (default its latest) as of `as_of` (default 31 December of that year)."""
    y = register_year(frames, year)
    day = as_of_day(as_of, y if y is not None else _latest_class_year(frames))
    return read_register(frames, y, day, private_params(packs))


def _latest_class_year(frames: Mapping[str, pd.DataFrame]) -> int | None:
    classes = frames.get("classes")
    return int(classes["year"].max()) if classes is not None and len(classes) else None


def compute(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Pack], year: int | None, params: Mapping[str, Any]
) -> PrivateRegister:
    """The private-school register of the year, flagged as of the day given (第16条)."""
    return run_private(frames, packs, year, params.get("as_of"))


def summary(result: PrivateRegister) -> dict[str, Any]:
    return result.summary()


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The headline `countyedu demo` prints."""
    if not s.get("private_schools"):
        return []
    return [
        f"民办学校 {s['private_schools']} 所（幼儿园 {s['private_kindergartens']} 所，普惠 {s['inclusive_kindergartens']} 所），"
        f"{s['as_of']} 有问题 {s['flagged_schools']} 所 / {s['private_schools']} private schools, "
        f"{s['flagged_schools']} flagged as of {s['as_of']}"
    ]


KIND = RunKind(
    name="private",
    label=Msg("Private schools"),
    compute=compute,
    chapter=ReportChapter(title=Msg("Private schools"), sheet=Msg("Private schools")),
    run_roles=(BUREAU_ADMIN, "basic_education"),
    params=(AS_OF,),
    messages=True,
    summary=summary,
    summary_lines=summary_lines,
)

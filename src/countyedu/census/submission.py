"""A school's own submission (web data collection): the sheets pre-filled from the stored census, and
how a submission compares with the school's rows of the year before (what the bureau reviews)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from countyedu.census.importer import SCHOOL_SHEETS
from countyedu.census.schema import SHEET_BY_NAME
from countyedu.census.vocabulary import sort_key

Kind = Literal["added", "removed", "changed"]
# school_years columns that describe the buildings and equipment (the review's "facilities")
FACILITIES = (
    "seats",
    "teaching_area_m2",
    "sports_area_m2",
    "equipment_value",
    "multimedia_classrooms",
    "boarders",
    "disabled_pupils",
    "dropouts",
    "public_funding",
)


def prefilled(census: dict[str, pd.DataFrame], school_id: str, year: int) -> dict[str, pd.DataFrame]:
    """The school's rows of SCHOOL_SHEETS for a new year: each yearly sheet's latest year up to
    ``year``, relabelled as ``year`` (the clerk corrects what changed)."""
    out: dict[str, pd.DataFrame] = {}
    for name in SCHOOL_SHEETS:
        frame = census.get(name)
        if frame is None:
            continue
        rows = frame[frame["school_id"] == school_id]
        if SHEET_BY_NAME[name].yearly and len(rows):
            years = rows["year"][rows["year"] <= year]
            rows = rows[rows["year"] == years.max()].assign(year=year) if len(years) else rows.iloc[0:0]
        rows = rows.sort_values(list(SHEET_BY_NAME[name].key), kind="stable")
        out[name] = rows.drop(columns="_row", errors="ignore").reset_index(drop=True)
    return out


def school_rows(census: dict[str, pd.DataFrame], school_id: str, year: int) -> dict[str, pd.DataFrame]:
    """The school's rows of SCHOOL_SHEETS (yearly sheets: of that year only)."""
    out: dict[str, pd.DataFrame] = {}
    for name in SCHOOL_SHEETS:
        frame = census.get(name)
        if frame is None:
            out[name] = pd.DataFrame(columns=[c.name for c in SHEET_BY_NAME[name].columns])
            continue
        rows = frame[frame["school_id"] == school_id]
        if SHEET_BY_NAME[name].yearly:
            rows = rows[rows["year"] == year]
        out[name] = rows.drop(columns="_row", errors="ignore").reset_index(drop=True)
    return out


@dataclass(frozen=True)
class Change:
    """One row added or removed, or one value changed (field set), between two years."""

    kind: Kind
    key: str
    field: str | None = None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class Comparison:
    """A school's submission against its rows of the year before."""

    year_before: int
    year_after: int
    # grade → (classes before, classes after, pupils before, pupils after)
    grades: dict[str, tuple[int, int, int, int]]
    teachers: tuple[int, int]
    # education code → (teachers before, after)
    education: dict[str, tuple[int, int]]
    # school_years column → (before, after)
    facilities: dict[str, tuple[Any, Any]]
    school: list[Change] = field(default_factory=list)
    classes: list[Change] = field(default_factory=list)
    teacher_changes: list[Change] = field(default_factory=list)

    @property
    def pupils(self) -> tuple[int, int]:
        return (sum(g[2] for g in self.grades.values()), sum(g[3] for g in self.grades.values()))

    @property
    def class_count(self) -> tuple[int, int]:
        return (sum(g[0] for g in self.grades.values()), sum(g[1] for g in self.grades.values()))


def plain(value: Any) -> Any:
    """A cell as a plain Python value: missing → None, whole floats → int (as Excel shows them)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _records(frame: pd.DataFrame, key: list[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    out = {}
    for rec in frame.astype(object).to_dict("records"):
        row = {k: plain(v) for k, v in rec.items() if k != "_row"}
        out[tuple(row[k] for k in key)] = row
    return out


def _row_changes(
    before: pd.DataFrame, after: pd.DataFrame, key: list[str], ignore: set[str], label: Any
) -> list[Change]:
    old, new = _records(before, key), _records(after, key)
    out: list[Change] = []
    for k in sorted(set(old) | set(new), key=lambda t: tuple(str(x) for x in t)):
        name = label(k)
        if k not in old:
            out.append(Change("added", name, after=new[k]))
        elif k not in new:
            out.append(Change("removed", name, before=old[k]))
        else:
            for col, value in new[k].items():
                if col not in ignore and old[k].get(col) != value:
                    out.append(Change("changed", name, col, old[k].get(col), value))
    return out


def compare(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame], year: int) -> Comparison:
    """Compare a submission's sheets (``after``, of ``year``) with the school's stored rows of
    ``year - 1`` (``before``, as school_rows gives them)."""

    def sheet(frames: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
        found = frames.get(name)
        return found if found is not None else pd.DataFrame(columns=[c.name for c in SHEET_BY_NAME[name].columns])

    c0, c1 = sheet(before, "classes"), sheet(after, "classes")
    grades: dict[str, tuple[int, int, int, int]] = {}
    for g in sorted(set(c0["grade"].dropna()) | set(c1["grade"].dropna()), key=lambda g: sort_key("grade", g)):
        a, b = c0[c0["grade"] == g], c1[c1["grade"] == g]
        grades[str(g)] = (len(a), len(b), int(a["pupils"].fillna(0).sum()), int(b["pupils"].fillna(0).sum()))

    t0, t1 = sheet(before, "teachers"), sheet(after, "teachers")
    ed0, ed1 = Counter(t0["education"].dropna()), Counter(t1["education"].dropna())
    shown = sorted(set(ed0) | set(ed1), key=lambda e: sort_key("education", e))  # the code list's order
    education = {str(e): (ed0.get(e, 0), ed1.get(e, 0)) for e in shown}

    y0, y1 = _records(sheet(before, "school_years"), []), _records(sheet(after, "school_years"), [])
    f0, f1 = y0.get((), {}), y1.get((), {})
    facilities = {col: (f0.get(col), f1.get(col)) for col in FACILITIES}

    return Comparison(
        year_before=year - 1,
        year_after=year,
        grades=grades,
        teachers=(len(t0), len(t1)),
        education=education,
        facilities=facilities,
        school=_row_changes(sheet(before, "schools"), sheet(after, "schools"), ["school_id"], set(), lambda k: k[0]),
        classes=_row_changes(c0, c1, ["grade", "class_no"], {"year"}, lambda k: f"{k[0]}-{k[1]}"),
        teacher_changes=_row_changes(t0, t1, ["teacher_id"], {"year"}, lambda k: k[0]),
    )

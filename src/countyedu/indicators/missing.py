"""Every indicator answers at every level it is defined for, every census year: a value, or
``no_data`` with the reason (issue 12, item 2). QB-Q2 on a census without the finance item
``disabled_children_school_age`` says so, instead of yielding no row.

A level of an item with no row in a year gets one ``no_data`` row per unit (the county; each
township; each school with a part of the item's stages that year) and per stage the item answers in, and a reason: the finance
item missing that year, the year before that the formula compares with (seats added since the
previous year, rotation, retention), or nothing to count.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from countyedu.indicators import explain_tables as _labels  # noqa: F401 (registers the finance items' names)
from countyedu.indicators.tables import CensusTables
from countyedu.messages import Code, Msg
from countyedu.policy.pack import Item, Pack

# formula → the finance items it reads: (param naming the item, how many years back)
FINANCE_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "finance_ratio": (("item", ""), ("over", "over_previous_year")),
    "salary_parity": (("item", ""),),
    "disabled_enrolment": (("children_item", ""),),
}


def _years_back(item: Item) -> int:
    """How many school years before a year the item's formula compares with (0: none)."""
    prm = item.params
    if item.formula == "seats_added" and prm.get("base") == "previous_year":
        return 1
    if item.formula == "rotation_share":
        return 1
    if item.formula == "retention":
        return int(prm.get("span", 0))
    return 0


def reason(item: Item, year: int, census_years: list[int], finance: set[tuple[str, int]]) -> Msg:
    """Why an item has no value in a year."""
    for param, lag_flag in FINANCE_ITEMS.get(item.formula or "", ()):
        name = item.params.get(param)
        if not name:
            continue
        y = year - (1 if lag_flag and item.params.get(lag_flag) else 0)
        if (str(name), y) not in finance:
            return Msg("the finance sheet has no item {item} for {year}", item=Code("finance_item", str(name)), year=y)
    if item.formula == "catchment_share":
        return Msg("the census has no catchment plan (catchments sheet) for {year}", year=year)
    if item.formula == "gaokao_top":
        return Msg("the results sheet has no gaokao results for {year}", year=year)
    back = _years_back(item)
    if back and year - back not in census_years:
        return Msg("needs the school year {year}, which the census does not have", year=year - back)
    return Msg("nothing to count in {year}", year=year)


def no_data_rows(
    ct: CensusTables,
    entries: list[tuple[Pack, Item]],
    table: pd.DataFrame,
    census_years: list[int],
    county_id: str,
    years: list[int] | None = None,
    partial_years: Collection[int] = (),
) -> tuple[pd.DataFrame, dict[tuple[str, str, str, int], Msg]]:
    """The no_data rows (TABLE_COLUMNS) of every level and year an item has no row for, and their
    reasons by (pack, indicator, level, year). The stages a no_data row is given are those the item
    answers in on the closed years (else the ones it declares): a year in collection, where a few
    schools have reported, changes no closed year's rows."""
    want = [y for y in census_years if not years or y in years]
    # the distinct keys first: a province has millions of rows and a few thousand keys
    seen = table[["pack", "indicator", "level", "year"]].drop_duplicates()
    have = set(zip(seen["pack"], seen["indicator"], seen["level"], seen["year"].astype(int), strict=True))
    stages_of: dict[tuple[str, str], set[Any]] = {}
    closed = table[~table["year"].astype(int).isin(list(partial_years))] if partial_years else table
    closed = closed[["pack", "indicator", "stage"]].drop_duplicates()
    for p, i, st in zip(closed["pack"], closed["indicator"], closed["stage"], strict=True):
        stages_of.setdefault((p, i), set()).add(None if st is None or st != st else st)
    lacking = [
        (pack, item, level, y)
        for pack, item in entries
        if item.kind != "checklist"
        for level in item.levels
        for y in want
        if (pack.id, item.id, level, y) not in have
    ]
    empty = table[table["status"] == "no_data"]  # a value of nothing (a zero denominator) says why too
    empty = empty[["pack", "indicator", "level", "year"]].drop_duplicates()
    by_key = {(p.id, i.id): (p, i) for p, i in entries}
    keys = {
        (p, i, lv, int(y))
        for p, i, lv, y in zip(empty["pack"], empty["indicator"], empty["level"], empty["year"], strict=True)
        if (p, i) in by_key
    }
    lacking += [(*by_key[(p, i)], lv, y) for p, i, lv, y in sorted(keys)]
    if not lacking:
        return pd.DataFrame(), {}
    f = _read(ct, "finance", ["item", "year"])
    finance = set(zip(f["item"].astype(str), f["year"].astype(int), strict=True))
    units: dict[tuple[str, int], list[str]] = {}
    parts: pd.DataFrame | None = None
    rows: list[tuple[Any, ...]] = []
    reasons: dict[tuple[str, str, str, int], Msg] = {}
    for pack, item, level, y in lacking:
        if level == "county":
            us = [county_id]
        elif level == "township":
            us = units.get(("township", 0)) or units.setdefault(
                ("township", 0), sorted(_read(ct, "townships", ["township_id"])["township_id"].astype(str))
            )
        else:  # the schools with a part of the item's stages that year (any part: stageless items)
            if parts is None:
                parts = _read(ct, "parts", ["school_id", "year", "part"])
            stages = [s for s in item.stages if s]
            mine = parts[(parts["year"] == y) & (parts["part"].isin(stages) if stages else True)]
            us = sorted(set(mine["school_id"].astype(str)))
        reasons[(pack.id, item.id, level, y)] = reason(item, y, census_years, finance)
        if (pack.id, item.id, level, y) in have:
            continue  # rows there already (no_data): only the reason is new
        stages = sorted(stages_of.get((pack.id, item.id)) or set(item.stages), key=lambda s: (s is not None, s or ""))
        for u in us:
            for st in stages:
                rows.append((pack.id, item.id, level, u, st, y))
    out = pd.DataFrame(rows, columns=["pack", "indicator", "level", "unit", "stage", "year"])
    out = out.assign(value=np.nan, num=np.nan, den=np.nan, trend_at_deadline=np.nan, status="no_data")
    return out, reasons


def _read(ct: CensusTables, name: str, columns: list[str]) -> pd.DataFrame:
    """Columns of a sheet or of the school parts. On DuckDB from the temp tables the assessment made,
    on its own connection (a cached assessment never loads Ibis: it costs a second of start-up)."""
    con = getattr(ct.backend, "con", None) if ct.on_duckdb else None
    table = f"census_{name}"
    if name == "parts":
        made = [n for n, _sql in ct.made if n.startswith("census__parts_")]
        table = made[-1] if made else ""
    if con is None or not table:
        t = ct.parts() if name == "parts" else ct[name]
        return t.select(*columns).to_pandas()
    cols = ", ".join(f'"{c}"' for c in columns)
    return con.execute(f'SELECT {cols} FROM "{table}"').df()

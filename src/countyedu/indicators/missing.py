"""Every indicator answers at every level it is defined for, every census year: a value, or
``no_data`` with the reason (issue 12, item 2). QB-Q2 on a census without the finance item
``disabled_children_school_age`` says so, instead of yielding no row.

A level of an item with no row in a year gets one ``no_data`` row per unit (the county; each
township; each school with a part of the item's stages that year) and per stage the item answers in, and a reason: the finance
item missing that year, the year before that the formula compares with (seats added since the
previous year, rotation, retention), or nothing to count.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from countyedu.indicators import explain_tables as _labels  # noqa: F401 (registers the finance items' names)
from countyedu.indicators.codes import dense_codes, run_codes
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
    coded: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str, str, int], Msg]]:
    """The no_data rows (TABLE_COLUMNS) of every level and year an item has no row for, and their
    reasons by (pack, indicator, level, year). The stages a no_data row is given are those the item
    answers in on the closed years (else the ones it declares): a year in collection, where a few
    schools have reported, changes no closed year's rows. ``coded``: some of the table's columns as
    codes already (column → code per row, the values by code with None last)."""
    want = [y for y in census_years if not years or y in years]
    # the distinct keys first, from integer codes: a province has millions of rows and a few thousand keys
    keys = _Keys(table, coded)
    have = keys.distinct(["pack", "indicator", "level", "year"])
    closed = ~np.isin(keys.year, list(partial_years)) if partial_years else None
    stages_of: dict[tuple[str, str], set[Any]] = {}
    for p, i, st in keys.distinct(["pack", "indicator", "stage"], closed):
        stages_of.setdefault((p, i), set()).add(None if st is None or st != st else st)
    lacking = [
        (pack, item, level, y)
        for pack, item in entries
        if item.kind != "checklist"
        for level in item.levels
        for y in want
        if (pack.id, item.id, level, y) not in have
    ]
    # a value of nothing (a zero denominator) says why too
    status, names = keys.codes("status")
    empty = keys.distinct(["pack", "indicator", "level", "year"], np.isin(status, np.flatnonzero(names == "no_data")))
    by_key = {(p.id, i.id): (p, i) for p, i in entries}
    lacking += [(*by_key[(p, i)], lv, y) for p, i, lv, y in sorted(k for k in empty if k[:2] in by_key)]
    if not lacking:
        return pd.DataFrame(), {}
    f = _read(ct, "finance", ["item", "year"])
    finance = set(zip(f["item"].astype(str), f["year"].astype(int), strict=True))
    units = _Units(ct, county_id)
    blocks: list[tuple[str, str, str, int, np.ndarray, list[Any]]] = []
    reasons: dict[tuple[str, str, str, int], Msg] = {}
    for pack, item, level, y in lacking:
        reasons[(pack.id, item.id, level, y)] = reason(item, y, census_years, finance)
        if (pack.id, item.id, level, y) in have:
            continue  # rows there already (no_data): only the reason is new
        stages = sorted(stages_of.get((pack.id, item.id)) or set(item.stages), key=lambda s: (s is not None, s or ""))
        blocks.append((pack.id, item.id, level, y, units.of(level, item, y), stages))
    # each block: its units, each in each of its stages
    sizes = [len(us) * len(sts) for *_k, us, sts in blocks]
    per_block = {
        c: np.repeat(np.array([b[k] for b in blocks], dtype=object if k < 3 else np.int64), sizes)
        for k, c in enumerate(("pack", "indicator", "level", "year"))
    }
    unit = [np.repeat(us, len(sts)) for *_k, us, sts in blocks]
    stage = [np.tile(np.array(sts, dtype=object), len(us)) for *_k, us, sts in blocks]
    n = sum(sizes)
    nan = np.full(n, np.nan)
    out = pd.DataFrame(
        {
            **{c: per_block[c] for c in ("pack", "indicator", "level")},
            "unit": np.concatenate([np.empty(0, dtype=object), *unit]),
            "stage": np.concatenate([np.empty(0, dtype=object), *stage]),
            "year": per_block["year"],
            "value": nan,
            "num": nan.copy(),
            "den": nan.copy(),
            "trend_at_deadline": nan.copy(),
            "status": np.full(n, "no_data", dtype=object),
        },
        copy=False,  # not consolidated: a copy of every column
    )
    return out, reasons


class _Keys:
    """A results table's key columns as integer codes, for its distinct keys."""

    def __init__(self, table: pd.DataFrame, coded: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
        self.year = table["year"].to_numpy().astype(int)
        self._table = table
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = dict(coded or {})

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(code per row, the values by code); code -1 reads None. pack, indicator, level and stage
        come in long runs (a results table is by item and level): coded by their runs (run_codes)."""
        if column not in self._codes:
            if column == "year":
                codes, uniques = pd.factorize(self.year)
            else:
                codes, uniques = run_codes(self._table[column].to_numpy(dtype=object))
            self._codes[column] = (codes, np.array([*uniques, None], dtype=object))
        return self._codes[column]

    def distinct(self, columns: list[str], rows: np.ndarray | None = None) -> set[tuple[Any, ...]]:
        """The distinct (column, …) tuples of the rows (a boolean mask; all rows without one)."""
        sizes = [len(self.codes(c)[1]) for c in columns]  # the codes, and a code for missing
        if math.prod(sizes) >= 2**62:
            frame = self._table.loc[rows if rows is not None else slice(None), columns].drop_duplicates()
            return {
                tuple(int(v) if c == "year" else v for c, v in zip(columns, r, strict=True))
                for r in frame.itertuples(index=False)
            }
        key = np.zeros(len(self.year), dtype=np.int64)
        for c, size in zip(columns, sizes, strict=True):
            key = key * size + self.codes(c)[0] + 1
        if rows is not None:
            key = key[rows]
        distinct = dense_codes(key, math.prod(sizes))[1]
        names = [self.codes(c)[1] for c in columns]
        out = set()
        for k in distinct.tolist():
            codes = []
            for size in reversed(sizes):
                k, code = divmod(k, size)
                codes.append(code - 1)
            values = [n[code] for n, code in zip(names, reversed(codes), strict=True)]
            out.add(tuple(int(v) if c == "year" else v for c, v in zip(columns, values, strict=True)))
        return out


class _Units:
    """The units a no_data row is given, by level: the county; each township; each school with a part
    of the item's stages that year (any part: stageless items)."""

    def __init__(self, ct: CensusTables, county_id: str) -> None:
        self._ct, self._county = ct, county_id
        self._townships: np.ndarray | None = None
        self._parts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any] | None = None
        self._schools: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}

    def of(self, level: str, item: Item, year: int) -> np.ndarray:
        if level == "county":
            return np.array([self._county], dtype=object)
        if level == "township":
            if self._townships is None:
                ids = _read(self._ct, "townships", ["township_id"])["township_id"].astype(str)
                self._townships = np.array(sorted(ids), dtype=object)
            return self._townships
        stages = tuple(s for s in item.stages if s)
        if (year, stages) not in self._schools:
            if self._parts is None:
                parts = _read(self._ct, "parts", ["school_id", "year", "part"])
                codes, names = pd.factorize(parts["part"].to_numpy(dtype=object))
                # the schools' ids as str, coded in their sorted order: a year's are sorted by code
                school, ids = pd.factorize(parts["school_id"].astype(str).to_numpy(dtype=object), sort=True)
                self._parts = (school, np.asarray(ids, dtype=object), parts["year"].to_numpy(), codes, names)
            school, ids, years, part, names = self._parts
            mine = years == year
            if stages:
                mine &= np.isin(part, [k for k, name in enumerate(names) if name in stages])
            self._schools[(year, stages)] = ids[np.unique(school[mine])]  # sorted, each once
        return self._schools[(year, stages)]


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

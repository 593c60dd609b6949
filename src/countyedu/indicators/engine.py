"""The indicator engine: a pack's indicators on a census version, every year, at school, township
and county level, with a status against each target.

Status (per result):
- ``no_data``: no value (nothing to count, or a zero denominator).
- ``met`` / ``not_met``: the value against the target milestone in force that year (the first
  milestone whose deadline is not past, else the last).
- ``at_risk``: before the deadline, whatever today's status, the trend misses the target. The trend
  is the least-squares line through the unit's values of every year up to and including this one
  (two or more years needed), extended to the deadline year. Years in collection (census.years:
  partial, only some schools reported) are never points of a trend, and have no trend themselves:
  their status is met or not_met on what was reported so far.
- ``needs_evidence``: an inspector checklist item (no data in the census can decide it).

Values are compared exactly, except money: an item whose numerator and denominator are yuan
(finance_ratio over another finance item) compares the money to the fen, so a shortfall of less than
one fen against a ≥ or ≤ target is none (第23条: 994,306 yuan against 0.05% of 1,988,612,010 =
994,306.005 yuan is met). What is shown beside a status never contradicts it (reports.values).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from countyedu.census.years import Years, years_of
from countyedu.indicators import compare
from countyedu.indicators.formulas import AGGREGATE, FORMULAS, compare_kind, teacher_family_bases
from countyedu.indicators.missing import no_data_rows
from countyedu.indicators.registers import housing_served as housing_served  # registers its formula (issue 16)
from countyedu.indicators.tables import CensusTables
from countyedu.messages import Msg
from countyedu.policy.pack import Item, Pack, PackError, Target

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
else:
    from countyedu.indicators.lazy_ibis import ibis

LEVELS = ("school", "township", "county")
QB_PASS_COUNT, QB_FLOOR = 6, 0.85  # defaults; the pack's qb_school_pass params override them


@dataclass(frozen=True)
class Result:
    """One indicator value at one unit, stage and year, with its target and status."""

    pack: str
    indicator: str
    level: str
    unit: str
    stage: str | None
    year: int
    value: float | None
    target: Target | None
    status: str
    num: float | None = None
    den: float | None = None
    trend_at_deadline: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The assess JSON contract (README: "assess JSON")."""
        return {
            "indicator": self.indicator,
            "level": self.level,
            "unit": self.unit,
            "stage": self.stage,
            "year": self.year,
            "value": self.value,
            "target": self.target.as_dict() if self.target else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class SchoolGap:
    """What a school part failing QB-R-SCHOOL needs to pass: additions in things a planner buys."""

    school_id: str
    stage: str
    year: int
    additions: list[tuple[str, float, str]]  # (indicator, amount, unit words)


TABLE_COLUMNS = [
    "pack",
    "indicator",
    "level",
    "unit",
    "stage",
    "year",
    "value",
    "num",
    "den",
    "trend_at_deadline",
    "status",
]


class Assessment:
    """Every result of some packs on one census version.

    Results are kept as a table (columnar: a province has millions); ``results`` gives them as
    Result objects on first use."""

    def __init__(
        self,
        census_version: str,
        packs: list[Pack],
        county_id: str,
        results: list[Result] | None = None,
        school_gaps: list[SchoolGap] | None = None,
        years: Years | None = None,
    ) -> None:
        self.census_version = census_version
        self.packs = packs
        self.county_id = county_id
        self.years = years or Years()  # the census's school years, their states and coverage
        self.school_gaps: list[SchoolGap] = list(school_gaps or [])
        # why an item has no value at a level in a year: (pack, indicator, level, year) → Msg
        self.no_data_reasons: dict[tuple[str, str, str, int], Msg] = {}
        self._results: list[Result] | None = list(results) if results is not None else None
        self._tables: list[pd.DataFrame] = []
        self._years_seen: list[int] | None = None

    @property
    def results(self) -> list[Result]:
        if self._results is None:
            self._results = self._to_results(self.table())
        return self._results

    @results.setter
    def results(self, value: list[Result]) -> None:
        self._results = list(value)
        self._tables = []
        self._years_seen = None

    def add(self, table: pd.DataFrame) -> None:
        """Append results given as a table with TABLE_COLUMNS."""
        if self._results is not None and not self._tables:
            self._tables = [self._from_results(self._results)]
        self._tables.append(table[TABLE_COLUMNS])
        self._results = None
        self._years_seen = None

    def table(self) -> pd.DataFrame:
        """Results as a table (one row per result, TABLE_COLUMNS)."""
        if not self._tables:
            self._tables = [self._from_results(self._results or [])]
        if len(self._tables) > 1:
            with warnings.catch_warnings():  # all-NA columns (checklist rows) keep the columns' dtypes
                warnings.simplefilter("ignore", FutureWarning)
                self._tables = [pd.concat([t for t in self._tables if len(t)] or self._tables[:1], ignore_index=True)]
        return self._tables[0]

    @property
    def partial_years(self) -> frozenset[int]:
        """The school years in collection when the assessment was made."""
        return self.years.partial

    def result_years(self) -> list[int]:
        """The years with results, oldest first (worked out once: pages ask on every request)."""
        if self._years_seen is None:
            self._years_seen = sorted({int(y) for y in self.table()["year"].unique()})
        return self._years_seen

    def default_year(self) -> int:
        """The year shown unless another is asked for: the latest closed year with results."""
        years = self.result_years()
        closed = [y for y in years if y not in self.partial_years]
        return (closed or years or [0])[-1]

    def item(self, indicator: str) -> Item:
        for p in self.packs:
            for it in p.items:
                if it.id == indicator:
                    return it
        raise KeyError(indicator)

    def frame(self) -> pd.DataFrame:
        """Results as a table with the target objects (for reports)."""
        t = self.table()
        targets = [
            self.item(i).target_for(int(y), None if pd.isna(st) else st)
            for i, y, st in zip(t["indicator"], t["year"], t["stage"], strict=True)
        ]
        return t.assign(target=targets)

    def as_dict(self) -> dict[str, Any]:
        return {
            "census_version": self.census_version,
            "packs": [p.id for p in self.packs],
            "default_year": self.default_year(),
            "years": self.years.as_list(),
            "results": self._result_dicts(),
            "no_data": self.no_data_list(),
        }

    def to_json(self) -> str:
        """``json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))``, the same text,
        with the results written from the columns (_results_json): a province has two million results,
        whose dicts and pure-Python encoding took longer than the assessment. A double is written as
        its repr, as json.dumps does (tests/test_result_identity.py compares the two texts)."""
        # one join and one decoding: the province's results are 400 MB of text, each concatenation a copy
        return b"".join(self.json_pieces()).decode("utf-8")

    def json_pieces(self) -> Iterator[bytes | memoryview]:
        """to_json's text as UTF-8, in pieces (the results a slice of rows each) to be written one
        after the other: a province's 400 MB are never one text (the command writes them to its
        file as they come). A piece is valid until the next one is asked for."""
        t = self.table() if self._results is None else None
        if t is None or not len(t) or np.isinf(t["value"].to_numpy(dtype=float)).any():
            yield json.dumps(self.as_dict(), **_JSON).encode()  # Infinity: Python's spelling
            return
        placeholder = "\x00results\x00"
        d = self.as_dict_without_results()
        head = json.dumps({**d, "results": placeholder}, **_JSON)
        before, after = head.split(json.dumps(placeholder), 1)
        yield f"{before}[".encode()
        items = {it.id: it for p in self.packs for it in p.items}
        yield from _results_json(t, lambda ind, year, stage: items[ind].target_for(year, stage))
        yield f"]{after}".encode()

    def as_dict_without_results(self) -> dict[str, Any]:
        """as_dict but its results, the keys in its order (results None)."""
        return {
            "census_version": self.census_version,
            "packs": [p.id for p in self.packs],
            "default_year": self.default_year(),
            "years": self.years.as_list(),
            "results": None,
            "no_data": self.no_data_list(),
        }

    def no_data_list(self) -> list[dict[str, Any]]:
        """Every level and year an item has no value at, with the reason (a message key)."""
        return [
            {"pack": p, "indicator": i, "level": lv, "year": y, "reason": m.as_dict()}
            for (p, i, lv, y), m in self.no_data_reasons.items()
        ]

    def _result_dicts(self, full: bool = False) -> list[dict[str, Any]]:
        """Result.as_dict of every result, straight from the columns (no Result objects made); `full`
        adds pack, num, den and trend_at_deadline (the stored form, indicators.cache)."""
        if self._results is not None:
            if full:
                return [
                    {
                        **r.as_dict(),
                        "pack": r.pack,
                        "num": r.num,
                        "den": r.den,
                        "trend_at_deadline": r.trend_at_deadline,
                    }
                    for r in self._results
                ]
            return [r.as_dict() for r in self._results]
        targets = {k: None if t is None else t.as_dict() for k, t in self._targets_of(self.table()).items()}
        cols = self._columns(self.table())
        out = []
        for pack, ind, level, unit, stage, year, value, num, den, trend, status in zip(*cols, strict=True):
            d = {
                "indicator": ind,
                "level": level,
                "unit": unit,
                "stage": stage,
                "year": year,
                "value": value,
                "target": targets[(ind, year, stage)],  # one dict per target, shared by its results
                "status": status,
            }
            if full:
                d.update(pack=pack, num=num, den=den, trend_at_deadline=trend)
            out.append(d)
        return out

    @staticmethod
    def _columns(t: pd.DataFrame) -> list[list[Any]]:
        """TABLE_COLUMNS as Python lists: unit str, stage str or None, year int, numbers float or None."""

        def floats(c: str) -> list[Any]:
            v = t[c].to_numpy(dtype=float)
            o = v.astype(object)
            o[np.isnan(v)] = None
            return list(o.tolist())

        stage = t["stage"].astype(object)
        return [
            t["pack"].tolist(),
            t["indicator"].tolist(),
            t["level"].tolist(),
            [str(u) for u in t["unit"].tolist()],
            stage.where(stage.notna(), None).tolist(),
            t["year"].astype("int64").tolist(),
            floats("value"),
            floats("num"),
            floats("den"),
            floats("trend_at_deadline"),
            t["status"].tolist(),
        ]

    def _targets_of(self, t: pd.DataFrame) -> dict[tuple[str, int, str | None], Target | None]:
        """The target of every (indicator, year, stage) in the table."""
        items = {it.id: it for p in self.packs for it in p.items}
        keys = t[["indicator", "year", "stage"]].drop_duplicates()
        out: dict[tuple[str, int, str | None], Target | None] = {}
        for ind, year, stage in zip(
            keys["indicator"], keys["year"].astype("int64").tolist(), keys["stage"], strict=True
        ):
            st = None if stage is None or (isinstance(stage, float) and np.isnan(stage)) else stage
            out[(ind, year, st)] = items[ind].target_for(year, st)
        return out

    @staticmethod
    def _from_results(results: list[Result]) -> pd.DataFrame:
        rows = [
            (
                r.pack,
                r.indicator,
                r.level,
                r.unit,
                r.stage,
                r.year,
                r.value,
                r.num,
                r.den,
                r.trend_at_deadline,
                r.status,
            )
            for r in results
        ]
        return pd.DataFrame(rows, columns=TABLE_COLUMNS)

    def _to_results(self, t: pd.DataFrame) -> list[Result]:
        targets = self._targets_of(t)
        new, fields = object.__new__, Result.__dataclass_fields__
        assert list(fields) == [*TABLE_COLUMNS[:7], "target", "status", "num", "den", "trend_at_deadline"]
        out = []
        for pack, ind, level, unit, stage, year, value, num, den, trend, status in zip(*self._columns(t), strict=True):
            r = new(Result)  # a frozen dataclass's __init__ sets each field through object.__setattr__: slow
            r.__dict__.update(
                pack=pack,
                indicator=ind,
                level=level,
                unit=unit,
                stage=stage,
                year=year,
                value=value,
                target=targets[(ind, year, stage)],
                status=status,
                num=num,
                den=den,
                trend_at_deadline=trend,
            )
            out.append(r)
        return out


_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
_json_string = json.encoder.encode_basestring  # json.dumps(a str, ensure_ascii=False), without its set-up


def _json_codes(values: np.ndarray) -> tuple[np.ndarray, list[str], list[Any]]:
    """(code per row, the JSON text of each distinct value with "null" last, the distinct values
    with None last): each distinct value encoded once; None and NaN take the last code."""
    codes, uniques = _run_codes(values)
    texts = [_json_string(u) if isinstance(u, str) else json.dumps(u, **_JSON) for u in uniques] + ["null"]
    return np.where(codes < 0, len(texts) - 1, codes), texts, [*uniques, None]


def _run_codes(values: np.ndarray) -> tuple[np.ndarray, Any]:
    """pd.factorize(values), read one run of equal neighbours at a time: the results' texts come in
    runs (an item's rows together, a unit's stages and years), and hashing a run's first value only
    is cheaper than hashing every row (a province has two million)."""
    n = len(values)
    try:
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if n else np.zeros(0, dtype=np.int64)
    except (TypeError, ValueError):  # a value that is neither equal nor unequal (pd.NA)
        return pd.factorize(values)
    if len(starts) > n // 4:  # short runs: hashing every row is cheaper
        return pd.factorize(values)
    codes, uniques = pd.factorize(values[starts])
    return np.repeat(codes, np.diff(np.r_[starts, n])), uniques


def _combos(*codes: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """One code per row for each distinct combination of several codes (each code ≥ 0), and the
    codes each combination is made of. Combinations are numbered in the order of their keys: where
    the keys are few beside the rows, by counting (no hashing of every row)."""
    dims = tuple(int(c.max(initial=0)) + 1 for c in codes)
    key = np.ravel_multi_index(codes, dims)
    if math.prod(dims) <= 4 * len(key) + 1024:
        present = np.bincount(key, minlength=math.prod(dims)) > 0
        combined, keys = (np.cumsum(present) - 1)[key], np.flatnonzero(present)
    else:
        combined, keys = pd.factorize(key)
    return combined, np.unravel_index(keys, dims)


def _combined(*codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One code per row for each distinct combination of several codes, and a row of each."""
    k = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        k = k * (int(c.max(initial=0)) + 1) + c
    _u, first, inverse = np.unique(k, return_index=True, return_inverse=True)
    return inverse.reshape(-1), first


def _results_json(
    t: pd.DataFrame, target_of: Callable[[str, int, str | None], Target | None]
) -> Iterator[bytes | memoryview]:
    """The results of a table (TABLE_COLUMNS) as the inside of a JSON array, UTF-8 in slices of rows
    (a slice's piece is valid until the next is asked for): one object per row, in
    order, each as json.dumps writes Result.as_dict (see Assessment.to_json), its target
    ``target_of(indicator, year, stage)``. A row is five texts joined: what its indicator and level
    say, its unit, what its stage and year say, its value (repr, as json.dumps writes a float:
    _float_texts), what its target and status say; each text is made once per distinct value or
    combination (a province has two million rows, a few thousand combinations and a third as many
    distinct values), and the rows are put together by Arrow's string kernels (take, join
    element-wise) into one buffer per slice: no Python string per row."""
    if not len(t):
        return
    import pyarrow as pa
    import pyarrow.compute as pc

    year = t["year"].to_numpy(dtype=np.int64)
    ind, ind_t, ind_u = _json_codes(t["indicator"].to_numpy(dtype=object))
    lvl, lvl_t, _l = _json_codes(t["level"].to_numpy(dtype=object))
    unit, unit_t, _u = _json_codes(t["unit"].astype(str).to_numpy(dtype=object))
    stage, stage_t, stage_u = _json_codes(t["stage"].to_numpy(dtype=object))
    status, status_t, _s = _json_codes(t["status"].to_numpy(dtype=object))
    yc, years = pd.factorize(year)
    hk, (h_ind, h_lvl) = _combos(ind, lvl)
    # each object but the first starts with the comma that separates it from the one before
    heads = [f',{{"indicator":{ind_t[i]},"level":{lvl_t[lv]},"unit":' for i, lv in zip(h_ind, h_lvl, strict=True)]
    mk, (ms, my) = _combos(stage, yc)
    mids = [f',"stage":{stage_t[st]},"year":{int(years[y])},"value":' for st, y in zip(ms, my, strict=True)]
    tk, combos = _combos(ind, yc, stage, status)
    targets: dict[tuple[int, int, int], str] = {}  # the target's text of an item, year and stage
    tails = []
    for i, y, st, sc in zip(*combos, strict=True):
        key = (int(i), int(years[y]), int(st))
        if key not in targets:
            target = target_of(ind_u[i], key[1], stage_u[st])
            targets[key] = json.dumps(None if target is None else target.as_dict(), **_JSON)
        tails.append(f',"target":{targets[key]},"status":{status_t[sc]}}}')
    # the values by their bits (-0.0 is not 0.0; every NaN is null), each distinct one spelt once
    value, distinct = pd.factorize(t["value"].to_numpy(dtype=float).view(np.int64))
    texts = [pa.array(x, pa.large_string()) for x in (heads, unit_t, mids, tails)]
    texts.insert(3, _float_texts(np.asarray(distinct).view(np.float64)))
    for lo in range(0, len(t), _JSON_SLICE):  # in slices: the pieces of a slice are small beside its text
        hi = min(lo + _JSON_SLICE, len(t))
        pieces = [x.take(pa.array(c[lo:hi], pa.int64())) for x, c in zip(texts, (hk, unit, mk, value, tk), strict=True)]
        rows = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
        del pieces
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset : rows.offset + len(rows) + 1]
        first = int(offsets[0]) + (1 if lo == 0 else 0)  # the first row's comma off
        yield memoryview(rows.buffers()[2])[first : int(offsets[-1])]
        del rows, offsets
        pa.default_memory_pool().release_unused()  # the slice's memory back to the system


_JSON_SLICE = 262_144  # rows per slice of _results_json


def _float_texts(v: np.ndarray) -> Any:
    """Each double as json.dumps writes it (its repr; NaN → null), as an Arrow large_string array.
    Arrow's cast gives the same shortest digits as repr; where the two spell a number otherwise — an
    integral value (repr adds ".0"), an exponent (Arrow's for long numbers, repr's below 1e-4 and from
    1e16 on), −0.0 — the text is mended or made by repr (a few rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    large = pa.large_string()
    finite = np.isfinite(v)
    mag = np.abs(np.where(finite, v, 1.0))
    text = pc.cast(pa.array(v, pa.float64()), large)
    by_repr = finite & (((mag < 1e-4) & (mag > 0)) | (mag >= 1e16) | ((v == 0) & np.signbit(v)))
    by_repr |= finite & pc.match_substring(text, "e").to_numpy(zero_copy_only=False)
    integral = finite & ~by_repr & (v == np.floor(np.where(finite, v, 0.0)))
    text = pc.if_else(
        pa.array(integral), pc.binary_join_element_wise(text, pa.scalar(".0", large), pa.scalar("", large)), text
    )
    text = pc.if_else(pa.array(np.isnan(v)), pa.scalar("null", large), text)
    idx = np.flatnonzero(by_repr)
    if len(idx):
        texts = pa.array([repr(x) for x in v[idx].tolist()], large)
        text = pc.replace_with_mask(text, pa.array(by_repr), texts)
    return text


# ------------------------------------------------------------------------------ evaluate


def _cv(school_rows: pd.DataFrame) -> pd.DataFrame:
    """Pupil-weighted population CV per stage and year (STANDARDS.md, 差异系数): of the rows with a
    value and pupils, stage and year in order (a missing stage last), each group's rows in their order."""
    value = school_rows["value"].to_numpy(dtype=float)
    pupils = school_rows["den"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        keep = ~np.isnan(value) & (pupils > 0)
    stage_codes, stages = pd.factorize(school_rows["stage"].to_numpy(dtype=object)[keep], sort=True)
    stage_codes = np.where(stage_codes < 0, len(stages), stage_codes)  # a missing stage sorts last
    year = school_rows["year"].to_numpy()[keep]
    order = np.lexsort((year, stage_codes))  # stable: a group's rows keep their order
    value, pupils, stage_codes, year = value[keep][order], pupils[keep][order], stage_codes[order], year[order]
    starts = np.flatnonzero(np.r_[True, (stage_codes[1:] != stage_codes[:-1]) | (year[1:] != year[:-1])])
    ends = [*starts[1:].tolist(), len(order)]
    names = np.array([*stages, None], dtype=object)
    out = [
        {
            "stage": names[stage_codes[a]],
            "year": year[a],
            "value": weighted_cv(value[a:b], pupils[a:b]),
            "num": None,
            "den": float(pupils[a:b].sum()),
        }
        for a, b in zip(starts.tolist(), ends, strict=True)
    ]
    return pd.DataFrame(out)


def weighted_cv(values: np.ndarray, pupils: np.ndarray) -> float:
    """CV = S / X̄ with X̄ = Σ P·X / N and S = sqrt(Σ (P/N)(X − X̄)²) — the official 差异系数."""
    n = pupils.sum()
    mean = float((pupils * values).sum() / n)
    s = math.sqrt(float((pupils / n * (values - mean) ** 2).sum()))
    return s / mean if mean else float("nan")


def evaluate_item(ct: CensusTables, item: Item, county_id: str) -> pd.DataFrame:
    """Values of one indicator: columns level, unit, stage, year, num, den, value."""
    return evaluate_items(ct, [item], county_id)[0]


BASE_KEYS = ["school_id", "township_id", "stage", "year"]
VALUE_COLUMNS = ["level", "unit", "stage", "year", "num", "den", "value"]


def _base(ct: CensusTables, item: Item) -> ir.Table:
    """An item's contributions summed per school, township, stage and year (the finest level every
    roll-up starts from)."""
    c = FORMULAS[item.formula or ""](ct, item)
    return c.group_by(BASE_KEYS).aggregate(num=c.num.sum(), den=c.den.sum())


def evaluate_items(ct: CensusTables, items: list[Item], county_id: str) -> list[pd.DataFrame]:
    """Values of several indicators (one frame each, as evaluate_item), in ONE query: every item's
    contributions summed per school, township, stage and year — the teacher-based items from one
    grouped pass over the teachers (formulas.teacher_family_bases) — all items stacked with UNION
    ALL, and rolled up to school, township and county in the same query (_levels_sql)."""
    if not items:
        return []
    if not ct.on_duckdb:  # the roll-up's SQL over the stacked expression, named base
        levels = _stacked(ct, items).alias("base").sql(_levels_sql("base", items))
        return _split(levels.to_pyarrow(), items, county_id)
    # the query is built and compiled once per set of items (a pack's digest) and kept
    # (CensusTables.compiled): building and compiling it costs more than running it on a county
    key = json.dumps([it.model_dump(mode="json") for it in items], sort_keys=True, default=str)
    sql = ct.compiled(f"evaluate_items|{key}", lambda: _stacked(ct, items))
    # DuckDB's own Arrow table (Ibis would parse the SQL): its text keys are coded by Arrow, never
    # made Python strings (a province has two million values)
    return _split(ct.backend.con.sql(_levels_sql(f"({sql}) AS base", items)).to_arrow_table(), items, county_id)


def _stacked(ct: CensusTables, items: list[Item]) -> ir.Table:
    """Every item's base rows, k = its position, stacked (UNION ALL)."""
    family = teacher_family_bases(ct, items)
    bases = [
        (family[i] if i in family else _base(ct, it)).mutate(k=ibis.literal(i, "int64")) for i, it in enumerate(items)
    ]
    return bases[0] if len(bases) == 1 else ibis.union(*bases)


def _levels_sql(base: str, items: list[Item]) -> str:
    """The stacked base rows (``base``, k = item position) summed to every level of every item in one pass
    (GROUPING SETS, the same text on DuckDB and Spark): columns k, level (1 school, 2 township,
    3 county: LEVELS' order), unit (the school's or township's id; none for the county), stage, year,
    num, den. Σnum and Σden are SQL sums (all-null stays null); a school level leaves out the rows of
    no school, and a row of no year counts nowhere."""

    def among(level: str) -> str:
        ks = [str(i) for i, it in enumerate(items) if level in it.levels]
        return f"k IN ({', '.join(ks)})" if ks else "FALSE"

    return (
        "SELECT k, level, unit, stage, year, num, den FROM ("
        "SELECT k, 2 * GROUPING(school_id) + GROUPING(township_id) AS level, COALESCE(school_id, township_id) AS unit, "
        "stage, year, SUM(num) AS num, SUM(den) AS den "
        f"FROM {base} WHERE year IS NOT NULL "
        "GROUP BY GROUPING SETS ((k, school_id, stage, year), (k, township_id, stage, year), (k, stage, year))"
        f") AS levels WHERE CASE level WHEN 1 THEN unit IS NOT NULL AND {among('school')} "
        f"WHEN 2 THEN {among('township')} ELSE {among('county')} END"
    )


def _arrow_codes(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """A text column of an Arrow table as (code per row, missing → -1; the distinct texts with None
    last, so that code -1 reads None): Arrow's dictionary encoding numbers the texts in the order
    first seen, as pandas.factorize does, without a Python string per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_null(column.type):  # a column of nulls only (no text at all)
        return np.full(len(column), -1, dtype=np.int64), np.array([None], dtype=object)
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, np.array([*encoded.dictionary.to_pylist(), None], dtype=object)


def _split(levels: Any, items: list[Item], county_id: str) -> list[pd.DataFrame]:
    """The rows of _levels_sql (an Arrow table) → each item's frame (VALUE_COLUMNS), its levels in
    LEVELS' order: value Σnum·scale/Σden when Σden > 0 (ratio) or Σnum (sum)."""
    scale = np.array([float(it.params.get("scale", 1.0)) for it in items])
    is_sum = np.array([AGGREGATE[it.formula or ""] == "sum" for it in items])

    def numbers(c: str) -> np.ndarray:
        return levels.column(c).to_numpy(zero_copy_only=False)  # nulls → NaN, as pandas reads them

    k, level = numbers("k").astype(np.int64), numbers("level").astype(np.int64)
    order = np.lexsort((level, k))  # by item, then level
    k, level = k[order], level[order]
    unit_codes, unit_texts = _arrow_codes(levels.column("unit"))
    stage_codes, stage_texts = _arrow_codes(levels.column("stage"))
    unit = unit_texts[unit_codes[order]]
    unit[level == 3] = county_id
    num, den = numbers("num")[order].astype(float), numbers("den")[order].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num * scale[k] / den, np.nan)
    columns = {
        "level": np.array([None, *LEVELS], dtype=object)[level],
        "unit": unit,
        "stage": stage_texts[stage_codes[order]],
        "year": numbers("year")[order].astype(np.int64),
        "num": num,
        "den": den,
        "value": np.where(is_sum[k], num, ratio),
    }
    bounds = np.searchsorted(k, np.arange(len(items) + 1))
    return [
        pd.DataFrame({c: v[a:b] for c, v in columns.items()}, copy=False)
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]


def _base_items(pack: Pack, item: Item, out: dict[tuple[str, str], Item], given: dict[str, Pack]) -> None:
    """The formula items an item needs (itself, or what its cv / qb_school_pass / same_as reads)."""
    if item.kind == "checklist":
        return
    if item.formula == "cv":
        _base_items(pack, pack.item(item.params["of"]), out, given)
    elif item.formula == "qb_school_pass":
        for rid in item.params["indicators"]:
            _base_items(pack, pack.item(rid), out, given)
    elif item.formula == "same_as":
        _base_items(*pack.same_as(item, given), out, given)
    else:
        out.setdefault((pack.id, item.id), item)


def assess(
    ct: CensusTables, packs: list[Pack], *, years: list[int] | None = None, county_id: str | None = None
) -> Assessment:
    """Every item of the packs on the census tables."""
    check_formulas(packs)
    cid = county_id or next((str(p.parameters["county_id"]) for p in packs if "county_id" in p.parameters), "county")
    a = Assessment(ct.version, packs, cid, years=ct.years)
    if ct.on_duckdb:  # a query this small needs no Ibis
        classes = ct.backend.con.execute("SELECT DISTINCT year FROM census_classes").df()
    else:
        classes = ct["classes"].select("year").distinct().to_pandas()
    census_years = years_of({"classes": classes}, ("classes",))
    needed: dict[tuple[str, str], Item] = {}
    given = {p.id: p for p in packs}  # same_as reads these first, else what its pack resolved on load
    for pack in packs:
        for item in pack.items:
            _base_items(pack, item, needed, given)
    memo: dict[tuple[str, str], pd.DataFrame] = dict(
        zip(needed, evaluate_items(ct, list(needed.values()), cid), strict=True)
    )

    def compute(pack: Pack, item: Item) -> pd.DataFrame:
        key = (pack.id, item.id)
        if key in memo:
            return memo[key]
        if item.formula == "cv":
            base = compute(pack, pack.item(item.params["of"]))
            df = _cv(base[base["level"] == "school"]).assign(level="county", unit=cid)
        elif item.formula == "qb_school_pass":
            for rid in item.params["indicators"]:
                compute(pack, pack.item(rid))
            df, gaps = _qb_school_pass(pack, item, memo, cid)
            a.school_gaps.extend(gaps)
        elif item.formula == "same_as":
            df = compute(*pack.same_as(item, given))
            df = df[df["level"].isin(item.levels)]
        else:
            df = evaluate_item(ct, item, cid)
        memo[key] = df
        return df

    entries: list[tuple[str, Item, pd.DataFrame | None]] = []
    for pack in packs:
        for item in pack.items:
            entries.append((pack.id, item, None if item.kind == "checklist" else compute(pack, item)))
    trend_tol = {p.id: float(p.parameters["trend_tolerance"]) for p in packs if "trend_tolerance" in p.parameters}
    a.add(_statuses(entries, years, census_years, cid, a.partial_years, trend_tol))
    rows, a.no_data_reasons = no_data_rows(
        ct, [(p, i) for p in packs for i in p.items], a.table(), census_years, cid, years, a.partial_years
    )
    if len(rows):
        a.add(rows)
    return a


DERIVED = ("cv", "qb_school_pass", "same_as")


def check_formulas(packs: list[Pack]) -> None:
    """Every indicator names a formula countyedu has (PackError naming pack and item otherwise)."""
    for p in packs:
        for it in p.items:
            if it.kind == "indicator" and it.formula not in FORMULAS and it.formula not in DERIVED:
                known = ", ".join(sorted([*FORMULAS, *DERIVED]))
                raise PackError(
                    Msg(
                        "pack {id}, item {id2}: unknown formula {formula} (known: {known})",
                        id=p.id,
                        id2=it.id,
                        formula=it.formula,
                        known=known,
                    ),
                )


# ------------------------------------------------------------------------------ status


def _targets(item: Item, df: pd.DataFrame) -> pd.DataFrame:
    """The milestone in force for each row's year and stage: columns op, tvalue, by, tol."""
    keys = df[["year", "stage"]].drop_duplicates()
    rows = []
    for year, stage in zip(keys["year"], keys["stage"], strict=True):
        t = item.target_for(int(year), None if pd.isna(stage) else str(stage))
        rows.append(
            (
                year,
                stage,
                t.op if t else None,
                t.value if t else np.nan,
                t.by if t else np.nan,
                (t.tolerance or 0.0) if t else np.nan,
            )
        )
    lookup = pd.DataFrame(rows, columns=["year", "stage", "op", "tvalue", "by", "tol"])
    return df[["year", "stage"]].merge(lookup, on=["year", "stage"], how="left")


def money_item(item: Item) -> bool:
    """Whether an item's numerator and denominator are yuan (its values are compared to the fen)."""
    return item.formula == "finance_ratio" and "over" in item.params


def _met(
    items: list[Item],
    df: pd.DataFrame,
    tg: pd.DataFrame,
    targets: Any = None,
    value: pd.Series | None = None,
    tolerance: Any = None,
) -> np.ndarray:
    """Whether each row (item at _pos) meets its target (tg: op, tvalue, tol) by the exact rule of
    indicators.compare: decided on num and den, never on the float value alone."""
    pos = df["_pos"].to_numpy(dtype=np.int64)
    kinds = np.array([compare_kind(it) for it in items], dtype=object)[pos]
    is_sum = np.array([AGGREGATE.get(it.formula or "") == "sum" for it in items], dtype=bool)
    scales = np.where(is_sum, 1.0, np.array([float(it.params.get("scale", 1.0)) for it in items]))
    den = np.where(is_sum[pos], 1.0, df["den"].to_numpy(dtype=float))
    # each item's scale read once: a categorical of the distinct scales (a province has millions of rows)
    scale_codes, scale_values = pd.factorize(scales)
    return compare.meets(
        tg["op"].to_numpy(dtype=object),
        list(tg["tvalue"]) if targets is None else targets,
        df["num"].to_numpy(dtype=float),
        den,
        (df["value"] if value is None else value).to_numpy(dtype=float),
        kind=kinds,
        scale=pd.Categorical.from_codes(scale_codes[pos], scale_values),
        tolerance=list(tg["tol"]) if tolerance is None else tolerance,
    )


def _with_status(
    pack_id: str, item: Item, df: pd.DataFrame, years: list[int] | None, partial: frozenset[int] = frozenset()
) -> pd.DataFrame:
    """The item's values with their status (see the module docstring), as TABLE_COLUMNS."""
    if df.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return _statuses([(pack_id, item, df)], years, [], "", partial)


def _statuses(
    entries: list[tuple[str, Item, pd.DataFrame | None]],
    years: list[int] | None,
    census_years: list[int],
    cid: str,
    partial: frozenset[int] = frozenset(),
    trend_tolerance: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Every item's values with their status, as TABLE_COLUMNS, items in the order given and each
    item's rows by level, unit, stage and year; a checklist item (frame None) gets one
    needs_evidence row per census year. All items in one vectorised pass. Rows of the `partial`
    years (in collection) are left out of every trend and get none."""
    frames = []
    for pos, (_pack_id, _item, df) in enumerate(entries):
        if df is not None and not df.empty:
            frames.append(df[["level", "unit", "stage", "year", "value", "num", "den"]].assign(_pos=pos))
    cols: dict[str, list[Any]] = {c: [] for c in ("_pos", "level", "unit", "stage", "year", "value", "num", "den")}
    with warnings.catch_warnings():  # all-NA columns (a CV has no numerator) keep the columns' dtypes
        warnings.simplefilter("ignore", FutureWarning)
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(cols)
    # sorted by item, level, unit, stage (missing first) and year: integer codes of sorted uniques.
    # Columns are taken as arrays and the frames built once (a province has millions of rows: every
    # DataFrame.assign copied all of them)
    codes = {c: pd.factorize(df[c], sort=True)[0] for c in ("level", "unit", "stage")}  # missing → -1
    pos, year = df["_pos"].to_numpy(dtype=np.int64), df["year"].to_numpy()
    order = np.lexsort((year, codes["stage"], codes["unit"], codes["level"], pos))
    pos, year = pos[order], year[order]
    key = np.stack([pos, codes["level"][order], codes["unit"][order], codes["stage"][order]])
    change = np.ones(len(order), dtype=bool)
    change[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    stage = df["stage"].to_numpy(dtype=object)[order]
    stage[pd.isna(stage)] = None
    value = df["value"].to_numpy(dtype=float)[order]
    lean = pd.DataFrame(
        {
            "_pos": pos,
            "_unit": np.cumsum(change),  # one number per item, level, unit and stage
            "_stage": codes["stage"][order],
            "stage": stage,
            "year": year,
            "value": value,
            "num": df["num"].to_numpy(dtype=float)[order],
            "den": df["den"].to_numpy(dtype=float)[order],
        },
        copy=False,  # not consolidated: a copy of every column
    )
    items = [item for _p, item, _d in entries]
    tg, tvalue, tol = _targets_many(items, lean)
    has_target = tg["op"].notna().to_numpy()
    before = (year.astype(float) < tg["by"].to_numpy(dtype=float)) & has_target
    closed = ~np.isin(year, list(partial))
    has_value = ~np.isnan(value)
    trend = _running_trend(lean[["_unit", "year", "value"]], tg["by"], ["_unit"], closed)
    trend = trend.where(before & closed & has_value)
    met_now = _met(items, lean, tg, tvalue, tolerance=tol)
    tols = [
        float(it.params.get("trend_tolerance", (trend_tolerance or {}).get(p, compare.DEFAULT_TREND_TOLERANCE)))
        for p, it, _d in entries
    ]
    trend_tol = np.array(tols)[pos]
    trend_misses = trend.notna().to_numpy() & ~compare.trend_meets(
        tg["op"].to_numpy(dtype=object),
        tg["tvalue"].to_numpy(dtype=float),
        trend.to_numpy(),
        tg["tol"].to_numpy(),
        trend_tolerance=trend_tol,
    )
    status = np.where(
        ~has_value,
        "no_data",
        np.where(~has_target, "met", np.where(trend_misses, "at_risk", np.where(met_now, "met", "not_met"))),
    )
    # the result's columns as arrays, the years kept and the checklist rows added as arrays, and the
    # frame built once without consolidating them (each consolidation copied millions of objects)
    res: dict[str, np.ndarray] = {
        "_pos": pos,
        "pack": np.array([p for p, _i, _d in entries], dtype=object)[pos],
        "indicator": np.array([i.id for i in items], dtype=object)[pos],
        "level": df["level"].to_numpy(dtype=object)[order],
        "unit": pd.Series(df["unit"].to_numpy(dtype=object)[order], dtype=object).astype(str).to_numpy(),
        "stage": stage,
        "year": year.astype(int),
        "value": value,
        "num": lean["num"].to_numpy(),
        "den": lean["den"].to_numpy(),
        "trend_at_deadline": trend.to_numpy(dtype=float),
        "status": status.astype(object),
    }
    if years:
        keep = np.isin(res["year"], years)
        res = {c: v[keep] for c, v in res.items()}
    checklists = []
    for p, (pack_id, item, d) in enumerate(entries):
        if d is None:
            ys = np.array([y for y in census_years if not years or y in years], dtype=res["year"].dtype)
            n = len(ys)
            none, nan = np.full(n, None, dtype=object), np.full(n, np.nan)
            checklists.append(
                {
                    "_pos": np.full(n, p, dtype=pos.dtype),
                    "pack": np.full(n, pack_id, dtype=object),
                    "indicator": np.full(n, item.id, dtype=object),
                    "level": np.full(n, "county", dtype=object),
                    "unit": np.full(n, cid, dtype=object),
                    "stage": none,
                    "year": ys,
                    "value": nan,
                    "num": nan,
                    "den": nan,
                    "trend_at_deadline": nan,
                    "status": np.full(n, "needs_evidence", dtype=object),
                }
            )
    if checklists:
        # the rows are in item order already: each checklist item's rows go in at its place, in one
        # pass over each column (sorting and gathering two million rows took longer)
        at = np.repeat(
            np.searchsorted(res["_pos"], [k["_pos"][0] for k in checklists if len(k["_pos"])]),
            [len(k["_pos"]) for k in checklists if len(k["_pos"])],
        )
        res = {c: np.insert(v, at, np.concatenate([k[c] for k in checklists])) for c, v in res.items()}
    return pd.DataFrame({c: res[c] for c in TABLE_COLUMNS}, copy=False)


def _targets_many(items: list[Item], df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Categorical, pd.Categorical]:
    """The milestone in force for each row's item (_pos), year and stage: columns op, tvalue, by,
    tol; and the target values and tolerances again as categoricals (each distinct one read once by
    indicators.compare)."""
    code = df.groupby(["_pos", "year", "_stage"], sort=False).ngroup().to_numpy()
    first = df[["_pos", "year", "stage"]].iloc[np.unique(code, return_index=True)[1]]
    rows = []
    for pos, year, stage in zip(first["_pos"], first["year"], first["stage"], strict=True):
        t = items[int(pos)].target_for(int(year), None if pd.isna(stage) else str(stage))
        rows.append(
            (
                t.op if t else None,
                t.value if t else np.nan,
                t.by if t else np.nan,
                (t.tolerance or 0.0) if t else np.nan,
            )
        )
    lookup = pd.DataFrame(rows, columns=["op", "tvalue", "by", "tol"])

    def coded(column: str) -> pd.Categorical:
        distinct, values = pd.factorize(lookup[column].to_numpy(dtype=object))  # missing → -1
        return pd.Categorical.from_codes(distinct[code], values)

    return lookup.iloc[code].reset_index(drop=True), coded("tvalue"), coded("tol")


def _running_trend(
    df: pd.DataFrame, deadline: pd.Series, keys: list[str] | None = None, points: np.ndarray | None = None
) -> pd.Series:
    """For each row: the least-squares line through the unit's (year, value) points up to that row,
    evaluated at the row's deadline (NaN under two points); with `points`, only the rows it marks
    are points (a year in collection is not)."""
    ok = df["value"].notna()
    if points is not None:
        ok &= points
    origin = 2000.0  # years measured from here keep the running sums well conditioned
    x = (df["year"].astype(float) - origin).where(ok, 0.0)
    y = df["value"].astype(float).where(ok, 0.0)
    g = df.assign(n=ok.astype(float), x=x, y=y, xx=x * x, xy=x * y).groupby(
        keys or ["level", "unit", "stage"], dropna=False, sort=False
    )
    c = g[["n", "x", "y", "xx", "xy"]].cumsum()
    denom = c["n"] * c["xx"] - c["x"] ** 2
    slope = (c["n"] * c["xy"] - c["x"] * c["y"]) / denom.where(denom != 0)
    intercept = (c["y"] - slope * c["x"]) / c["n"]
    trend = slope * (deadline.astype(float).to_numpy() - origin) + intercept
    return trend.where(c["n"] >= 2)


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


# ---------------------------------------------------------------------------- QB-R-SCHOOL


def _qb_school_pass(
    pack: Pack, item: Item, computed: dict[tuple[str, str], pd.DataFrame], county_id: str
) -> tuple[pd.DataFrame, list[SchoolGap]]:
    """A school part passes when ≥ 6 of the 7 QB-R indicators meet their standard and none is
    below 85% of it (STANDARDS.md QB-R-SCHOOL). County value: the share of school parts passing.
    A part lacking any of the 7 values has no value (no_data).

    The seven indicators' school rows are stacked and judged in one pass (a province has 800,000 of
    them): whether each meets its standard, and reaches the floor (≥ floor × standard), by the
    exact rule of indicators.compare."""
    need = int(item.params.get("pass_count", QB_PASS_COUNT))
    floor = float(item.params.get("floor", QB_FLOOR))
    ids = list(item.params["indicators"])
    items = [pack.item(rid) for rid in ids]
    keys = ["unit", "stage", "year"]
    frames = []
    for pos, rid in enumerate(ids):
        df = computed[(pack.id, rid)]
        frames.append(df.loc[df["level"].to_numpy() == "school", [*keys, "value", "num", "den"]].assign(_pos=pos))
    rows = pd.concat(frames, ignore_index=True)
    stage_codes = pd.factorize(rows["stage"])[0]
    tg, tvalue, tol = _targets_many(items, rows.assign(_stage=stage_codes))
    met = _met(items, rows, tg, tvalue, tolerance=tol)
    # floor × standard, exact, once per distinct standard
    floor_x = compare.exact(floor)
    floors = pd.Categorical.from_codes(tvalue.codes, [floor_x * compare.exact(v) for v in tvalue.categories])
    at_floor = _met(items, rows, tg.assign(op=">="), floors, tolerance=tol)
    pos = rows["_pos"].to_numpy()
    standard = tg["tvalue"].to_numpy(dtype=float)
    value = rows["value"].to_numpy(dtype=float)
    # one code per school part and year (unit, stage, year), in order of first appearance
    unit_codes = pd.factorize(rows["unit"])[0]
    year_codes = pd.factorize(rows["year"])[0]
    part, first = _combined(unit_codes, stage_codes + 1, year_codes)
    counted = ~np.isnan(value) & ~np.isnan(standard)
    n_parts = len(first)
    n = np.bincount(part[counted], minlength=n_parts)
    n_met = np.bincount(part[counted], weights=met[counted], minlength=n_parts)
    n_low = np.bincount(part[counted], weights=~at_floor[counted], minlength=n_parts)
    complete = n >= len(ids)
    passed = (n_met >= need) & (n_low == 0)
    value_of = np.where(complete, passed.astype(float), np.nan)  # by part code
    order = np.sort(first)  # a row of each part, in order of first appearance
    sch = rows.iloc[order][keys].reset_index(drop=True)
    sch = sch.assign(value=value_of[part[order]], num=value_of[part[order]], den=1.0, level="school")
    # the indicators below standard of the failing parts, with what their gaps are worked out from
    short = counted & ~met & (value_of[part] == 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(standard != 0, value / np.where(standard != 0, standard, np.nan), 1.0)
    at = pos[short]
    short = rows[short].assign(
        indicator=np.array(ids, dtype=object)[at],
        standard=standard[short],
        scale=np.array([float(it.params.get("scale", 1.0)) for it in items])[at],
        gap_unit=np.array([str(it.params.get("gap_unit", it.unit)) for it in items], dtype=object)[at],
        at_floor=at_floor[short].astype("int64"),
        ratio=ratio[short],
    )
    gaps = _gaps(short, floor, len(ids) - need)
    done = sch[sch["value"].notna()]
    county = done.groupby(["stage", "year"], as_index=False).agg(num=("num", "sum"), den=("den", "sum"))
    county = county.assign(value=county["num"] / county["den"], level="county", unit=county_id)
    levels = [df for lvl, df in (("school", sch), ("county", county)) if lvl in item.levels]
    return pd.concat(levels, ignore_index=True), gaps


def _gaps(short: pd.DataFrame, floor: float, allowance: int) -> list[SchoolGap]:
    """The additions that make each failing school part pass (``short``: its indicators below
    standard): every indicator below standard is brought up to it, except the ``allowance``
    furthest below it (one, under 6 of 7), which is brought up to the floor only when below it.
    Indicators as far below as each other (their value / standard within compare.MEASURE_REL: on
    paper the same, apart in the last bits of whatever order the database added in) are taken in
    the order of their ids. Amounts are rounded up to whole units."""
    short = short.sort_values(["unit", "stage", "year", "ratio", "indicator"])
    if short.empty:
        return []
    ratio = short["ratio"].to_numpy(dtype=float)
    tied = np.zeros(len(short), dtype=bool)  # as far below as the row before, in the same part
    tied[1:] = np.abs(ratio[1:] - ratio[:-1]) <= compare.MEASURE_REL * np.maximum(np.abs(ratio[1:]), 1.0)
    for c in ("unit", "stage", "year"):
        v = short[c].to_numpy()
        tied[1:] &= v[1:] == v[:-1]
    if tied.any():  # each run of ties takes its first ratio: then the ids decide
        first = np.flatnonzero(~tied)
        short = short.assign(ratio=ratio[first][np.cumsum(~tied) - 1])
        short = short.sort_values(["unit", "stage", "year", "ratio", "indicator"])
    rank = short.groupby(["unit", "stage", "year"]).cumcount().to_numpy()
    need = short["standard"] * short["den"] / short["scale"]
    full = need - short["num"]
    to_floor = floor * need - short["num"]
    lenient = rank < allowance
    amount = np.where(lenient, to_floor, full)
    keep = ~(lenient & (short["at_floor"].to_numpy() == 1))
    short = short.assign(amount=np.ceil(amount - 1e-9))[keep]
    short = short.sort_values(["unit", "stage", "year", "indicator"], kind="stable")
    change = np.zeros(len(short), dtype=bool)  # the first row of each part
    change[0] = True
    for c in ("unit", "stage", "year"):
        v = short[c].to_numpy()
        change[1:] |= v[1:] != v[:-1]
    starts = np.flatnonzero(change).tolist()
    ends = [*starts[1:], len(short)]
    unit, stage, year = (short[c].tolist() for c in ("unit", "stage", "year"))
    out = []
    with _collector_paused():  # a province has ~90,000 gaps, ~300,000 small objects
        adds = list(zip(short["indicator"].tolist(), short["amount"].tolist(), short["gap_unit"].tolist(), strict=True))
        for a, b in zip(starts, ends, strict=True):
            g = object.__new__(SchoolGap)  # a frozen dataclass's __init__ sets each field by object.__setattr__: slow
            g.__dict__.update(school_id=str(unit[a]), stage=str(stage[a]), year=int(year[a]), additions=adds[a:b])
            out.append(g)
    return out


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while many small objects that form no cycles are made: each
    of its passes, triggered by the allocations, walks the assessment's other objects too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

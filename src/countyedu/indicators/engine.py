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
import functools
import gc
import itertools
import json
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from countyedu.census.years import Years, years_of
from countyedu.indicators import compare
from countyedu.indicators.codes import dense_codes, run_codes
from countyedu.indicators.formulas import (
    AGGREGATE,
    FORMULAS,
    class_family_bases,
    compare_kind,
    teacher_family_bases,
)
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
        self._school_gaps: list[SchoolGap] = list(school_gaps or [])
        self._gaps_due: list[Callable[[], list[SchoolGap]]] = []  # worked out when first read (gaps_due)
        # why an item has no value at a level in a year: (pack, indicator, level, year) → Msg
        self.no_data_reasons: dict[tuple[str, str, str, int], Msg] = {}
        self._results: list[Result] | None = list(results) if results is not None else None
        self._tables: list[pd.DataFrame] = []
        self._years_seen: list[int] | None = None

    @property
    def school_gaps(self) -> list[SchoolGap]:
        """What each school part failing QB-R-SCHOOL needs to pass (worked out on first reading)."""
        while self._gaps_due:
            self._school_gaps.extend(self._gaps_due.pop(0)())
        return self._school_gaps

    @school_gaps.setter
    def school_gaps(self, value: list[SchoolGap]) -> None:
        self._school_gaps, self._gaps_due = list(value), []

    def gaps_due(self, gaps: Callable[[], list[SchoolGap]]) -> None:
        """School gaps to add when first read: the JSON and the tables never read them, and a
        province's (~90,000, each a Python object) cost a third of a second to make."""
        self._gaps_due.append(gaps)

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
            tables = self._tables or [self.table()]  # as added: not concatenated for this
            self._years_seen = sorted({int(y) for t in tables for y in t["year"].unique()})
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
        file as they come). A piece holds its buffer: valid while it is held (to_json holds them all).
        The results are read from the tables as added, not concatenated (table(): a province's 2.3
        million rows cost 0.1 s and 200 MB more)."""
        tables = [t for t in self._tables if len(t)] if self._results is None else []
        if not tables or any(np.isinf(t["value"].to_numpy(dtype=float)).any() for t in tables):
            yield json.dumps(self.as_dict(), **_JSON).encode()  # Infinity: Python's spelling
            return
        placeholder = "\x00results\x00"
        d = self.as_dict_without_results()
        head = json.dumps({**d, "results": placeholder}, **_JSON)
        before, after = head.split(json.dumps(placeholder), 1)
        yield f"{before}[".encode()
        items = {it.id: it for p in self.packs for it in p.items}
        yield from _results_json(tables, lambda ind, year, stage: items[ind].target_for(year, stage))
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


def _json_codes(
    values: np.ndarray, kind: Callable[[Any], Any] = lambda u: u
) -> tuple[np.ndarray, list[str], list[Any]]:
    """(code per row, the JSON text of each distinct value (as `kind`) with "null" last, the distinct
    values with None last): each distinct value encoded once; None and NaN take the last code."""
    codes, uniques = run_codes(values)
    texts = [_json_string(u) if isinstance(u, str) else json.dumps(u, **_JSON) for u in map(kind, uniques)] + ["null"]
    return np.where(codes < 0, len(texts) - 1, codes), texts, [*uniques, None]


def _run_starts(*columns: np.ndarray) -> np.ndarray:
    """The rows where a run of rows holding the same objects in every column starts, found by the
    objects' addresses: the same object is the same value, and an equal value in another object only
    starts one run more (the codes are given by value, at the starts). The engine's texts are shared
    objects: comparing 2 million addresses costs a twentieth of comparing the values."""
    starts = np.zeros(len(columns[0]), dtype=bool)
    starts[:1] = True
    for c in columns:
        at = np.frombuffer(np.ascontiguousarray(c, dtype=object).data, dtype=np.intp)
        starts[1:] |= at[1:] != at[:-1]
    return np.flatnonzero(starts)


def _results_json(
    tables: list[pd.DataFrame], target_of: Callable[[str, int, str | None], Target | None]
) -> Iterator[bytes | memoryview]:
    """The results of tables (TABLE_COLUMNS), one after the other, as the inside of a JSON array,
    UTF-8 in slices of rows (a slice's piece holds its own buffer): one object per row, in order,
    each as json.dumps writes Result.as_dict (see Assessment.to_json), its target
    ``target_of(indicator, year, stage)``. A row
    is five texts joined: what its indicator and level say, its unit, what its stage and year say,
    its value (repr, as json.dumps writes a float: _float_texts), what its target and status say;
    each text is made once per distinct value or combination (a province has two million rows, a few
    thousand combinations and a third as many distinct values), and the rows are put together by
    Arrow's string kernels (take, join element-wise) into one buffer per slice: no Python string per
    row. The values' texts and the slices are made by two threads (pandas' hashing of numbers and
    Arrow's kernels let go of the GIL), the slices handed on in order."""
    from concurrent.futures import ThreadPoolExecutor

    tables = [t for t in tables if len(t)]
    with ThreadPoolExecutor(2, thread_name_prefix="results-json") as pool:
        numbers = [
            pool.submit(_number_codes, t["value"].to_numpy(dtype=float), t["year"].to_numpy(dtype=np.int64))
            for t in tables
        ]
        for k, t in enumerate(tables):
            texts, codes = _text_codes(t, target_of, numbers[k])
            yield from _joined_slices(pool, texts, codes, first=k == 0)


def _number_codes(value: np.ndarray, year: np.ndarray) -> tuple[np.ndarray, Any, np.ndarray, np.ndarray]:
    """(code per row of its value, the values' texts by code, code per row of its year, the years by
    code): values by their bits (-0.0 is not 0.0; every NaN is null), each distinct one spelt once;
    a year's code its distance from the first year (a table's years are a few in a row)."""
    vc, distinct = pd.factorize(value.view(np.int64))
    first, last = (int(year.min()), int(year.max())) if len(year) else (0, 0)
    if last - first < 1_000:
        yc, years = (year - first).astype(np.int32), np.arange(first, last + 1)
    else:
        yc, years = pd.factorize(year)
    return vc, _float_texts(np.asarray(distinct).view(np.float64)), yc, years


def _text_codes(
    t: pd.DataFrame, target_of: Callable[[str, int, str | None], Target | None], numbers: Any
) -> tuple[list[Any], list[np.ndarray]]:
    """The five texts of _results_json (Arrow arrays) and the code per row of each. The texts'
    columns are read a run of equal neighbours at a time (an item's rows together, a unit's stages
    and years: a province's 2.3 million rows are 0.6 million runs of indicator, level, unit and
    stage), their combinations numbered on a grid; `numbers`: _number_codes' future."""
    import pyarrow as pa

    columns = [t[c].to_numpy(dtype=object) for c in ("indicator", "level", "unit", "stage")]
    starts = _run_starts(*columns)
    lengths = np.diff(np.r_[starts, len(t)])
    ind, ind_t, ind_u = _json_codes(columns[0][starts])
    lvl, lvl_t, _l = _json_codes(columns[1][starts])
    unit, unit_t, _u = _json_codes(columns[2][starts], str)  # a unit is written as a str
    stage, stage_t, stage_u = _json_codes(columns[3][starts])
    status = t["status"].to_numpy(dtype=object)  # in runs too (a unit's years), shorter
    status_starts = _run_starts(status)
    status, status_t, _s = _json_codes(status[status_starts])
    # each object but the first starts with the comma that separates it from the one before
    heads = [f',{{"indicator":{i},"level":{lv},"unit":' for i in ind_t for lv in lvl_t]  # by indicator, level
    value, value_t, yc, years = numbers.result()
    mids = [f',"stage":{st},"year":{int(y)},"value":' for st in stage_t for y in years]  # by stage, year
    # the tails by item, stage, year and status: the codes per row made in place, 32 bits (fewer
    # pages to take from the system than 64-bit temporaries)
    shape = (len(ind_t), len(stage_t), len(years), len(status_t))
    tk = np.repeat(((ind * shape[1] + stage) * shape[2]).astype(np.int32), lengths)
    tk += yc
    tk *= shape[3]
    tk += np.repeat(status.astype(np.int32), np.diff(np.r_[status_starts, len(t)]))
    tk, keys = dense_codes(tk, math.prod(shape))
    targets: dict[tuple[int, int, int], str] = {}  # the target's text of an item, year and stage
    tails = []
    for i, st, y, sc in zip(*np.unravel_index(keys, shape), strict=True):
        key = (int(i), int(years[y]), int(st))
        if key not in targets:
            target = target_of(ind_u[i], key[1], stage_u[st])
            targets[key] = json.dumps(None if target is None else target.as_dict(), **_JSON)
        tails.append(f',"target":{targets[key]},"status":{status_t[sc]}}}')
    texts = [pa.array(x, pa.large_string()) for x in (heads, unit_t, mids, tails)]
    texts.insert(3, value_t)
    mk = np.repeat((stage * len(years)).astype(np.int32), lengths)
    mk += yc
    head = np.repeat((ind * len(lvl_t) + lvl).astype(np.int32), lengths)
    return texts, [head, np.repeat(unit.astype(np.int32), lengths), mk, value, tk]


def _joined_slices(pool: Any, texts: list[Any], codes: list[np.ndarray], first: bool) -> Iterator[memoryview]:
    """The rows joined (_results_json) a slice at a time by the pool's threads, handed on in order,
    two slices in the making at a time; `first`: the first rows of all (no comma before the first)."""
    import collections

    n = len(codes[0])
    making: collections.deque[Any] = collections.deque()
    for lo in range(0, n, _JSON_SLICE):  # in slices: the pieces of a slice are small beside its text
        making.append(pool.submit(_joined, texts, codes, lo, min(lo + _JSON_SLICE, n), first and lo == 0))
        if len(making) == 2:
            yield making.popleft().result()
    while making:
        yield making.popleft().result()


def _joined(texts: list[Any], codes: list[np.ndarray], lo: int, hi: int, first: bool) -> memoryview:
    """Rows lo to hi of _results_json, each the texts its codes give joined, as one UTF-8 buffer;
    `first`: the first of all (its comma off)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces = [x.take(pa.array(c[lo:hi])) for x, c in zip(texts, codes, strict=True)]
    rows = pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
    del pieces
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset : rows.offset + len(rows) + 1]
    start = int(offsets[0]) + (1 if first else 0)
    return memoryview(rows.buffers()[2])[start : int(offsets[-1])]


_JSON_SLICE = 32_768  # rows per slice of _results_json (smaller: less held, fewer fresh pages; measured)


def _float_texts(v: np.ndarray) -> Any:
    """Each double as json.dumps writes it (its repr; NaN → null), as an Arrow large_string array.
    Arrow's cast gives the same shortest digits as repr; where the two spell a number otherwise — an
    integral value (repr adds ".0"), an exponent (Arrow's for long numbers, repr's below 1e-4 and from
    1e16 on), −0.0 — and NaN, the text is made by repr or is null (a few rows: the province's 668,472
    distinct values have 4,266 integral ones and no other)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    large = pa.large_string()
    finite = np.isfinite(v)
    mag = np.abs(np.where(finite, v, 1.0))
    text = pc.cast(pa.array(v, pa.float64()), large)
    by_repr = ((mag < 1e-4) & (mag > 0)) | (mag >= 1e16) | ((v == 0) & np.signbit(v)) | (v == np.floor(v))
    by_repr |= pc.match_substring(text, "e").to_numpy(zero_copy_only=False)
    by_repr &= finite
    by_repr |= np.isnan(v)
    idx = np.flatnonzero(by_repr)
    if len(idx):
        texts = pa.array(["null" if x != x else repr(x) for x in v[idx].tolist()], large)
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
    grouped pass over the teachers (formulas.teacher_family_bases), the class-size items from one over
    the classes (formulas.class_family_bases) — the items of the same levels stacked with UNION ALL and
    rolled up to those levels in the same query (_levels_sql), the groups of levels one after the other."""
    if not items:
        return []
    groups = _level_groups(items)
    if not ct.on_duckdb:  # the roll-up's SQL over the stacked expression, named base
        ks = [k for g in groups for k in g]
        levels = _stacked(_bases(ct, items), ks).alias("base").sql(_levels_sql("base", items, ks))
        return _split(levels.to_pyarrow(), items, county_id)
    # each group's stack is built and compiled once per set of items (a pack's digest) and kept
    # (CensusTables.compiled): building and compiling it costs more than running it on a county
    key = json.dumps([it.model_dump(mode="json") for it in items], sort_keys=True, default=str)
    made: list[ir.Table] = []  # every item's base rows, built once for all groups (on a cache miss)

    def stacked(ks: list[int]) -> ir.Table:
        if not made:
            made.extend(_bases(ct, items))
        return _stacked(made, ks)

    queries = [
        _levels_sql(f"({ct.compiled(f'evaluate_items|{key}|{ks}', lambda ks=ks: stacked(ks))}) AS base", items, ks)
        for ks in groups
    ]
    # DuckDB's own Arrow table (Ibis would parse the SQL): its text keys are coded by Arrow, never
    # made Python strings (a province has two million values)
    sql = " UNION ALL ".join(f"SELECT * FROM ({q}) AS g{i}" for i, q in enumerate(queries))
    return _split(ct.backend.con.sql(sql).to_arrow_table(), items, county_id)


def _level_groups(items: list[Item]) -> list[list[int]]:
    """The items' positions grouped by the levels they are defined at (groups in order of their first
    item; items at no level in none): each group is rolled up to its own levels only."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, it in enumerate(items):
        levels = tuple(lv for lv in LEVELS if lv in it.levels)
        if levels:
            groups.setdefault(levels, []).append(i)
    return list(groups.values())


def _bases(ct: CensusTables, items: list[Item]) -> list[ir.Table]:
    """Every item's base rows, k = its position."""
    family = {**class_family_bases(ct, items), **teacher_family_bases(ct, items)}
    return [
        (family[i] if i in family else _base(ct, it)).mutate(k=ibis.literal(i, "int64")) for i, it in enumerate(items)
    ]


def _stacked(bases: list[ir.Table], ks: list[int]) -> ir.Table:
    """The base rows of the items at positions ks, stacked (UNION ALL)."""
    chosen = [bases[k] for k in ks]
    return chosen[0] if len(chosen) == 1 else ibis.union(*chosen)


_GROUPING_SET = {
    "school": "(k, school_id, stage, year)",
    "township": "(k, township_id, stage, year)",
    "county": "(k, stage, year)",
}


def _levels_sql(base: str, items: list[Item], ks: list[int]) -> str:
    """The stacked base rows of the items at positions ks (``base``, k = item position) summed to every
    level of those items in one pass (GROUPING SETS of their levels only, the same text on DuckDB and
    Spark): columns k, level (1 school, 2 township, 3 county: LEVELS' order), unit (the school's or
    township's id; none for the county), stage, year, num, den. Σnum and Σden are SQL sums (all-null
    stays null); a school level leaves out the rows of no school, and a row of no year counts nowhere."""
    levels = [lv for lv in LEVELS if any(lv in items[k].levels for k in ks)]
    by = {"school": "school_id", "township": "township_id"}
    grouped = [by[lv] for lv in levels if lv in by]
    # the level of a row: the first of its unit columns grouped on (GROUPING 0), else the county
    level = " ".join(f"WHEN GROUPING({c}) = 0 THEN {LEVELS.index(lv) + 1}" for lv, c in by.items() if c in grouped)
    level = f"CASE {level} ELSE 3 END" if level else "3"
    unit = f"COALESCE({', '.join(grouped)})" if len(grouped) > 1 else grouped[0] if grouped else "CAST(NULL AS STRING)"

    def keep(lv: str) -> str:  # which rows of a level are kept: the items defined there (of a school, a school's)
        ks_at = [k for k in ks if lv in items[k].levels]
        among = "TRUE" if len(ks_at) == len(ks) else f"k IN ({', '.join(map(str, ks_at))})"
        return f"unit IS NOT NULL AND {among}" if lv == "school" else among

    conditions = [(LEVELS.index(lv) + 1, keep(lv)) for lv in levels]
    where = (
        ""
        if all(c == "TRUE" for _lv, c in conditions)
        else (
            " WHERE CASE level "
            + " ".join(f"WHEN {lv} THEN {c}" for lv, c in conditions[:-1])
            + f" ELSE {conditions[-1][1]} END"
            if len(conditions) > 1
            else f" WHERE {conditions[0][1]}"
        )
    )
    return (
        "SELECT k, level, unit, stage, year, num, den FROM ("
        f"SELECT k, {level} AS level, {unit} AS unit, stage, year, SUM(num) AS num, SUM(den) AS den "
        f"FROM {base} WHERE year IS NOT NULL "
        f"GROUP BY GROUPING SETS ({', '.join(_GROUPING_SET[lv] for lv in levels)})"
        f") AS levels{where}"
    )


def _sorted_codes(column: Any, more: tuple[str, ...] = ()) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """A text column of an Arrow table as (code per row, missing → -1) of its texts and ``more``
    sorted (Arrow sorts the distinct texts by their UTF-8 bytes: Python's order of str), and that
    categories' dtype: a column of the frames _split makes, read by _joint_codes without hashing a row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_null(column.type):  # a column of nulls only (no text at all)
        column = column.cast(pa.string())
    encoded = pc.dictionary_encode(column).combine_chunks()
    texts = encoded.dictionary
    if more:  # the texts keep their numbers, those of ``more`` not among them come after
        texts = pc.unique(pa.concat_arrays([texts, pa.array(list(more), type=texts.type)]))
    order = pc.array_sort_indices(texts).to_numpy()
    rank = np.empty(len(texts) + 1, dtype=np.int64)
    rank[order] = np.arange(len(texts))
    rank[-1] = -1  # a missing text (index -1) stays -1
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return rank[codes], pd.CategoricalDtype(pd.Index(texts.take(order).to_pylist(), dtype=object))


def _categorical(codes: np.ndarray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def _split(levels: Any, items: list[Item], county_id: str) -> list[pd.DataFrame]:
    """The rows of _levels_sql (an Arrow table) → each item's frame (VALUE_COLUMNS), its levels in
    LEVELS' order: value Σnum·scale/Σden when Σden > 0 (ratio) or Σnum (sum). level, unit and stage
    are pd.Categoricals of sorted categories, one dtype each shared by every frame (a missing unit or
    stage reads None)."""
    scale = np.array([float(it.params.get("scale", 1.0)) for it in items])
    is_sum = np.array([AGGREGATE[it.formula or ""] == "sum" for it in items])

    def numbers(c: str) -> np.ndarray:
        return levels.column(c).to_numpy(zero_copy_only=False)  # nulls → NaN, as pandas reads them

    k, level = numbers("k").astype(np.int64), numbers("level").astype(np.int64)
    order = np.lexsort((level, k))  # by item, then level
    k, level = k[order], level[order]
    unit_codes, unit_dtype = _sorted_codes(levels.column("unit"), (county_id,))
    stage_codes, stage_dtype = _sorted_codes(levels.column("stage"))
    unit = unit_codes[order]
    unit[level == 3] = unit_dtype.categories.get_loc(county_id)
    level_dtype = pd.CategoricalDtype(pd.Index(sorted(LEVELS), dtype=object))
    level_of = np.array([-1, *(sorted(LEVELS).index(lv) for lv in LEVELS)], dtype=np.int8)  # by level number
    num, den = numbers("num")[order].astype(float), numbers("den")[order].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num * scale[k] / den, np.nan)
    columns: dict[str, Any] = {
        "level": (level_of[level], level_dtype),
        "unit": (unit, unit_dtype),
        "stage": (stage_codes[order], stage_dtype),
        "year": numbers("year")[order].astype(np.int64),
        "num": num,
        "den": den,
        "value": np.where(is_sum[k], num, ratio),
    }
    bounds = np.searchsorted(k, np.arange(len(items) + 1))
    return [
        pd.DataFrame(
            {c: _categorical(v[0][a:b], v[1]) if isinstance(v, tuple) else v[a:b] for c, v in columns.items()},
            copy=False,
        )
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
            a.gaps_due(gaps)
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
    table, coded = _coded_statuses(entries, years, census_years, cid, a.partial_years, trend_tol)
    a.add(table)
    rows, a.no_data_reasons = no_data_rows(
        ct, [(p, i) for p in packs for i in p.items], table, census_years, cid, years, a.partial_years, coded
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
    pos: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    value: np.ndarray,
    op: Any,
    targets: Any,
    tolerance: Any,
) -> np.ndarray:
    """Whether each row (item at pos) meets its target (op, target and tolerance per row, arrays or
    pd.Categoricals) by the exact rule of indicators.compare: decided on num and den, never on the
    float value alone."""
    is_sum = np.array([AGGREGATE.get(it.formula or "") == "sum" for it in items], dtype=bool)
    scales = np.where(is_sum, 1.0, np.array([float(it.params.get("scale", 1.0)) for it in items]))
    # each item's kind and scale read once: categoricals of the distinct ones (a province has millions of rows)
    kind_codes, kinds = pd.factorize(np.array([compare_kind(it) for it in items], dtype=object))
    scale_codes, scale_values = pd.factorize(scales)
    return compare.meets(
        op,
        targets,
        num,
        np.where(is_sum[pos], 1.0, den),
        value,
        kind=pd.Categorical.from_codes(kind_codes[pos], kinds),
        scale=pd.Categorical.from_codes(scale_codes[pos], scale_values),
        tolerance=tolerance,
    )


def _with_status(
    pack_id: str, item: Item, df: pd.DataFrame, years: list[int] | None, partial: frozenset[int] = frozenset()
) -> pd.DataFrame:
    """The item's values with their status (see the module docstring), as TABLE_COLUMNS."""
    if df.empty:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return _coded_statuses([(pack_id, item, df)], years, [], "", partial)[0]


def _coded_statuses(
    entries: list[tuple[str, Item, pd.DataFrame | None]],
    years: list[int] | None,
    census_years: list[int],
    cid: str,
    partial: frozenset[int] = frozenset(),
    trend_tolerance: dict[str, float] | None = None,
) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Every item's values with their status, as TABLE_COLUMNS, items in the order given and each
    item's rows by level, unit, stage and year; a checklist item (frame None) gets one
    needs_evidence row per census year. All items in one vectorised pass, on arrays and integer
    codes (a province has two million rows: every DataFrame step copied or hashed them all). Rows of
    the `partial` years (in collection) are left out of every trend and get none. Beside the table,
    its pack, indicator, level, stage and status columns as codes (missing.no_data_rows reads them):
    column → (code per row, the values by code and None last, for code -1)."""
    # a checklist item's rows (county, no stage, each census year) are stacked and sorted with the
    # others, their status set after: inserted afterwards, each column was copied again
    census = np.array([y for y in census_years if not years or y in years], dtype=np.int64)
    checklist = pd.DataFrame(
        {"level": "county", "unit": cid, "stage": None, "year": census, "value": np.nan, "num": np.nan, "den": np.nan}
    )
    got = [(p, checklist if d is None else d) for p, (_pack, _item, d) in enumerate(entries)]
    got = [(p, d) for p, d in got if not d.empty]

    def stacked(column: str, dtype: Any = None) -> np.ndarray:
        if not got:
            return np.empty(0, dtype=dtype or np.int64)
        return np.concatenate([d[column].to_numpy(dtype=dtype) for _p, d in got])

    pos = np.repeat(np.array([p for p, _d in got], dtype=np.int64), [len(d) for _p, d in got])
    year = stacked("year")
    # sorted by item, level, unit, stage (missing first) and year: integer codes of sorted uniques
    # (missing → -1), one int64 key per row when they fit in one
    lv, lv_names = _joint_codes([d["level"] for _p, d in got])
    un, un_names = _joint_codes([d["unit"] for _p, d in got])
    sg, sg_names = _joint_codes([d["stage"] for _p, d in got])
    yc, year_values = _year_codes(year)
    n_l, n_u, n_s, n_y = len(lv_names) + 1, len(un_names) + 1, len(sg_names) + 1, max(len(year_values), 1)
    if max(len(entries), 1) * n_l * n_u * n_s * n_y < 2**62:
        key = (((pos * n_l + lv + 1) * n_u + un + 1) * n_s + sg + 1) * n_y + yc
        order = np.argsort(key, kind="stable")
        unit_key = key[order] // n_y  # one number per item, level, unit and stage
    else:
        order = np.lexsort((yc, sg, un, lv, pos))
        keys = np.stack([pos[order], lv[order], un[order], sg[order]])
        unit_key = np.cumsum(np.r_[True, (keys[:, 1:] != keys[:, :-1]).any(axis=0)])
    pos, year, sg = pos[order], year[order], sg[order]
    stage = np.array([*sg_names, None], dtype=object)[sg]  # code -1 reads None
    value, num, den = (stacked(c, float)[order] for c in ("value", "num", "den"))
    items = [item for _p, item, _d in entries]
    tg = _targets_many(items, pos, yc[order], year_values, sg, sg_names)
    has_target = tg.op.codes >= 0
    before = (year.astype(float) < tg.by) & has_target
    closed = ~np.isin(year, list(partial))
    has_value = ~np.isnan(value)
    trend = _running_trend(unit_key, year, value, tg.by, closed)
    trend = np.where(before & closed & has_value, trend, np.nan)
    met_now = _met(items, pos, num, den, value, tg.op, tg.value_coded, tg.tol_coded)
    tols = [
        float(it.params.get("trend_tolerance", (trend_tolerance or {}).get(p, compare.DEFAULT_TREND_TOLERANCE)))
        for p, it, _d in entries
    ]
    trend_misses = ~np.isnan(trend) & ~compare.trend_meets(
        tg.op, tg.value, trend, tg.tol, trend_tolerance=np.array(tols, dtype=float)[pos]
    )
    status = np.where(~has_value, 0, np.where(~has_target, 1, np.where(trend_misses, 2, np.where(met_now, 1, 3))))
    status[np.array([d is None for _p, _i, d in entries], dtype=bool)[pos]] = 4
    # the result's columns as arrays, the years kept, and the frame built once without consolidating
    # them (each consolidation copied millions of objects)
    res: dict[str, np.ndarray] = {
        "pack": np.array([p for p, _i, _d in entries], dtype=object)[pos],
        "indicator": np.array([i.id for i in items], dtype=object)[pos],
        "level": np.asarray(lv_names, dtype=object)[lv[order]],
        "unit": _texts([d["unit"] for _p, d in got], un, un_names, order),
        "stage": stage,
        "year": year.astype(int),
        "value": value,
        "num": num,
        "den": den,
        "trend_at_deadline": trend,
        "status": np.array(STATUSES, dtype=object)[status],
    }
    packs, pack_ids = pd.factorize(np.array([p for p, _i, _d in entries], dtype=object))
    indicators, indicator_ids = pd.factorize(np.array([i.id for i in items], dtype=object))
    coded = {
        "pack": (packs[pos], pack_ids),
        "indicator": (indicators[pos], indicator_ids),
        "level": (lv[order], lv_names),
        "stage": (sg, sg_names),
        "status": (status, STATUSES),
    }
    if years:
        keep = np.isin(res["year"], years)
        res = {c: v[keep] for c, v in res.items()}
        coded = {c: (v[keep], names) for c, (v, names) in coded.items()}
    table = pd.DataFrame({c: res[c] for c in TABLE_COLUMNS}, copy=False)
    return table, {c: (v, np.array([*names, None], dtype=object)) for c, (v, names) in coded.items()}


# the status of code k, as _coded_statuses numbers them
STATUSES = ("no_data", "met", "at_risk", "not_met", "needs_evidence")


def _joint_codes(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize of the columns one after the other, sort=True: (code per row, missing → -1; the
    sorted distinct values). A pd.Categorical column (_split's) is read by its codes, each distinct
    categories' list sorted once, no row hashed; its unused categories are among the values (they
    number no row)."""
    if not any(isinstance(c.dtype, pd.CategoricalDtype) for c in columns):
        values = [c.to_numpy(dtype=object) for c in columns]
        codes, names = run_codes(np.concatenate(values) if values else np.empty(0, dtype=object), sort=True)
        return np.asarray(codes, dtype=np.int64), np.asarray(names, dtype=object)
    pieces: list[tuple[np.ndarray, tuple[int, int]]] = []  # each column's codes, where its values are among all
    shared: dict[int, tuple[int, int]] = {}  # a categories' list (by identity) → where its values are
    distinct: list[np.ndarray] = []
    at = 0
    for c in columns:
        if isinstance(c.dtype, pd.CategoricalDtype):
            cats = c.dtype.categories
            if id(cats) not in shared:
                shared[id(cats)] = (at, at + len(cats))
                distinct.append(np.asarray(cats, dtype=object))
                at += len(cats)
            pieces.append((np.asarray(c.cat.codes), shared[id(cats)]))
        else:
            codes, uniques = run_codes(c.to_numpy(dtype=object))
            distinct.append(np.asarray(uniques, dtype=object))
            pieces.append((np.asarray(codes, dtype=np.int64), (at, at + len(uniques))))
            at += len(uniques)
    joint, names = pd.factorize(np.concatenate(distinct), sort=True)
    out = []
    # the columns of one values' list together (the engine's frames share one): renumbered at once
    for (start, end), group in itertools.groupby(pieces, key=lambda piece: piece[1]):
        codes = np.concatenate([c for c, _at in group]).astype(np.int64)
        renumber = joint[start:end].astype(np.int64)
        if not np.array_equal(renumber, np.arange(len(renumber))):
            codes = np.append(renumber, -1)[codes]  # code -1 (missing) reads the last: -1
        out.append(codes)
    return np.concatenate(out) if len(out) > 1 else out[0], np.asarray(names, dtype=object)


def _texts(columns: list[pd.Series], codes: np.ndarray, uniques: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The columns' values one after the other, [order], as str (pandas' astype(str)), each distinct
    value made a str once (codes, uniques: _joint_codes'); a Categorical's missing value reads None."""
    if (codes < 0).any():  # a missing unit: its own spelling ("None", "nan")
        values = np.concatenate(
            [
                np.array([*c.dtype.categories, None], dtype=object)[c.cat.codes]
                if isinstance(c.dtype, pd.CategoricalDtype)
                else c.to_numpy(dtype=object)
                for c in columns
            ]
        )
        return pd.Series(values[order], dtype=object).astype(str).to_numpy()
    return pd.Series(uniques, dtype=object).astype(str).to_numpy()[codes[order]]


def _year_codes(year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, the years by code), codes in year order: a census's few years are coded by
    subtraction (no sort of millions of rows), anything else by np.unique."""
    if year.dtype.kind in "iu" and len(year):
        lo, hi = int(year.min()), int(year.max())
        if hi - lo < 4096:
            return year.astype(np.int64) - lo, np.arange(lo, hi + 1, dtype=np.int64)
    values, codes = np.unique(year, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), values


class _InForce(NamedTuple):
    """The milestone in force for each row: op (a pd.Categorical, code -1 without a target), value,
    by and tolerance (floats, NaN without a target), and value and tolerance again as
    pd.Categoricals (each distinct one read once by indicators.compare)."""

    op: pd.Categorical
    value: np.ndarray
    by: np.ndarray
    tol: np.ndarray
    value_coded: pd.Categorical
    tol_coded: pd.Categorical


def _targets_many(
    items: list[Item],
    pos: np.ndarray,
    year_codes: np.ndarray,
    year_values: np.ndarray,
    stage_codes: np.ndarray,
    stages: Any,
) -> _InForce:
    """The milestone in force for each row's item (pos), year (year_values[year_codes]) and stage
    (stages[stage_codes], -1: none): Item.target_for once per distinct item, year and stage."""
    n_s, n_y = len(stages) + 1, max(len(year_values), 1)
    key = (pos * n_s + stage_codes + 1) * n_y + year_codes
    code, distinct = dense_codes(key, max(len(items), 1) * n_s * n_y)
    ops, values, bys, tols = [], [], [], []
    for k in distinct.tolist():
        p, rest = divmod(k, n_s * n_y)
        s, y = divmod(rest, n_y)
        t = items[p].target_for(int(year_values[y]), None if s == 0 else str(stages[s - 1]))
        ops.append(t.op if t else None)
        values.append(t.value if t else np.nan)
        bys.append(t.by if t else np.nan)
        tols.append((t.tolerance or 0.0) if t else np.nan)

    def coded(column: list[Any]) -> pd.Categorical:
        distinct_codes, uniques = pd.factorize(np.array(column, dtype=object))  # missing → -1
        return pd.Categorical.from_codes(distinct_codes[code], uniques)

    return _InForce(
        op=coded(ops),
        value=np.array(values, dtype=float)[code],
        by=np.array(bys, dtype=float)[code],
        tol=np.array(tols, dtype=float)[code],
        value_coded=coded(values),
        tol_coded=coded(tols),
    )


def _running_trend(
    unit: np.ndarray, year: np.ndarray, value: np.ndarray, deadline: np.ndarray, points: np.ndarray | None = None
) -> np.ndarray:
    """For each row: the least-squares line through its unit's (year, value) points up to that row,
    evaluated at the row's deadline (NaN under two points). ``unit``: a number per row, each unit's
    rows together and in year order; with ``points``, only the rows it marks are points (a year in
    collection is not)."""
    ok = ~np.isnan(value)
    if points is not None:
        ok &= points
    origin = 2000.0  # years measured from here keep the running sums well conditioned
    x = np.where(ok, year.astype(float) - origin, 0.0)
    y = np.where(ok, value, 0.0)
    runs = _Runs(unit)
    years_whole = year.dtype.kind in "iu"  # then x and x² are whole numbers
    n = runs.sums(ok.astype(float), whole=True)
    sx, sxx = (runs.sums(c, whole=years_whole) for c in (x, x * x))
    sy, sxy = runs.sums(y), runs.sums(x * y)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        denom = n * sxx - sx**2
        slope = (n * sxy - sx * sy) / np.where(denom != 0, denom, np.nan)
        intercept = (sy - slope * sx) / n
        trend = slope * (deadline - origin) + intercept
    return np.where(n >= 2, trend, np.nan)


class _Runs:
    """The rows of each unit (``unit``: a number per row, each unit's rows together), for running
    sums within units."""

    def __init__(self, unit: np.ndarray) -> None:
        rows = len(unit)
        change = np.ones(rows, dtype=bool)
        change[1:] = unit[1:] != unit[:-1]
        self.first = np.flatnonzero(change)
        self.group = np.cumsum(change) - 1  # the unit's number, from 0
        self.rank = np.arange(rows) - self.first[self.group]  # the row's place in its unit
        self.longest = int(self.rank.max(initial=-1)) + 1
        self.cell = self.rank * len(self.first) + self.group  # the row's cell in a places × units grid

    def sums(self, column: np.ndarray, whole: bool = False) -> np.ndarray:
        """The running sum of a column within each unit, as pandas' grouped cumsum adds it
        (Kahan-compensated; a missing value gives a missing sum, and the sum goes on past it; a
        missing sum stays missing), to the last bit. ``whole``: the column is known to hold whole
        numbers only (not checked again)."""
        whole = whole or bool(np.isfinite(column).all() and np.array_equal(column, np.rint(column)))
        if whole and float(np.abs(column).sum()) < 2.0**53:
            # whole numbers whose sums stay exact: every compensation is 0, the sum is the integers'
            c = np.cumsum(column.astype(np.int64))
            before = np.where(self.first > 0, c[self.first - 1], 0)
            return (c - before[self.group]).astype(float)
        # one step per place in a unit (a census's few years), across all units at once: the column
        # laid out as places × units
        units = len(self.first)
        flat = np.zeros(self.longest * units)
        flat[self.cell] = column
        grid = flat.reshape(self.longest, units)
        out = np.empty_like(grid)
        total = np.zeros(units)
        compensation = np.zeros(units)
        with np.errstate(invalid="ignore", over="ignore"):
            if not np.isnan(column).any():  # every value added: the steps below without their masks
                for place in range(self.longest):
                    y = grid[place] - compensation
                    t = total + y
                    compensation = (t - total) - y
                    out[place] = total = t
                return out.reshape(-1)[self.cell]
            for place in range(self.longest):
                v = grid[place]
                y = v - compensation
                t = total + y
                added = ~np.isnan(v) & ~np.isnan(total)
                out[place] = np.where(added, t, np.nan)
                compensation = np.where(added, (t - total) - y, compensation)
                total = np.where(added, t, total)
        return out.reshape(-1)[self.cell]


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


# ---------------------------------------------------------------------------- QB-R-SCHOOL


def _qb_school_pass(
    pack: Pack, item: Item, computed: dict[tuple[str, str], pd.DataFrame], county_id: str
) -> tuple[pd.DataFrame, Callable[[], list[SchoolGap]]]:
    """A school part passes when ≥ 6 of the 7 QB-R indicators meet their standard and none is
    below 85% of it (STANDARDS.md QB-R-SCHOOL). County value: the share of school parts passing.
    A part lacking any of the 7 values has no value (no_data).

    The seven indicators' school rows are stacked (as arrays) and judged in one pass (a province has
    800,000 of them): whether each meets its standard, and reaches the floor (≥ floor × standard),
    by the exact rule of indicators.compare. The failing parts' gaps are given as a function that
    works them out (Assessment.gaps_due)."""
    need = int(item.params.get("pass_count", QB_PASS_COUNT))
    floor = float(item.params.get("floor", QB_FLOOR))
    ids = list(item.params["indicators"])
    items = [pack.item(rid) for rid in ids]
    frames = [computed[(pack.id, rid)] for rid in ids]
    rows = [df[(df["level"] == "school").to_numpy()] for df in frames]

    def stacked(column: str, dtype: Any = None) -> np.ndarray:
        return np.concatenate([df[column].to_numpy(dtype=dtype) for df in rows])

    pos = np.repeat(np.arange(len(ids), dtype=np.int64), [len(df) for df in rows])
    year = stacked("year")
    value, num, den = stacked("value", float), stacked("num", float), stacked("den", float)
    unit_codes, units = _joint_codes([df["unit"] for df in rows])
    stage_codes, stages = _joint_codes([df["stage"] for df in rows])
    unit_of, stage_of = (np.array([*v, None], dtype=object) for v in (units, stages))  # by code; -1 reads None
    year_codes, year_values = _year_codes(year)
    tg = _targets_many(items, pos, year_codes, year_values, stage_codes, stages)
    met = _met(items, pos, num, den, value, tg.op, tg.value_coded, tg.tol_coded)
    # floor × standard, exact, once per distinct standard
    floor_x = compare.exact(floor)
    floors = pd.Categorical.from_codes(
        tg.value_coded.codes, [floor_x * compare.exact(v) for v in tg.value_coded.categories]
    )
    at_least = pd.Categorical.from_codes(np.zeros(len(pos), dtype=np.int8), [">="])
    at_floor = _met(items, pos, num, den, value, at_least, floors, tg.tol_coded)
    standard = tg.value
    # one code per school part and year (unit, stage, year), numbered in order of first appearance
    part = pd.factorize((unit_codes * (len(stages) + 1) + stage_codes + 1) * len(year_values) + year_codes)[0]
    first = np.ones(len(part), dtype=bool)  # a part's first row: its number is new
    first[1:] = part[1:] > np.maximum.accumulate(part)[:-1]
    order = np.flatnonzero(first)  # a row of each part, in order of first appearance
    counted = ~np.isnan(value) & ~np.isnan(standard)
    n_parts = len(order)
    n = np.bincount(part[counted], minlength=n_parts)
    n_met = np.bincount(part[counted], weights=met[counted], minlength=n_parts)
    n_low = np.bincount(part[counted], weights=~at_floor[counted], minlength=n_parts)
    complete = n >= len(ids)
    passed = (n_met >= need) & (n_low == 0)
    value_of = np.where(complete, passed.astype(float), np.nan)  # by part code
    shown = value_of[part[order]]
    sch = pd.DataFrame(
        {
            "unit": unit_of[unit_codes[order]],
            "stage": stage_of[stage_codes[order]],
            "year": year[order],
            "value": shown,
            "num": shown,
            "den": 1.0,
            "level": "school",
        }
    )
    # the indicators below standard of the failing parts, with what their gaps are worked out from
    short = counted & ~met & (value_of[part] == 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(standard != 0, value / np.where(standard != 0, standard, np.nan), 1.0)
    at = pos[short]
    gaps = functools.partial(
        _gaps,
        {
            "unit": unit_of[unit_codes[short]],
            "stage": stage_of[stage_codes[short]],
            "year": year[short],
            "num": num[short],
            "den": den[short],
            "indicator": np.array(ids, dtype=object)[at],
            "standard": standard[short],
            "scale": np.array([float(it.params.get("scale", 1.0)) for it in items])[at],
            "gap_unit": np.array([str(it.params.get("gap_unit", it.unit)) for it in items], dtype=object)[at],
            "at_floor": at_floor[short],
            "ratio": ratio[short],
        },
        floor,
        len(ids) - need,
    )
    done = sch[sch["value"].notna()]
    county = done.groupby(["stage", "year"], as_index=False).agg(num=("num", "sum"), den=("den", "sum"))
    county = county.assign(value=county["num"] / county["den"], level="county", unit=county_id)
    levels = [df for lvl, df in (("school", sch), ("county", county)) if lvl in item.levels]
    return pd.concat(levels, ignore_index=True), gaps


def _gaps(rows: pd.DataFrame | dict[str, np.ndarray], floor: float, allowance: int) -> list[SchoolGap]:
    """The additions that make each failing school part pass (``rows``: its indicators below
    standard, as columns): every indicator below standard is brought up to it, except the
    ``allowance`` furthest below it (one, under 6 of 7), which is brought up to the floor only when
    below it. Indicators as far below as each other (their value / standard within
    compare.MEASURE_REL: on paper the same, apart in the last bits of whatever order the database
    added in) are taken in the order of their ids. Amounts are rounded up to whole units."""
    columns = ("unit", "stage", "year", "num", "den", "indicator", "standard", "scale", "gap_unit", "at_floor", "ratio")
    short = {c: np.asarray(rows[c]) for c in columns}
    if not len(short["unit"]):
        return []

    def sorted_codes(v: np.ndarray) -> np.ndarray:  # the order of sorted values, missing last
        codes, names = pd.factorize(v, sort=True)
        return np.where(codes < 0, len(names), codes)

    unit, stage, ind = (sorted_codes(short[c]) for c in ("unit", "stage", "indicator"))
    year, ratio = short["year"], short["ratio"].astype(float)
    # by part (unit, stage, year), how far below standard, id; every sort stable
    order = np.lexsort((ind, ratio, year, stage, unit))
    same_part = np.zeros(len(order), dtype=bool)  # in the same part as the row before
    u, s, y = unit[order], stage[order], year[order]
    same_part[1:] = (u[1:] == u[:-1]) & (s[1:] == s[:-1]) & (y[1:] == y[:-1])
    r = ratio[order]
    tied = same_part.copy()  # as far below as the row before, in the same part
    tied[1:] &= np.abs(r[1:] - r[:-1]) <= compare.MEASURE_REL * np.maximum(np.abs(r[1:]), 1.0)
    if tied.any():  # each run of ties takes its first ratio: then the ids decide
        r = r[np.flatnonzero(~tied)][np.cumsum(~tied) - 1]
        order = order[np.lexsort((ind[order], r, y, s, u))]
        u, s, y = unit[order], stage[order], year[order]
        same_part[1:] = (u[1:] == u[:-1]) & (s[1:] == s[:-1]) & (y[1:] == y[:-1])
    starts = np.flatnonzero(~same_part)
    rank = np.arange(len(order)) - starts[np.cumsum(~same_part) - 1]  # place in its part
    # a part with a missing unit or stage is in no group (pandas' groupby): nothing lenient
    keyed = pd.notna(short["unit"][order]) & pd.notna(short["stage"][order])
    lenient = keyed & (rank < allowance)
    standard, den, scale, num = (short[c][order].astype(float) for c in ("standard", "den", "scale", "num"))
    need = standard * den / scale
    amount = np.where(lenient, floor * need - num, need - num)
    keep = ~(lenient & (short["at_floor"][order] == 1))
    order, amount = order[keep], np.ceil(amount - 1e-9)[keep]
    if not len(order):
        return []
    # by part and id, stable
    by_id = np.lexsort((ind[order], year[order], stage[order], unit[order]))
    order, amount = order[by_id], amount[by_id]
    u, s, y = unit[order], stage[order], year[order]
    change = np.ones(len(order), dtype=bool)  # the first row of each part
    change[1:] = (u[1:] != u[:-1]) | (s[1:] != s[:-1]) | (y[1:] != y[:-1])
    starts = np.flatnonzero(change)
    ends = [*starts[1:].tolist(), len(order)]
    first = order[starts]
    units, stages = ([str(v) for v in short[c][first].tolist()] for c in ("unit", "stage"))
    years = [int(v) for v in short["year"][first].tolist()]
    out = []
    new = object.__new__  # a frozen dataclass's __init__ sets each field by object.__setattr__: slow
    with _collector_paused():  # a province has ~90,000 gaps, ~300,000 small objects
        adds = list(
            zip(
                short["indicator"][order].tolist(),
                amount.tolist(),
                short["gap_unit"][order].tolist(),
                strict=True,
            )
        )
        for unit_, stage_, year_, a, b in zip(units, stages, years, starts.tolist(), ends, strict=True):
            g = new(SchoolGap)
            g.__dict__.update(school_id=unit_, stage=stage_, year=year_, additions=adds[a:b])
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

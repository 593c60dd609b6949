"""Whether a value meets its target: the one rule every engine uses (DuckDB, Spark, any SQL port).

A status must not depend on the order in which a database adds numbers (issue 12, item 3): two
engines summing the same teachers in another order differ in the last bits (0.19999999999999993
on one, 0.20000000000000007 on the other, against ≥ 0.2). So a status is never decided on the
float value. It is decided on the numerator and denominator, against the target read from the
pack's text as an exact fraction (0.2 = 1/5, 0.0005 = 1/2000), according to what the item counts
(its *kind*, from its formula, never from the data):

- ``count`` — pupils, classes, schools, seats, candidates: numerator and denominator are whole
  numbers (a float sum of whole numbers is exact in any order), compared in integer arithmetic:
  num × scale ≥ target × den exactly. 1 postgraduate of 5 teachers against ≥ 0.2 is met.
- ``money`` — yuan: numerator and denominator rounded to the fen (the precision the finance sheet
  carries), then compared in integer arithmetic; a shortfall of less than one fen against a ≥ or ≤
  target is none (第23条: 994,306 yuan against 0.05% of 1,988,612,010 = 994,306.005 yuan is met:
  the target amount is taken to the fen, down for ≥ and up for ≤).
- ``measure`` — teachers shared between school parts by pupil share, areas and equipment shared by
  weighted pupils, CVs: rational numbers no float sum carries exactly. A value within
  ``MEASURE_REL`` (one part in 10⁹) of its target sits on it: float sums of a province's millions
  of shares differ by less than 10⁻¹⁰ in whatever order, and a difference under a millionth of a
  teacher among a thousand is none.

The trend's verdict (at_risk) compares the least-squares line at the deadline with a stated
tolerance, ``DEFAULT_TREND_TOLERANCE`` relative to the target (to 1 when the target is 0), which a
pack may set as the parameter ``trend_tolerance``.

Values shown are never changed here: only the verdict is.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

KINDS = ("count", "money", "measure")
OPS = (">=", "<=", ">", "<", "==", "≈")
MEASURE_REL = 1e-9  # measures within one part in 10⁹ of their target sit on it
DEFAULT_TREND_TOLERANCE = 1e-9  # a trend within this (× |target|, or × 1 at 0) of the target meets it
FEN_PER_YUAN = 100
_INT_LIMIT = 2.0**62  # integer products above this are done in Python integers


def exact(value: float | int | str | Fraction | Decimal) -> Fraction:
    """A target (or scale, floor, tolerance) as the exact fraction of its decimal text: a pack's
    0.2 is read by YAML as the float nearest 0.2, whose shortest text is "0.2" again → 1/5."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value))) if isinstance(value, str) else Fraction(value)


def _fractions(values: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: numerator and denominator (int64 where they fit, else Python ints) of exact(value),
    and the value as a float; a missing value gives 0/1 and NaN. Each distinct value is read once
    (a province has millions of rows and a few dozen targets)."""
    if isinstance(values, pd.Categorical):  # distinct values already coded: no hashing of each row
        codes, uniques = values.codes, list(values.categories)
    else:
        codes, uniques = pd.factorize(_series(values))
    fr = [exact(v) for v in uniques]
    nums = _ints([f.numerator for f in fr] + [0])
    dens = _ints([f.denominator for f in fr] + [1])
    floats = np.array([float(f) for f in fr] + [np.nan])
    return nums[codes], dens[codes], floats[codes]  # code -1 (missing) takes the last entry


def _series(values: Sequence[Any] | np.ndarray) -> pd.Series:
    return pd.Series(values if isinstance(values, np.ndarray | pd.Categorical) else list(values))


def _missing(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(_series(values)), dtype=bool)


def _ints(values: list[int]) -> np.ndarray:
    big = any(abs(v) >= _INT_LIMIT for v in values)
    return np.array(values, dtype=object if big else np.int64)


def _mul(*arrays: np.ndarray) -> np.ndarray:
    """Exact products of integer arrays: int64 when no product can overflow, else Python ints."""
    bound = np.ones(len(arrays[0]))
    for a in arrays:
        bound = bound * np.abs(a.astype(float))
    if len(bound) and float(np.nanmax(bound)) >= _INT_LIMIT:
        out = arrays[0].astype(object)
        for a in arrays[1:]:
            out = out * a.astype(object)
        return out
    out = arrays[0].astype(np.int64)
    for a in arrays[1:]:
        out = out * a.astype(np.int64)
    return out


def _whole(x: np.ndarray) -> np.ndarray:
    """Floats that are whole numbers as integers (int64, or Python ints past 2⁶²)."""
    x = np.nan_to_num(x, nan=0.0)
    r = np.rint(x)
    if len(r) and float(np.abs(r).max()) >= _INT_LIMIT:
        return np.array([int(v) for v in r], dtype=object)
    return r.astype(np.int64)


def _is(values: Sequence[Any] | np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Per name, whether each row's value is it. Each distinct value is compared once (a pd.Categorical
    is read by its codes): comparing millions of Python strings row by row was the cost of a verdict."""
    if isinstance(values, pd.Categorical):
        codes, uniques = values.codes, list(values.categories)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    out = {}
    for name in names:
        hits = [k for k, u in enumerate(uniques) if u == name]
        out[name] = np.isin(codes, hits) if len(hits) > 1 else codes == (hits[0] if hits else -2)
    return out


def _rows(masks: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: m[rows] for k, m in masks.items()}


def _cmp(op: dict[str, np.ndarray], lhs: np.ndarray, rhs: np.ndarray, slack: np.ndarray | None = None) -> np.ndarray:
    """lhs OP rhs, row-wise, for integer arrays (op: each OPS's rows, _is); ``slack`` (≥ 0) is what ≈
    allows either side."""
    d = lhs - rhs
    zero = np.asarray(d == 0, dtype=bool)
    pos = np.asarray(d > 0, dtype=bool)
    neg = ~zero & ~pos
    out = np.zeros(len(d), dtype=bool)
    out |= op[">="] & (pos | zero)
    out |= op["<="] & (neg | zero)
    out |= op[">"] & pos
    out |= op["<"] & neg
    out |= op["=="] & zero
    if slack is not None:
        out |= op["≈"] & np.asarray(abs(d) <= slack, dtype=bool)
    return np.asarray(out, dtype=bool)


def meets(
    op: Sequence[Any] | np.ndarray,
    target: Sequence[Any],
    num: np.ndarray,
    den: np.ndarray,
    value: np.ndarray,
    *,
    kind: Sequence[str] | np.ndarray,
    scale: Sequence[Any] | None = None,
    tolerance: Sequence[Any] | None = None,
) -> np.ndarray:
    """Row-wise: whether value = num × scale / den meets ``op target`` (see the module docstring).

    ``target``, ``scale`` and ``tolerance`` (for ≈) are per row, as the pack's floats or exact
    fractions (or a pd.Categorical of them: each distinct one read once); ``kind`` per row is count,
    money or measure; ``op`` and ``kind`` too may be pd.Categoricals. A row without a value or an op
    never meets. For a sum indicator (no denominator) pass den = 1."""
    n = len(value)
    is_op = _is(op, OPS)
    kinds = _is(kind, ("count", "money"))
    value = np.asarray(value, dtype=float)
    num = np.nan_to_num(np.asarray(num, dtype=float), nan=np.inf)
    den = np.nan_to_num(np.asarray(den, dtype=float), nan=np.inf)
    scales = scale if scale is not None else np.ones(n, dtype=np.int64)
    tols = tolerance if tolerance is not None else np.zeros(n, dtype=np.int64)
    has = ~np.isnan(value) & np.logical_or.reduce(list(is_op.values())) & ~_missing(target)
    money = kinds["money"]
    q = np.where(money, float(FEN_PER_YUAN), 1.0)
    with np.errstate(invalid="ignore", over="ignore"):
        nq, dq = np.rint(num * q), np.rint(den * q)
        whole = np.isfinite(nq) & np.isfinite(dq) & (money | ((nq == num) & (dq == den)))
    out = np.zeros(n, dtype=bool)

    exact_rows = has & (kinds["count"] | money) & whole
    if exact_rows.any():
        i = np.flatnonzero(exact_rows)
        ta, tb, _t = _fractions(_take(target, i))
        sa, sb, _s = _fractions(_take(scales, i))
        n_int, d_int = _whole(nq[i]), _whole(dq[i])
        lhs = _mul(n_int, sa, tb)  # num × scale OP target × den  ⇔  n·sa·tb OP ta·d·sb
        rhs = _mul(ta, d_int, sb)
        ops, m = _rows(is_op, i), money[i]
        # money: a shortfall under one fen (sa·tb in these units) against ≥ or ≤ is none
        fen_less_one = np.where(m, _mul(sa, tb) - 1, 0)
        lhs = lhs + np.where(m & ops[">="], fen_less_one, 0) - np.where(m & ops["<="], fen_less_one, 0)
        slack = None
        if ops["≈"].any():  # |v − t| ≤ tol  ⇔  |lhs − rhs|·xb ≤ xa·d·sb·tb
            xa, xb, _x = _fractions(_take(tols, i))
            slack = _mul(xa, d_int, sb, tb)
            lhs, rhs = _mul(lhs, xb), _mul(rhs, xb)
        out[i] = _cmp(ops, lhs, rhs, slack)

    band = has & ~exact_rows
    if band.any():
        i = np.flatnonzero(band)
        t = _fractions(_take(target, i))[2]
        tol = np.nan_to_num(_fractions(_take(tols, i))[2])
        out[i] = _band(_rows(is_op, i), value[i], t, tol, MEASURE_REL * np.where(t != 0, np.abs(t), 1.0))
    return out


def trend_meets(
    op: Sequence[Any] | np.ndarray,
    target: np.ndarray,
    trend: np.ndarray,
    tolerance: np.ndarray | None = None,
    *,
    trend_tolerance: float | np.ndarray = DEFAULT_TREND_TOLERANCE,
) -> np.ndarray:
    """Row-wise: whether the trend at the deadline meets the target, within ``trend_tolerance``
    relative to |target| (absolute when the target is 0) — the stated tolerance of the verdict."""
    is_op = _is(op, OPS)
    trend = np.asarray(trend, dtype=float)
    t = np.asarray(target, dtype=float)
    tol = np.zeros(len(t)) if tolerance is None else np.nan_to_num(np.asarray(tolerance, dtype=float))
    ok = ~np.isnan(trend) & ~np.isnan(t)
    out = np.zeros(len(t), dtype=bool)
    if ok.any():
        i = np.flatnonzero(ok)
        rel = np.broadcast_to(np.asarray(trend_tolerance, dtype=float), t.shape)[i]
        out[i] = _band(_rows(is_op, i), trend[i], t[i], tol[i], rel * np.where(t[i] != 0, np.abs(t[i]), 1.0))
    return out


def _take(values: Sequence[Any] | np.ndarray, rows: np.ndarray) -> Any:
    if isinstance(values, np.ndarray | pd.Categorical):
        return values[rows]
    return np.asarray(values, dtype=object)[rows]


def _band(op: dict[str, np.ndarray], v: np.ndarray, t: np.ndarray, tol: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Float comparison in which anything within eps of t is on it (op: each OPS's rows, _is)."""
    conds = {
        ">=": lambda: v >= t - eps,
        "<=": lambda: v <= t + eps,
        ">": lambda: v > t + eps,
        "<": lambda: v < t - eps,
        "==": lambda: np.abs(v - t) <= eps,
        "≈": lambda: np.abs(v - t) <= tol + eps,
    }
    out = np.zeros(len(v), dtype=bool)
    for o, c in conds.items():
        if op[o].any():  # only the operators present are worked out
            out |= op[o] & c()
    return out

"""Integer codes of the engine's columns, shared by the statuses, the JSON writer and the no-data rows
(a province has millions of rows and a few thousand distinct keys: hashing or sorting every row is
what these avoid)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def run_codes(values: np.ndarray, sort: bool = False) -> tuple[np.ndarray, Any]:
    """pd.factorize(values, sort=sort), read one run of equal neighbours at a time: a results table's
    texts come in runs (an item's rows together, a unit's stages and years), and hashing a run's first
    value only is cheaper than hashing every row. Missing values get code -1, as pd.factorize gives."""
    n = len(values)
    try:
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if n else np.zeros(0, dtype=np.int64)
    except (TypeError, ValueError):  # a value that is neither equal nor unequal (pd.NA)
        return pd.factorize(values, sort=sort)
    if len(starts) > n // 4:  # short runs: hashing every row is cheaper
        return pd.factorize(values, sort=sort)
    codes, uniques = pd.factorize(values[starts], sort=sort)
    return np.repeat(codes, np.diff(np.r_[starts, n])), uniques


def dense_codes(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(a code per row, the distinct keys by code) of integer keys in [0, size), codes in the keys'
    order: where the keys are few beside the rows by marking them (no sort, no hash), else np.unique."""
    if size <= max(1 << 20, 4 * len(key)):
        present = np.zeros(size, dtype=bool)
        present[key] = True
        return (np.cumsum(present) - 1)[key], np.flatnonzero(present)
    distinct, code = np.unique(key, return_inverse=True)
    return code.reshape(-1), distinct

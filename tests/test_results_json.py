"""The results' JSON written from the columns (engine._results_json, issue 12 item 1) is the text
json.dumps writes of the same dicts, for every spelling of a double (integral, exponents, -0.0,
long numbers, NaN as null) and across the slices it is made in. No census: a hand table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from countyedu.indicators import engine
from countyedu.indicators.engine import TABLE_COLUMNS, _float_texts, _results_json
from countyedu.policy.pack import Target

VALUES = [
    0.0, -0.0, 1.0, 100.0, 1e-4, 9.99e-5, 1e-5, 0.1 + 0.2, 0.19999999999999993, 994306.005, 12345678.9,
    716154620668.2231, 123456789012345.0, 1e15, 1e16, 1.2345e17, 2.0**60, 5e-324, -1.5, -3.0, float("nan"),
]  # fmt: skip


def test_every_double_is_spelt_as_repr() -> None:
    rng = np.random.default_rng(3)
    v = np.concatenate([VALUES, rng.random(2000) * 10.0 ** rng.integers(-8, 20, 2000), np.round(rng.random(500) * 1e6)])
    want = ["null" if np.isnan(x) else repr(x) for x in v.tolist()]
    assert _float_texts(v).to_pylist() == want


@pytest.mark.parametrize(("rows_per_slice", "repeat"), [(3, 1), (1_000, 1), (7, 6)])
def test_the_text_is_json_dumps_of_the_dicts(monkeypatch: pytest.MonkeyPatch, rows_per_slice: int, repeat: int) -> None:
    """`repeat`: each row several times in a row (runs of equal texts, as an assessment's are)."""
    monkeypatch.setattr(engine, "_JSON_SLICE", rows_per_slice)
    m = len(VALUES)
    t = pd.DataFrame(
        {
            "pack": "p",
            "indicator": ["A", "B", "C"] * (m // 3),
            "level": ["school", "township", "county"] * (m // 3),
            "unit": [f"S{i % 4}" for i in range(m)],
            "stage": [None, "primary", "初中"] * (m // 3),
            "year": [2020 + i % 3 for i in range(m)],
            "value": VALUES,
            "num": np.nan,
            "den": np.nan,
            "trend_at_deadline": np.nan,
            "status": ["met", "not_met", "no_data"] * (m // 3),
        }
    )[TABLE_COLUMNS]
    t = t.iloc[np.repeat(np.arange(m), repeat)].reset_index(drop=True)
    n = len(t)
    targets = {
        (i, y, s): (Target(op=">=", value=0.5, by=2025) if i != "C" else None)
        for i, y, s in zip(t["indicator"], t["year"], t["stage"], strict=True)
    }
    dicts = [
        {
            "indicator": r.indicator,
            "level": r.level,
            "unit": r.unit,
            "stage": r.stage,
            "year": r.year,
            "value": None if np.isnan(r.value) else r.value,
            "target": None
            if targets[(r.indicator, r.year, r.stage)] is None
            else {"op": ">=", "value": 0.5, "by": 2025},
            "status": r.status,
        }
        for r in t.itertuples()
    ]
    want = json.dumps(dicts, ensure_ascii=False, separators=(",", ":"))
    pieces = [bytes(p).decode("utf-8") for p in _results_json([t], lambda i, y, s: targets[(i, y, s)])]
    assert len(pieces) == -(-n // rows_per_slice)  # a piece a slice of rows
    assert all(p.endswith("}") for p in pieces)  # each ends at a result's end
    assert "[" + "".join(pieces) + "]" == want
    # the same table in parts (an assessment's tables as added), an empty one among them: the same text
    parts = [t.iloc[:5], t.iloc[5:5], t.iloc[5:]]
    pieces = [bytes(p).decode("utf-8") for p in _results_json(parts, lambda i, y, s: targets[(i, y, s)])]
    assert "[" + "".join(pieces) + "]" == want

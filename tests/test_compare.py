"""indicators.compare: a status never depends on the order a database adds numbers (issue 12,
item 3). Every expected answer below is worked out by hand in its comment."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from countyedu.indicators import compare
from countyedu.indicators.engine import _with_status
from countyedu.policy.pack import load_pack


def _meets(op: str, target: object, num: float, den: float, kind: str, scale: float = 1, tol: float = 0) -> bool:
    value = num * scale / den
    out = compare.meets(
        [op], [target], np.array([num]), np.array([den]), np.array([value]), kind=[kind], scale=[scale], tolerance=[tol]
    )
    return bool(out[0])


def test_targets_are_read_as_the_decimal_the_pack_wrote() -> None:
    assert compare.exact(0.2) == Fraction(1, 5)
    assert compare.exact(0.0005) == Fraction(1, 2000)
    assert compare.exact(5.3) == Fraction(53, 10)
    assert compare.exact(3) == 3


def test_counts_are_compared_in_integers() -> None:
    # 1 postgraduate of 5 teachers against ≥ 0.2: 1 × 5 ≥ 1 × 5 → met, whatever 1/5 is as a float
    assert _meets(">=", 0.2, 1, 5, "count")
    assert not _meets(">=", 0.2, 1, 6, "count")  # 6 > 5
    # 3 of 10 classes against ≤ 0.3 (3·10 ≤ 3·10) and < 0.3 (not)
    assert _meets("<=", 0.3, 3, 10, "count") and not _meets("<", 0.3, 3, 10, "count")
    # 17 of 20 against ≥ 0.85; 16 of 20 is not
    assert _meets(">=", 0.85, 17, 20, "count") and not _meets(">=", 0.85, 16, 20, "count")
    # scale 100: 1 of 100 pupils × 100 = 1.0 against ≥ 1.0
    assert _meets(">=", 1.0, 1, 100, "count", scale=100)
    # ≈ 0.4 ± 0.05: 9 of 20 = 0.45 is on the edge (|9·20 − 8·20|... 0.45 − 0.4 = 0.05 ≤ 0.05); 0.46 is not
    assert _meets("≈", 0.4, 9, 20, "count", tol=0.05)
    assert not _meets("≈", 0.4, 23, 50, "count", tol=0.05)


def test_a_measure_on_its_target_is_on_it_whatever_the_summing_order() -> None:
    # the TQ-JUN-POSTGRAD: 0.19999999999999993 on DuckDB, 0.20000000000000007 on Spark
    for v in (0.19999999999999993, 0.20000000000000007):
        assert _meets(">=", 0.2, v, 1.0, "measure")
    # QB-R2: 0.9999999999999999 / 1.0000000000000002 per 100 pupils against ≥ 1
    for num in (0.9999999999999999, 1.0000000000000002):
        assert _meets(">=", 1.0, num, 100.0, "measure", scale=100)
    # a real shortfall (a thousandth of a teacher per 100 pupils) is one
    assert not _meets(">=", 1.0, 0.999, 100.0, "measure", scale=100)
    # teachers shared by pupil share: 5 teachers of a part holding 0.4 of the school, 1 postgraduate
    share = 80 / 200
    den = share + share + share + share + share
    assert _meets(">=", 0.2, share, den, "measure")


def test_money_is_compared_to_the_fen() -> None:
    # 第23条: 994,306 yuan against 0.05% of 1,988,612,010 = 994,306.005 yuan: short by half a fen → met
    assert _meets(">=", 0.0005, 994_306.0, 1_988_612_010.0, "money")
    # 994,305.99 is short by 1.5 fen → not met
    assert not _meets(">=", 0.0005, 994_305.99, 1_988_612_010.0, "money")
    # 5,000,000.00 yuan against ≥ 5,000,000 (over nothing: den 1) → met; 4,999,999.99 → not met
    assert _meets(">=", 5_000_000, 5_000_000.0, 1.0, "money")
    assert not _meets(">=", 5_000_000, 4_999_999.99, 1.0, "money")
    # pay parity: 0.1 + 0.2 yuan summed in floats is 0.30000000000000004; to the fen it is 0.30
    assert _meets("<=", 1.0, 0.1 + 0.2, 0.3, "money") and _meets(">=", 1.0, 0.1 + 0.2, 0.3, "money")


def test_a_missing_value_or_target_never_meets() -> None:
    out = compare.meets(
        [">=", None],
        [0.2, np.nan],
        np.array([np.nan, 1.0]),
        np.array([5.0, 5.0]),
        np.array([np.nan, 0.2]),
        kind=["count", "count"],
    )
    assert not out.any()


def test_the_trend_verdict_has_a_stated_tolerance() -> None:
    op, t = np.array([">=", ">=", ">="], dtype=object), np.array([1.0, 1.0, 0.9])
    trend = np.array([0.9999999999999998, 0.999, 0.9 - 1e-12])
    assert compare.trend_meets(op, t, trend).tolist() == [True, False, True]
    # a pack may set it: 0.002 (relative to the target 1.0) forgives the 0.999 trend
    assert compare.trend_meets(op, t, trend, trend_tolerance=0.002).tolist() == [True, True, True]


def test_a_unit_steady_on_its_target_is_met_not_at_risk() -> None:
    """QB-G12 (certified teachers, ≥ 1 by 2025): 29 of 29 every year. The least-squares line through
    (2021, 1), (2022, 1), (2023, 1) is 1 at 2025 up to the last bit: met, never at_risk."""
    item = load_pack("national-qb-2017").item("QB-G12")
    df = pd.DataFrame(
        {
            "level": "school",
            "unit": "S",
            "stage": "junior",
            "year": [2021, 2022, 2023],
            "value": [1.0, 1.0, 0.9999999999999998],
            "num": 29.0,
            "den": 29.0,
        }
    )
    assert _with_status("p", item, df, None)["status"].tolist() == ["met", "met", "met"]
    low = df.assign(value=0.9, num=26.1)  # a steady 0.9 misses 1 by 2025: at risk from its second point
    assert _with_status("p", item, low, None)["status"].tolist() == ["not_met", "at_risk", "at_risk"]

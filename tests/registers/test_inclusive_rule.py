"""One 普惠 rule (第3、16条; issue 16): the indicators' Ibis form (indicators.formulas._inclusive_in_year)
and the pandas form funding reads (census.inclusive.inclusive_in_year) agree on a hand case, 2022–2024:

- KA: schools sheet not 普惠; the register recognises it in 2023 only (2024 row: no) →
  2022 no (schools sheet), 2023 yes (register), 2024 no (register);
- KB: schools sheet 普惠; register recognised in 2023, lapsed in 2024 → 2022 yes (schools sheet, no
  register row), 2023 yes, 2024 no (register);
- KC: no register rows, schools sheet 普惠 → yes every year (schools sheet);
- KD: no register rows, schools sheet empty → no every year.
"""

from __future__ import annotations

import ibis
import pandas as pd

from countyedu.census.inclusive import REGISTER, SCHOOLS, inclusive_in_year
from countyedu.indicators.formulas import _inclusive_in_year
from countyedu.indicators.tables import CensusTables

YEARS = (2022, 2023, 2024)
SCHOOLS_SHEET = pd.DataFrame(
    {"school_id": ["KA", "KB", "KC", "KD"], "inclusive": pd.array([False, True, True, None], dtype="boolean")}
)
REGISTER_SHEET = pd.DataFrame(
    {
        "school_id": ["KA", "KA", "KB", "KB"],
        "year": [2023, 2024, 2023, 2024],
        "inclusive": pd.array([True, False, True, False], dtype="boolean"),
    }
)
EXPECTED = {
    ("KA", 2022): (False, SCHOOLS),
    ("KA", 2023): (True, REGISTER),
    ("KA", 2024): (False, REGISTER),
    ("KB", 2022): (True, SCHOOLS),
    ("KB", 2023): (True, REGISTER),
    ("KB", 2024): (False, REGISTER),
    ("KC", 2022): (True, SCHOOLS),
    ("KC", 2023): (True, SCHOOLS),
    ("KC", 2024): (True, SCHOOLS),
    ("KD", 2022): (False, SCHOOLS),
    ("KD", 2023): (False, SCHOOLS),
    ("KD", 2024): (False, SCHOOLS),
}


def test_pandas_rule_by_hand() -> None:
    frames = {"schools": SCHOOLS_SHEET, "private_schools": REGISTER_SHEET}
    got = {}
    for y in YEARS:
        for r in inclusive_in_year(frames, y).itertuples():
            got[(r.school_id, y)] = (bool(r.inclusive), r.inclusive_source)
    assert got == EXPECTED
    # without a register every school keeps the schools sheet's flag
    alone = inclusive_in_year({"schools": SCHOOLS_SHEET}, 2023)
    assert alone["inclusive"].tolist() == [False, True, True, False]
    assert set(alone["inclusive_source"]) == {SCHOOLS}


def test_ibis_and_pandas_agree() -> None:
    rows = SCHOOLS_SHEET.merge(pd.DataFrame({"year": YEARS}), how="cross")
    s = ibis.memtable(rows)
    ct = CensusTables("hand", None, {"private_schools": ibis.memtable(REGISTER_SHEET)}, {})
    ibis_says = s.mutate(flag=_inclusive_in_year(ct, s)).to_pandas()
    # the Ibis flag is null where the schools sheet is empty: a filter drops it, i.e. not 普惠
    by_ibis = {(r.school_id, int(r.year)): r.flag is True or r.flag == True for r in ibis_says.itertuples()}  # noqa: E712
    frames = {"schools": SCHOOLS_SHEET, "private_schools": REGISTER_SHEET}
    by_pandas = {(r.school_id, y): bool(r.inclusive) for y in YEARS for r in inclusive_in_year(frames, y).itertuples()}
    assert by_ibis == by_pandas == {k: v[0] for k, v in EXPECTED.items()}

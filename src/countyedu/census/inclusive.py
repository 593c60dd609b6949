"""A kindergarten's 普惠 (inclusive) status in a school year (第3、16条; issue 16), in pandas.

The rule: the private-school register's row of that school and year decides (its `inclusive` true:
recognised; any other value: not); a school without a register row that year keeps the schools
sheet's `inclusive` flag (empty: not). The indicators hold the same rule in Ibis
(indicators.formulas._inclusive_in_year; tests/registers/test_inclusive_rule.py checks they agree);
funding reads this one (funding.perpupil).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

REGISTER = "register"  # the private-school register's row of that year decided
SCHOOLS = "schools"  # no register row that year: the schools sheet's flag decided


def _true(s: pd.Series) -> pd.Series:
    """True where a cell is true; empty false (as the Ibis `inclusive == True` in a filter)."""
    return s.astype("boolean").fillna(False).astype(bool)


def inclusive_in_year(frames: Mapping[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """One row per school of the schools sheet: school_id, inclusive (bool) in `year`, and
    inclusive_source (REGISTER or SCHOOLS) — which source decided."""
    schools = frames["schools"]
    out = pd.DataFrame(
        {
            "school_id": schools["school_id"].astype(str).to_numpy(),
            "inclusive": _true(schools["inclusive"]).to_numpy() if "inclusive" in schools else [False] * len(schools),
            "inclusive_source": SCHOOLS,
        }
    )
    reg = frames.get("private_schools")
    if reg is None or reg.empty or "inclusive" not in reg:
        return out
    reg = reg[pd.to_numeric(reg["year"], errors="coerce") == year]
    listed = set(reg["school_id"].astype(str))
    recognised = set(reg.loc[_true(reg["inclusive"]).to_numpy(), "school_id"].astype(str))
    on_register = out["school_id"].isin(listed)
    out.loc[on_register, "inclusive"] = out.loc[on_register, "school_id"].isin(recognised)
    out.loc[on_register, "inclusive_source"] = REGISTER
    return out

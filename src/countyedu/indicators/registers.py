"""What the PP and T-PRE indicators read from the registers of issue 16 (第3、16条; 第2、19条).

- A kindergarten is 普惠 in a school year as the private-school register's row of that year says
  (`private_schools.inclusive`; empty: not 普惠); a school without a register row that year keeps the
  schools sheet's `inclusive` flag (a county without the register counts as it always did). Every
  condition `public_or_inclusive` (T-PRE-2, T-PRE-6, PP-2) reads it (formulas._inclusive_in_year).
- T-PRE-2 (every 千户小区 has a 普惠 kindergarten) counts the housing register's projects of at least
  `size_at_least` households from the school year their housing passed acceptance (assumed: the year
  it starts in the calendar year of the acceptance); a project is served in a year when the
  kindergarten it handed over (`facility_school_id`) is open then and public or 普惠. A county
  without a housing register keeps the communities-based count (formulas.communities_served).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from countyedu.indicators.formulas import _open_schools, _school_condition, communities_served, contrib, formula
from countyedu.indicators.tables import CensusTables
from countyedu.policy.pack import Item

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
else:
    from countyedu.indicators.lazy_ibis import ibis


@formula("housing_served", sources=("housing_projects", "schools", "school_years", "private_schools", "communities"))
def housing_served(ct: CensusTables, item: Item) -> ir.Table:
    """Housing projects (of a size, occupied) whose kindergarten is open and meets a condition / such
    projects; without a housing register, communities_served."""
    hp = ct["housing_projects"]
    prm = item.params
    has_register = hp.count() > 0
    fallback = communities_served(ct, item)
    fallback = fallback.filter(~has_register)
    hp = hp.filter((hp.households >= prm["size_at_least"]) & hp.housing_acceptance.notnull())
    hp = hp.select(
        hp.project_id, hp.township_id, hp.facility_school_id, since=hp.housing_acceptance.substr(0, 4).cast("int64")
    )
    years = ct["school_years"].select("year").distinct()
    grid = hp.cross_join(years)
    grid = grid.filter(grid.year >= grid.since)
    o = _open_schools(ct)
    o = o.filter(_school_condition(o, prm.get("where", {}), ct))
    served = o.select(served_id=o.school_id, served_year=o.year).distinct()
    j = grid.left_join(served, (grid.facility_school_id == served.served_id) & (grid.year == served.served_year))
    mine = contrib(
        j,
        school_id=None,
        township_id=j.township_id,
        stage=ibis.literal(item.stages[0]),
        year=j.year,
        num=ibis.ifelse(j.served_id.notnull(), 1, 0),
        den=ibis.literal(1.0),
    )
    return mine.union(fallback)

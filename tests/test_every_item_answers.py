"""Every indicator answers at every level it is defined for, every census year of the demo county:
a value, or no_data with the reason (issue 12, item 2)."""

from __future__ import annotations

import pytest

from countyedu.census.store import CensusStore
from countyedu.indicators.engine import Assessment, assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.messages import Code, Msg, translate
from countyedu.policy.pack import load_pack
from demo_support import built_demo

PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    data, _doc = built_demo(tmp_path_factory)  # the demo county as `countyedu demo` imports it (read only)
    with duckdb_tables(CensusStore(data)) as ct:
        return assess(ct, [load_pack(p) for p in PACKS])


def test_every_item_has_a_row_at_every_level_every_year(demo: Assessment) -> None:
    t = demo.table()
    years = sorted({int(y) for y in t["year"]})
    have = set(zip(t["pack"], t["indicator"], t["level"], t["year"].astype(int), strict=True))
    missing = [
        (p.id, it.id, level, y)
        for p in demo.packs
        for it in p.items
        for level in it.levels
        for y in years
        if (p.id, it.id, level, y) not in have
    ]
    assert not missing
    nd = t[t["status"] == "no_data"]
    keys = set(zip(nd["pack"], nd["indicator"], nd["level"], nd["year"].astype(int), strict=True))
    assert keys == set(demo.no_data_reasons)  # every no_data says why, and only those


def test_qb_q2_names_the_missing_finance_item(demo: Assessment) -> None:
    t = demo.table()
    q2 = t[t["indicator"] == "QB-Q2"]
    assert sorted(q2["year"]) == list(range(2019, 2026)) and set(q2["status"]) == {"no_data"}
    why = demo.no_data_reasons[("national-qb-2017", "QB-Q2", "county", 2024)]
    assert why == Msg(
        "the finance sheet has no item {item} for {year}",
        item=Code("finance_item", "disabled_children_school_age"),
        year=2024,
    )
    assert translate(why, "zh") == "财政表缺少 2024 年的项目 适龄残疾儿童数"
    assert demo.as_dict()["no_data"][0]["reason"]["msg"].startswith(("the finance", "needs the", "nothing"))
    # the 2019 seats added since the year before: the census starts in 2019
    assert translate(demo.no_data_reasons[("nanfeng-2019", "T-CMP-1", "county", 2019)], "en") == (
        "needs the school year 2018, which the census does not have"
    )

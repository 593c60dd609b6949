"""T-HS-3 (每年 1–2 名考生进入全省高考前 100 名; 第8条) computed by the assessment from the results
sheet's 高考 rows, by hand on the threshold county with one high school added (H1, 琴城).

2024: g1 placed 100 (its total row; a subject row carries no rank), g2 placed 101, g3 sat without a
rank: 1 candidate in the top 100 of 3 sitting → 1 ≥ 1, met. With rank_at_most 99: 0, not met.
2023: only a 中考 row, no 高考 row: no value, and the reason names the results sheet.
The quality module's T-HS-3 table counts the same (one definition: indicators.formulas.gaokao_places)."""

from __future__ import annotations

import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators.engine import Assessment, assess
from countyedu.indicators.explain import explain
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import Pack, load_pack
from countyedu.quality.params import quality_params
from countyedu.quality.top100 import top_candidates
from threshold_census import threshold_frames

COLUMNS = ["year", "exam", "grade", "person_id", "school_id", "subject", "score", "full_marks", "province_rank"]
ROWS = [
    (2024, "gaokao", "H3", "g1", "H1", "total", 690.0, 750.0, 100),  # the 100th is in the top 100
    (2024, "gaokao", "H3", "g1", "H1", "chinese", 130.0, 150.0, None),
    (2024, "gaokao", "H3", "g2", "H1", "total", 689.0, 750.0, 101),
    (2024, "gaokao", "H3", "g3", "H1", "total", 500.0, 750.0, None),
    (2023, "zhongkao", "J3", "z1", "J2", "total", 600.0, 750.0, None),
]


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[CensusStore, pd.DataFrame]:
    f = threshold_frames()
    high = f["schools"][f["schools"]["school_id"] == "J2"].assign(school_id="H1", name="琴城中学", stage="high")
    f["schools"] = pd.concat([f["schools"], high], ignore_index=True)
    f["results"] = pd.DataFrame(ROWS, columns=COLUMNS)
    root = tmp_path_factory.mktemp("t_hs_3")
    st = CensusStore(root / "data")
    import_census(write_folder(root / "src", f, "parquet"), st)
    return st, f["results"]


def t_hs_3(pack: Pack, rank_at_most: int = 100) -> Pack:
    item = pack.item("T-HS-3")
    item = item.model_copy(update={"params": {**item.params, "rank_at_most": rank_at_most}})
    return pack.model_copy(update={"items": [item]})


def assessed(st: CensusStore, pack: Pack) -> Assessment:
    with duckdb_tables(st) as ct:
        return assess(ct, [pack])


def test_it_counts_the_candidates_placed_within_the_rank_limit(county: tuple[CensusStore, pd.DataFrame]) -> None:
    a = assessed(county[0], t_hs_3(load_pack("nanfeng-2019")))
    t = a.table()
    got = {r.year: (r.level, r.num, r.status) for r in t.itertuples()}
    assert got[2024] == ("county", 1.0, "met")  # g1 (100) counts, g2 (101) and g3 (no rank) not
    assert t[t["year"] == 2024]["value"].item() == 1.0


def test_the_rank_limit_is_a_parameter(county: tuple[CensusStore, pd.DataFrame]) -> None:
    t = assessed(county[0], t_hs_3(load_pack("nanfeng-2019"), 99)).table()
    row = t[t["year"] == 2024]
    assert (row["num"].item(), row["status"].item()) == (0.0, "not_met")


def test_a_year_without_gaokao_results_has_no_data_and_says_why(county: tuple[CensusStore, pd.DataFrame]) -> None:
    a = assessed(county[0], t_hs_3(load_pack("nanfeng-2019")))
    t = a.table()
    assert set(t[t["year"] == 2023]["status"]) == {"no_data"}
    msg = a.no_data_reasons[("nanfeng-2019", "T-HS-3", "county", 2023)]
    assert msg.key == "the results sheet has no gaokao results for {year}" and dict(msg.params)["year"] == 2023


def test_explain_names_the_gaokao_rows(county: tuple[CensusStore, pd.DataFrame]) -> None:
    pack = t_hs_3(load_pack("nanfeng-2019"))
    a = assessed(county[0], pack)
    with duckdb_tables(county[0]) as ct:
        e = explain(ct, a, "T-HS-3", a.table()["unit"].iloc[0], 2024)
    n, shown = e.sources["results"]
    assert n == 2  # the ranked 高考 rows, best first: g1 (100), g2 (101)
    assert list(shown["person_id"]) == ["g1", "g2"] and list(shown["province_rank"]) == [100, 101]
    assert e.contributions["num"].sum() == 1.0


def test_the_quality_module_counts_the_same(county: tuple[CensusStore, pd.DataFrame]) -> None:
    pack = load_pack("nanfeng-2019")
    a = assessed(county[0], t_hs_3(pack))
    t = a.table()
    counted = {int(r.year): int(r.num) for r in t[t["status"] != "no_data"].itertuples()}
    p = quality_params([pack])  # top_n and top_target from the pack's T-HS-3
    assert (p.top_n, p.top_target) == (100, 1)
    assert {x["year"]: x["count"] for x in top_candidates(county[1], p)} == counted == {2024: 1}

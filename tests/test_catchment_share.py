"""QB-G13 (catchment enrolment in urban and town public schools: primary 100%, junior ≥ 95%) computed
from the catchment plan, the catchments sheet (issue 12, item 2), by hand on the threshold county.

The plan for 2024 only: 人民路社区 C1 sends 150 primary pupils to N1 and 945 junior pupils to J2 and
100 to N1; 太源村 C2 sends 60 primary pupils to N1 and 1000 to P3. N1 (nine-year, 200 primary + 100
junior pupils) and J2 (junior, 1000 pupils) are public day schools in 琴城镇 (a town, urban); P3 is in
太源乡 (a 乡, not urban): it does not count."""

from __future__ import annotations

import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators.engine import assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import load_pack
from threshold_census import threshold_frames


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CensusStore:
    f = threshold_frames()
    plan = [
        ("primary", "C1", "N1", 150),
        ("primary", "C2", "N1", 60),
        ("primary", "C2", "P3", 1000),
        ("junior", "C1", "J2", 945),
        ("junior", "C1", "N1", 100),
    ]
    f["catchments"] = pd.DataFrame(
        [{"year": 2024, "stage": st, "community_id": c, "school_id": s, "pupils": n} for st, c, s, n in plan]
    )
    root = tmp_path_factory.mktemp("catchments")
    st = CensusStore(root / "data")
    import_census(write_folder(root / "src", f, "parquet"), st)
    return st


@pytest.fixture(scope="module")
def g13(store: CensusStore) -> tuple[pd.DataFrame, dict]:
    pack = load_pack("national-qb-2017")
    with duckdb_tables(store) as ct:
        a = assess(ct, [pack.model_copy(update={"items": [pack.item("QB-G13")]})])
    return a.table(), a.no_data_reasons


def test_it_counts_the_pupils_the_catchment_sends_at_most(g13: tuple[pd.DataFrame, dict]) -> None:
    t = g13[0]
    got = {(r.level, r.unit, r.stage): (r.num, r.den, r.status) for r in t[t["year"] == 2024].itertuples()}
    assert got == {
        # N1 primary: min(200 enrolled, 150 + 60 sent) = 200 of 200 → 100%, met
        ("school", "N1", "primary"): (200.0, 200.0, "met"),
        # N1 junior: 100 of 100; J2: 945 of 1000 = 94.5% < 95%, not met
        ("school", "N1", "junior"): (100.0, 100.0, "met"),
        ("school", "J2", "junior"): (945.0, 1000.0, "not_met"),
        ("township", "T1", "primary"): (200.0, 200.0, "met"),
        # 琴城镇 junior: (945 + 100) / (1000 + 100) = 1045 / 1100 = 0.95 exactly → met
        ("township", "T1", "junior"): (1045.0, 1100.0, "met"),
        ("county", "county", "primary"): (200.0, 200.0, "met"),
        ("county", "county", "junior"): (1045.0, 1100.0, "met"),
    }
    assert t[(t["year"] == 2024) & (t["unit"] == "T1") & (t["stage"] == "junior")]["value"].item() == 0.95


def test_a_year_without_a_plan_has_no_data_and_says_why(g13: tuple[pd.DataFrame, dict]) -> None:
    t, reasons = g13
    y23 = t[t["year"] == 2023]
    assert set(y23["status"]) == {"no_data"} and set(y23["level"]) == {"school", "township", "county"}
    msg = reasons[("national-qb-2017", "QB-G13", "county", 2023)]
    assert msg.key == "the census has no catchment plan (catchments sheet) for {year}"
    assert dict(msg.params)["year"] == 2023

"""A county sitting exactly on its thresholds (tests/threshold_census.py) gets the statuses worked
out by hand — met on every one — whatever order the database adds its numbers in (issue 12, item
3). The same census on Spark: tests/test_spark_parity.py::test_a_census_on_its_thresholds_*."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators.engine import Assessment, assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import Pack, load_pack
from threshold_census import ON_THRESHOLD, YEARS, threshold_frames

PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")


def threshold_store(root: Path, reverse: bool = False) -> CensusStore:
    """The threshold county imported (rows reversed when asked: another summing order)."""
    frames = threshold_frames()
    if reverse:
        frames = {k: v.iloc[::-1].reset_index(drop=True) for k, v in frames.items()}
    store = CensusStore(root / "data")
    import_census(write_folder(root / "source", frames, "parquet"), store)
    return store


_SHARED: dict[str, CensusStore] = {}


def shared_threshold_store(factory: pytest.TempPathFactory) -> CensusStore:
    """The threshold county imported once per test process (this module's tests and the Spark
    parity test read it; none writes to it)."""
    if "store" not in _SHARED:
        _SHARED["store"] = threshold_store(factory.mktemp("threshold"))
    return _SHARED["store"]


def threshold_packs(only_on_threshold: bool = False) -> list[Pack]:
    """The three packs; or only their items of ON_THRESHOLD (fewer queries, for Spark)."""
    packs = [load_pack(p) for p in PACKS]
    if not only_on_threshold:
        return packs
    want = {(p, i) for p, i, *_ in ON_THRESHOLD}
    return [p.model_copy(update={"items": [i for i in p.items if (p.id, i.id) in want]}) for p in packs]


def assess_store(store: CensusStore, only_on_threshold: bool = False) -> Assessment:
    with duckdb_tables(store) as ct:
        return assess(ct, threshold_packs(only_on_threshold))


def on_threshold_rows(a: Assessment) -> pd.DataFrame:
    t = a.table()
    keys = pd.DataFrame(ON_THRESHOLD, columns=["pack", "indicator", "level", "unit", "stage"])
    t = t.assign(stage=t["stage"].astype(object).where(t["stage"].notna(), None))
    return keys.merge(t[t["year"].isin(YEARS)], on=["pack", "indicator", "level", "unit", "stage"], how="left")


@pytest.fixture(scope="module")
def duck(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    return assess_store(shared_threshold_store(tmp_path_factory))


def test_every_value_on_its_threshold_is_met(duck: Assessment) -> None:
    rows = on_threshold_rows(duck)
    assert len(rows) == 2 * len(ON_THRESHOLD) and rows["year"].notna().all()  # one row a year each
    targets = [
        duck.item(i).target_for(int(y), s)
        for i, y, s in zip(rows["indicator"], rows["year"], rows["stage"], strict=True)
    ]
    for (_i, r), t in zip(rows.iterrows(), targets, strict=True):
        assert t is not None and r["value"] == pytest.approx(t.value, rel=1e-12), (r["indicator"], r["unit"])
    wrong = rows[rows["status"] != "met"]
    assert wrong.empty, wrong[["indicator", "level", "unit", "stage", "year", "value", "status"]].to_string()


def test_statuses_do_not_depend_on_the_order_of_the_rows(duck: Assessment, tmp_path: Path) -> None:
    other = assess_store(threshold_store(tmp_path, reverse=True)).table()
    keys = ["pack", "indicator", "level", "unit", "stage", "year"]
    m = duck.table().merge(other, on=keys, suffixes=("", "_r"), how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert (m["status"] == m["status_r"]).all(), m[m["status"] != m["status_r"]][[*keys, "value", "value_r"]]


def test_dual_qualified_share_counts_specialised_course_teachers(
    duck: Assessment, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """T-VOC-2 (STANDARDS TW): 3 双师型 of V1's 6 specialised-course teachers = 0.5; the denominator
    is the item's scope parameter — all 10 full-time teachers would give 3/10 = 0.3."""
    t = duck.table()
    row = t[(t["indicator"] == "T-VOC-2") & (t["year"] == 2024)]
    assert row["value"].tolist() == [0.5] and row["status"].tolist() == ["met"]
    pack = load_pack("nanfeng-2019")
    item = pack.item("T-VOC-2")
    all_ft = item.model_copy(update={"params": {**item.params, "scope": {"full_time": True}}})
    with duckdb_tables(shared_threshold_store(tmp_path_factory)) as ct:
        a = assess(ct, [pack.model_copy(update={"items": [all_ft]})])
    v = a.table()
    assert v[v["year"] == 2024]["value"].tolist() == [pytest.approx(0.3)]

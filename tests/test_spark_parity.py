"""DuckDB and Spark give identical results on the demo county (DESIGN.md, "Storage and scale").

One local Spark session serves the module and is stopped at the end. Every result of the three
packs is compared: the same keys, the same statuses, values (and numerators, denominators and
trends) equal within 1e-9 relative — summing in another order may change the last bits.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from countyedu.census.demo import generate
from countyedu.census.importer import import_census
from countyedu.census.schema import SHEETS
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators.engine import Assessment, Result, assess
from countyedu.indicators.spark import arrow_sheet, spark_session, spark_tables, write_parquet
from countyedu.indicators.tables import CensusTables, duckdb_tables
from countyedu.policy.pack import load_pack

pytestmark = pytest.mark.slow

PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")
REL = 1e-9


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> CensusStore:
    """The demo county imported from Parquet (faster than the workbook)."""
    root = tmp_path_factory.mktemp("spark-demo")
    source = write_folder(root / "source", generate(), "parquet")
    store = CensusStore(root / "data")
    import_census(source, store)
    return store


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    s = spark_session("local[2]", work_dir=tmp_path_factory.mktemp("spark-work"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def duck(demo_store: CensusStore) -> CensusTables:
    return duckdb_tables(demo_store)


@pytest.fixture(scope="module")
def spark(demo_store: CensusStore, session: Any, tmp_path_factory: pytest.TempPathFactory) -> CensusTables:
    return spark_tables(demo_store, parquet_dir=tmp_path_factory.mktemp("spark-parquet"))


def _assess(ct: CensusTables) -> Assessment:
    return assess(ct, [load_pack(p) for p in PACKS])


def _key(r: Result) -> tuple[Any, ...]:
    return (r.pack, r.indicator, r.level, r.unit, r.stage, r.year)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=REL, abs_tol=0.0)


def test_sheets_have_the_same_schema_and_nulls(duck: CensusTables, spark: CensusTables) -> None:
    """The Parquet copy keeps every column's type and every null (a NaN would compare differently)."""
    for s in SHEETS:
        d, k = duck[s.name], spark[s.name]
        assert k.schema() == d.schema(), s.name
        nulls = {c: d[c].isnull().sum() for c in d.columns}
        counts = [
            # an empty sheet (the demo's catchments): a sum over no rows is NULL on DuckDB, NaN on Spark
            t.aggregate(n=t.count(), **{c: t[c].isnull().sum() for c in nulls}).to_pandas().fillna(0).astype("int64")
            for t in (d, k)
        ]
        assert counts[0].to_dict("records") == counts[1].to_dict("records"), s.name


def test_empty_sheets_keep_their_types(duck: CensusTables, spark: CensusTables, tmp_path: Path) -> None:
    """An empty sheet written through Spark (the path a cluster's hdfs:// or s3a:// dir takes) is
    read back with the store's column types."""
    con = spark.backend
    for s in SHEETS:
        uri = (tmp_path / s.name).as_uri()
        write_parquet(con._session, arrow_sheet(duck[s.name].limit(0).to_pandas(), s), uri)
        t = con.read_parquet(uri, table_name=f"empty_{s.name}")
        assert t.schema() == duck[s.name].schema(), s.name
        assert t.count().to_pandas() == 0


def test_duckdb_and_spark_give_identical_results(duck: CensusTables, spark: CensusTables) -> None:
    a, b = _assess(duck), _assess(spark)
    da, db = {_key(r): r for r in a.results}, {_key(r): r for r in b.results}
    assert len(da) == len(a.results) > 10_000
    assert da.keys() == db.keys()
    diffs = []
    for k, r in da.items():
        s = db[k]
        if r.status != s.status:
            diffs.append((k, "status", r.status, s.status))
        for f in ("value", "num", "den", "trend_at_deadline"):
            if not _close(getattr(r, f), getattr(s, f)):
                diffs.append((k, f, getattr(r, f), getattr(s, f)))
    assert not diffs, diffs[:20]
    assert {r.status for r in a.results} >= {"met", "not_met", "at_risk", "needs_evidence"}
    assert sorted(a.school_gaps, key=repr) == sorted(b.school_gaps, key=repr)


def test_a_census_on_its_thresholds_gets_the_same_statuses_on_both_engines(
    session: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Issue 12, item 3: the county of tests/threshold_census.py (every value exactly on its target)
    gives bit-identical statuses on DuckDB and Spark, and met on every threshold."""
    from test_threshold_parity import assess_store, on_threshold_rows, threshold_packs, threshold_store

    store = threshold_store(tmp_path_factory.mktemp("threshold"))
    duck_a = assess_store(store, only_on_threshold=True)
    spark_ct = spark_tables(store, parquet_dir=tmp_path_factory.mktemp("threshold-parquet"))
    spark_a = assess(spark_ct, threshold_packs(only_on_threshold=True))
    keys = ["pack", "indicator", "level", "unit", "stage", "year"]
    m = duck_a.table().merge(spark_a.table(), on=keys, suffixes=("", "_spark"), how="outer", indicator=True)
    assert (m["_merge"] == "both").all()
    assert m["status"].tolist() == m["status_spark"].tolist()
    assert (on_threshold_rows(spark_a)["status"] == "met").all()

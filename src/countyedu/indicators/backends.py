"""Choosing the backend an assessment runs on: DuckDB in-process (default) or Spark."""

from __future__ import annotations

from typing import TYPE_CHECKING

from countyedu.census.store import CensusStore
from countyedu.errors import CountyEduError
from countyedu.indicators.tables import CensusTables, duckdb_tables
from countyedu.messages import Msg
from countyedu.policy.pack import Pack

if TYPE_CHECKING:
    from countyedu.census.years import Years

ENGINES = ("duckdb", "spark")


def part_weights_of(packs: list[Pack]) -> dict[str, float] | None:
    """The school-part weights a pack sets (national-qb-2017: primary 1, junior 1.1), if any."""
    for p in packs:
        if "part_weights" in p.parameters:
            return {k: float(v) for k, v in p.parameters["part_weights"].items()}
    return None


def spark_available() -> None:
    """The Spark engine's optional parts are installed (pyspark, a Java runtime), else a user error
    naming how to install them (`make spark`)."""
    import os
    import shutil

    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        missing.append("Java")
    if missing:
        raise CountyEduError(
            Msg(
                "the Spark engine needs {missing}, which is not installed: run `make spark` (the spark extra "
                "and a Java runtime), or use the default engine (duckdb)",
                missing=" + ".join(missing),
            )
        )


def open_tables(
    store: CensusStore,
    packs: list[Pack],
    *,
    version: str | None = None,
    engine: str = "duckdb",
    master: str | None = None,
    parquet_dir: str | None = None,
    years: Years | None = None,
) -> CensusTables:
    """The census tables of a version on the chosen engine, with its school years' states (read from
    the store unless the caller read them already: `years`, of this version)."""
    from countyedu.census.years import census_years

    if engine == "spark":
        spark_available()
    weights = part_weights_of(packs)
    ct: CensusTables
    if engine == "duckdb":
        from countyedu.runs.store import packs_digest

        # one connection held while the years and the tables are read: the connections opened meanwhile
        # reuse its open database instead of opening the file again (as indicators.cache.get_or_compute)
        with store.connect():
            years = years if years is not None else census_years(store, store.resolve(version).version_id)
            ct = duckdb_tables(store, version, weights)
        ct.make_ahead(packs_digest(packs))  # the derived tables these packs made last time, made now
    elif engine == "spark":
        from countyedu.indicators.spark import spark_tables

        years = years if years is not None else census_years(store, store.resolve(version).version_id)
        ct = spark_tables(store, version, master=master or "local[2]", parquet_dir=parquet_dir, part_weights=weights)
    else:
        raise CountyEduError(
            Msg("unknown engine {engine} (choose {ENGINES})", engine=engine, ENGINES=tuple(ENGINES)),
        )
    ct.years = years
    return ct

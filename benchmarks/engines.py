"""The two engines on the province census (issue 12, item 3): DuckDB and local Spark must give the
same results, and the same status on every one — a status must not depend on the order in which a
database adds numbers (indicators/compare.py). Run by `make bench` (benchmarks/run.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

KEYS = ["pack", "indicator", "level", "unit", "stage", "year"]
REL = 1e-9  # values may differ in their last bits (another summing order), statuses never


def differences(a: pd.DataFrame, b: pd.DataFrame) -> dict[str, int]:
    """Two engines' result tables (engine TABLE_COLUMNS) compared: results on one side only,
    statuses that differ, values that differ by more than REL relative."""
    a = a.assign(stage=a["stage"].astype(object).where(a["stage"].notna(), ""))
    b = b.assign(stage=b["stage"].astype(object).where(b["stage"].notna(), ""))
    m = a.merge(b, on=KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    both = m[m["_merge"] == "both"]
    va, vb = both["value_a"].astype(float), both["value_b"].astype(float)
    same_value = (va.isna() & vb.isna()) | (
        (va - vb).abs() <= REL * pd.concat([va.abs(), vb.abs()], axis=1).max(axis=1)
    )
    return {
        "results": len(a),
        "only_one": int((m["_merge"] != "both").sum()),
        "statuses": int((both["status_a"] != both["status_b"]).sum()),
        "values": int((~same_value).sum()),
    }


def bench_engine_parity(work: Path) -> list[tuple[str, str, str]]:
    """Every pack on the imported province census (work/prov, made by bench_province_import) on
    DuckDB and on local Spark; the differences between the two."""
    from countyedu.census.store import CensusStore
    from countyedu.indicators.backends import open_tables
    from countyedu.indicators.engine import assess
    from countyedu.policy.pack import load_pack

    packs = [load_pack(p) for p in ("nanfeng-2019", "national-qb-2017", "national-pp-2020")]
    store = CensusStore(work / "prov")
    with open_tables(store, packs) as ct:
        duck = assess(ct, packs).table()
    t0 = time.perf_counter()
    ct = open_tables(store, packs, engine="spark", parquet_dir=str(work / "prov-parquet"))
    spark = assess(ct, packs).table()
    seconds = time.perf_counter() - t0
    d = differences(duck, spark)
    return [
        (
            f"the province on local Spark beside DuckDB: {d['results']:,} results, {d['only_one']} on one engine only",
            f"{d['statuses']} statuses and {d['values']} values (beyond {REL:g} relative) differ; Spark {seconds:.0f} s",
            "goal 0 statuses differ",
        )
    ]

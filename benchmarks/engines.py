"""The two engines on the province census (issue 12, item 3): DuckDB and local Spark must give the
same results, and the same status on every one — a status must not depend on the order in which a
database adds numbers (indicators/compare.py). Run by `make bench` (benchmarks/run.py).

Each engine runs in a fresh process of its own (``python -m benchmarks.engines ENGINE DATA_DIR OUT``),
so each peak memory is that engine's. Spark's work happens in its JVM, a child of that process that
Python never waits for (getrusage cannot see it): its CPU time and peak resident memory are read from
/proc just before the session stops.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.launch import launched

KEYS = ["pack", "indicator", "level", "unit", "stage", "year"]
REL = 1e-9  # values may differ in their last bits (another summing order), statuses never
PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")
MASTER = "local[2]"  # the CLI's default: two worker threads in the driver's JVM
GOAL = "goal 0 on one engine only, 0 statuses differ"
Row = tuple[str, str, str]


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


def _jvm(pid: int) -> tuple[float, float]:
    """(CPU seconds, peak resident GiB) of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return cpu, peak_kib / 2**20


def run_engine(engine: str, data_dir: Path, out: Path) -> dict[str, Any]:
    """Every pack on one engine, in this process: its result table written to ``out`` (pickle), and
    its figures (wall, this process's CPU; the JVM's CPU and peak on Spark). Its own peak is read by
    whoever started it (`_child`, through benchmarks.launch): inside, Linux's count would include the
    memory of the bench that started it."""
    from countyedu.census.store import CensusStore
    from countyedu.indicators.backends import open_tables
    from countyedu.indicators.engine import assess
    from countyedu.policy.pack import load_pack

    packs = [load_pack(p) for p in PACKS]
    store = CensusStore(data_dir)
    t0, c0 = time.perf_counter(), time.process_time()
    figures: dict[str, Any] = {"engine": engine, "load": os.getloadavg()[0]}
    if engine == "duckdb":
        with open_tables(store, packs) as ct:
            table = assess(ct, packs).table()
    else:
        from countyedu.indicators.spark import spark_session

        session = spark_session(MASTER, work_dir=out.parent / "spark-work")
        jvm = session.sparkContext._gateway.proc.pid
        figures["start"] = time.perf_counter() - t0
        ct = open_tables(store, packs, engine="spark", master=MASTER, parquet_dir=str(out.parent / "prov-parquet"))
        figures["tables"] = time.perf_counter() - t0 - figures["start"]
        table = assess(ct, packs).table()
        figures["jvm_cpu"], figures["jvm_peak"] = _jvm(jvm)
        figures["settings"] = {
            k: session.conf.get(k, None) for k in ("spark.driver.memory", "spark.sql.shuffle.partitions")
        }
        session.stop()
    figures["wall"], figures["cpu"] = time.perf_counter() - t0, time.process_time() - c0
    figures["load"] = max(figures["load"], os.getloadavg()[0])
    table.to_pickle(out)
    return figures


def _child(engine: str, work: Path) -> dict[str, Any]:
    args = [sys.executable, "-m", "benchmarks.engines", engine, str(work / "prov"), str(work / f"engine-{engine}.pkl")]
    proc, (_seconds, peak_mib, _cpu) = launched(args, cwd=Path(__file__).resolve().parent.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"the province on {engine} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["peak"] = peak_mib / 1024  # its own (benchmarks.launch)
    return figures


def bench_engine_parity(work: Path) -> list[Row]:
    """Every pack on the imported province census (work/prov, made by bench_province_import) on
    DuckDB and on local Spark, each in a fresh process; the differences between the two. Without
    Spark's optional parts (pyspark, Java: `make spark`) a line says so instead."""
    from countyedu.errors import CountyEduError
    from countyedu.indicators.backends import spark_available

    try:
        spark_available()
    except CountyEduError as e:
        return [("the province on local Spark beside DuckDB", f"not measured: {e.message_en}", GOAL)]
    duck, spark = _child("duckdb", work), _child("spark", work)
    d = differences(pd.read_pickle(work / "engine-duckdb.pkl"), pd.read_pickle(work / "engine-spark.pkl"))
    load = f"load average {max(duck['load'], spark['load']):.1f}"
    settings = ", ".join(f"{k.removeprefix('spark.')} {v or 'default'}" for k, v in spark["settings"].items())
    return [
        (
            f"the province on local Spark ({MASTER}) beside DuckDB: {d['results']:,} results, "
            f"{d['only_one']} on one engine only",
            f"{d['statuses']} statuses and {d['values']} values (beyond {REL:g} relative) differ",
            GOAL,
        ),
        (
            f"… DuckDB (the peer): 3 packs, all levels and years, in a fresh process ({load})",
            f"{duck['wall']:.1f} s (CPU {duck['cpu']:.1f} s, peak {duck['peak']:.2f} GiB)",
            "",
        ),
        (
            f"… Spark, the same in a fresh process ({settings}): JVM start {spark['start']:.0f} s, the census to "
            f"Parquet and registered {spark['tables']:.0f} s, the assessment the rest ({load})",
            f"{spark['wall']:.0f} s (CPU: Python {spark['cpu']:.1f} s + JVM {spark['jvm_cpu']:.0f} s; peak: Python "
            f"{spark['peak']:.2f} GiB, JVM {spark['jvm_peak']:.2f} GiB)",
            "",
        ),
    ]


if __name__ == "__main__":  # one engine in this process: python -m benchmarks.engines ENGINE DATA_DIR OUT.pkl
    print(json.dumps(run_engine(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))

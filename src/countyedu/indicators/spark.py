"""The scale path: the census as Ibis tables on Apache Spark (PySpark), read from Parquet.

The formulas are the same Ibis expressions DuckDB runs; only the tables differ. A census version
is written to Parquet (one folder per sheet) with the column types the DuckDB store uses, so both
backends see the same schema, then registered with Ibis's PySpark backend. On a cluster the Parquet
folder must be on storage every executor reads (``hdfs://…``, ``s3a://…``): a URI with a scheme is
written by Spark itself, a plain path by pyarrow (docs/spark.md).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from countyedu.census.schema import SHEETS, Sheet
from countyedu.census.store import CensusStore, _empty_sql, stored_columns
from countyedu.indicators.tables import DEFAULT_PART_WEIGHTS, CensusTables

# Column kind → Arrow type, the same types as the DuckDB store's columns (VARCHAR, BIGINT,
# INTEGER for years, DOUBLE, BOOLEAN), so an expression has the same types on both backends.
ARROW_TYPE: dict[str, pa.DataType] = {
    "id": pa.string(),
    "str": pa.string(),
    "code": pa.string(),
    "int": pa.int64(),
    "year": pa.int32(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.string(),  # ISO text, as the store keeps it (census/store.py)
}
LOCAL_SHUFFLE_PARTITIONS = 4  # Spark's default of 200 makes every small group-by 200 tasks
# The driver's heap in local mode (its JVM runs the tasks too): Spark's default 1 GiB was full on a tenth
# of the province (a full collection, 23 s of pauses); with 3 GiB the JVM peaked at 3.4 GiB resident
# there, room beside other work on a 24 GiB machine. A cluster's driver takes spark-defaults.conf's.
LOCAL_DRIVER_MEMORY = "3g"
# For a county-size census (tests, a laptop): every cost Spark pays per query rather than per row cut
# down. One shuffle partition and one default partition (each task has a fixed cost), no adaptive
# re-planning between stages, the plan interpreted rather than compiled to Java (whole-stage code
# generation compiles every query's plan with Janino: seconds for the stacked query, for a few
# thousand rows), and the driver JVM started for a short run (C1 compiler only, serial GC, shared
# class data). Results are the same: these settings change how a plan runs, not what it computes.
SMALL_DATA: dict[str, str] = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto",
}
DEFAULT_WORK_DIR = Path(".spark")
PARQUET_BATCH_ROWS = 1 << 20  # rows read from the store and written to Parquet at a time (a row group)


def _is_local(master: str) -> bool:
    return master == "local" or master.startswith("local[")


@contextmanager
def _env(values: dict[str, str]) -> Iterator[None]:
    """Environment variables set while the JVM starts (it copies them), restored afterwards."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def spark_session(master: str = "local[2]", work_dir: Path | None = None, config: dict[str, str] | None = None) -> Any:
    """The active SparkSession, or a new one on ``master`` with ``config`` on top of the defaults
    (SMALL_DATA for a county-size census; a JVM option given there is added to the scratch one).

    Local mode stays on loopback (no network interface needed, nothing listening outside) with the
    web UI off, and keeps its scratch files under ``work_dir`` (default ./.spark) rather than /tmp.
    For a cluster master (spark://host:7077, yarn, k8s://…) the driver must be reachable from the
    executors, so its address is left to Spark's own configuration (spark-defaults.conf)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    work = (work_dir or DEFAULT_WORK_DIR).resolve()
    scratch = work / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    b = (
        SparkSession.builder.master(master)
        .appName("countyedu")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # progress bars would garble CLI output
        # results come back to Python as Arrow batches, not pickled rows: the same table to the last
        # bit on a tenth of the province, with 1.5 s less of Python's CPU
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.local.dir", str(scratch))
        .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={scratch}")
    )
    env = {"TMPDIR": str(scratch)}
    if _is_local(master):
        b = (
            b.config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", str(LOCAL_SHUFFLE_PARTITIONS))
            .config("spark.driver.memory", LOCAL_DRIVER_MEMORY)  # read when the JVM starts: set here, not later
        )
        env["SPARK_LOCAL_IP"] = "127.0.0.1"
    for k, v in (config or {}).items():
        if k == "spark.driver.extraJavaOptions":
            v = f"-Djava.io.tmpdir={scratch} {v}"
        b = b.config(k, v)
    previous = signal.getsignal(signal.SIGINT)
    with _env(env):
        session = b.getOrCreate()
    spark_handler = signal.getsignal(signal.SIGINT)
    if spark_handler is not previous and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, sigint_handler(previous, spark_handler))
    return session


def sigint_handler(previous: Any, spark_handler: Any) -> Callable[[int, Any], Any]:
    """Ctrl-C while a Spark context is active: PySpark's handler (it cancels the running jobs, then
    raises KeyboardInterrupt); once the session has stopped, the handler that was there before.
    PySpark's own, left in place, failed on a stopped context ("'NoneType' object has no attribute
    'sc'") when the signal came after the session had stopped (at the end of a test run)."""

    def handler(signum: int, frame: Any) -> Any:
        from pyspark import SparkContext

        if SparkContext._active_spark_context is not None and callable(spark_handler):
            return spark_handler(signum, frame)
        if callable(previous):
            return previous(signum, frame)
        if previous == signal.SIG_IGN:
            return None
        raise KeyboardInterrupt

    return handler


def arrow_schema(sheet: Sheet) -> pa.Schema:
    """The Arrow schema of a sheet, every column nullable as in the store."""
    return pa.schema([pa.field(c.name, ARROW_TYPE[c.kind]) for c in sheet.columns])


def arrow_sheet(frame: pd.DataFrame, sheet: Sheet) -> pa.Table:
    """A sheet's frame as Arrow with the explicit schema (an empty or all-null column keeps its type)."""
    schema = arrow_schema(sheet)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def _default_parquet_dir(work_dir: Path | None) -> str:
    """A fresh folder under the work dir, removed when the process exits."""
    root = (work_dir or DEFAULT_WORK_DIR).resolve() / "parquet"
    root.mkdir(parents=True, exist_ok=True)
    path = tempfile.mkdtemp(prefix="census-", dir=root)
    atexit.register(shutil.rmtree, path, True)
    return path


def _has_scheme(path: str) -> bool:
    return "://" in path


def write_parquet(session: Any, table: pa.Table | pa.RecordBatchReader, uri: str) -> None:
    """One sheet as a Parquet folder: pyarrow for a local path (a reader's batches written as they
    come), Spark for a URI (hdfs://, s3a://, file://) so that any file system the cluster's Hadoop
    configuration knows works."""
    if _has_scheme(uri):
        if isinstance(table, pa.RecordBatchReader):
            table = table.read_all()
        session.createDataFrame(table).write.mode("overwrite").parquet(uri)  # Arrow types kept, even empty
        return
    shutil.rmtree(uri, ignore_errors=True)
    os.makedirs(uri)
    with pq.ParquetWriter(os.path.join(uri, "part-0.parquet"), table.schema) as out:
        for batch in table if isinstance(table, pa.RecordBatchReader) else table.to_batches():
            out.write_batch(batch)


def sheet_batches(store: CensusStore, version_id: str) -> Iterator[tuple[Sheet, pa.RecordBatchReader]]:
    """Every sheet of a version straight from the store as Arrow batches with the sheet's schema (a
    sheet the store has no table for yet is empty): no pandas frame of a province's millions of
    teachers is made (that copy was most of the driver's memory)."""
    with store.connect() as con:
        stored = stored_columns(con)
        for s in SHEETS:
            table = f"s_{s.name}"
            sql = store.view_sql(s, version_id, stored[table]) if table in stored else _empty_sql(s.name)
            schema = arrow_schema(s)
            batches = con.execute(sql).to_arrow_reader(PARQUET_BATCH_ROWS)
            yield s, pa.RecordBatchReader.from_batches(schema, (b.cast(schema) for b in batches))


def spark_tables(
    store: CensusStore,
    version: str | None = None,
    *,
    master: str = "local[2]",
    parquet_dir: str | os.PathLike[str] | None = None,
    part_weights: dict[str, float] | None = None,
    work_dir: Path | None = None,
) -> CensusTables:
    """The tables of a stored version on Spark: written to Parquet under ``parquet_dir`` (default
    a temporary folder in ./.spark), then read by the session of ``master``."""
    v = store.resolve(version)
    session = spark_session(master, work_dir)
    con = ibis.pyspark.connect(session)
    root = str(parquet_dir) if parquet_dir is not None else _default_parquet_dir(work_dir)
    tag = uuid.uuid4().hex[:8]  # temp views are per session: two versions must not share names
    tables = {}
    for s, batches in sheet_batches(store, v.version_id):
        uri = f"{root.rstrip('/')}/{s.name}"
        write_parquet(session, batches, uri)
        tables[s.name] = con.read_parquet(uri, table_name=f"census_{s.name}_{tag}")
    return CensusTables(v.version_id, con, tables, part_weights or DEFAULT_PART_WEIGHTS)

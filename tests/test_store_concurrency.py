"""The census DuckDB file takes one writing process or many reading ones: readers in several
processes (as gunicorn workers and the task workers read) while another process imports (as an
approval or `countyedu import` writes) wait for each other briefly and never fail — a writer is not
kept out by readers that keep coming (the gate of census.store.open_duckdb)."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

import pytest

from countyedu.census import store as store_module
from countyedu.census.importer import import_census
from countyedu.census.store import BUSY_WAIT_SECONDS, CensusStore
from countyedu.indicators import tables as tables_module

HAND = Path(__file__).resolve().parent / "fixtures" / "hand"
IMPORTS = 3


def time_opens() -> dict[bool, list[float]]:
    """From now on in this process, how long each open of the store took, by read_only."""
    waits: dict[bool, list[float]] = {True: [], False: []}
    real = store_module.open_duckdb

    def timed(path: Path, *, read_only: bool, opener: Any = None) -> Any:
        t = time.monotonic()
        try:
            return real(path, read_only=read_only, opener=opener)
        finally:
            waits[read_only].append(time.monotonic() - t)

    store_module.open_duckdb = timed  # type: ignore[assignment]
    tables_module.open_duckdb = timed  # type: ignore[assignment]
    return waits


def read_until(data_dir: str, stop: float, out: Any) -> None:
    """Read the latest version the ways the pages and jobs do, until `stop`; (reads, errors, waits)."""
    waits = time_opens()
    store = CensusStore(data_dir)
    reads, errors = 0, []
    while time.time() < stop:
        try:
            v = store.latest()
            assert v is not None
            store.frames(v.version_id, ["schools", "townships"])
            with tables_module.duckdb_tables(store, v.version_id) as ct:  # the engine's read: held a while
                ct.t["schools"].count().execute()
            reads += 1
        except Exception as exc:
            errors.append(repr(exc))
    out.put((reads, errors, waits[True]))


def write(data_dir: str, out: Any) -> None:
    """Import the hand county IMPORTS times (each a new version); (errors, waits to open for writing)."""
    waits = time_opens()
    store = CensusStore(data_dir)
    errors = []
    for _ in range(IMPORTS):
        try:
            import_census(HAND, store)
        except Exception as exc:
            errors.append(repr(exc))
    out.put((errors, waits[False]))


@pytest.mark.slow
def test_readers_and_a_writer_in_other_processes_wait_briefly_and_never_fail(tmp_path: Path) -> None:
    store = CensusStore(tmp_path)
    import_census(HAND, store)
    ctx = mp.get_context("spawn")
    results: Any = ctx.Queue()
    written: Any = ctx.Queue()
    stop = time.time() + 25
    readers = [ctx.Process(target=read_until, args=(str(tmp_path), stop, results)) for _ in range(3)]
    writer = ctx.Process(target=write, args=(str(tmp_path), written))
    for p in readers:
        p.start()
    time.sleep(4)  # the readers are reading when the writer starts
    writer.start()
    write_errors, write_waits = written.get(timeout=120)
    got = [results.get(timeout=120) for _ in readers]
    for p in [*readers, writer]:
        p.join(30)
    assert write_errors == []
    assert [e for _r, errs, _w in got for e in errs] == []
    assert all(reads > 0 for reads, _e, _w in got)
    assert len(store.versions()) == 1 + IMPORTS
    # each wait was brief: far below the limit where a reader or the writer gives up
    read_waits = [w for _r, _e, waits in got for w in waits]
    assert len(write_waits) == IMPORTS and max(write_waits) < BUSY_WAIT_SECONDS / 4, write_waits
    assert max(read_waits) < BUSY_WAIT_SECONDS / 4, max(read_waits)

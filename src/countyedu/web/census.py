"""The census and assessments as the web app reads them: the latest version of the DuckDB store in
the data dir, cached per data dir and version (a new import or approval makes a new version, so no
invalidation is needed beyond the version id; version ids repeat across data dirs, so the dir is part
of every key) and, for assessments, per school years in collection (opening or closing a year changes
the store file, so its years are read again)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

import pandas as pd
from django.conf import settings

from countyedu.census.schema import SHEETS
from countyedu.census.store import CensusStore, open_duckdb
from countyedu.census.years import Years, census_years
from countyedu.indicators import cache as assessment_cache
from countyedu.indicators import evidence as checklist_evidence
from countyedu.indicators.backends import part_weights_of
from countyedu.indicators.engine import Assessment
from countyedu.indicators.tables import DEFAULT_PART_WEIGHTS, CensusTables
from countyedu.policy.pack import Pack
from countyedu.runs.store import load_packs

T = TypeVar("T")


def store() -> CensusStore:
    return CensusStore(settings.DATA_DIR)


_latest: tuple[tuple[Any, ...], str | None] | None = None


def _stamp(s: CensusStore) -> tuple[Any, ...]:
    """What changes whenever the store is written: size and time of its file and write-ahead log."""
    out: list[Any] = [str(s.path)]
    for p in (s.path, s.path.with_name(s.path.name + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def latest_version() -> str | None:
    """The latest version id; the store is opened again only after it changed (opening DuckDB
    costs tens of milliseconds, too much for every page request)."""
    global _latest
    s = store()
    stamp = _stamp(s)
    if _latest is not None and _latest[0] == stamp:
        return _latest[1]
    v = s.latest()
    _latest = (stamp, v.version_id if v else None)
    return _latest[1]


_years: dict[tuple[Any, ...], Years] = {}


def years(version: str | None = None) -> Years:
    """The school years of a version (default latest) with their states and coverage, read again
    only after the store changed (a year opened or closed, a new version)."""
    v = version or latest_version()
    if v is None:
        return Years()
    key = (*_stamp(store()), v)
    hit = _years.get(key)
    if hit is None:
        hit = census_years(store(), v)
        if len(_years) > 16:
            _years.clear()
        _years[key] = hit
    return hit


def _root() -> str:
    """The data dir, the first part of every cache key here."""
    return str(settings.DATA_DIR)


_PER_VERSION: list[Any] = []  # the caches of per_version, emptied by forget()


def per_version(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A read of a census version (its first argument) cached per data dir and version: every page's
    cache of what a version holds is made with this, so none is read for another data dir's version of
    the same id, and `forget()` empties them all."""

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        keyed = lru_cache(maxsize=maxsize)(lambda root, *args: fn(*args))
        _PER_VERSION.append(keyed)
        return functools.wraps(fn)(lambda *args: keyed(_root(), *args))

    return wrap


@per_version(8)
def _frames(version: str) -> dict[str, pd.DataFrame]:
    return store().frames(version, ["townships", "communities", "schools"])


def _records(version: str | None, sheet: str, key: str) -> dict[str, dict[str, Any]]:
    if version is None:
        return {}
    df = _frames(version)[sheet]
    out = df.astype(object).where(df.notna(), None).to_dict("records")
    return {r[key]: r for r in out}


@per_version(2)
def census(version: str) -> dict[str, pd.DataFrame]:
    """Every sheet of a version (the planning and funding pages)."""
    return store().census(version)


@per_version(8)
def schools_by_id(version: str | None) -> dict[str, dict[str, Any]]:
    return _records(version, "schools", "school_id")


@per_version(8)
def townships_by_id(version: str | None) -> dict[str, dict[str, Any]]:
    return _records(version, "townships", "township_id")


def school(school_id: str) -> dict[str, Any] | None:
    return schools_by_id(latest_version()).get(school_id)


def township(township_id: str) -> dict[str, Any] | None:
    return townships_by_id(latest_version()).get(township_id)


def schools_of_township(township_id: str) -> set[str]:
    return {sid for sid, s in schools_by_id(latest_version()).items() if s["township_id"] == township_id}


def communities_of_township(township_id: str) -> set[str]:
    version = latest_version()
    if version is None:
        return set()
    com = _frames(version)["communities"]
    return set(com.loc[com.township_id == township_id, "community_id"])


def names(version: str | None) -> dict[str, str]:
    """id → name for schools and townships (reports and dashboards)."""
    out = {sid: s["name"] for sid, s in schools_by_id(version).items()}
    out.update({tid: t["name"] for tid, t in townships_by_id(version).items()})
    return out


def packs() -> list[Pack]:
    """The packs the county's census is assessed with (runs.store.DEFAULT_PACKS)."""
    return load_packs()


def assessment(version: str | None = None) -> Assessment | None:
    """The stored assessment of a version (default latest) under its school years' states now;
    None until it has been computed."""
    v = version or latest_version()
    if v is None:
        return None
    ys = years(v)
    a = _assessment(_root(), v, ys, checklist_evidence.snapshot(store().data_dir))
    if a is None:  # not stored yet: look again on the next request (it may be stored by another process)
        _assessment.cache_clear()
    return a


@lru_cache(maxsize=4)
def _assessment(root: str, version: str, ys: Years, snapshot: checklist_evidence.Snapshot) -> Assessment | None:
    # snapshot: the checklist evidence recorded by visits, laid over the stored assessment on load
    # (indicators.evidence); a request reads its bytes for the digest (the cache key: another
    # snapshot is another entry here) and only a miss parses them
    packs = load_packs()
    return assessment_cache.load(CensusStore(root), version, packs, ys, snapshot=snapshot)


_tables_lock = threading.Lock()


@lru_cache(maxsize=2)
def _memory_tables(root: str, version: str, part_weights: tuple[tuple[str, float], ...]) -> CensusTables:
    import ibis

    st = CensusStore(root)
    con = ibis.duckdb.connect()  # in memory: the store's file is attached only while it is copied

    def attach() -> Any:
        con.raw_sql(f"ATTACH '{st.path.as_posix()}' AS census_file (READ_ONLY)")
        return con

    open_duckdb(st.path, read_only=True, opener=attach)
    try:
        con.raw_sql("USE census_file")
        for sheet in SHEETS:
            con.raw_sql(f'CREATE TABLE memory.main."{sheet.name}" AS {CensusStore.view_sql(sheet, version)}')
    finally:
        con.raw_sql("USE memory")
        con.raw_sql("DETACH census_file")
    tables = {sheet.name: con.table(sheet.name) for sheet in SHEETS}
    ct = CensusTables(version, con, tables, dict(part_weights) or DEFAULT_PART_WEIGHTS)
    return ct


@contextmanager
def tables(version: str, packs: list[Any]) -> Iterator[CensusTables]:
    """The census tables of a version for one explanation: a copy in an in-memory DuckDB, made once
    per process and version, used by one request at a time. (Opening the store's file for each
    page cost ~0.5–1.5 s of materialising; holding it open would keep imports out.)"""
    weights = tuple(sorted((part_weights_of(packs) or {}).items()))
    with _tables_lock:
        ct = _memory_tables(_root(), version, weights)
        ct.years = years(version)  # the states change without a new version (a round closed)
        yield ct


def forget() -> None:
    """Drop every cached read (after a new assessment of the same version, a restore, or a data dir's
    files changed behind the app's back)."""
    for cached in (*_PER_VERSION, _assessment, _memory_tables):
        cached.cache_clear()
    _years.clear()

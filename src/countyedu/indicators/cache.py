"""Assessments kept in the run store (runs.store): computed once per census version, pack list and
school years in collection, read many times (dashboards, the API). A stored assessment is the
engine's own results: a JSON document (the assessment's version, packs, years, school gaps and no-data
reasons) naming a Parquet file of its results beside it (columnar: a province's 2.3 M results load in
a fraction of a second, where one JSON of result objects took ~16 s of CPU to read; a document kept
before holds its results itself and is read as it is). Opening or closing a school year (census.years) changes the
years in collection, so it names another stored assessment: a page never shows one made under the
other state."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from countyedu.caches import write_bytes_atomic
from countyedu.census.store import CensusStore
from countyedu.census.years import Years, census_years
from countyedu.messages import Msg
from countyedu.policy.pack import Pack
from countyedu.runs.store import RunKey, RunStore, damaged, load_packs, run_key, write_atomic

if TYPE_CHECKING:  # pandas and the engine are loaded when an assessment is: `kept_json` reads neither
    import pandas as pd

    from countyedu.indicators import evidence
    from countyedu.indicators.engine import Assessment

KIND = "assessments"
# Beside each kept assessment, its JSON as `Assessment.to_json` writes it (what `countyedu assess
# --format json` prints), headed by the kept document's stat it was written from: `kept_json` returns it
# without pandas, the engine or the document's 4 MB of JSON (issue 12 item 1).
AS_JSON = ".as-json"
EVIDENCE_SNAPSHOT = Path("supervision") / "checklist_evidence.json"  # = evidence.SNAPSHOT
KEEP_JSON_RESULTS = 250_000  # up to this many results (a county's tens of thousands) the JSON is kept
KEEP_JSON_BYTES = 64 << 20


def key(version: str, packs: list[Pack], years: Years) -> RunKey:
    """Where the assessment of a version under these packs and years' states is kept."""
    return run_key(KIND, version, packs, years)


def _table(results: list[dict[str, Any]]) -> pd.DataFrame:
    """The stored results as the engine's table (TABLE_COLUMNS, built as Assessment._from_results
    builds it). Their targets are not read: the assessment gives each result its pack's target for
    its year and stage, as the stored ones were (the key names the packs)."""
    import pandas as pd

    from countyedu.indicators.engine import TABLE_COLUMNS

    rows = [
        (d["pack"], d["indicator"], d["level"], d["unit"], d["stage"], d["year"], d["value"], d["num"], d["den"],
         d["trend_at_deadline"], d["status"])
        for d in results
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _stored_frame(a: Assessment) -> pd.DataFrame:
    """``_table(a._result_dicts(full=True))``, the frame `load` gave from the JSON of result objects,
    made from the assessment's columns (a province's 2.3 M dicts took seconds): every missing value
    None, read back as NaN in a column of numbers (NaN's own bits) and as None elsewhere, a column of
    None only of objects; units as text."""
    import numpy as np
    import pandas as pd

    from countyedu.indicators.engine import TABLE_COLUMNS

    t = a.table()
    if a._results is not None or not len(t):  # Result objects (or none): as the JSON of them gave
        return _table(a._result_dicts(full=True))

    def numbers(c: str) -> np.ndarray:
        v = t[c].to_numpy(dtype=float)
        missing = np.isnan(v)
        return np.full(len(v), None, dtype=object) if missing.all() else np.where(missing, np.nan, v)

    stage = t["stage"].to_numpy(dtype=object, copy=True)
    stage[pd.isna(stage)] = None
    columns = {
        "pack": t["pack"].to_numpy(dtype=object),
        "indicator": t["indicator"].to_numpy(dtype=object),
        "level": t["level"].to_numpy(dtype=object),
        "unit": t["unit"].astype(str).to_numpy(dtype=object),
        "stage": stage,
        "year": t["year"].to_numpy(dtype=np.int64),
        **{c: numbers(c) for c in ("value", "num", "den", "trend_at_deadline")},
        "status": t["status"].to_numpy(dtype=object),
    }
    return pd.DataFrame({c: columns[c] for c in TABLE_COLUMNS})


RESULTS = ".results.parquet"  # the suffix of a kept assessment's results, after their digest


def _results_bytes(table: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), sink, compression="zstd")
    return bytes(sink.getvalue())


def _read_results(path: Path) -> pd.DataFrame | None:
    """The results file of a kept assessment, or None where it is missing (a data dir copied in part) or
    is not the file its name says (its digest, written by save): damaged, truncated or replaced — the
    assessment is then computed again and written over."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest = path.name.removesuffix(RESULTS).rsplit(".", 1)[-1]
    try:
        if hashlib.sha256(data).hexdigest()[:16] != digest:
            raise ValueError(f"its content's digest is not {digest}")
        return pq.read_table(pa.BufferReader(data)).to_pandas()
    except (ValueError, pa.ArrowException) as exc:
        damaged(path, exc)
        return None


def save(store: CensusStore, a: Assessment) -> Path:
    """Write an assessment: its results' Parquet file (named by its digest), then the document that names
    it, each atomically, so a reader finds the old document with its own file or the new one with its
    own, never half of either; then the files of this key no document names any more are removed."""
    import hashlib

    rs = RunStore(store.data_dir)
    k = key(a.census_version, a.packs, a.years)
    data = _results_bytes(_stored_frame(a))  # the frame `load` gave from the JSON
    name = f"{k.name}.{hashlib.sha256(data).hexdigest()[:16]}{RESULTS}"
    write_bytes_atomic(rs.path(k).with_name(name), data)
    doc = {
        "census_version": a.census_version,
        "county_id": a.county_id,
        "packs": [p.id for p in a.packs],
        "results_file": name,  # beside the document (RESULTS)
        "school_gaps": [[g.school_id, g.stage, g.year, g.additions] for g in a.school_gaps],
        "years": a.years.as_list(),
        "no_data": a.no_data_list(),
    }
    path = rs.save_doc(k, doc)
    for old in path.parent.glob(f"{k.name}.*{RESULTS}"):
        if old.name != name:
            with contextlib.suppress(OSError):
                old.unlink()
    return path


def load(
    store: CensusStore,
    version: str,
    packs: list[Pack],
    years: Years | None = None,
    snapshot: evidence.Snapshot | None = None,
) -> Assessment | None:
    """The stored assessment under the years' states (default: the store's now), or None when it
    was not computed yet; with the checklist evidence of ``snapshot`` (default: the data dir's,
    read now) laid over it."""
    from countyedu.indicators import evidence
    from countyedu.indicators.engine import Assessment, SchoolGap

    years = years if years is not None else census_years(store, version)
    rs = RunStore(store.data_dir)
    k = key(version, packs, years)
    doc = rs.load_doc(k)
    if doc is None:
        return None
    try:  # the document's fields: one not of this shape is damaged (a bug below them is not hidden)
        census_version, county_id = doc["census_version"], doc["county_id"]
        gaps = [SchoolGap(s, st, y, [tuple(x) for x in adds]) for s, st, y, adds in doc["school_gaps"]]
        no_data = {
            (d["pack"], d["indicator"], d["level"], d["year"]): Msg.from_dict(d["reason"])
            for d in doc.get("no_data", [])
        }
        table = _table(doc["results"]) if "results" in doc else None  # kept before the results had a file
        results_file = None if table is not None else str(doc["results_file"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        damaged(rs.path(k), exc)
        return None
    if results_file is not None:
        table = _read_results(rs.path(k).with_name(results_file))
        if table is None:  # missing or damaged: computed again
            return None
    a = Assessment(census_version, packs, county_id, years=years)
    a.add(table)  # columnar, as computed: Result objects only when asked for
    a.school_gaps = gaps
    a.no_data_reasons = no_data
    snapshot = snapshot if snapshot is not None else evidence.snapshot(store.data_dir)
    return evidence.apply(a, snapshot.evidence())  # the engine's result is kept, evidence laid over


def get_or_compute(store: CensusStore, version: str | None = None, packs: list[Pack] | None = None) -> Assessment:
    """The assessment of a version (default latest) with the packs (default DEFAULT_PACKS), computed
    and stored if missing."""
    from countyedu.indicators import evidence
    from countyedu.indicators.backends import open_tables
    from countyedu.indicators.engine import assess

    v = store.resolve(version).version_id
    packs = packs if packs is not None else load_packs()
    snapshot = evidence.snapshot(store.data_dir)  # read once, whether the assessment is found or made
    # One connection held while the assessment is found or made: the store's other connections in this
    # process (the years' states and coverage, the engine's tables) reuse its open database instead of
    # opening the file again (~15 ms of CPU each, five times; more wall on a loaded machine).
    with store.connect():
        years = census_years(store, v)  # read once, for the key and the engine
        found = load(store, v, packs, years, snapshot)
        if found is not None:
            return found
        with open_tables(store, packs, version=v, years=years) as ct:
            a = assess(ct, packs)
    save(store, a)
    if len(a.table()) <= KEEP_JSON_RESULTS:  # a province's (2 M results, 400 MB) is not doubled on disk
        keep_json(store, a, a.to_json())  # the checklist evidence is laid over by whoever reads it
    return evidence.apply(a, snapshot.evidence())


def _stat(path: Path) -> str:
    s = os.stat(path)
    return f"{s.st_ino}:{s.st_size}:{s.st_mtime_ns}"


def keep_json(store: CensusStore, a: Assessment, text: str) -> None:
    """Keep `text`, the `to_json()` of the kept assessment `a` without checklist evidence over it."""
    if len(text) > KEEP_JSON_BYTES:
        return
    rs = RunStore(store.data_dir)
    k = key(a.census_version, a.packs, a.years)
    try:
        head = _stat(rs.path(k))
    except OSError:
        return  # not kept (a read-only data dir)

    def write(tmp: Path) -> None:
        tmp.write_text(head + "\n" + text, encoding="utf-8")

    with contextlib.suppress(OSError):
        write_atomic(rs.path(k, AS_JSON), write)


def kept_json(store: CensusStore, version: str | None, packs: list[Pack]) -> str | None:
    """The `to_json()` of the kept assessment of a version (default latest) under these packs and the
    store's years now, as kept beside it; None when there is none, when the kept document changed since
    it was written, or when the data dir has checklist evidence (laid over by `get_or_compute`)."""
    if (store.data_dir / EVIDENCE_SNAPSHOT).exists():
        return None
    v = store.resolve(version).version_id
    rs = RunStore(store.data_dir)
    k = key(v, packs, census_years(store, v))
    try:
        head, _, text = rs.path(k, AS_JSON).read_text(encoding="utf-8").partition("\n")
        return text if head == _stat(rs.path(k)) else None
    except OSError:
        return None

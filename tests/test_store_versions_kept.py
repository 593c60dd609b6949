"""The census store keeps its version list under the store file's state (census.store.VERSIONS_KEPT),
so that listing the versions needs no DuckDB while nothing was written: the kept list is the one the
store holds, follows every write, and is never read under another state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import countyedu.census.store as store_module
from countyedu.census.store import VERSIONS_KEPT, CensusStore, _version, _version_rows, open_duckdb


def _read(store: CensusStore) -> list[store_module.Version]:
    """The versions as the store file holds them (read with DuckDB, not from the kept list)."""
    con = open_duckdb(store.path, read_only=True)
    try:
        return [_version(r) for r in _version_rows(con)]
    finally:
        con.close()


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("the store was opened")


def test_it_lists_the_versions_from_the_kept_list_while_the_store_is_unchanged(
    small_store: CensusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_store.mark_unapproved("v1")  # a write keeps the list for the state it leaves
    assert (small_store.data_dir / VERSIONS_KEPT).exists()
    held = _read(small_store)
    assert [(v.version_id, v.state) for v in held] == [("v1", "unapproved")]
    monkeypatch.setattr(store_module, "open_duckdb", _refuse)
    assert small_store.versions() == held
    assert small_store.versions(usable=True) == []


def test_a_list_kept_under_another_state_is_not_read(small_store: CensusStore) -> None:
    # the fixture's data dir is a copy (another inode): the list its import kept is of the original file
    kept = small_store.data_dir / VERSIONS_KEPT
    doc = json.loads(kept.read_text(encoding="utf-8"))
    assert doc["state"] != small_store._state()
    doc["rows"][0][3] = "not-the-source.xlsx"
    kept.write_text(json.dumps(doc), encoding="utf-8")
    assert small_store.versions() == _read(small_store)
    assert small_store.versions()[0].source != "not-the-source.xlsx"


def test_every_write_leaves_the_list_of_the_store_it_wrote(small_store: CensusStore) -> None:
    small_store.set_year_state(2025, "collecting")
    first = json.loads((small_store.data_dir / VERSIONS_KEPT).read_text(encoding="utf-8"))
    assert first["state"] == small_store._state()
    small_store.mark_unapproved("v1")
    second = json.loads((small_store.data_dir / VERSIONS_KEPT).read_text(encoding="utf-8"))
    assert second["state"] == small_store._state() != first["state"]
    assert [v.state for v in small_store.versions()] == ["unapproved"] == [v.state for v in _read(small_store)]


def test_listing_the_kept_versions_loads_no_duckdb(small_store: CensusStore) -> None:
    small_store.mark_unapproved("v1")
    code = (
        "import sys\nfrom countyedu.census.store import CensusStore\n"
        f"vs = CensusStore({str(small_store.data_dir)!r}).versions()\n"
        "print(vs[0].version_id, 'duckdb' in sys.modules)\n"
    )
    src = str(Path(store_module.__file__).parents[2])
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": src}
    )
    assert proc.stdout.split() == ["v1", "False"]

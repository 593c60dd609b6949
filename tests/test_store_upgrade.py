"""A data dir made by an older countyedu (tables lacking the columns and sheets added since) is read
by this one: the first read brings the store up to date, and where the data dir cannot be written the
missing columns read as empty. Nothing stored is lost."""

from __future__ import annotations

import duckdb
import pytest

from countyedu.census import store as store_module
from countyedu.census.store import ADDED_COLUMNS, CensusStore
from countyedu.indicators.tables import duckdb_tables


def make_old(store: CensusStore) -> int:
    """Drop what issues 13 and 14 added, as a store written before them; the teachers' row count."""
    con = duckdb.connect(str(store.path))
    try:
        for sheet, columns in ADDED_COLUMNS.items():
            for column in columns:
                con.execute(f'ALTER TABLE s_{sheet} DROP COLUMN IF EXISTS "{column}"')
        con.execute("DROP TABLE IF EXISTS s_rotation_exemptions")
        return con.execute("SELECT count(*) FROM s_teachers").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def old_store(small_store: CensusStore, monkeypatch: pytest.MonkeyPatch) -> CensusStore:
    monkeypatch.setattr(store_module, "_SCHEMA_CHECKED", set())
    return small_store


def test_an_old_store_is_brought_up_to_date_by_its_first_read(old_store: CensusStore) -> None:
    teachers = make_old(old_store)
    version = old_store.latest()
    assert version is not None
    frames = old_store.frames(version.version_id)
    assert len(frames["teachers"]) == teachers
    assert "backbone_year" in frames["teachers"].columns
    con = duckdb.connect(str(old_store.path), read_only=True)
    try:
        cols = {
            r[0]
            for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 's_teachers'").fetchall()
        }
    finally:
        con.close()
    assert "backbone_year" in cols


def test_where_the_store_cannot_be_written_the_new_columns_read_as_empty(
    old_store: CensusStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    teachers = make_old(old_store)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("read-only file system")

    real_open = store_module.open_duckdb

    def read_only_open(path, *, read_only, opener=None):  # type: ignore[no-untyped-def]
        if not read_only:
            refuse()
        return real_open(path, read_only=read_only, opener=opener)

    monkeypatch.setattr(store_module, "open_duckdb", read_only_open)
    version = old_store.latest()
    assert version is not None
    frames = old_store.frames(version.version_id)
    assert len(frames["teachers"]) == teachers
    assert frames["teachers"]["backbone_year"].isna().all()
    assert frames["rotation_exemptions"].empty
    tables = duckdb_tables(old_store)
    assert tables is not None

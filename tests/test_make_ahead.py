"""The derived tables an assessment of some packs made (school parts, the teachers' counts, …) are
made again from their kept SQL as soon as the next assessment of the same packs opens the census
(tables.CensusTables.make_ahead: `countyedu assess` imports the engine on another thread while
DuckDB makes them). The engine then finds them made, and its results are the same."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from countyedu.census.store import CensusStore
from countyedu.indicators import tables
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import assess
from countyedu.runs.store import load_packs


@pytest.fixture
def store(small_store: CensusStore, monkeypatch: pytest.MonkeyPatch) -> CensusStore:
    """The small county with no compiled SQL kept (none in this process, none in its data dir)."""
    monkeypatch.setattr(tables, "_SQL_MEMO", {})
    shutil.rmtree(small_store.data_dir / tables.SQL_CACHE_DIR, ignore_errors=True)
    return small_store


def test_it_makes_the_tables_the_last_assessment_of_the_same_packs_made(store: CensusStore) -> None:
    packs = load_packs()
    with open_tables(store, packs) as ct:
        assert ct.made == []  # never assessed with these packs: nothing to make ahead
        first = assess(ct, packs).table()
        made = list(ct.made)
    assert {name.split("_")[2] for name, _sql in made} >= {"parts", "teacher", "classes"}
    with open_tables(store, packs) as ct:
        assert ct.made == made  # made before the engine asked for any
        again = assess(ct, packs).table()
        assert ct.made == made  # and nothing made twice
    pd.testing.assert_frame_equal(first, again)


def test_other_packs_make_nothing_ahead(store: CensusStore) -> None:
    packs = load_packs()
    with open_tables(store, packs) as ct:
        assess(ct, packs)
    with open_tables(store, packs[:1]) as ct:
        assert ct.made == []


def test_the_sql_cache_turned_off_makes_nothing_ahead(store: CensusStore, monkeypatch: pytest.MonkeyPatch) -> None:
    packs = load_packs()
    with open_tables(store, packs) as ct:
        assess(ct, packs)
    monkeypatch.setenv("COUNTYEDU_SQL_CACHE", "off")
    with open_tables(store, packs) as ct:
        assert ct.made == []

"""Shared fixtures: the small good county, a data dir holding it, and store snapshots."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from census_support import SMALL, snapshot
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore


@pytest.fixture
def empty_store(tmp_path: Path) -> CensusStore:
    """A store in a data dir that does not exist yet."""
    return CensusStore(tmp_path / "data")


@pytest.fixture(scope="session")
def _small_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = CensusStore(tmp_path_factory.mktemp("small-store") / "data")
    import_census(SMALL, store)
    return store.data_dir


@pytest.fixture
def small_store(tmp_path: Path, _small_store_dir: Path) -> CensusStore:
    """A store in a tmp data dir that already holds the small county as version v1 (a copy of one
    imported once per session)."""
    data_dir = tmp_path / "data"
    shutil.copytree(_small_store_dir, data_dir)
    return CensusStore(data_dir)


@pytest.fixture
def unchanged() -> Callable[[CensusStore], Callable[[], None]]:
    """unchanged(store) snapshots the data dir and returns a check that it is byte-for-byte the same."""

    def take(store: CensusStore) -> Callable[[], None]:
        before = snapshot(store.data_dir)

        def check() -> None:
            assert snapshot(store.data_dir) == before, "the data dir changed"

        return check

    return take

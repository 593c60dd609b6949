"""Shared fixtures: the small good county, a data dir holding it, and store snapshots."""

from __future__ import annotations

import functools
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.readers import read_source
from countyedu.census.store import CensusStore
from countyedu.census.validate import validate_sheet

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small"


@functools.cache
def _small_frames() -> dict[str, pd.DataFrame]:
    raw = read_source(SMALL)
    out: dict[str, pd.DataFrame] = {}
    for name, rs in raw.sheets.items():
        frame, problems = validate_sheet(rs)
        assert not [p for p in problems if p.severity == "error"], problems
        out[name] = frame.drop(columns="_row").reset_index(drop=True)
    return out


def small_frames() -> dict[str, pd.DataFrame]:
    """The good small county (tests/fixtures/small) as typed frames, a fresh copy per call."""
    return {name: frame.copy() for name, frame in _small_frames().items()}


def snapshot(directory: Path) -> dict[str, str]:
    """relative path → SHA-256 of every file under a directory (empty if it does not exist)."""
    if not directory.exists():
        return {}
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


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

"""The dashboards' and the API's tests read the hand county as imported (census version v1, school
year 2024) from a data dir of their own: the data collection tests approve submissions, which add
census versions (and a year) to the shared data dir of tests/web/conftest.py.

Use it in a test module with `from dash_support import hand_county  # noqa: F401` (an autouse fixture).
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"


@lru_cache(maxsize=1)
def hand_data_dir() -> Path:
    """A data dir holding the hand county and its stored assessment (made once per test run)."""
    d = Path(tempfile.mkdtemp(prefix="countyedu-dash-test-"))
    store = CensusStore(d)
    import_census(HAND, store)
    cache.get_or_compute(store)
    return d


@pytest.fixture(autouse=True)
def hand_county(settings: Any) -> Path:
    """The web app reads the hand county's own data dir during the test."""
    settings.DATA_DIR = hand_data_dir()
    return settings.DATA_DIR

"""The small good county and store snapshots, for tests anywhere under tests/ (import them from here, not
from conftest: tests/web has a conftest of its own)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd

from countyedu.census.readers import read_source
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

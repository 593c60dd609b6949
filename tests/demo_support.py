"""The demo county for tests anywhere under tests/: its frames generated once per process, and its data
dir as `countyedu demo --no-pdf` leaves it (imported from the workbook, assessed, every run kind
stored, the HTML report written) built once per test session and shared by the xdist workers.

The demo costs seconds to generate and tens of seconds to import and compute; a dozen test modules
read it. Tests that change a data dir take their own copy (`demo_copy`); the built one is never
written after it is done.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest


@functools.cache
def _frames() -> dict[str, pd.DataFrame]:
    from countyedu.census.demo import generate

    return generate()


def demo_frames() -> dict[str, pd.DataFrame]:
    """The demo county's sheets (seed 2019), generated once per process; each call gets fresh copies."""
    return {name: frame.copy() for name, frame in _frames().items()}


def _shared_root(factory: pytest.TempPathFactory) -> Path:
    """The temp folder every xdist worker of this session sees (the recipe of pytest-xdist's docs)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_demo(factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The data dir of `countyedu demo --no-pdf --format json` and its JSON output, built by the first
    worker that asks (the others wait on the lock) and read by all."""
    root = _shared_root(factory)
    done = root / "demo-built" / "demo.json"
    with (root / "demo-built.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            from typer.testing import CliRunner

            from countyedu.cli import app

            data = root / "demo-built" / "data"
            shutil.rmtree(data, ignore_errors=True)
            result = CliRunner().invoke(app, ["demo", "--data-dir", str(data), "--no-pdf", "--format", "json"])
            assert result.exit_code == 0, result.output
            json.loads(result.stdout)  # whole before it is marked done
            done.write_text(result.stdout, encoding="utf-8")
    return done.parent / "data", json.loads(done.read_text(encoding="utf-8"))


def demo_copy(factory: pytest.TempPathFactory, dest: Path) -> Path:
    """A copy of the built demo's data dir at `dest` (a test's own, to change as it likes)."""
    data, _doc = built_demo(factory)
    shutil.copytree(data, dest)
    return dest

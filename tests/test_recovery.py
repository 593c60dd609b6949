"""Crash safety of an approval, which commits the census (DuckDB) and then the web database: the
process is killed between the two commits (the test hook COUNTYEDU_TEST_EXIT_BETWEEN_COMMITS), and the
next start — the web app's (wsgi), or `countyedu serve` — makes the two agree (web/recovery.py).

Each step is a separate process acting through the pages (tests/recovery_child.py); the test reads
the web database and the census store directly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.runs.store import load_packs
from countyedu.web.actions import CRASH_ENV

CHILD = Path(__file__).with_name("recovery_child.py")


def step(data: Path, name: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), str(data), name], env={**os.environ, **env}, capture_output=True, text=True
    )


def state(data: Path) -> dict[str, Any]:
    """P1's submission and its audit rows (the web database), and the census as the app reads it."""
    with closing(sqlite3.connect(data / "web.sqlite3")) as db:
        status, version, pk = db.execute("SELECT status, census_version, id FROM web_submission").fetchone()
        audit = [
            (action, json.loads(after))
            for action, after in db.execute(
                "SELECT action, after FROM web_auditlog WHERE object_type = 'submission' AND object_id = ? ORDER BY id",
                [str(pk)],
            )
        ]
    store = CensusStore(data)
    latest = store.latest()
    assert latest is not None
    classes = store.frames(latest.version_id, ["classes"])["classes"]
    packs = load_packs()
    return {
        "status": status,
        "census_version": version,
        "audit": audit,
        "latest": latest.version_id,
        "versions": [[v.version_id, v.state, v.origin] for v in store.versions()],
        "p1_2025_classes": int(((classes["school_id"] == "P1") & (classes["year"] == 2025)).sum()),
        "assessed": cache.load(store, latest.version_id, packs) is not None,
    }


@pytest.fixture(scope="module")
def submitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the hand county (v1), the 2025 round open and P1's workbook submitted."""
    data = tmp_path_factory.mktemp("recovery") / "base"
    done = step(data, "setup")
    assert done.returncode == 0, done.stderr
    return data


@pytest.fixture
def crashed(submitted: Path, tmp_path: Path) -> Path:
    """The planner approved P1's submission and the process died between the two commits."""
    data = tmp_path / "data"
    shutil.copytree(submitted, data)
    assert step(data, "approve", **{CRASH_ENV: "1"}).returncode == 70
    s = state(data)  # the census holds the school's 2025 classes; the app still says submitted
    assert (s["status"], s["latest"], s["p1_2025_classes"]) == ("submitted", "v2", 7)
    assert s["versions"][-1] == ["v2", None, {"submission": 1, "user": 2}]
    return data


def test_the_next_start_completes_the_approval(crashed: Path) -> None:
    assert step(crashed, "serve").returncode == 0  # `countyedu serve` reconciles before gunicorn starts
    s = state(crashed)
    assert (s["status"], s["census_version"], s["latest"], s["p1_2025_classes"]) == ("approved", "v2", "v2", 7)
    action, after = s["audit"][-1]
    assert action == "approve_submission" and after["status"] == "approved" and "after a crash" in after["recovered"]
    assert s["assessed"]  # the completed version's assessment was computed, as after any approval
    # the next start (the web app's, in each gunicorn worker) finds nothing to do
    assert step(crashed, "start").returncode == 0
    assert state(crashed)["audit"] == s["audit"]


def test_a_version_the_app_did_not_approve_is_kept_but_not_used(crashed: Path) -> None:
    """Before any restart another process returned the file to the school: the census version no
    approval recorded is set aside at the web app's start; the school's file can be approved again."""
    assert step(crashed, "return").returncode == 0
    assert step(crashed, "start").returncode == 0
    s = state(crashed)
    assert (s["status"], s["latest"], s["p1_2025_classes"]) == ("returned", "v1", 0)
    assert s["versions"][-1][:2] == ["v2", "unapproved"]
    assert step(crashed, "resubmit").returncode == 0
    assert step(crashed, "approve").returncode == 0
    s = state(crashed)
    assert (s["status"], s["census_version"], s["latest"], s["p1_2025_classes"]) == ("approved", "v3", "v3", 7)
    assert [v[:2] for v in s["versions"]] == [["v1", None], ["v2", "unapproved"], ["v3", None]]


def test_a_task_worker_reconciles_on_start(crashed: Path) -> None:
    """`countyedu worker` (a task worker, started alone or by `countyedu serve`) reconciles before it
    takes jobs."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "countyedu", "worker", "--data-dir", str(crashed)],
        env={**os.environ, "COUNTYEDU_DATA": str(crashed)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while state(crashed)["status"] != "approved" and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    s = state(crashed)
    assert (s["status"], s["census_version"], s["latest"]) == ("approved", "v2", "v2")

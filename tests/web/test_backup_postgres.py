"""Backup and restore with the web database on PostgreSQL (DATABASE_URL; `make test-postgres`): the
records travel as a Django dumpdata and are loaded back into the database DATABASE_URL names.

The commands run in child processes against DATABASE_URL's own database (the throw-away one of
.ci/with-postgres), not pytest's test database; the test reads it with psycopg."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

CHILD = Path(__file__).resolve().parents[1] / "recovery_child.py"
URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not URL.startswith("postgres"), reason="needs DATABASE_URL (make test-postgres)")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if k != "COUNTYEDU_DATA"}, "COLUMNS": "1000"}
    return subprocess.run([sys.executable, *map(str, args)], env=env, capture_output=True, text=True)


def submissions() -> list[tuple[object, ...]]:
    with psycopg.connect(URL) as db:
        return db.execute("SELECT id, school_id, status, sha256 FROM web_submission ORDER BY id").fetchall()


def test_a_postgresql_backup_restores_the_records(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run(CHILD, data, "setup")
    assert done.returncode == 0, done.stderr
    before = submissions()
    assert [s[1:3] for s in before] == [("P1", "submitted")]
    made = run("-m", "countyedu", "backup", tmp_path / "pg.tar.gz", "--data-dir", data, "--format", "json")
    assert made.returncode == 0, made.stderr
    manifest = json.loads(made.stdout)
    assert manifest["database"]["engine"] == "postgresql" and manifest["database"]["file"] == "web-database.json"
    assert manifest["database"]["records"]["submissions"] == {"submitted": 1}
    assert run(CHILD, data, "return").returncode == 0  # a change after the backup
    assert submissions()[0][2] == "returned"
    refused = run("-m", "countyedu", "restore", tmp_path / "pg.tar.gz", "--data-dir", tmp_path / "back")
    assert refused.returncode == 2 and "already holds users" in refused.stderr and "已有用户" in refused.stderr
    assert not (tmp_path / "back").exists() and submissions()[0][2] == "returned"  # nothing changed
    done = run("-m", "countyedu", "restore", tmp_path / "pg.tar.gz", "--data-dir", tmp_path / "back2", "--force")
    assert done.returncode == 0, done.stderr
    assert submissions() == before

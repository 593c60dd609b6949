"""`countyedu backup OUT` / `countyedu restore IN`: a whole data dir in one verified archive, made
while the app is serving, restored elsewhere with the same census versions, submissions and stored
assessment; a damaged, foreign or tampered archive and a non-empty target are refused in Chinese and
English, and nothing is changed."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path

import pytest

from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.runs.store import load_packs
from serve_support import raw_request, serving

CHILD = Path(__file__).with_name("recovery_child.py")
SMALL = Path(__file__).parent / "fixtures" / "small"


def countyedu(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if k != "COUNTYEDU_DATA"}, "COLUMNS": "1000"}  # no wrapping
    return subprocess.run([sys.executable, "-m", "countyedu", *map(str, args)], env=env, capture_output=True, text=True)


def submissions(data: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(data / "web.sqlite3")) as db:
        return db.execute(
            "SELECT id, school_id, status, sha256, census_version FROM web_submission ORDER BY id"
        ).fetchall()


def assessment(data: Path) -> list[dict[str, object]]:
    store = CensusStore(data)
    latest = store.latest()
    assert latest is not None
    a = cache.load(store, latest.version_id, load_packs())
    assert a is not None
    return [r.as_dict() for r in a.results]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the data dir, its backup made while `countyedu serve` answers requests and another process
    holds a read connection to the census): the hand county, a round and P1's submitted workbook."""
    root = tmp_path_factory.mktemp("backup")
    data = root / "data"
    done = subprocess.run([sys.executable, str(CHILD), str(data), "setup"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with serving(data) as port:  # its start computes and stores the latest version's assessment
        reader = subprocess.Popen(
            [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
             "print('open', flush=True); time.sleep(60)", str(data / "census.duckdb")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
            made = countyedu("backup", root / "county.tar.gz", "--data-dir", data, "--format", "json")
            assert raw_request(port, "GET /login/ HTTP/1.1")[0] == 200  # still serving
        finally:
            reader.kill()
            reader.wait()
    assert made.returncode == 0, made.stderr
    manifest = json.loads(made.stdout)
    assert manifest["census"] == {"file": "census.duckdb", "versions": ["v1"], "latest": "v1"}
    assert manifest["database"]["records"]["submissions"] == {"submitted": 1}
    return data, root / "county.tar.gz"


def test_a_backup_restores_the_same_census_submissions_and_assessment(
    archive: tuple[Path, Path], tmp_path: Path
) -> None:
    data, tgz = archive
    with tarfile.open(tgz) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert names[0] == "manifest.json"
    listed = {f["path"] for f in manifest["files"]}
    assert set(names[1:]) == listed
    assert {"census.duckdb", "web.sqlite3", ".secret_key", "uploads/submissions/2026/2025-P1.xlsx"} <= listed
    assert any(p.startswith("assessments/") for p in listed)  # the stored assessment
    assert not any(p.startswith(("static/", "locale/")) or p.endswith(".gate") for p in listed)

    done = countyedu("restore", tgz, "--data-dir", tmp_path / "again")
    assert done.returncode == 0, done.stderr
    again = tmp_path / "again"
    assert [(v.version_id, v.sha256) for v in CensusStore(again).versions()] == [
        (v.version_id, v.sha256) for v in CensusStore(data).versions()
    ]
    assert submissions(again) == submissions(data) and len(submissions(again)) == 1
    assert assessment(again) == assessment(data)
    assert (again / ".secret_key").read_text() == (data / ".secret_key").read_text()
    assert (again / ".secret_key").stat().st_mode & 0o777 == 0o600
    upload = "uploads/submissions/2026/2025-P1.xlsx"
    assert (again / upload).read_bytes() == (data / upload).read_bytes()


def test_it_refuses_a_data_dir_that_is_not_empty_unless_forced(archive: tuple[Path, Path], tmp_path: Path) -> None:
    _data, tgz = archive
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    done = countyedu("restore", tgz, "--data-dir", target)
    assert done.returncode == 2
    assert "不是空目录" in done.stderr and "is not empty" in done.stderr and "--force" in done.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    done = countyedu("restore", tgz, "--data-dir", target, "--force")
    assert done.returncode == 0, done.stderr
    assert (target / "census.duckdb").exists() and not (target / "notes.txt").exists()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("busy.replaced-")]
    assert len(kept) == 1 and (kept[0] / "notes.txt").read_text() == "mine"


def test_it_refuses_a_damaged_archive(archive: tuple[Path, Path], tmp_path: Path) -> None:
    _data, tgz = archive
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(tgz.read_bytes()[: tgz.stat().st_size // 2])
    done = countyedu("restore", cut, "--data-dir", tmp_path / "d")
    assert done.returncode == 2
    assert "已损坏或不完整" in done.stderr and "damaged or truncated" in done.stderr
    assert not (tmp_path / "d").exists() and [p.name for p in tmp_path.iterdir()] == ["cut.tar.gz"]


def test_it_refuses_a_foreign_archive(tmp_path: Path) -> None:
    foreign = tmp_path / "photos.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        tar.add(SMALL / "schools.csv", arcname="schools.csv")
    done = countyedu("restore", foreign, "--data-dir", tmp_path / "d")
    assert done.returncode == 2
    assert "不是 countyedu 的备份文件" in done.stderr and "is not a countyedu backup" in done.stderr
    plain = tmp_path / "notes.txt"
    plain.write_text("hello")
    done = countyedu("restore", plain, "--data-dir", tmp_path / "d")
    assert done.returncode == 2 and "damaged or truncated" in done.stderr
    assert not (tmp_path / "d").exists()


def test_it_refuses_a_member_that_differs_from_the_manifest(archive: tuple[Path, Path], tmp_path: Path) -> None:
    """One byte of the submitted workbook changed after the backup: its SHA-256 no longer matches."""
    _data, tgz = archive
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tgz) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src:
            body = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith("2025-P1.xlsx"):
                body = body[:-1] + bytes([body[-1] ^ 1])
            dst.addfile(member, io.BytesIO(body))
    done = countyedu("restore", tampered, "--data-dir", tmp_path / "d")
    assert done.returncode == 2
    assert "uploads/submissions/2026/2025-P1.xlsx" in done.stderr and "SHA-256" in done.stderr
    assert "未恢复任何数据" in done.stderr and "nothing was restored" in done.stderr
    assert not (tmp_path / "d").exists() and not any(p.name.startswith(".d.") for p in tmp_path.iterdir())


def test_a_census_without_the_web_app_is_backed_up_too(tmp_path: Path) -> None:
    data = tmp_path / "cli"
    assert countyedu("import", SMALL, "--data-dir", data).returncode == 0
    done = countyedu("backup", tmp_path / "cli.tar.gz", "--data-dir", data)
    assert done.returncode == 0, done.stderr
    assert countyedu("restore", tmp_path / "cli.tar.gz", "--data-dir", tmp_path / "back").returncode == 0
    assert [v.version_id for v in CensusStore(tmp_path / "back").versions()] == ["v1"]
    with gzip.open(tmp_path / "cli.tar.gz") as fh:
        assert fh.read(512)[:13] == b"manifest.json"
    shutil.rmtree(data)

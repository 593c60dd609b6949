"""`countyedu assess` and `explain` end without the interpreter's teardown (cli.entry, QUICK_EXIT): the
same output, the same exit status, and what exit runs (atexit) still run; other commands exit as
before. Run as the program is: a child Python through `python -m countyedu` / cli.entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from countyedu.census.store import CensusStore


def _countyedu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300)


def test_assess_writes_its_whole_output_and_exits_0(small_store: CensusStore, tmp_path: Path) -> None:
    data = str(small_store.data_dir)
    to_stdout = _countyedu("assess", "--data-dir", data, "--format", "json")
    assert to_stdout.returncode == 0, to_stdout.stderr
    doc = json.loads(to_stdout.stdout)  # the whole document: flushed before the process ended
    assert doc["results"] and doc["packs"]
    out = tmp_path / "a.json"
    to_file = _countyedu("assess", "--data-dir", data, "--format", "json", "--out", str(out))
    assert to_file.returncode == 0, to_file.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["results"] == doc["results"]
    explained = _countyedu("explain", "QB-R1", "--data-dir", data)
    assert explained.returncode == 0 and "QB-R1" in explained.stdout, explained.stderr


def test_a_user_error_keeps_its_status_and_message(tmp_path: Path) -> None:
    done = _countyedu("assess", "--data-dir", str(tmp_path / "none"), "--format", "json")
    assert done.returncode == 2
    assert "no census in" in done.stderr and "还没有普查数据" in done.stderr


def test_what_exit_runs_still_runs(tmp_path: Path) -> None:
    """atexit's functions (logging flushed, temporary files removed) run before the process ends."""
    mark = tmp_path / "ran"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(mark)!r}, 'w').write('ran'))\n"
        f"sys.argv = ['countyedu', 'assess', '--data-dir', {str(tmp_path / 'none')!r}]\n"
        "from countyedu.cli import entry\n"
        "entry()\n"
        "raise SystemExit('not reached: entry ends the process')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert mark.read_text() == "ran"
    assert "not reached" not in done.stderr


def test_other_commands_return_from_entry(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.argv = ['countyedu', 'packs', '--format', 'json']\n"
        "from countyedu.cli import entry\n"
        "try:\n"
        "    entry()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print('returned')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.rstrip().endswith("returned"), done.stderr

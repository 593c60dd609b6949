"""The compiled SQL of an assessment kept for the user as well as in the data dir (issue 12 item 1:
most of an import's assessment was compiling queries in each new data dir, though they depend on the
code and the packs, never on the census): a second data dir's assessment compiles nothing (Ibis,
which only compiling needs, is never loaded)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CODE = (
    "import sys\nfrom countyedu.cli import app\n"
    "try:\n"
    "    app(['assess', '--data-dir', sys.argv[1], '--format', 'json', '--out', sys.argv[1] + '/a.json'])\n"
    "except SystemExit as exc:\n"
    "    assert not exc.code, exc.code\n"
    "print('ibis loaded:', 'ibis' in sys.modules)\n"
)


def test_a_new_data_dir_reads_the_users_compiled_sql(_small_store_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "COUNTYEDU_SQL_USER_CACHE": "on", "XDG_CACHE_HOME": str(tmp_path / "xdg")}

    def assess(name: str) -> str:
        data = tmp_path / name
        shutil.copytree(_small_store_dir, data)
        proc = subprocess.run([sys.executable, "-c", CODE, str(data)], capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert list((data / "cache" / "sql").glob("*.json")), "the data dir keeps its own copy"
        return proc.stdout.strip().splitlines()[-1]

    assert assess("first") == "ibis loaded: True"  # compiled, and kept for the user too
    assert list((tmp_path / "xdg" / "countyedu" / "sql").glob("*.json"))
    assert assess("second") == "ibis loaded: False"
    a, b = ((tmp_path / n / "a.json").read_text(encoding="utf-8") for n in ("first", "second"))
    assert a.count('"status"') == b.count('"status"') > 0

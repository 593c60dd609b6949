"""benchmarks/import_floor.py, the floor under `countyedu import` in `make bench`: both ways parse every
sheet of a workbook (the same rows), in a child Python as the bench runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from countyedu.census.writers import write_workbook

ROOT = Path(__file__).resolve().parent.parent


def test_the_floor_parses_every_sheet_both_ways(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    path = write_workbook(tmp_path / "template.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    rows = sum(len(book.get_sheet_by_name(n).to_python()) for n in book.sheet_names)
    for how in ("serial", "overlapped"):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.import_floor", str(path), how],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(done.stdout) == rows > 0

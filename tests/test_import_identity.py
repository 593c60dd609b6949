"""Issue 12 item 1: a speed change of `countyedu import` keeps what it stores. The demo county's workbook
(seed 2019, imported by `countyedu demo` as every user imports a workbook: census.importer) is read from the
session's shared demo build, and every table of its census store — each sheet's rows, the parts of each
version, the school years' states, the version's row counts — and its kept assessment are
compared with what the importer stored before the speed work (tests/fixtures/identity/demo-*): the
tables as one SHA-256 each of their rows sorted (types included), the assessment line by line as
tests/test_result_identity.py compares it.

A change that is meant to change what is stored (a new column, a new sheet of the demo) updates them:
`.venv/bin/python tests/test_import_identity.py --update DATA_DIR` on a data dir `countyedu demo` made, and
says so in its commit."""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import sys
from pathlib import Path

import duckdb
import pytest

from demo_support import built_demo
from test_result_identity import canonical, same_line

HERE = Path(__file__).parent
TABLES = HERE / "fixtures" / "identity" / "demo-tables.json"
ASSESSMENT = HERE / "fixtures" / "identity" / "demo-assessment.txt.gz"
# the time of the import, and the workbook's digest (its writer stamps the time it was written in it)
TIMES = {"versions": ("created_at", "sha256"), "year_states": ("changed_at",)}


def table_digests(data_dir: Path) -> dict[str, str]:
    """table → SHA-256 of its columns' names and types and its rows, sorted, as Python values."""
    con = duckdb.connect(str(data_dir / "census.duckdb"), read_only=True)
    try:
        out = {}
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        for table in tables:
            cols = con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
                [table],
            ).fetchall()
            kept = [c for c in cols if c[0] not in TIMES.get(table, ())]
            names = ", ".join(f'"{c[0]}"' for c in kept)
            rows = con.execute(f"SELECT {names} FROM {table} ORDER BY ALL").fetchall()
            h = hashlib.sha256(repr(kept).encode())
            for row in rows:
                h.update(repr(row).encode() + b"\n")
            out[table] = f"{len(rows)}:{h.hexdigest()}"
        return out
    finally:
        con.close()


def assessment_text(data_dir: Path) -> str:
    """The kept assessment of the demo's census as tests/test_result_identity.py writes one."""
    from countyedu.census.store import CensusStore
    from countyedu.indicators import cache
    from countyedu.runs.store import load_packs

    store = CensusStore(data_dir)
    a = cache.load(store, store.resolve(None).version_id, load_packs())
    assert a is not None, "the demo's import kept no assessment"
    return canonical(a)


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_demo(tmp_path_factory)[0]


def test_it_stores_every_table_as_before(demo_data: Path) -> None:
    now = table_digests(demo_data)
    before = json.loads(TABLES.read_text(encoding="utf-8"))
    assert now == before


def test_it_keeps_the_assessment_as_before(demo_data: Path) -> None:
    now = assessment_text(demo_data).splitlines()
    before = gzip.decompress(ASSESSMENT.read_bytes()).decode().splitlines()
    if len(now) != len(before) or not all(same_line(b, n) for b, n in zip(before, now, strict=True)):
        diff = list(difflib.unified_diff(before, now, "before", "now", lineterm="", n=0))
        pytest.fail("the demo's assessment differs (first 40 lines of the diff):\n" + "\n".join(diff[:40]))


if __name__ == "__main__" and sys.argv[1:2] == ["--update"]:
    data = Path(sys.argv[2])
    TABLES.write_text(json.dumps(table_digests(data), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    text = assessment_text(data)
    ASSESSMENT.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"{TABLES}, {ASSESSMENT}: {text.count(chr(10)):,} lines")

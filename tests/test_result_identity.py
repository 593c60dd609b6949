"""Issue 12 item 4: a speed change keeps every result identical. The full result table (every
pack, item, level, unit, stage and year: value, numerator, denominator, trend, status, target) and
the schools' gaps of the hand county and of a small generated county are compared
with snapshots computed by the engine before the speed work (tests/fixtures/identity/).

A change that is meant to change results (a new item, a corrected formula) rewrites the snapshots:
`.venv/bin/python tests/test_result_identity.py --update`, and says so in its commit."""

from __future__ import annotations

import difflib
import gzip
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import Assessment, assess
from countyedu.runs.store import load_packs

HERE = Path(__file__).parent
HAND = HERE / "fixtures" / "hand"
SNAPSHOTS = HERE / "fixtures" / "identity"
COUNTIES = ("hand", "generated")


def generated_county(folder: Path) -> Path:
    """A small county from the province generator (benchmarks/province.py): 40 schools of every
    kind in 6 townships, 4 years, classes and teachers drawn at random (seed fixed)."""
    sys.path.insert(0, str(HERE.parent))
    from benchmarks.province import generate

    generate(
        folder,
        seed=11,
        n_townships=6,
        n_schools=40,
        classes_per_year=500,
        teachers_per_year=1_400,
        year_range=range(2021, 2025),
    )
    return folder


def _number(v: object) -> str:
    """A float as its shortest exact repr (NaN and None both empty): equal text, equal bits."""
    if v is None:
        return ""
    f = float(v)  # type: ignore[arg-type]
    return "" if np.isnan(f) else repr(f)


HEADER = "pack|indicator|level|unit|stage|year|value|num|den|trend_at_deadline|status|target"
NUMBERS = (6, 7, 8, 9)  # the float fields of a result line


def canonical(a: Assessment) -> str:
    """The assessment as text: one line per result in the engine's order (with its target as the
    JSON contract gives it), then the schools' gaps."""
    t = a.table()
    targets = [json.dumps(r["target"], sort_keys=True) for r in a.as_dict()["results"]]
    lines = [HEADER]
    cols = [t[c].tolist() for c in t.columns]
    for (pack, ind, level, unit, stage, year, value, num, den, trend, status), target in zip(
        zip(*cols, strict=True), targets, strict=True
    ):
        st = "" if stage is None or (isinstance(stage, float) and np.isnan(stage)) else str(stage)
        numbers = map(_number, (value, num, den, trend))
        lines.append("|".join([pack, ind, level, str(unit), st, str(int(year)), *numbers, status, target]))
    for g in a.school_gaps:
        adds = ";".join(f"{ind}:{_number(amount)}:{unit}" for ind, amount, unit in g.additions)
        lines.append(f"gap|{g.school_id}|{g.stage}|{g.year}|{adds}")
    return "\n".join(lines) + "\n"


def same_line(before: str, now: str) -> bool:
    """Equal lines; a result's floats may differ in their last bits only (DuckDB adds a column of
    shares in parallel, in an order that varies from run to run: main's engine already did), within
    one part in 10^12 — statuses, targets, units, counts and every other field exactly."""
    if before == now:
        return True
    b, n = before.split("|"), now.split("|")
    if b[0] == "gap" or len(b) != len(n) or len(b) != HEADER.count("|") + 1:
        return False
    for i, (x, y) in enumerate(zip(b, n, strict=True)):
        if x == y:
            continue
        if i not in NUMBERS or not x or not y or not math.isclose(float(x), float(y), rel_tol=1e-12, abs_tol=1e-12):
            return False
    return True


def compute(county: str, work: Path) -> str:
    """The canonical text of a county's assessment under the shipped packs, on DuckDB."""
    source = HAND if county == "hand" else generated_county(work / "source")
    store = CensusStore(work / "data")
    import_census(source, store)
    packs = load_packs()
    with open_tables(store, packs) as ct:
        a = assess(ct, packs)
    # the assess JSON written from the columns (Assessment.to_json) is the text json.dumps writes
    assert a.to_json() == json.dumps(a.as_dict(), ensure_ascii=False, separators=(",", ":"))
    return canonical(a)


def snapshot(county: str) -> Path:
    return SNAPSHOTS / f"{county}.txt.gz"


@pytest.mark.parametrize("county", COUNTIES)
def test_every_result_is_what_it_was(county: str, tmp_path: Path) -> None:
    now = compute(county, tmp_path).splitlines()
    before = gzip.decompress(snapshot(county).read_bytes()).decode().splitlines()
    if len(now) != len(before) or not all(same_line(b, n) for b, n in zip(before, now, strict=True)):
        diff = list(difflib.unified_diff(before, now, "before", "now", lineterm="", n=0))
        shown = "\n".join(diff[:40])
        pytest.fail(f"{county}: results differ (first 40 lines of the diff):\n{shown}")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    import tempfile

    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for name in COUNTIES:
        with tempfile.TemporaryDirectory() as tmp:
            text = compute(name, Path(tmp))
        snapshot(name).write_bytes(gzip.compress(text.encode(), mtime=0))
        print(f"{snapshot(name)}: {text.count(chr(10)):,} lines")

"""`make bench`: measure the figures the issues name and write them to a file.

Each measurement runs `countyedu` in a fresh child process (so Python start-up and imports count)
and reads the child's wall time and peak resident memory (getrusage of the finished child).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNTYEDU = [sys.executable, "-m", "countyedu"]


def _child(args: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one child process; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far: measure the biggest last
    return seconds, max(peak, before) / 1024


def bench_demo_import(work: Path) -> list[tuple[str, str, str]]:
    from countyedu.census import demo
    from countyedu.census.writers import write_workbook

    workbook = write_workbook(work / "nanfeng-demo.xlsx", demo.generate(2019))
    runs = []
    for i in range(3):
        secs, _ = _child(
            [*COUNTYEDU, "import", str(workbook), "--data-dir", str(work / f"demo{i}"), "--format", "json"]
        )
        runs.append(secs)
    size = workbook.stat().st_size / 1e6
    return [
        (
            f"import of the demo workbook ({size:.1f} MB), best of 3, wall incl. Python start",
            f"{min(runs):.2f} s",
            "goal < 2 s",
        )
    ]


def bench_province_import(work: Path) -> list[tuple[str, str, str]]:
    from benchmarks import province

    data = work / "province"
    counts = province.generate(data)
    secs, peak = _child([*COUNTYEDU, "import", str(data), "--data-dir", str(work / "prov"), "--format", "json"])
    rows = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    return [
        (f"import of a province-size census as Parquet ({rows})", f"{secs:.1f} s", "goal < 60 s"),
        ("… its peak resident memory", f"{peak / 1024:.2f} GiB", "goal < 4 GiB"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    ap.add_argument("--skip-province", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="countyedu-bench-", dir=os.environ.get("TMPDIR")))
    rows: list[tuple[str, str, str]] = []
    try:
        rows += bench_demo_import(work)
        if not args.skip_province:
            rows += bench_province_import(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "# countyedu benchmarks",
        "",
        f"Run {dt.datetime.now().isoformat(timespec='seconds')} on {platform.node()}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. Written by `make bench`.",
        "",
        "| measurement | result | goal |",
        "|---|---|---|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

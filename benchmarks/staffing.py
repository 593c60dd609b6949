"""Teachers' staffing (编制, issue 13) on the province-size census: norms, actual staff and subject posts
of 20,000 schools and 700,000 teachers in one year (goal < 5 s). Reads the Parquet folder that
`bench_province_import` generated (benchmarks/province.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

Row = tuple[str, str, str]


def bench_staffing(work: Path) -> list[Row]:
    from countyedu.teachers.params import TeachersParams
    from countyedu.teachers.staffing import compute_staffing

    folder = work / "province"
    frames = {n: pd.read_parquet(folder / f"{n}.parquet") for n in ("schools", "classes", "teachers", "school_years")}
    t0 = time.perf_counter()
    s = compute_staffing(frames, TeachersParams(), int(frames["classes"]["year"].max()))
    secs = time.perf_counter() - t0
    return [
        (
            f"teachers staffing on the province ({len(s.schools):,} schools, {len(s.subjects):,} school × subject rows)",
            f"{secs:.1f} s",
            "goal < 5 s",
        )
    ]


if __name__ == "__main__":  # one measurement on a folder already generated: python -m benchmarks.staffing DIR
    import sys

    for row in bench_staffing(Path(sys.argv[1])):
        print(" | ".join(row))

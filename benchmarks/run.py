"""`make bench`: measure the figures the issues name and write them to a file.

Each measurement runs `countyedu` in a fresh child process (so Python start-up and imports count)
and reads the child's wall time and peak resident memory (getrusage of the finished child).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.admissions import bench_admissions
from benchmarks.engines import bench_engine_parity
from benchmarks.launch import launched
from benchmarks.roads import bench_roads
from benchmarks.staffing import bench_staffing

HERE = Path(__file__).resolve().parent
COUNTYEDU = [sys.executable, "-m", "countyedu"]


def _child(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak MiB) of one child process; raises if it fails."""
    return _child_cpu(args, env)[:2]


def _child_cpu(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak MiB, CPU seconds: user + system) of one child process (benchmarks.launch: its
    own peak, not the bench's); raises if it fails. On a machine shared with other work the CPU time is
    the steadier figure."""
    proc, (seconds, peak_mib, cpu) = launched(args, env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, peak_mib, cpu


def _best(args: list[str], n: int, env: dict[str, str] | None = None) -> str:
    """The best of n runs: wall, and the CPU time of that run."""
    wall, _peak, cpu = min(_child_cpu(args, env) for _ in range(n))
    return f"{wall:.2f} s (CPU {cpu:.2f} s)"


def _compiled() -> None:
    """The package's bytecode written, as an installed package has it (the benchmark's environment may
    say PYTHONDONTWRITEBYTECODE, and an editable install would then compile every module in each child)."""
    import compileall

    import countyedu

    compileall.compile_dir(str(Path(countyedu.__file__).parent), quiet=1)


def _load() -> str:
    """The load average now (the machine's other work beside the figures)."""
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_demo_import(work: Path, *, every_kind: bool = True) -> list[tuple[str, str, str]]:
    """`countyedu import` of the demo workbook (validate, store and assess: the run kinds are computed on
    first use), best of 3, each into a fresh data dir (its queries compiled there); once with --no-compute
    (store only) and, with ``every_kind``, once with --compute (every kind, as `countyedu demo`: minutes)."""
    workbook = _demo_workbook(work)

    def once(data: str, *flags: str) -> tuple[float, float, float]:
        return _child_cpu(
            [*COUNTYEDU, "import", str(workbook), "--data-dir", str(work / data), *flags, "--format", "json"]
        )

    # the first import compiles the assessment's queries and keeps them for the user (the bench's own
    # $XDG_CACHE_HOME, empty at the start): the next imports, into new data dirs, read them
    cold, _peak, cold_cpu = once("demo0")
    wall, _peak, cpu = min(once(f"demo{i}") for i in range(1, 4))
    alone, _peak, alone_cpu = once("demo-stored", "--no-compute")
    size = workbook.stat().st_size / 1e6
    rows = [
        (
            f"import of the demo workbook ({size:.1f} MB): validate, store and assess, into a new data dir, the "
            f"compiled SQL kept for the user, best of 3, wall incl. Python start ({_load()})",
            f"{wall:.2f} s (CPU {cpu:.2f} s)",
            "goal < 1.5 s",
        ),
        (
            "… the first import on the machine (its queries compiled), once",
            f"{cold:.2f} s (CPU {cold_cpu:.2f} s)",
            "",
        ),
        ("… with --no-compute: validate and store only, once", f"{alone:.2f} s (CPU {alone_cpu:.2f} s)", ""),
    ]
    floor = [sys.executable, "-m", "benchmarks.import_floor", str(workbook)]
    env = {"PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    rows.append(
        (
            "the floor under it (benchmarks/import_floor.py): Python started, pandas, DuckDB and Arrow imported, "
            "every sheet parsed by python-calamine — nothing validated, stored or assessed; best of 3, one "
            "after the other / the parse on a thread while the libraries import",
            f"{_best([*floor, 'serial'], 3, env)} / {_best([*floor, 'overlapped'], 3, env)}",
            "",
        )
    )
    if every_kind:
        full, _peak, full_cpu = once("demo-all", "--compute")
        rows.append(
            (
                "… with --compute: every run kind (planning, funding, teachers, admissions) too, once",
                f"{full:.1f} s (CPU {full_cpu:.1f} s)",
                "",
            )
        )
    return rows


def bench_startup(work: Path) -> list[tuple[str, str, str]]:
    """Commands that read little: whole process, Python start included, beside Python's own start. Each
    once with nothing kept (COUNTYEDU_KEEP_OUTPUT=off: what the first run after a change costs), then as
    a user runs it again on the same data and code (cli.kept replays what it wrote)."""
    data = work / "demo1"
    off = {"COUNTYEDU_KEEP_OUTPUT": "off"}
    rows = [
        (
            f"the peer: Python starting and exiting (python -c pass), best of 5, wall ({_load()})",
            _best([sys.executable, "-c", "pass"], 5),
            "",
        )
    ]
    for label, args in (
        ("countyedu --help", [*COUNTYEDU, "--help"]),
        ("countyedu versions (demo store)", [*COUNTYEDU, "versions", "--data-dir", str(data)]),
        ("countyedu packs", [*COUNTYEDU, "packs"]),
    ):
        rows.append((f"{label}, best of 5, wall ({_load()})", _best(args, 5), "goal < 0.3 s"))
        rows.append(("… its output not kept (COUNTYEDU_KEEP_OUTPUT=off), best of 3", _best(args, 3, off), ""))
    cold = {**off, "XDG_CACHE_HOME": str(work / "xdg-empty")}  # the packs' listing made (policy.listing)
    rows.append(
        (
            "… `packs` not kept and with an empty user cache (the first run on a machine or after the packs "
            "changed), once",
            _best([*COUNTYEDU, "packs"], 1, cold),
            "",
        )
    )
    return rows


def _demo_workbook(work: Path) -> Path:
    """The demo county's workbook written into work (the package's bytecode written first)."""
    from countyedu.census import demo
    from countyedu.census.writers import write_workbook

    _compiled()
    return write_workbook(work / "nanfeng-demo.xlsx", demo.generate(2019))


def demo_store(work: Path) -> None:
    """The demo county imported without the run kinds (`import --no-compute`) into work/demo1."""
    _child([*COUNTYEDU, "import", str(_demo_workbook(work)), "--data-dir", str(work / "demo1"), "--no-compute"])


def bench_demo_assess(work: Path) -> list[tuple[str, str, str]]:
    """All packs, all years, all levels on the demo county as JSON, and with the HTML report (charts
    included), each in a fresh process: the assessment kept for the version (import made it); the peer
    is the same JSON computed again by the engine (--fresh, its compiled SQL cached), in the same run.
    The first run after the import reads the kept assessment and writes (and keeps) its output; the
    next runs replay that output while the census, the kept runs, the packs and the code are unchanged
    (cli.kept). The HTML report once on the imported county (the assessment's chapters) and once after
    --compute (every kind's chapter too)."""
    rows = []
    for label, data, fmt, goal, flags in (
        ("assess the demo county as JSON (3 packs, all years and levels), computed again by the engine "
         "(--fresh: the peer)", "demo1", "json", "", ["--fresh"]),
        ("assess the demo county as JSON (3 packs, all years and levels)", "demo1", "json", "goal < 1 s", []),
        ("assess the demo county + HTML report with its charts", "demo1", "html", "goal < 2 s", []),
        ("… the same with every run kind's chapter (after import --compute)", "demo-all", "html", "", []),
    ):  # fmt: skip
        args = [*COUNTYEDU, "assess", "--data-dir", str(work / data), "--format", fmt, "--out", str(work / f"d.{fmt}")]
        if not flags:
            shutil.rmtree(work / data / "cache" / "cli", ignore_errors=True)  # nothing kept: the first run
            first_wall, _peak, first_cpu = _child_cpu(args)
            rows.append(
                (
                    f"{label}: the first run after the import (the kept assessment read, nothing kept by the CLI yet; its "
                    f"output kept), once ({_load()})",
                    f"{first_wall:.2f} s (CPU {first_cpu:.2f} s)",
                    "",
                )
            )
            label = "… run again on the unchanged census (the kept output replayed)"
        rows.append((f"{label}, best of 3, wall incl. Python start ({_load()})", _best([*args, *flags], 3), goal))
    return rows


def bench_province_assess(work: Path) -> list[tuple[str, str, str]]:
    """All indicators on the province-size census, and QB-R1…R7 + CVs against plain pandas."""
    from benchmarks import qb_sql
    from benchmarks.qb_pandas import qb_resources
    from countyedu.census.store import CensusStore
    from countyedu.indicators.engine import assess
    from countyedu.indicators.tables import duckdb_tables
    from countyedu.policy.pack import load_pack

    command = [
        *COUNTYEDU,
        "assess",
        "--data-dir",
        str(work / "prov"),
        "--format",
        "json",
        "--out",
        str(work / "prov.json"),
    ]
    secs, peak, cpu = _child_cpu(command)
    runs = sorted(_child_cpu([*command, "--fresh"]) for _ in range(3))  # the median of 3, as the issue measures
    fresh, fresh_peak, fresh_cpu = runs[1]
    walls = " / ".join(f"{r[0]:.1f}" for r in runs)
    qb = load_pack("national-qb-2017")
    qb_r = qb.model_copy(update={"items": [i for i in qb.items if i.id.startswith("QB-R") and i.id != "QB-R-SCHOOL"]})
    t0, c0 = time.perf_counter(), time.process_time()
    a = assess(duckdb_tables(CensusStore(work / "prov"), part_weights=None), [qb_r])
    n = len(a.table())
    engine, engine_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    values, levels, cvs = qb_resources(work / "province")
    plain, plain_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    sql_values, sql_cvs = qb_sql.qb_resources(work / "prov")
    floor, floor_cpu = time.perf_counter() - t0, time.process_time() - c0
    differ = qb_sql.differs(sql_values, sql_cvs, (values, levels, cvs))
    return [
        (
            "assess the province-size census: 3 packs, all indicators, years and levels (JSON), computed afresh "
            "by the engine (--fresh: the census read, every indicator computed, JSON written), wall incl. start, "
            "median of 3",
            f"{fresh:.2f} s (CPU {fresh_cpu:.1f} s, peak {fresh_peak / 1024:.2f} GiB; the 3: {walls} s; {_load()})",
            "goal < 5 s, < 2 GiB",
        ),
        (
            "… as a user runs it after the import: the assessment the import kept, read and written as JSON",
            f"{secs:.1f} s (CPU {cpu:.1f} s, peak {peak / 1024:.2f} GiB; {_load()})",
            "",
        ),
        (
            f"QB-R1…R7 + their CVs on the province, countyedu engine (DuckDB, {n:,} results with statuses)",
            f"{engine:.1f} s (CPU {engine_cpu:.1f} s)",
            "",
        ),
        (
            f"the same in plain pandas ({len(values):,} school-part rows, {len(levels):,} township and county "
            f"rows, {len(cvs)} CVs; no statuses)",
            f"{plain:.1f} s (CPU {plain_cpu:.1f} s)",
            "",
        ),
        ("ratio pandas / countyedu (CPU)", f"{plain_cpu / engine_cpu:.2f}×", "goal ≥ 10×"),
        (
            "the same as one hand-written DuckDB query over the store (benchmarks/qb_sql.py: the database alone, "
            f"no statuses — the floor of the engine's time; values beside the pandas peer's: {differ})",
            f"{floor:.1f} s (CPU {floor_cpu:.1f} s): pandas / the database alone {plain_cpu / floor_cpu:.2f}×",
            "",
        ),
    ]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _session(base: str, user: str, password: str) -> object:
    """An opener logged in through the login form (cookies and CSRF as a browser would)."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    data = urllib.parse.urlencode({"username": user, "password": password, "csrfmiddlewaretoken": token}).encode()
    req = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    opener.open(req, timeout=30)
    return opener


def bench_dashboard(work: Path, users: int = 20, seconds: float = 30.0, threads: int = 8) -> list[tuple[str, str, str]]:
    """The county dashboard under concurrent users on loopback: each user requests it in a loop
    for a bounded time; latency percentiles and errors over all requests."""
    import concurrent.futures
    import os
    import statistics

    data = work / "demo-all"  # imported with --compute: every page has its runs
    port = _free_port()
    env = {**os.environ, "SECURE_SSL": "false"}
    log = work / "serve.log"
    with log.open("w") as fh:  # a file, not a pipe: a full pipe would block the server's access log
        server = subprocess.Popen(
            [
                *COUNTYEDU,
                "serve",
                "--data-dir",
                str(data),
                "--port",
                str(port),
                "--demo-accounts",
                "--threads",
                str(threads),
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline and "Booting worker" not in log.read_text(errors="replace"):
            time.sleep(0.5)
        time.sleep(2)
        openers = [_session(base, "leader", "nanfeng-demo-2019") for _ in range(users)]
        latencies: list[float] = []
        errors = 0
        failures: list[str] = []
        stop = time.time() + seconds

        def user_loop(opener: object) -> tuple[list[float], int]:
            own, bad = [], 0
            while time.time() < stop:
                t0 = time.perf_counter()
                try:
                    r = opener.open(f"{base}/county/", timeout=30)  # type: ignore[attr-defined]
                    r.read()
                    bad += r.status != 200
                except Exception as exc:
                    bad += 1
                    failures.append(repr(exc)[:200])
                own.append(time.perf_counter() - t0)
            return own, bad

        with concurrent.futures.ThreadPoolExecutor(users) as pool:
            for own, bad in pool.map(user_loop, openers):
                latencies += own
                errors += bad
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    if failures:
        print("dashboard failures (first 3):", failures[:3])
        print(log.read_text(errors="replace")[-3000:])
    q = statistics.quantiles(latencies, n=100)
    return [
        (
            f"county dashboard, {users} concurrent users for {seconds:.0f} s on loopback (countyedu serve: gunicorn "
            f"{len(os.sched_getaffinity(0))} workers × {threads} threads): {len(latencies):,} requests, {errors} errors",
            f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms",
            "goal p95 < 300 ms, 0 errors",
        )
    ]


def bench_web_load(work: Path, seconds: int = 300) -> list[tuple[str, str, str]]:
    """50 clerks uploading and 20 officials reading on the real `countyedu serve` of the demo county
    (benchmarks/web_load.py, locust), on SQLite and on a throw-away PostgreSQL (.ci/with-postgres)."""

    from benchmarks.web_load import CLERK_THINK, OFFICIAL_THINK

    demo = work / "webdemo"
    _child([*COUNTYEDU, "demo", "--data-dir", str(demo), "--format", "json"])
    load = [sys.executable, "-m", "benchmarks.web_load", "--data-dir", str(demo), "--seconds", str(seconds)]
    rows = []
    for database, prefix in (("SQLite", []), ("PostgreSQL", [str(HERE.parent / ".ci" / "with-postgres")])):
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        proc = subprocess.run([*prefix, *load], capture_output=True, text=True, cwd=HERE.parent, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"web load on {database} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        stats = r["stats"]
        total = sum(v["requests"] for k, v in stats.items() if k != "login")
        errors = sum(v["errors"] for v in stats.values())
        pages = stats["all pages"]
        rows.append(
            (
                f"web load on {database}, {seconds // 60} min after a {r['warmup']} s warm-up: {r['clerks']} clerks "
                f"uploading their school's workbook every {CLERK_THINK[0]:.0f}–{CLERK_THINK[1]:.0f} s and {r['officials']} "
                f"officials reading a page every {OFFICIAL_THINK[0]:.0f}–{OFFICIAL_THINK[1]:.0f} s (countyedu serve: "
                f"{', '.join(r['processes'])}): {total:,} requests, {errors} errors, "
                f"{r['server_errors']} server tracebacks",
                f"pages p50 {pages['p50']:.0f} ms, p95 {pages['p95']:.0f} ms",
                "goal 0 errors, p95 of pages < 500 ms",
            )
        )
        for kind in sorted(stats):
            v = stats[kind]
            rows.append(
                (
                    f"… {database}: {kind}, {v['requests']:,} requests, {v['errors']} errors",
                    f"p50 {v['p50']:.0f} ms, p95 {v['p95']:.0f} ms",
                    "",
                )
            )
        if r["failures"]:
            print(f"web load on {database}, first failures:", *r["failures"][:5], sep="\n  ")
    return rows


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


def bench_province(work: Path) -> list[tuple[str, str, str]]:
    """The province-size census: generated and imported, assessed on DuckDB (with the QB-R peer), staffing,
    and assessed on local Spark beside DuckDB (benchmarks/engines.py: the two engines' results and statuses)."""
    return [
        *bench_province_import(work),
        *bench_province_assess(work),
        *bench_staffing(work),
        *bench_engine_parity(work),
    ]


def bench_planning(work: Path) -> list[tuple[str, str, str]]:
    """Catchments and siting against spopt + HiGHS (benchmarks/planning.py), in a fresh process."""
    return _bench_module("benchmarks.planning")


def bench_planning_hard(work: Path) -> list[tuple[str, str, str]]:
    """The harder instances of issue 17 beside spopt + HiGHS (benchmarks/planning_hard.py), in a fresh process."""
    return _bench_module("benchmarks.planning_hard")


def bench_teachers(work: Path) -> list[tuple[str, str, str]]:
    """The exchange rotation on the demo and a generated county, with its greedy baseline
    (benchmarks/teachers.py), in a fresh process."""
    return _bench_module("benchmarks.teachers")


def _bench_module(module: str) -> list[tuple[str, str, str]]:
    """Run `python -m <module>` and read its rows (JSON, its last line)."""

    proc = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True, cwd=HERE.parent)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return [tuple(r) for r in json.loads(proc.stdout.strip().splitlines()[-1])]  # type: ignore[misc]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=HERE / "results.md")
    ap.add_argument("--skip-province", action="store_true")
    ap.add_argument("--only-planning", action="store_true", help="run only the planning benchmark")
    ap.add_argument("--only-web", action="store_true", help="run only the web load test (appended to --out)")
    ap.add_argument(
        "--only-demo", action="store_true", help="run only the demo import, start-up and assess figures (appended)"
    )
    ap.add_argument(
        "--only-startup", action="store_true", help="run only the start-up figures, on a demo store (appended)"
    )
    ap.add_argument(
        "--only-import", action="store_true", help="run only the demo import figures, without --compute (appended)"
    )
    ap.add_argument(
        "--only-province",
        action="store_true",
        help="run only the province import, assess, staffing and the two engines' parity (appended)",
    )
    ap.add_argument("--web-seconds", type=int, default=300, help="measured time of the web load test")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="countyedu-bench-", dir=os.environ.get("TMPDIR")))
    # the children keep their compiled SQL in the bench's own user cache, empty at the start (the first
    # demo import is the cold case), never in the user's
    os.environ["XDG_CACHE_HOME"] = str(work / "xdg")
    os.environ.pop("COUNTYEDU_SQL_USER_CACHE", None)
    rows: list[tuple[str, str, str]] = []
    try:
        if args.only_web:
            rows += bench_web_load(work, args.web_seconds)
        elif args.only_startup:
            demo_store(work)
            rows += bench_startup(work)
        elif args.only_import:
            rows += bench_demo_import(work, every_kind=False)
        elif args.only_demo:
            rows += bench_demo_import(work)
            rows += bench_startup(work)
            rows += bench_demo_assess(work)
        elif args.only_province:
            rows += bench_province(work)
        elif not args.only_planning:
            rows += bench_demo_import(work)
            rows += bench_startup(work)
            rows += bench_demo_assess(work)
            rows += bench_dashboard(work)
            if not args.skip_province:
                rows += bench_province(work)
            rows += bench_web_load(work, args.web_seconds)
            rows += bench_admissions(work)
        if not (args.only_web or args.only_demo or args.only_startup or args.only_import or args.only_province):
            rows += bench_planning(work)
            rows += bench_planning_hard(work)  # benchmarks/planning_hard.py: the harder instances (issue 17)
            rows += bench_roads(work)  # benchmarks/roads.py: the road matrix (issue 17)
            rows += bench_teachers(work)
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
    only = (
        args.only_planning
        or args.only_web
        or args.only_demo
        or args.only_startup
        or args.only_import
        or args.only_province
    )
    if only and args.out.exists():  # append this table
        parts = [
            (args.only_web, "web load"),
            (args.only_demo, "demo and start-up"),
            (args.only_startup, "start-up"),
            (args.only_import, "demo import"),
            (args.only_province, "province"),
        ]
        part = next((name for flag, name in parts if flag), "planning")
        lines = ["", f"## {part}, run {dt.datetime.now().isoformat(timespec='seconds')}", "", *lines[4:]]
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
    else:
        args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

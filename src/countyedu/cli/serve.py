"""`countyedu serve` and `worker`: the web application and its task workers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from countyedu.cli.common import DataDir, _django, err, out, table


def prepare_web(data_dir: Path | None, *, demo_accounts: bool = False) -> list[tuple[str, str, str]]:
    """Migrate the web database, compute the latest assessment if missing, create demo accounts."""
    _django(data_dir)
    from django.core.management import call_command

    from countyedu.census.store import CensusStore
    from countyedu.indicators import cache

    call_command("migrate", interactive=False, verbosity=0)
    from countyedu.web.recovery import reconcile

    for line in reconcile():  # a crash between an approval's two commits (web/recovery.py)
        err.print(f"恢复 / recovered: {line}")
    store = CensusStore(data_dir)
    if store.latest() is not None:
        cache.get_or_compute(store)
    if not demo_accounts:
        return []
    from countyedu.web.demo_accounts import ensure_demo_accounts

    frames = store.frames(store.resolve(None).version_id, ["schools", "townships"])
    tw = frames["townships"].sort_values("township_id")
    township = str(tw[~tw["urban_core"].astype(bool)]["township_id"].iloc[0])
    sch = frames["schools"]
    school = str(sch[(sch["township_id"] == township) & (sch["stage"] == "primary")]["school_id"].iloc[0])
    accounts = ensure_demo_accounts(township, school)
    from django.utils import timezone

    from countyedu.web.supervision_demo import seed_demo_records

    seed_demo_records(school, timezone.localdate())  # a year of inspectors' visits, once (issue 15)
    from countyedu.web.supervision import seed_demo_task_updates

    seed_demo_task_updates(township, school, timezone.localdate())  # owners' task updates, once (issue 15)
    return accounts


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="gunicorn worker processes (default: one per core)", show_default=False)
    ] = None,
    threads: Annotated[int, typer.Option(help="threads per gunicorn worker")] = 8,
    task_workers: Annotated[
        int | None,
        typer.Option(help="task worker processes for background jobs (default: one per core)", show_default=False),
    ] = None,
    demo_accounts: Annotated[bool, typer.Option(help="create one demo account per role")] = False,
) -> None:
    """Run the web application (gunicorn) and its task workers; Ctrl-C stops them all (SQLite in the
    data dir unless DATABASE_URL is set)."""
    import os

    accounts = prepare_web(data_dir, demo_accounts=demo_accounts)
    if accounts:
        t = table(title="示例账号 / demo accounts (合成数据 / synthetic data)")
        for c in ("用户名 user", "密码 password", "角色 role"):
            t.add_column(c)
        for row in accounts:
            t.add_row(*row)
        out.print(t)
    os.environ.setdefault("SECURE_SSL", "false" if host in ("127.0.0.1", "localhost") else "true")
    web, tasks = workers or _cores(), task_workers or _cores()
    out.print(
        f"countyedu 正在运行 / serving on http://{host}:{port}/  "
        f"({web} web + {tasks} task worker processes; Ctrl-C 停止 / to stop)"
    )
    sys.stdout.flush()
    from countyedu.web.supervisor import serve_all

    raise typer.Exit(serve_all(host, port, web, threads, tasks))


def worker(data_dir: DataDir = None) -> None:
    """Run one task worker alone: it runs the queued background jobs (checks of uploads, assessments,
    planning and funding runs) until Ctrl-C (`countyedu serve` starts one per core)."""
    _django(data_dir)
    from countyedu.web.supervisor import run_worker

    run_worker()

"""`countyedu supervise …` (issue 15): the supervision office's commands — the inspectors' assignment
and visit plan, the evaluations and the supervision reports. Each helper of the module adds its
command here as one function (`@supervise_app.command(...)`).

What they share: `supervision_inputs` (the census of a version, the packs, the web's daily records and
the assessment's county statuses) and `supervision_run` (the parts asked for, computed on them), and
the `--as-of` option (the day the run looks from; default today).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import _frames
from countyedu.cli.common import err, load_packs

supervise_app = typer.Typer(
    help="督导 / supervision: responsible inspectors' assignment and visit plan, evaluations, reports"
)

AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="the day to look from, YYYY-MM-DD (default: today)", show_default=False)
]


def today() -> date:
    """The day the CLI looks from when --as-of is not given (the only place the commands read the clock)."""
    return date.today()


def daily_records(data_dir: Path | None) -> Any:
    """The web's daily records (visits, findings, rectifications, task updates) as the frames
    `supervision.records` declares, read through Django; none (said on stderr) when the data dir has
    no web database yet (`countyedu serve` makes it)."""
    from countyedu.cli.common import _django

    _django(data_dir)
    from django.db import DatabaseError

    from countyedu.supervision.records import Records
    from countyedu.web import supervision_records

    try:
        return supervision_records.frames()
    except DatabaseError:
        err.print("[dim]没有网页端记录 / no web records in this data dir (countyedu serve keeps them)[/]")
        return Records()


def supervision_inputs(
    data_dir: Path | None, version: str | None, year: int | None, pack: list[str] | None, *, records: bool = True
) -> tuple[str, dict[str, Any], Any, dict[str, Any], Any]:
    """(census version, frames, packs, daily records, indicator statuses made on first use)."""
    from countyedu.supervision.parts import county_statuses

    store, v, frames = _frames(data_dir, version, year)
    packs = load_packs(pack)

    def statuses() -> Any:
        from countyedu.indicators.cache import get_or_compute

        return county_statuses(get_or_compute(store, v, list(packs)).table())

    return v, frames, packs, (daily_records(data_dir) if records else {}), statuses


def supervision_run(
    data_dir: Path | None,
    version: str | None,
    year: int | None,
    pack: list[str] | None,
    as_of: str | None,
    only: list[str] | None = None,
    values: dict[str, Any] | None = None,
) -> tuple[str, Any]:
    """(census version, the supervision run of the parts `only`) with the web's records, as of `as_of`."""
    from countyedu.supervision.kind import run_supervision

    v, frames, packs, records, statuses = supervision_inputs(data_dir, version, year, pack)
    run = run_supervision(
        frames, packs, year, values, as_of=as_of or today(), records=records, indicators=statuses, only=only
    )
    return v, run

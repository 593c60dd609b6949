"""`countyedu funding …` (issue 6): the funding runs from the command line, printed as the same
blocks the report and the web pages show, or written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _emit, _frames
from countyedu.cli.common import DataDir, Fmt, Format, Lang, PackOpt, VersionOpt, err, load_packs
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

funding_app = typer.Typer(help="经费 / funding: per-pupil funds, budget, compliance, scenarios, after-school ledger")


@funding_app.command("run")
def funding_run(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
) -> None:
    """Per-pupil funds per school (第22条), the budget plan, compliance (第20–23、34条) and the after-school
    ledger (第30条). Stored beside the census, so the web app and reports show it (the same as
    `countyedu run funding`)."""
    from countyedu.runs import pipeline
    from countyedu.runs.registry import get

    store, v, frames = _frames(data_dir, version, year)
    with err.status("经费计算 / funding…"):
        result, _stored = pipeline.compute(store, get("funding"), v, load_packs(pack), year=year, frames=frames)
    _emit(result, result.blocks(lang.value), fmt, lang.value, rows, out_path)


@funding_app.command("scenario")
def funding_scenario(
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="parameter=value, e.g. step_rate=0.08 boarder_subsidy=300 (repeatable)"),
    ] = None,
    year: YearOpt = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".xlsx: both scenarios side by side")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
) -> None:
    """A funding scenario beside the pack's parameters: per school and county totals, and the differences."""
    from countyedu.funding.service import scenario_comparison

    changes: dict[str, float] = {}
    for item in set_ or []:
        key, sep, raw = item.partition("=")
        try:
            if not sep:
                raise ValueError
            changes[key.strip()] = float(raw)
        except ValueError:
            raise CountyEduError(
                Msg("--set {item}: write parameter=number, e.g. step_rate=0.08", item=f"{item!r}"),
            ) from None
    _store, _v, frames = _frames(data_dir, version, year)
    comparison = scenario_comparison(frames, changes, load_packs(pack), year)
    if out_path is not None and out_path.suffix.lower() == ".xlsx":
        comparison.write_xlsx(out_path, lang.value)
        err.print(f"已写出 / written: {out_path}")
        out_path = None
    _emit(comparison, comparison.blocks(lang.value), fmt, lang.value, rows, out_path)

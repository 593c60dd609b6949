"""`countyedu plan …` (issue 5): the planning runs from the command line. Each command prints the same
blocks the report and the web pages show (tables cut to --rows rows; --format json gives everything),
and can write its tables to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _emit, _frames
from countyedu.cli.common import DataDir, Fmt, Format, Lang, PackOpt, VersionOpt, err, load_packs

plan_app = typer.Typer(
    help="规划 / planning: projection, seats, norms, projects, catchments, consolidation (第1、4、5条)"
)


@plan_app.command("run")
def plan_run(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    horizon: Annotated[int, typer.Option(help="last year projected")] = 2030,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
) -> None:
    """The whole planning of a census version: projection, seats and 大班额, facility norms, projects,
    catchments and consolidation. Stored beside the census, so the web app and reports show it (the
    same as `countyedu run planning`)."""
    from countyedu.runs import pipeline
    from countyedu.runs.registry import get

    store, v, frames = _frames(data_dir, version, year)
    with err.status("规划计算 / planning…"):
        result, _stored = pipeline.compute(
            store, get("planning"), v, load_packs(pack), year=year, params={"horizon": horizon}, frames=frames
        )
    _emit(result, result.blocks(lang.value), fmt, lang.value, rows, out_path)


@plan_app.command("projection")
def plan_projection(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    horizon: Annotated[int, typer.Option(help="last year projected")] = 2030,
    launch_year: Annotated[int | None, typer.Option("--launch-year", help="project from this year")] = None,
    backtest_from: Annotated[
        int | None, typer.Option("--backtest-from", help="also project from this year and compare with later data")
    ] = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
) -> None:
    """School-age population by community and single year of age to the horizon (Hamilton–Perry)."""
    from countyedu.planning.projection import backtest, project
    from countyedu.planning.service import planning_params_of

    _store, _v, frames = _frames(data_dir, version)
    params = planning_params_of(load_packs(pack))
    result = project(frames, horizon=horizon, launch_year=launch_year, params=params)
    blocks = result.blocks(lang.value)
    if backtest_from is not None:
        bt = backtest(frames, backtest_from, params=params)
        blocks += bt.blocks(lang.value)
    _emit(result, blocks, fmt, lang.value, rows, out_path)


@plan_app.command("catchments")
def plan_catchments(
    stage: Annotated[str, typer.Option(help="primary, junior or kindergarten")] = "primary",
    year: YearOpt = None,
    single: Annotated[bool, typer.Option("--single/--divisible", help="each community to exactly one school")] = True,
    max_km: Annotated[float | None, typer.Option("--max-km", help="no pupil further than this")] = None,
    keep_current: Annotated[
        bool, typer.Option("--keep-current", help="keep each community's current school where possible")
    ] = False,
    travel: Annotated[
        Path | None, typer.Option("--travel", help="CSV community_id, school_id, km or minutes (else haversine)")
    ] = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv (the zone list)")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """划片招生 (第4条): assign each community's pupils to schools within capacity, shortest total travel."""
    from countyedu.planning.service import catchment_map

    _store, _v, frames = _frames(data_dir, version, year)
    with err.status("求解 / solving…"):
        plan, _points = catchment_map(
            frames,
            stage,
            year,
            load_packs(pack),
            single=single,
            max_km=max_km,
            keep_current=keep_current,
            travel_path=travel,
        )
    _emit(plan, plan.blocks(lang.value), fmt, lang.value, rows, out_path)


@plan_app.command("consolidate")
def plan_consolidate(
    stage: Annotated[str, typer.Option(help="primary or junior")] = "primary",
    year: YearOpt = None,
    max_km: Annotated[float | None, typer.Option("--max-km", help="walking limit; beyond it pupils board")] = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """Teaching points and small rural schools to merge (第5条), the 3-year transition, scenarios side by side."""
    from countyedu.planning.service import consolidation_for

    _store, _v, frames = _frames(data_dir, version, year)
    with err.status("求解 / solving…"):
        plan = consolidation_for(frames, stage, year, load_packs(pack), max_km=max_km)
    _emit(plan, plan.blocks(lang.value), fmt, lang.value, rows, out_path)


@plan_app.command("site")
def plan_site(
    sites: Annotated[
        Path, typer.Option("--sites", help="CSV or xlsx: site_id, name, lat, lon, capacity[, open_cost, boarding]")
    ],
    stage: Annotated[str, typer.Option(help="primary, junior or kindergarten")] = "primary",
    year: YearOpt = None,
    p: Annotated[int | None, typer.Option("--p", help="open exactly this many candidate sites")] = None,
    max_km: Annotated[float | None, typer.Option("--max-km", help="walking limit; beyond it pupils board")] = None,
    boarding_km: Annotated[float | None, typer.Option("--boarding-km", help="no boarder further than this")] = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """Which candidate sites to open for a stage (第4、5条): capacitated p-median with --p, else facility
    location weighing each site's open_cost against pupil travel; existing schools stay open."""
    from countyedu.planning.service import latest_year
    from countyedu.planning.siting import census_siting, read_sites
    from countyedu.roads.travel import params_of

    candidates = read_sites(sites)
    _store, _v, frames = _frames(data_dir, version, year)
    y = year if year is not None else latest_year(frames)
    with err.status("求解 / solving…"):
        roads = params_of(load_packs(pack))
        plan = census_siting(frames, stage, y, candidates, p=p, max_km=max_km, boarding_km=boarding_km, roads=roads)
    _emit(plan, plan.blocks(lang.value), fmt, lang.value, rows, out_path)

"""`countyedu plan …` (issue 5) and `countyedu funding …` (issue 6): the planning and funding runs from the
command line. Each command prints the same blocks the report and the web pages show (tables cut to
--rows rows; --format json gives everything), and can write its tables to a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from countyedu.cli import DataDir, Fmt, Format, Lang, VersionOpt, err, out
from countyedu.errors import CountyEduError
from countyedu.runs.blocks import Block, format_value, localize, words

plan_app = typer.Typer(
    help="规划 / planning: projection, seats, norms, projects, catchments, consolidation (第1、4、5条)"
)
funding_app = typer.Typer(help="经费 / funding: per-pupil funds, budget, compliance, scenarios, after-school ledger")

RowsOpt = Annotated[int, typer.Option("--rows", help="rows shown per table (all of them with --format json)")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="zh or en")]
YearOpt = Annotated[
    int | None, typer.Option("--year", help="school year (default: the latest closed; one in collection is partial)")
]


def print_blocks(blocks: list[Block], lang: str, rows: int = 20) -> None:
    """Blocks as Rich tables: findings, then each table cut to `rows` rows."""
    for b in localize(blocks, lang):
        out.rule(f"[bold]{b.title}[/]  [dim]{b.clause}[/]")
        for p in b.paragraphs:
            out.print(p)
        if b.findings:
            t = Table(show_lines=False)
            for head in ("条款 clause", "规则 rule", "数值 value", "状态 status", "说明 explanation"):
                t.add_column(head, overflow="fold")
            for f in b.findings:
                style = {"met": "green", "not_met": "red", "at_risk": "yellow"}.get(f.status, "dim")
                t.add_row(
                    f.clause,
                    words(f.rule, lang),
                    words(f.value, lang),
                    f"[{style}]{f.status}[/]",
                    words(f.explanation, lang),
                )
            out.print(t)
        for tb in b.tables:
            t = Table(title=f"{tb.title} {tb.clause}".strip(), title_justify="left")
            for c in tb.columns:
                t.add_column(words(c.label, lang), justify="right" if c.unit else "left", overflow="fold")
            for r in tb.rows[:rows]:
                t.add_row(*(format_value(v, c.unit, lang) for c, v in zip(tb.columns, r, strict=True)))
            out.print(t)
            if len(tb.rows) > rows:
                more = len(tb.rows) - rows
                out.print(f"[dim]… 另有 {more} 行 / {more} more rows (--rows, --format json, --out)[/]")


def _emit(result: Any, blocks: list[Block], fmt: Fmt, lang: str, rows: int, out_path: Path | None) -> None:
    if out_path is not None:
        write_blocks(blocks, result, out_path, lang)
        err.print(f"已写出 / written: {out_path}")
    if fmt is Fmt.json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1, default=str) + "\n")
    elif out_path is None or fmt is Fmt.table:
        print_blocks(blocks, lang, rows)


def write_blocks(blocks: list[Block], result: Any, path: Path, lang: str) -> None:
    """--out: .json (the result), .xlsx (a sheet per table) or .csv (the first table)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
        return
    tables = [t for b in localize(blocks, lang) for t in b.tables]
    if suffix == ".csv":
        import pandas as pd

        from countyedu.census.writers import csv_text

        if not tables:
            raise CountyEduError("nothing to write: the result has no table", "结果中没有表格可写出")
        t = tables[0]
        rows = [[csv_text(v) for v in row] for row in t.rows]
        pd.DataFrame(rows, columns=[words(c.label, lang) for c in t.columns]).to_csv(
            path, index=False, encoding="utf-8-sig"
        )
        return
    if suffix == ".xlsx":
        from countyedu.census.writers import workbook

        wb = workbook(path)
        head = wb.add_format({"bold": True, "bg_color": "#EAF1F9", "border": 1})
        used: set[str] = set()
        for i, t in enumerate(tables, start=1):
            name = "".join(ch for ch in words(t.title, lang) if ch not in "[]:*?/\\")[:28] or f"table{i}"
            while name in used:
                name = f"{name[:25]}-{i}"
            used.add(name)
            ws = wb.add_worksheet(name)
            ws.write_row(0, 0, [words(c.label, lang) for c in t.columns], head)
            for r, row in enumerate(t.rows, start=1):
                for j, v in enumerate(row):
                    if isinstance(v, bool) or v is None:
                        ws.write_string(r, j, format_value(v, "", lang) if v is not None else "")
                    else:
                        ws.write(r, j, v)
            ws.set_column(0, len(t.columns), 14)
        wb.close()
        return
    raise CountyEduError(
        f"--out {path.name}: write .json, .xlsx or .csv",
        f"--out {path.name}：可写出 .json、.xlsx 或 .csv",
        path=str(path),
    )


def _frames(data_dir: Path | None, version: str | None, year: int | None = None) -> tuple[Any, str, dict[str, Any]]:
    """The census of a version without the years in collection (census.years), but `year` when it
    names one; says on stderr which years were left out, or that the chosen year is partial."""
    from countyedu.census.store import CensusStore
    from countyedu.census.years import census_years, without_partial

    store = CensusStore(data_dir)
    v = store.resolve(version).version_id
    ys = census_years(store, v)
    if year is not None:
        ys.choose(year)
    say_partial(ys, year)
    return store, v, without_partial(store.census(v), ys.partial, year)


def say_partial(ys: Any, year: int | None) -> None:
    """A chosen year in collection is labelled partial; years in collection left out are named."""
    if year is not None and ys.info(year).partial:
        err.print(f"[yellow]{ys.info(year).label('zh')} / {ys.info(year).label('en')} — 部分数据 partial[/]")
    for y in sorted(ys.partial - {year}):
        info = ys.info(y)
        err.print(
            f"[dim]未计入采集中的学年 / left out, in collection: {info.coverage('zh')} / {info.coverage('en')}[/]"
        )


# ------------------------------------------------------------------------------------ plan


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
) -> None:
    """The whole planning of a census version: projection, seats and 大班额, facility norms, projects,
    catchments and consolidation. Stored beside the census, so the web app and reports show it."""
    from countyedu.planning.service import planning_for

    store, v, frames = _frames(data_dir, version, year)
    with err.status("规划计算 / planning…"):
        result = planning_for(store, v, frames, year=year, horizon=horizon)
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
) -> None:
    """School-age population by community and single year of age to the horizon (Hamilton–Perry)."""
    from countyedu.planning.projection import backtest, project
    from countyedu.planning.service import planning_params_of

    _store, _v, frames = _frames(data_dir, version)
    params = planning_params_of()
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
) -> None:
    """划片招生 (第4条): assign each community's pupils to schools within capacity, shortest total travel."""
    from countyedu.planning.service import catchment_map

    _store, _v, frames = _frames(data_dir, version, year)
    with err.status("求解 / solving…"):
        plan, _points = catchment_map(
            frames, stage, year, single=single, max_km=max_km, keep_current=keep_current, travel_path=travel
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
) -> None:
    """Teaching points and small rural schools to merge (第5条), the 3-year transition, scenarios side by side."""
    from countyedu.planning.service import consolidation_for

    _store, _v, frames = _frames(data_dir, version, year)
    with err.status("求解 / solving…"):
        plan = consolidation_for(frames, stage, year, max_km=max_km)
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
) -> None:
    """Which candidate sites to open for a stage (第4、5条): capacitated p-median with --p, else facility
    location weighing each site's open_cost against pupil travel; existing schools stay open."""
    from countyedu.planning.service import latest_year
    from countyedu.planning.siting import census_siting, read_sites

    candidates = read_sites(sites)
    _store, _v, frames = _frames(data_dir, version, year)
    y = year if year is not None else latest_year(frames)
    with err.status("求解 / solving…"):
        plan = census_siting(frames, stage, y, candidates, p=p, max_km=max_km, boarding_km=boarding_km)
    _emit(plan, plan.blocks(lang.value), fmt, lang.value, rows, out_path)


# ------------------------------------------------------------------------------------ funding


@funding_app.command("run")
def funding_run(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    fmt: Format = Fmt.table,
    out_path: Annotated[Path | None, typer.Option("--out", help=".json, .xlsx or .csv")] = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
) -> None:
    """Per-pupil funds per school (第22条), the budget plan, compliance (第20–23、34条) and the after-school
    ledger (第30条). Stored beside the census, so the web app and reports show it."""
    from countyedu.funding.service import funding_for

    store, v, frames = _frames(data_dir, version, year)
    with err.status("经费计算 / funding…"):
        result = funding_for(store, v, frames, year=year)
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
                f"--set {item!r}: write parameter=number, e.g. step_rate=0.08",
                f"--set {item!r}：请写成 参数=数值，例如 step_rate=0.08",
            ) from None
    _store, _v, frames = _frames(data_dir, version, year)
    comparison = scenario_comparison(frames, changes, year)
    if out_path is not None and out_path.suffix.lower() == ".xlsx":
        comparison.write_xlsx(out_path)
        err.print(f"已写出 / written: {out_path}")
        out_path = None
    _emit(comparison, comparison.blocks(lang.value), fmt, lang.value, rows, out_path)

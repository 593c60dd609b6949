"""`countyedu template`, `import`, `export`, `versions` and `summary`: the census in and out of the store."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.common import DataDir, Fmt, Format, PackOpt, _json, _json_text, _problem_table, err, out, table
from countyedu.errors import ValidationFailed

# ------------------------------------------------------------------------------------ template


def template(path: Annotated[Path, typer.Argument(help="the .xlsx to write")]) -> None:
    """Write the empty workbook a bureau sends to its schools (headers, notes, dropdowns)."""
    from countyedu.census.writers import write_workbook

    write_workbook(path)
    out.print(f"已写出空白模板 / template written: {path}")


# -------------------------------------------------------------------------------------- import


def import_(
    path: Annotated[Path, typer.Argument(help="an .xlsx workbook, or a folder of .csv or .parquet files")],
    data_dir: DataDir = None,
    fmt: Format = Fmt.table,
    collecting: Annotated[
        bool,
        typer.Option(
            "--collecting", help="the file is part of school years still in collection: they stay partial (else closed)"
        ),
    ] = False,
    school: Annotated[
        list[str] | None,
        typer.Option("--school", help="the file is these schools' submission (repeat for several): only their rows"),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(help="with --school: the school year of the submission (rows of another year are errors)"),
    ] = None,
    pack: PackOpt = None,
    compute: Annotated[
        bool | None,
        typer.Option(
            "--compute/--no-compute",
            help="--compute: every run kind too (default: on first use); --no-compute: store only, not even assess",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate a census and store it as a new version (all problems reported; nothing changes on error).
    The school years of its schools' sheets are closed, or marked in collection with --collecting.
    With --school (and --year) the file is a school's submission, checked as the web's upload checks it.
    The version is assessed and the assessment kept (what every page and `countyedu assess` read; its
    compiled queries are kept for the user, so only the first import on a machine compiles them); the
    run kinds (planning, funding…) are computed on first use — `countyedu run KIND`, the web's 立即计算
    — or now with --compute. --no-compute stores the version only. At once: reading, validating,
    storing (nothing is written unless all is valid) and the assessment (about a third of the time);
    left to the stored-run job: every run kind."""
    from countyedu.census.limits import import_limits
    from countyedu.census.xlsx_package import check_ahead

    limits = import_limits()
    ahead = check_ahead(path, limits)  # a workbook's checks, in a child while the importer's modules load
    from countyedu.census.importer import import_census
    from countyedu.census.store import CensusStore

    store = CensusStore(data_dir)
    scope: dict[str, Any] = {"collecting": collecting, "year": year, "limits": limits, "ahead": ahead}
    if school:
        from countyedu.indicators.class_size import BigClassRule
        from countyedu.runs.store import load_packs

        scope |= {"schools": set(school), "class_rule": BigClassRule.from_packs(load_packs())}
    try:
        if fmt is Fmt.table:
            with err.status("导入中 / importing…") as status:
                result = import_census(path, store, progress=lambda m: status.update(f"导入中 / {m}…"), **scope)
        else:
            result = import_census(path, store, **scope)
    except ValidationFailed as exc:
        if fmt is Fmt.json:
            _json({"ok": False, "problems": [p.as_dict() for p in exc.problems]})
        else:
            err.print(_problem_table(exc.problems))
            if len(exc.problems) > 200:
                err.print(f"… 另有 {len(exc.problems) - 200} 条 / {len(exc.problems) - 200} more (use --format json)")
            err.print(f"[red]{exc.message_zh}\n{exc.message_en}[/]")
        raise typer.Exit(1) from None
    v = result.version
    computed = None
    if compute:
        from countyedu.cli.run import after_census

        computed = after_census(store, v.version_id, pack, quiet=fmt is Fmt.json)
    elif compute is None:  # the assessment every page reads; the kinds on first use
        from countyedu.indicators import cache
        from countyedu.runs.store import load_packs

        if fmt is Fmt.table:
            with err.status("评估 / assessing…"):
                cache.get_or_compute(store, v.version_id, load_packs(pack))
        else:
            cache.get_or_compute(store, v.version_id, load_packs(pack))
    if fmt is Fmt.json:
        doc: dict[str, Any] = {"ok": True, "version": v.as_dict(), "warnings": [p.as_dict() for p in result.warnings]}
        if computed is not None:
            doc["runs"] = {name: run.summary for name, run in computed.runs.items()}
        _json(doc)
        return
    if result.warnings:
        out.print(_problem_table(result.warnings))
    counts = "，".join(f"{k} {n}" for k, n in v.row_counts.items())
    out.print(f"[green]已导入为普查版本 {v.version_id} / imported as census version {v.version_id}[/]: {counts}")
    if computed is not None:
        from countyedu.cli.run import summary_lines

        for line in summary_lines(computed):
            out.print(line)
    elif compute is None:
        out.print(
            "已评估；规划、经费等在首次使用时计算（或加 --compute）/ assessed; planning, funding… computed on first use"
        )


# ------------------------------------------------------------------------------------- export


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


def export(
    path: Annotated[Path, typer.Argument(help="the .xlsx to write, or a folder for csv/parquet")],
    data_dir: DataDir = None,
    version: Annotated[str | None, typer.Option(help="census version (default: latest)")] = None,
    as_: Annotated[
        ExportFormat | None, typer.Option("--as", help="xlsx (default for .xlsx paths), csv or parquet")
    ] = None,
) -> None:
    """Write a stored census back in the exchange format."""
    from countyedu.census.store import CensusStore
    from countyedu.census.writers import write_folder, write_workbook

    store = CensusStore(data_dir)
    v = store.resolve(version)
    frames = store.census(v.version_id)
    kind = as_ or (ExportFormat.xlsx if path.suffix.lower() == ".xlsx" else ExportFormat.csv)
    if kind is ExportFormat.xlsx:
        write_workbook(path, frames, note=f"census version {v.version_id}")
    else:
        write_folder(path, frames, kind.value)
    out.print(f"已导出普查版本 {v.version_id} / exported census version {v.version_id}: {path}")


# ------------------------------------------------------------------------------------ versions


def versions(data_dir: DataDir = None, fmt: Format = Fmt.table) -> None:
    """List the census versions in the store."""
    import countyedu.cli.kept as kept

    memo = kept.for_data_dir(data_dir, "versions", fmt.value, kept.terminal_key(sys.stdout))
    if kept.replay(memo):  # the store unchanged since the last listing: the same listing
        return
    from countyedu.census.store import CensusStore

    vs = CensusStore(data_dir).versions()
    if fmt is Fmt.json:
        kept.write(memo, _json_text({"versions": [v.as_dict() for v in vs]}))
        return
    if not vs:
        out.print("还没有普查版本 / no census version yet")
        return
    from rich.markup import escape

    t = table(title="普查版本 / census versions")
    for c in ("版本 version", "时间 time", "来源 source", "SHA-256", "行数 rows", "替换 replaced"):
        t.add_column(c, overflow="fold")
    for v in vs:
        rows = ", ".join(f"{k}={n}" for k, n in v.row_counts.items())
        if v.state:  # kept but not used (web/recovery.py)
            rows = f"[{v.state}: 未被采用 / not used] {rows}"
        repl = ", ".join(
            f"{k}:{'/'.join(str(y) for y in ys) if ys != [None] else 'all'}" for k, ys in v.replaced.items()
        )
        cells = (v.version_id, v.created_at.astimezone().isoformat(sep=" ", timespec="seconds"), v.source)
        # the cells are text, not Rich markup: "[unapproved: …]" was read as a style and vanished
        t.add_row(*(escape(c) for c in (*cells, v.sha256[:12], rows, repl)))
    kept.write(memo, kept.printed(out, t))


# ------------------------------------------------------------------------------------- summary


def summary_settings(pack_ids: list[str] | None = None) -> tuple[str, int]:
    """The county's name (the packs' county_name, "" when none gives it) and the 大班额 threshold
    (the packs' planning parameter big_class_at_least, CS) the summary counts with."""
    from countyedu.planning.params import planning_params
    from countyedu.runs.store import load_packs, parameters

    packs = load_packs(pack_ids)
    name = next((str(p.parameters["county_name"]) for p in packs if "county_name" in p.parameters), "")
    return name, planning_params({"planning": parameters(packs, "planning")}).big_class_at_least


def _print_summary(summary: Any, school_years: Any = None, county: str = "") -> None:
    """The summary table; a year in collection (`school_years`) is headed as partial, with its coverage."""
    from countyedu.census.summary import STAGE_ZH

    years = sorted({s.year for s in summary.stages})
    head = f"{county} " if county else ""
    t = table(title=f"{head}各学段在校生（班级数）/ pupils (classes) by stage — census {summary.version}")
    t.add_column("学段 stage")
    for y in years:
        info = school_years.info(y) if school_years is not None else None
        head = f"{y}\n采集中 partial\n{info.reported}/{info.schools_open}" if info and info.partial else str(y)
        t.add_column(head, justify="right")
    for stage, zh in STAGE_ZH.items():
        cells = []
        for y in years:
            s = next((x for x in summary.stages if x.year == y and x.stage == stage), None)
            cells.append("" if s is None else f"{s.pupils:,} ({s.classes})")
        t.add_row(f"{zh} {stage}", *cells)
    big = []
    for y in years:
        cls = [x for x in summary.stages if x.year == y and x.stage in ("primary", "junior")]
        n, b = sum(x.classes for x in cls), sum(x.big_classes for x in cls)
        big.append(f"{b} ({b / n:.1%})" if n else "")
    t.add_row(f"义务教育大班额 ≥{summary.big_class_at_least} (第4条)", *big)
    tot = {y.year: y for y in summary.years}
    t.add_row("开办学校 schools open", *[str(tot[y].schools_open) if y in tot else "" for y in years])
    t.add_row("专任教师 full-time teachers", *[f"{tot[y].full_time_teachers:,}" if y in tot else "" for y in years])
    out.print(t)


def summary(
    data_dir: DataDir = None, version: Annotated[str | None, typer.Option()] = None, fmt: Format = Fmt.table
) -> None:
    """Pupils, classes, 大班额 and teachers by stage and year for a census version."""
    from countyedu.census.store import CensusStore
    from countyedu.census.summary import summarise
    from countyedu.census.years import census_years

    store = CensusStore(data_dir)
    county, big_class = summary_settings()
    s = summarise(store, version, big_class)
    ys = census_years(store, s.version)
    if fmt is Fmt.json:
        _json({**s.as_dict(), "school_years": ys.as_list()})
    else:
        _print_summary(s, ys, county)

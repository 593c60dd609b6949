"""The `countyedu` command."""

from __future__ import annotations

import json
import sys
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from countyedu.errors import CountyEduError, ValidationFailed

app = typer.Typer(
    help="countyedu — 南丰县教育高质量发展 planning, monitoring and supervision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)
_state: dict[str, bool] = {"debug": False}


class Fmt(StrEnum):
    table = "table"
    json = "json"


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="data folder (default $COUNTYEDU_DATA or ./countyedu-data)", show_default=False),
]
Format = Annotated[Fmt, typer.Option("--format", help="table for people, json for programs (stable keys)")]


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False) -> None:
    _state["debug"] = debug


# ------------------------------------------------------------------------------------ template


@app.command()
def template(path: Annotated[Path, typer.Argument(help="the .xlsx to write")]) -> None:
    """Write the empty workbook a bureau sends to its schools (headers, notes, dropdowns)."""
    from countyedu.census.writers import write_workbook

    write_workbook(path)
    out.print(f"已写出空白模板 / template written: {path}")


# -------------------------------------------------------------------------------------- import


def _problem_table(problems: list[Any], limit: int = 200) -> Table:
    from countyedu.census.problems import show_value

    t = Table(show_lines=False, title="问题清单 / problems")
    for col in ("", "工作表 sheet", "行 row", "列 column", "值 value", "问题 problem"):
        t.add_column(col, overflow="fold")
    for p in problems[:limit]:
        sev = "[red]错误 error[/]" if p.severity == "error" else "[yellow]警告 warning[/]"
        value = "" if p.value is None else show_value(p.value)
        t.add_row(
            sev,
            p.sheet,
            "" if p.row is None else str(p.row),
            p.column or "",
            value[:40],
            f"{p.message_zh}\n{p.message_en}",
        )
    return t


@app.command("import")
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
) -> None:
    """Validate a census and store it as a new version (all problems reported; nothing changes on error).
    The school years of its schools' sheets are closed, or marked in collection with --collecting."""
    from countyedu.census.importer import import_census
    from countyedu.census.store import CensusStore

    store = CensusStore(data_dir)
    try:
        if fmt is Fmt.table:
            with err.status("导入中 / importing…") as status:
                result = import_census(
                    path, store, progress=lambda m: status.update(f"导入中 / {m}…"), collecting=collecting
                )
        else:
            result = import_census(path, store, collecting=collecting)
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
    if fmt is Fmt.json:
        _json({"ok": True, "version": v.as_dict(), "warnings": [p.as_dict() for p in result.warnings]})
        return
    if result.warnings:
        out.print(_problem_table(result.warnings))
    counts = "，".join(f"{k} {n}" for k, n in v.row_counts.items())
    out.print(f"[green]已导入为普查版本 {v.version_id} / imported as census version {v.version_id}[/]: {counts}")


# ------------------------------------------------------------------------------------- export


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


@app.command()
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


@app.command()
def versions(data_dir: DataDir = None, fmt: Format = Fmt.table) -> None:
    """List the census versions in the store."""
    from countyedu.census.store import CensusStore

    vs = CensusStore(data_dir).versions()
    if fmt is Fmt.json:
        _json({"versions": [v.as_dict() for v in vs]})
        return
    if not vs:
        out.print("还没有普查版本 / no census version yet")
        return
    t = Table(title="普查版本 / census versions")
    for c in ("版本 version", "时间 time", "来源 source", "SHA-256", "行数 rows", "替换 replaced"):
        t.add_column(c, overflow="fold")
    for v in vs:
        rows = ", ".join(f"{k}={n}" for k, n in v.row_counts.items())
        if v.state:  # kept but not used (web/recovery.py)
            rows = f"[{v.state}: 未被采用 / not used] {rows}"
        repl = ", ".join(
            f"{k}:{'/'.join(str(y) for y in ys) if ys != [None] else 'all'}" for k, ys in v.replaced.items()
        )
        t.add_row(
            v.version_id,
            v.created_at.astimezone().isoformat(sep=" ", timespec="seconds"),
            v.source,
            v.sha256[:12],
            rows,
            repl,
        )
    out.print(t)


# ------------------------------------------------------------------------------------- summary


def _print_summary(summary: Any, school_years: Any = None) -> None:
    """The summary table; a year in collection (`school_years`) is headed as partial, with its coverage."""
    from countyedu.census.summary import STAGE_ZH

    years = sorted({s.year for s in summary.stages})
    t = Table(title=f"南丰县 各学段在校生（班级数）/ pupils (classes) by stage — census {summary.version}")
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
    t.add_row("义务教育大班额 ≥56 (第4条)", *big)
    tot = {y.year: y for y in summary.years}
    t.add_row("开办学校 schools open", *[str(tot[y].schools_open) if y in tot else "" for y in years])
    t.add_row("专任教师 full-time teachers", *[f"{tot[y].full_time_teachers:,}" if y in tot else "" for y in years])
    out.print(t)


@app.command()
def summary(
    data_dir: DataDir = None, version: Annotated[str | None, typer.Option()] = None, fmt: Format = Fmt.table
) -> None:
    """Pupils, classes, 大班额 and teachers by stage and year for a census version."""
    from countyedu.census.store import CensusStore
    from countyedu.census.summary import summarise
    from countyedu.census.years import census_years

    store = CensusStore(data_dir)
    s = summarise(store, version)
    ys = census_years(store, s.version)
    if fmt is Fmt.json:
        _json({**s.as_dict(), "school_years": ys.as_list()})
    else:
        _print_summary(s, ys)


# -------------------------------------------------------------------------------- assess, explain

DEFAULT_PACKS = ["nanfeng-2019", "national-qb-2017", "national-pp-2020"]
STATUS_STYLE = {"met": "green", "not_met": "red", "at_risk": "yellow", "no_data": "dim", "needs_evidence": "cyan"}


class AssessFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"
    xlsx = "xlsx"
    pdf = "pdf"


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


PackOpt = Annotated[
    list[str] | None, typer.Option("--pack", help="policy pack id or .yaml path (repeatable; default: all shipped)")
]
EngineOpt = Annotated[Engine, typer.Option("--engine", help="duckdb (in-process) or spark")]
MasterOpt = Annotated[str | None, typer.Option("--spark-master", help="Spark master URL (default local[2])")]
ParquetOpt = Annotated[
    str | None, typer.Option("--parquet-dir", help="where Spark reads the census (shared storage on a cluster)")
]
VersionOpt = Annotated[str | None, typer.Option("--version", help="census version (default: latest)")]


def _run_assessment(
    data_dir: Path | None,
    packs: list[str] | None,
    version: str | None,
    engine: Engine,
    master: str | None,
    years: list[int] | None = None,
    parquet_dir: str | None = None,
) -> Any:
    from countyedu.census.store import CensusStore
    from countyedu.indicators.backends import open_tables
    from countyedu.indicators.engine import assess
    from countyedu.policy.pack import load_pack

    loaded = [load_pack(p) for p in (packs or DEFAULT_PACKS)]
    store = CensusStore(data_dir)
    ct = open_tables(store, loaded, version=version, engine=engine.value, master=master, parquet_dir=parquet_dir)
    return store, ct, assess(ct, loaded, years=years)


def _assessment_table(a: Any, year: int, lang: Lang) -> Table:
    from countyedu.reports.values import status_meets, target_text, value_text

    label = a.years.info(year).label(lang.value)
    t = Table(title=f"{'县级指标' if lang is Lang.zh else 'County indicators'} {label} — census {a.census_version}")
    for c in ("指标 id", "名称 name", "学段 stage", "数值 value", "目标 target", "状态 status"):
        t.add_column(c, overflow="fold")
    for r in a.results:
        if r.level != "county" or r.year != year or r.status == "needs_evidence":
            continue
        it = a.item(r.indicator)
        value = "" if r.value is None else value_text(r.value, it.unit, r.target, status_meets(r.status))
        style = STATUS_STYLE.get(r.status, "")
        t.add_row(
            r.indicator,
            it.name_zh if lang is Lang.zh else it.name_en,
            r.stage or "",
            value,
            target_text(r.target, it.unit, lang.value) if r.target else "",
            f"[{style}]{r.status}[/]",
        )
    return t


@app.command("assess")
def assess_(
    data_dir: DataDir = None,
    pack: PackOpt = None,
    year: Annotated[
        int | None,
        typer.Option(help="only this school year (default: all; the table shows the latest closed year)"),
    ] = None,
    fmt: Annotated[AssessFormat, typer.Option("--format", help="table, json, html, xlsx or pdf")] = AssessFormat.table,
    out_path: Annotated[Path | None, typer.Option("--out", help="file to write (json/html/xlsx/pdf)")] = None,
    version: VersionOpt = None,
    engine: EngineOpt = Engine.duckdb,
    master: MasterOpt = None,
    parquet_dir: ParquetOpt = None,
    lang: Annotated[Lang, typer.Option("--lang", help="zh or en")] = Lang.zh,
) -> None:
    """Every indicator of the packs at school, township and county level, with its status."""
    with err.status("计算指标 / assessing…"):
        store, _ct, a = _run_assessment(
            data_dir, pack, version, engine, master, [year] if year else None, parquet_dir=parquet_dir
        )
    if fmt is AssessFormat.table:
        out.print(_assessment_table(a, year or a.default_year(), lang))
        return
    if fmt is AssessFormat.json:
        # compact: an indent makes json fall back to its pure-Python encoder (30 s on a province)
        text = json.dumps(a.as_dict(), ensure_ascii=False, separators=(",", ":"))
        if out_path:
            out_path.write_text(text + "\n", encoding="utf-8")
            err.print(f"已写出 / written: {out_path}")
        else:
            sys.stdout.write(text + "\n")
        return
    from countyedu.reports import write_report

    path = out_path or store.data_dir / f"assessment-{a.census_version}.{fmt.value}"
    names = _names(store, a)
    blocks = stored_blocks(store, a.census_version, lang.value)
    with err.status("生成报告 / writing the report…"):
        write_report(
            a,
            path,
            fmt.value,
            lang=lang.value,
            names=names,
            synthetic=_is_demo(store, a.census_version),
            blocks=blocks,
        )
    out.print(f"已写出报告 / report written: {path}")
    if not blocks:
        err.print(
            "[dim]报告未含规划与经费：先运行 countyedu plan run 和 countyedu funding run / "
            "planning and funding are not in the report until `plan run` and `funding run` are run[/]"
        )


def stored_blocks(store: Any, version: str, lang: str) -> list[Any]:
    """The planning and funding blocks stored for a census version (empty when not computed)."""
    from countyedu.funding.service import stored_funding
    from countyedu.planning.service import stored_planning

    out_blocks: list[Any] = []
    for run in (stored_planning(store, version, compute=False), stored_funding(store, version, compute=False)):
        if run is not None:
            out_blocks += run.blocks[lang]
    return out_blocks


def _names(store: Any, a: Any) -> dict[str, dict[str, str]]:
    """id → name of schools, townships and the county (its name from the pack parameters)."""
    from countyedu.reports.model import county_name, names_from_frames

    names = names_from_frames(store.frames(a.census_version, ["schools", "townships"]))
    if county := county_name(a):
        names["county"] = {a.county_id: county}
    return names


def _is_demo(store: Any, version: str) -> bool:
    return bool(store.resolve(version).synthetic)


@app.command()
def explain(
    indicator: Annotated[str, typer.Argument(help="indicator id, e.g. T-PRE-5 or QB-R4")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="school_id, township_id or the county id (default)")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="school year (default: the latest closed)")] = None,
    stage: Annotated[
        str | None, typer.Option("--stage", help="primary, junior, … when the indicator has several")
    ] = None,
    data_dir: DataDir = None,
    pack: PackOpt = None,
    version: VersionOpt = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table (text) or json")] = Fmt.table,
    lang: Annotated[Lang, typer.Option("--lang", help="zh or en")] = Lang.zh,
) -> None:
    """The formula in words, the clause, the target, the numbers and rows behind one result."""
    from countyedu.indicators.explain import explain as explain_result

    _store, ct, a = _run_assessment(data_dir, pack, version, Engine.duckdb, None)
    y = year or a.default_year()
    e = explain_result(ct, a, indicator, unit or a.county_id, y, stage)
    info = a.years.info(y)
    if fmt is Fmt.json:
        _json({**e.as_dict(), **info.state_fields()})
    else:
        if info.partial:
            err.print(f"[yellow]{info.label('zh')} / {info.label('en')}[/]")
        out.print(e.text(lang.value), markup=False, highlight=False)


@app.command()
def packs(fmt: Format = Fmt.table) -> None:
    """The shipped policy packs and their items."""
    from countyedu.policy.pack import available_packs, load_pack

    loaded = [load_pack(p) for p in available_packs()]
    if fmt is Fmt.json:
        _json([{"id": p.id, "name_zh": p.name_zh, "items": [i.id for i in p.items]} for p in loaded])
        return
    for p in loaded:
        t = Table(title=f"{p.id} — {p.name_zh}")
        for c in ("id", "名称", "name", "目标 target", "依据 clause", "mark"):
            t.add_column(c, overflow="fold")
        for i in p.items:
            tgt = "; ".join(x.words("zh") + (f" ({x.stage})" if x.stage else "") for x in i.targets)
            t.add_row(i.id, i.name_zh, i.name_en, tgt or ("需佐证" if i.kind == "checklist" else ""), i.clause, i.mark)
        out.print(t)


# --------------------------------------------------------------------------------------- serve


def _django(data_dir: Path | None) -> None:
    import os

    if data_dir is not None:
        os.environ["COUNTYEDU_DATA"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "countyedu.web.settings")
    import django

    django.setup()


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
    return ensure_demo_accounts(township, school)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@app.command()
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
        t = Table(title="示例账号 / demo accounts (合成数据 / synthetic data)")
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


@app.command()
def worker(data_dir: DataDir = None) -> None:
    """Run one task worker alone: it runs the queued background jobs (checks of uploads, assessments,
    planning and funding runs) until Ctrl-C (`countyedu serve` starts one per core)."""
    _django(data_dir)
    from countyedu.web.supervisor import run_worker

    run_worker()


# ---------------------------------------------------------------------------------------- demo


@app.command()
def demo(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="random seed of the synthetic county")] = 2019,
    fmt: Format = Fmt.table,
) -> None:
    """Generate the synthetic Nanfeng county, write its workbook, import it and summarise it."""
    from countyedu.census.demo import generate
    from countyedu.census.importer import import_census
    from countyedu.census.store import DEMO_SOURCE, CensusStore
    from countyedu.census.summary import summarise
    from countyedu.census.writers import write_workbook

    store = CensusStore(data_dir)
    workbook = store.data_dir / f"{DEMO_SOURCE}.xlsx"
    with err.status("生成示例县 / generating the demo county…"):
        frames = generate(seed)
        write_workbook(workbook, frames, note="SYNTHETIC demo data / 合成示例数据")
    with err.status("导入 / importing…"):
        result = import_census(workbook, store)
    s = summarise(store, result.version.version_id)
    with err.status("评估 / assessing…"):
        _store, _ct, a = _run_assessment(store.data_dir, None, result.version.version_id, Engine.duckdb, None)
        from countyedu.indicators import cache

        cache.save(store, a)
    with err.status("规划与经费 / planning and funding…"):
        from countyedu.funding.service import funding_for
        from countyedu.planning.service import planning_for

        census = store.census(a.census_version)
        planning = planning_for(store, a.census_version, census)
        funding = funding_for(store, a.census_version, census)
    with err.status("报告 / writing the reports…"):
        reports = _demo_reports(store, a)
    counts = Counter(r.status for r in a.results)
    if fmt is Fmt.json:
        _json(
            {
                "synthetic": True,
                "workbook": str(workbook),
                **s.as_dict(),
                "assessment": {"statuses": dict(counts), "reports": [str(p) for p in reports]},
                "planning": planning.summary(),
                "funding": funding.summary(),
            }
        )
        return
    out.print(
        "[bold yellow]注意：以下为合成示例数据，并非南丰县真实统计 / NOTE: synthetic demo data, not real Nanfeng statistics[/]"
    )
    out.print(f"示例工作簿 / demo workbook: {workbook}")
    out.print(f"普查版本 / census version: {result.version.version_id} in {store.path}")
    _print_summary(s)
    latest = a.default_year()
    county = Counter(r.status for r in a.results if r.level == "county" and r.year == latest)
    out.print(
        f"{latest} 年县级指标 / county indicators: "
        + "，".join(f"{k} {n}" for k, n in sorted(county.items()))
        + f"（全部结果 / all results: {len(a.results):,}）"
    )
    for line in (*planning.summary_lines(), *funding.summary_lines()):
        out.print(line)
    for p in reports:
        out.print(f"评估报告 / assessment report: {p}")
    out.print("查看指标说明 / explain a number: countyedu explain T-PRE-5 --data-dir " + str(store.data_dir))


def _demo_reports(store: Any, a: Any) -> list[Path]:
    from countyedu.reports import write_report

    names = _names(store, a)
    blocks = stored_blocks(store, a.census_version, "zh")
    paths = []
    for ext in ("html", "pdf"):
        path = store.data_dir / f"assessment-{a.census_version}.{ext}"
        write_report(a, path, ext, lang="zh", names=names, synthetic=True, blocks=blocks)
        paths.append(path)
    return paths


def main() -> None:
    """Entry point: a user error prints a message (Chinese and English), never a traceback."""
    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int):
            sys.exit(rc)
    except CountyEduError as exc:
        if _state["debug"]:
            raise
        err.print(f"[red]{exc.user_text()}[/]")
        problems = getattr(exc, "problems", None)
        if problems and not isinstance(exc, ValidationFailed):  # import prints its own table
            err.print(_problem_table(problems))
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("已中止 / aborted")
        sys.exit(130)
    except Exception as exc:
        # a usage error (bad option value, unknown command) shows its own text; typer vendors click, so it
        # is recognised by what it can do rather than by its class
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        if _state["debug"]:
            raise
        err.print(f"[red]内部错误 / internal error: {exc!r} (run with --debug for the traceback)[/]")
        sys.exit(3)


def _subcommands() -> None:
    """`countyedu plan …` and `countyedu funding …` live in cli_plans (they import from this module)."""
    from countyedu.cli_backup import backup, restore
    from countyedu.cli_plans import funding_app, plan_app
    from countyedu.cli_years import years_app

    app.command()(backup)
    app.command()(restore)
    app.add_typer(plan_app, name="plan")
    app.add_typer(funding_app, name="funding")
    app.add_typer(years_app, name="years")


_subcommands()

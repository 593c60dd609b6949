"""`countyedu assess`, `explain` and `packs`: the indicators of the policy packs on a census version."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from countyedu.cli.common import (
    DataDir,
    Fmt,
    Format,
    Lang,
    PackOpt,
    VersionOpt,
    _json,
    _json_text,
    busy,
    err,
    note,
    out,
    table,
)

if TYPE_CHECKING:
    from rich.table import Table

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


EngineOpt = Annotated[Engine, typer.Option("--engine", help="duckdb (in-process) or spark")]
MasterOpt = Annotated[str | None, typer.Option("--spark-master", help="Spark master URL (default local[2])")]
ParquetOpt = Annotated[
    str | None, typer.Option("--parquet-dir", help="where Spark reads the census (shared storage on a cluster)")
]


def _run_assessment(
    data_dir: Path | None,
    packs: list[str] | None,
    version: str | None,
    engine: Engine,
    master: str | None,
    years: list[int] | None = None,
    parquet_dir: str | None = None,
    stored: bool = False,
) -> Any:
    """(store, census tables, assessment with the checklist evidence laid over it); ``stored``: the
    assessment kept in the run store (made by import, or now and kept), no tables opened."""
    import threading

    from countyedu.census.store import CensusStore
    from countyedu.indicators import cache
    from countyedu.indicators.backends import open_tables
    from countyedu.runs.store import load_packs

    # the engine's modules (pandas, numpy, pyarrow: half a second) are imported by a second thread while
    # this one reads the packs and DuckDB opens the census and makes the derived tables the packs made
    # last time (open_tables; DuckDB lets go of the GIL). This thread imports nothing meanwhile: the
    # modules it needs are imported above, so no import waits on the other's.
    importing = threading.Thread(target=_import_engine, name="import-engine", daemon=True)
    importing.start()
    loaded = load_packs(packs)
    store = CensusStore(data_dir)
    if stored:
        importing.join()
        return store, None, cache.get_or_compute(store, version, loaded)
    ct = open_tables(store, loaded, version=version, engine=engine.value, master=master, parquet_dir=parquet_dir)
    importing.join()
    from countyedu.indicators import evidence
    from countyedu.indicators.engine import assess

    return store, ct, evidence.apply(assess(ct, loaded, years=years), evidence.read(store.data_dir))


def _import_engine() -> None:
    """Import the engine and the evidence (pandas, numpy, pyarrow with them)."""
    with contextlib.suppress(Exception):  # a module that fails to import fails again, raised, where it is used
        import countyedu.indicators.evidence  # noqa: F401


def _assessment_table(a: Any, year: int, lang: Lang) -> Table:
    from countyedu.reports.values import status_meets, target_text, value_text

    label = a.years.info(year).label(lang.value)
    t = table(title=f"{'县级指标' if lang is Lang.zh else 'County indicators'} {label} — census {a.census_version}")
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
    fresh: Annotated[
        bool, typer.Option("--fresh", help="compute again instead of reading the assessment kept for the version")
    ] = False,
) -> None:
    """Every indicator of the packs at school, township and county level, with its status. The
    assessment kept for the version, packs and school years' states (made by `countyedu import`, or
    now and kept) is read; --fresh, --year and --engine spark compute it again. JSON and HTML run again
    on an unchanged census, packs and code are the output kept from the last run (COUNTYEDU_KEEP_OUTPUT=off
    writes them anew)."""
    stored = not fresh and year is None and engine is Engine.duckdb
    memo = None
    if stored and fmt in (AssessFormat.json, AssessFormat.html):
        import countyedu.cli.kept as kept

        memo = kept.for_data_dir(data_dir, "assess", fmt.value, lang.value, kept.file_key(pack), version)
        if _replay(memo, fmt, out_path, data_dir):
            return
    if stored and fmt is AssessFormat.json and (text := _kept_json(data_dir, pack, version)) is not None:
        _write_json(text + "\n", out_path)  # the kept assessment's JSON, kept beside it: no pandas, no engine
        if memo is not None:
            memo.put(_kept_doc({}, text + "\n"))
        return
    with busy("计算指标 / assessing…"):
        store, _ct, a = _run_assessment(
            data_dir, pack, version, engine, master, [year] if year else None, parquet_dir=parquet_dir, stored=stored
        )
    if fmt is AssessFormat.table:
        out.print(_assessment_table(a, year or a.default_year(), lang))
        return
    if fmt is AssessFormat.json:
        # compact, the results written from the columns as they are made (Assessment.json_pieces: a
        # province's 400 MB are never one text); kept (below) only when small enough to be kept
        body = _write_json_pieces(a.json_pieces(), out_path)
        if body is None:
            return
        text = body.decode("utf-8")
        if stored and not getattr(a, "evidence", None):
            from countyedu.indicators import cache

            cache.keep_json(store, a, text[:-1])  # the next run reads it (_kept_json)
        if memo is not None:
            memo.put(_kept_doc({"version": a.census_version}, text))
        return
    import datetime as dt

    from countyedu.reports import write_report

    path = out_path or store.data_dir / f"assessment-{a.census_version}.{fmt.value}"
    names = _names(store, a)
    blocks = stored_blocks(store, a.census_version, lang.value, a.packs)
    now = dt.datetime.now().astimezone()
    with busy("生成报告 / writing the report…"):
        write_report(
            a,
            path,
            fmt.value,
            lang=lang.value,
            names=names,
            synthetic=_is_demo(store, a.census_version),
            blocks=blocks,
            generated_at=now,
        )
    sys.stdout.write(f"已写出报告 / report written: {path}\n")
    if not blocks:
        note(NO_CHAPTERS)
    if memo is not None:
        html = path.read_text(encoding="utf-8")
        stamp = now.strftime(STAMP)
        if html.count(stamp) == STAMPS:  # the report's time of writing, put back as the time of each replay
            memo.put(_kept_doc({"version": a.census_version, "stamp": stamp, "chapters": bool(blocks)}, html))


NO_CHAPTERS = (
    "报告未含规划与经费：先运行 countyedu run planning 和 countyedu run funding / "
    "planning and funding are not in the report until `countyedu run KIND` is run for each"
)
STAMP = "%Y-%m-%d %H:%M"  # reports.model's time of writing
STAMPS = 2  # where the HTML report shows it (its heading and its footer)


def _kept_json(data_dir: Path | None, packs: list[str] | None, version: str | None) -> str | None:
    """The kept assessment's JSON kept beside it (indicators.cache.kept_json), if it is there."""
    from countyedu.census.store import CensusStore
    from countyedu.indicators import cache
    from countyedu.runs.store import load_packs

    store = CensusStore(data_dir)
    return cache.kept_json(store, version, load_packs(packs)) if store.exists() else None


def _write_json(text: str, out_path: Path | None) -> None:
    if out_path:
        out_path.write_text(text, encoding="utf-8")
        sys.stderr.write(f"已写出 / written: {out_path}\n")  # plain: no Rich console for one line
    else:
        sys.stdout.write(text)


def _write_json_pieces(pieces: Any, out_path: Path | None) -> bytes | None:
    """Write the JSON's UTF-8 pieces (each ends at a result's end) and a newline, each as it comes,
    by a second thread: a piece is written while the next is made (a province's 400 MB of text took
    as long to write as to make, and both let go of the GIL: Arrow's string kernels, the file's
    write). The whole output when it is small enough to be kept (cli.kept.MAX_BYTES), else None. A
    write that fails (a full disk) stops the making and is raised here."""
    import itertools

    from countyedu.cli.kept import MAX_BYTES

    fh = _overwritten(out_path) if out_path else None
    if fh is not None:
        write = fh.write
    elif hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        write = sys.stdout.buffer.write
    else:  # a text stream without bytes beneath it
        write = lambda piece: sys.stdout.write(str(piece, "utf-8"))  # noqa: E731
    kept: list[bytes] | None = []
    size = 0
    try:
        with _WriteBehind(write) as behind:
            for piece in itertools.chain(pieces, [b"\n"]):
                behind.put(piece)
                size += len(piece)
                if kept is not None and size > MAX_BYTES:
                    kept = None  # too large to be kept: nothing held
                elif kept is not None:
                    kept.append(bytes(piece))
    finally:
        if fh is not None:
            with fh:
                _cut(fh)
    if out_path:
        sys.stderr.write(f"已写出 / written: {out_path}\n")  # plain: no Rich console for one line
    return None if kept is None else b"".join(kept)


def _overwritten(path: Path) -> Any:
    """The file opened to be written over from its start, not emptied first (_write_json_pieces
    cuts off what is left past the end): emptying a province's 400 MB file on opening and the file
    system's flush of a file emptied and written again on closing cost 0.2 s, writing over its
    pages in place little."""
    return open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666), "wb")


def _cut(fh: Any) -> None:
    """Cut off what the file held before past what was written (a regular file: not a pipe, not /dev/null)."""
    st = os.fstat(fh.fileno())
    if stat.S_ISREG(st.st_mode) and fh.tell() < st.st_size:
        fh.truncate()


class _WriteBehind:
    """Pieces written in order by a thread of their own, at most two waiting (a piece holds its
    buffer until written). The first error of a write is raised by the next put and on leaving the
    block (the pieces after it are not written); leaving the block waits for every write."""

    def __init__(self, write: Any) -> None:
        import queue
        import threading

        self._write = write
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="json-writer", daemon=True)

    def _drain(self) -> None:
        while (piece := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._write(piece)
                except BaseException as exc:  # raised in the making thread (put, __exit__)
                    self._error = exc

    def put(self, piece: Any) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(piece)

    def __enter__(self) -> _WriteBehind:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error


def _kept_doc(head: dict[str, Any], body: str) -> bytes:
    """A kept output: a line of JSON about it, then the output itself."""
    import json

    return (json.dumps(head) + "\n" + body).encode()


def _replay(memo: Any, fmt: AssessFormat, out_path: Path | None, data_dir: Path | None) -> bool:
    """Write the output kept for the same census, packs and options (cli.kept); False on a miss."""
    import json

    import countyedu.cli.kept as kept

    raw = memo.get() if memo is not None else None
    if raw is None:
        return False
    head_line, _, body = raw.decode("utf-8").partition("\n")
    head = json.loads(head_line)
    if fmt is AssessFormat.json:
        _write_json(body, out_path)
        return True
    import datetime as dt

    path = out_path or kept.data_dir_of(data_dir) / f"assessment-{head['version']}.{fmt.value}"
    path.write_text(body.replace(head["stamp"], dt.datetime.now().astimezone().strftime(STAMP)), encoding="utf-8")
    sys.stdout.write(f"已写出报告 / report written: {path}\n")
    if not head["chapters"]:
        note(NO_CHAPTERS)
    return True


def stored_blocks(store: Any, version: str, lang: str, packs: list[Any]) -> list[Any]:
    """The blocks of every registered run kind stored for a census version and packs (a kind not
    computed yet adds none), in the registry's order: the report's chapters."""
    from countyedu.runs import pipeline
    from countyedu.runs.registry import kinds

    if not any(p.parent.name != "assessments" for p in store.data_dir.glob(f"*/{version}-*.json")):
        return []  # no run of this version kept: the kinds' modules stay unloaded (a second of imports)
    out_blocks: list[Any] = []
    for kind in kinds().values():
        run = pipeline.stored(store, kind, version, packs)
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


def packs(fmt: Format = Fmt.table) -> None:
    """The shipped policy packs and their items."""
    import countyedu.cli.kept as kept

    memo = kept.for_user("packs", fmt.value, kept.terminal_key(sys.stdout))  # the packs are the code's
    if kept.replay(memo):
        return
    from countyedu.policy.listing import shipped

    listing = shipped()  # kept in the user's cache while the packs and their code are unchanged
    if fmt is Fmt.json:
        doc = [{"id": p["id"], "name_zh": p["name_zh"], "items": [i["id"] for i in p["items"]]} for p in listing]
        kept.write(memo, _json_text(doc))
        return
    tables = []
    for p in listing:
        t = table(title=f"{p['id']} — {p['name_zh']}")
        for c in ("id", "名称", "name", "目标 target", "依据 clause", "mark"):
            t.add_column(c, overflow="fold")
        for i in p["items"]:
            tgt = i["targets"] or ("需佐证" if i["kind"] == "checklist" else "")
            t.add_row(i["id"], i["name_zh"], i["name_en"], tgt, i["clause"], i["mark"])
        tables.append(t)
    kept.write(memo, kept.printed(out, *tables))

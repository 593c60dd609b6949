"""What `countyedu plan …` and `countyedu funding …` share: their options, the census frames of a
version (years in collection left out) and the blocks printed as tables or written to a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from countyedu.cli.common import Fmt, Lang, err, out, table
from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg

if TYPE_CHECKING:
    from countyedu.runs.blocks import Block

RowsOpt = Annotated[int, typer.Option("--rows", help="rows shown per table (all of them with --format json)")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="zh or en")]
YearOpt = Annotated[
    int | None, typer.Option("--year", help="school year (default: the latest closed; one in collection is partial)")
]


def print_blocks(blocks: list[Block], lang: str, rows: int = 20) -> None:
    """Blocks as Rich tables: findings, then each table cut to `rows` rows."""
    import countyedu.reports.labels  # noqa: F401  (labels the status codes)
    from countyedu.runs.blocks import format_value, localize, words

    for b in localize(blocks, lang):
        out.rule(f"[bold]{b.title}[/]  [dim]{b.clause}[/]")
        for p in b.paragraphs:
            out.print(p)
        if b.findings:
            t = table(show_lines=False)
            for head in (Msg("clause"), Msg("rule"), Msg("value"), Msg("status"), Msg("explanation")):
                t.add_column(words(head, lang), overflow="fold")
            for f in b.findings:
                style = {"met": "green", "not_met": "red", "at_risk": "yellow"}.get(f.status, "dim")
                t.add_row(
                    f.clause,
                    words(f.rule, lang),
                    words(f.value, lang),
                    f"[{style}]{words(Code('status', f.status), lang)}[/]",
                    words(f.explanation, lang),
                )
            out.print(t)
        for tb in b.tables:
            t = table(title=f"{tb.title} {tb.clause}".strip(), title_justify="left")
            for c in tb.columns:
                t.add_column(words(c.label, lang), justify="right" if c.unit else "left", overflow="fold")
            for r in tb.rows[:rows]:
                t.add_row(*(format_value(v, c.unit, lang) for c, v in zip(tb.columns, r, strict=True)))
            out.print(t)
            if len(tb.rows) > rows:
                more = len(tb.rows) - rows
                shown = words(Msg("… {more} more rows (--rows, --format json, --out)", more=more), lang)
                out.print(f"[dim]{shown}[/]")


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
    import countyedu.reports.labels  # noqa: F401  (labels the status codes)
    from countyedu.runs.blocks import format_value, localize, words

    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
        return
    tables = [t for b in localize(blocks, lang) for t in b.tables]
    if suffix == ".csv":
        import pandas as pd

        from countyedu.census.writers import csv_text

        if not tables:
            raise CountyEduError(Msg("nothing to write: the result has no table"))
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
        Msg("--out {name}: write .json, .xlsx or .csv", name=path.name),
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

"""`countyedu quality …` (issue 16 item 1; 第8、29条): the county's exam results and quality monitoring —
the measures per county, township and school, the between-school spread, value added with its
interval and T-HS-3 (`report`), and one school's own report, as its principal reads it (`school`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _frames, print_blocks, write_blocks
from countyedu.cli.common import DataDir, JsonDoc, Lang, OutOpt, PackOpt, VersionOpt, XFmt, XFormat, err, load_packs

quality_app = typer.Typer(help="质量监测 / quality: exam results, value added, T-HS-3, a school's own report")


def quality_run(
    data_dir: Path | None, version: str | None, year: int | None, pack: list[str] | None
) -> tuple[str, Any]:
    """(census version, the quality run on it)."""
    from countyedu.quality.params import quality_params
    from countyedu.quality.run import run_quality

    _store, v, frames = _frames(data_dir, version, year)
    return v, run_quality(frames, quality_params(load_packs(pack)), year)


def _show(
    doc: dict[str, Any], blocks: list[Any], fmt: XFmt, out_path: Path | None, lang: str, rows: int, name: str
) -> None:
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(f"{name}.xlsx")
    if out_path is not None:
        write_blocks(blocks, JsonDoc(doc), out_path, lang)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang, rows)


@quality_app.command("report")
def report(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """The county's exam results by year, exam and subject (mean, pass, excellent and low-score rates,
    the between-school difference), by township and school (standardised scores), value added by school
    with its interval, and the province's top 100 of the gaokao (T-HS-3)."""
    with err.status("质量监测 / quality…"):
        v, run = quality_run(data_dir, version, year, pack)
    _show({"census_version": v, **run.as_dict()}, run.blocks(), fmt, out_path, lang.value, rows, "quality")


@quality_app.command("school")
def school(
    school_id: Annotated[str, typer.Argument(help="the school's id (学校代码)")],
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """One school's own report, as its principal reads it: its results beside its township's and the
    county's, its value added with the interval and its candidates in the province's top 100."""
    from countyedu.quality.school import school_blocks, school_report

    with err.status("质量监测 / quality…"):
        v, run = quality_run(data_dir, version, year, pack)
    doc = {"census_version": v, **school_report(run, school_id)}
    _show(doc, school_blocks(run, school_id), fmt, out_path, lang.value, rows, f"quality-{school_id}")

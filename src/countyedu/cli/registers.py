"""`countyedu private …` and `countyedu housing …` (issue 16 items 2 and 4): the private-school register
(民办学校, 第16条) and the housing-development register (住宅项目, 第2、19条), each entry with the flags a
day puts on it (default: 31 December of the school year). JSON contracts: README (registers)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _frames, print_blocks, write_blocks
from countyedu.cli.common import DataDir, JsonDoc, Lang, OutOpt, PackOpt, VersionOpt, XFmt, XFormat, err, load_packs
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

private_app = typer.Typer(help="民办学校 / private schools: the register, expiring licences, failed inspections")
housing_app = typer.Typer(help="住宅项目 / housing developments: planned schools, late or lost handovers")


AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="the day to look from, YYYY-MM-DD (default: 31 December of the school year)"),
]
FlagOpt = Annotated[str | None, typer.Option("--flag", help="only the entries with this flag (e.g. licence_expired)")]
FlaggedOpt = Annotated[bool, typer.Option("--flagged", help="only the entries with a flag")]


def _inputs(data_dir: Path | None, version: str | None, year: int | None, pack: list[str] | None) -> Any:
    _store, v, frames = _frames(data_dir, version, year)
    return v, frames, load_packs(pack)


def _check_flag(flag: str | None, known: dict[str, Any]) -> None:
    if flag is not None and flag not in known:
        raise CountyEduError(Msg("no flag {name}; known: {known}", name=flag, known=tuple(known)), field="flag")


def _kept(entries: list[Any], township: str | None, flag: str | None, flagged: bool) -> list[Any]:
    """The register's entries of one township (all without `--township`), with that flag or any flag."""
    keep = [e for e in entries if (not township or e.township_id == township)]
    if flag or flagged:
        keep = [e for e in keep if (flag in e.flags if flag else e.flags)]
    return keep


def _show(
    v: str, reg: Any, entries_key: str, kept: list[Any], fmt: XFmt, out_path: Path | None, lang: Lang, rows: int
) -> None:
    """The whole register's summary with the entries kept (JSON), or their blocks (table, workbook)."""
    from dataclasses import replace

    doc = {"census_version": v, **reg.as_dict()}
    doc[entries_key] = [e.as_dict() for e in kept]
    blocks = replace(reg, **{entries_key: kept}).blocks()
    stem = {"schools": "private-schools", "projects": "housing-projects"}[entries_key]
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(f"{stem}-{reg.as_of.isoformat()}.xlsx")
    if out_path is not None:
        write_blocks(blocks, JsonDoc(doc), out_path, lang.value)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang.value, rows)


@private_app.command("list")
def private_list(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    flag: FlagOpt = None,
    flagged: FlaggedOpt = False,
    township: Annotated[str | None, typer.Option("--township", help="only this township's schools")] = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """The private-school register of a school year (default: its latest) as of a day: licence,
    classification, sponsor, inspection, fee, staff, 普惠 and subsidy, and each school's flags."""
    from countyedu.private.kind import run_private
    from countyedu.private.register import FLAGS

    _check_flag(flag, FLAGS)
    v, frames, packs = _inputs(data_dir, version, year, pack)
    reg = run_private(frames, packs, year, as_of)
    if not reg.schools:
        raise CountyEduError(Msg("the census has no private-school register (the private_schools sheet)"))
    _show(v, reg, "schools", _kept(reg.schools, township, flag, flagged), fmt, out_path, lang, rows)


@housing_app.command("list")
def housing_list(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    flag: FlagOpt = None,
    flagged: FlaggedOpt = False,
    township: Annotated[str | None, typer.Option("--township", help="only this township's projects")] = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """The housing-development register as of a day: each project's households, planned facility, what
    the norms require, its dates and flags (late, accepted before its facility, not public or 普惠)."""
    from countyedu.housing.kind import run_housing
    from countyedu.housing.register import FLAGS

    _check_flag(flag, FLAGS)
    v, frames, packs = _inputs(data_dir, version, year, pack)
    reg = run_housing(frames, packs, year, as_of)
    if not reg.projects:
        raise CountyEduError(Msg("the census has no housing register (the housing_projects sheet)"))
    _show(v, reg, "projects", _kept(reg.projects, township, flag, flagged), fmt, out_path, lang, rows)

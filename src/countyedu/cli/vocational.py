"""`countyedu vocational …` (issue 16 item 3): the vocational office's commands — majors and T-VOC-1,
school–enterprise cooperation, 1+X certificates and the credit bank (a pupil's conversions explained),
as the blocks the report and the pages show (table), their JSON (json) or a workbook (xlsx).

Each command computes the part it shows with `vocational.kind.run_vocational`."""

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

vocational_app = typer.Typer(
    help="职业教育 / vocational: majors and T-VOC-1, enterprises, order classes, internships, 1+X, credit bank"
)


def _part(
    name: str, data_dir: Path | None, version: str | None, year: int | None, pack: list[str] | None
) -> tuple[str, Any]:
    """The census version and the vocational run's part `name` (a CountyEduError when there is none)."""
    from countyedu.vocational.kind import run_vocational

    _store, v, frames = _frames(data_dir, version, year)
    with err.status("职业教育 / vocational…"):
        run = run_vocational(frames, load_packs(pack), year, only=[name])
    part = run.part(name)
    if part is None:
        raise CountyEduError(Msg("the census has no vocational records for this part ({part})", part=name))
    return v, part


def _show(
    blocks: list[Any], doc: dict[str, Any], fmt: XFmt, out_path: Path | None, default: str, lang: str, rows: int
) -> None:
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(default)
    if out_path is not None:
        write_blocks(blocks, JsonDoc(doc), out_path, lang)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang, rows)


def _command(command: str, part: str, doc: str) -> None:
    """Register `countyedu vocational <command>`: the part as a table, its JSON or a workbook."""

    def show(
        data_dir: DataDir = None,
        version: VersionOpt = None,
        year: YearOpt = None,
        fmt: XFormat = XFmt.table,
        out_path: OutOpt = None,
        lang: LangOpt = Lang.zh,
        rows: RowsOpt = 20,
        pack: PackOpt = None,
    ) -> None:
        v, result = _part(part, data_dir, version, year, pack)
        body = {"census_version": v, **result.as_dict()}
        _show(result.blocks(), body, fmt, out_path, f"vocational-{command}-{result.year}.xlsx", lang.value, rows)

    show.__doc__ = doc
    vocational_app.command(command)(show)


_command(
    "majors",
    "majors",
    "专业 / majors: students per major against T-VOC-1 (≥ 1,200), each year's per kind of major, the expansion of "
    "nursing and elderly care (第12条). JSON: README (vocational majors).",
)
_command(
    "cooperation",
    "cooperation",
    "校企合作 / cooperation: partner enterprises, order classes (订单班), internships (placements over the limit "
    "flagged), graduates employed in the county (第15条).",
)
_command(
    "certificates",
    "certificates",
    "1+X 证书 / certificates: vocational skill level certificates per major and per pupil (第13条).",
)


@vocational_app.command("credits")
def credits(
    pupil: Annotated[str | None, typer.Option("--pupil", help="one pupil's conversions, each explained")] = None,
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
) -> None:
    """学分银行 / credit bank: learning outcomes converted into course credits by the pack's rules as of the
    school year's end (第13条); --pupil ID explains one pupil's conversions. JSON: README (vocational credits)."""
    v, bank = _part("credit_bank", data_dir, version, year, pack)
    if pupil is None:
        body = {"census_version": v, **bank.as_dict()}
        _show(bank.blocks(), body, fmt, out_path, f"vocational-credits-{bank.year}.xlsx", lang.value, rows)
        return
    block = bank.pupil_block(pupil)
    body = {"census_version": v, **bank.pupil_dict(pupil)}
    _show([block], body, fmt, out_path, f"vocational-credits-{pupil}.xlsx", lang.value, rows)

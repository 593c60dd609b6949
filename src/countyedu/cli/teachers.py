"""`countyedu teachers …` (issue 13): staffing norms (编制), the 县管校聘 allocation and the other parts
of the teachers run, printed as the blocks the report and the pages show (table), as the JSON contract
of each command (json), or as a workbook (xlsx).

Each command computes the part it shows (and those it reads) with `teachers.kind.run_teachers`;
another part's command adds itself with one `part_command(...)` call below (or its own
`@teachers_app.command` calling `show_part` when it takes more options).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, _frames, print_blocks, write_blocks
from countyedu.cli.common import DataDir, Lang, OutOpt, PackOpt, VersionOpt, XFmt, XFormat, err, load_packs
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

teachers_app = typer.Typer(
    help="教师 / teachers: staffing (编制), 县管校聘 allocation, rotation, qualifications, backbone"
)


def show_part(
    name: str,
    contract: Callable[[Any, str], dict[str, Any]],
    *,
    data_dir: Path | None,
    version: str | None,
    year: int | None,
    fmt: XFmt,
    out_path: Path | None,
    lang: Lang,
    rows: int,
    pack: list[str] | None,
    values: dict[str, Any] | None = None,
) -> None:
    """Compute the teachers run up to part `name` and show that part: its blocks (table), its JSON
    contract (`contract(part, census_version)`, json) or its tables as a workbook (xlsx)."""
    from countyedu.teachers.kind import run_teachers

    _store, v, frames = _frames(data_dir, version, year)
    with err.status("教师 / teachers…"):
        run = run_teachers(frames, load_packs(pack), year, values, only=[name])
    part = run.part(name)
    if part is None:
        raise CountyEduError(Msg("the census has no teachers or classes for this year"))
    blocks = part.blocks()
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(f"teachers-{name}-{run.year}.xlsx")
    if out_path is not None:
        write_blocks(blocks, _Contract(contract(part, v)), out_path, lang.value)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(contract(part, v), ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang.value, rows)


class _Contract:
    """A JSON document as write_blocks takes a result (`--out x.json` writes the contract)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def as_dict(self) -> dict[str, Any]:
        return self.doc


def staffing_contract(part: Any, census_version: str) -> dict[str, Any]:
    """`teachers staffing --format json` (README): census_version, year, schools[…], then subjects and
    the county's totals."""
    d = part.as_dict()
    return {"census_version": census_version, "year": d["year"], "schools": d["schools"], **d}


def part_command(command: str, name: str, contract: Callable[[Any, str], dict[str, Any]], doc: str) -> None:
    """Register `countyedu teachers <command>`: the part `name` as a table, its JSON contract or a workbook."""

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
        show_part(
            name,
            contract,
            data_dir=data_dir,
            version=version,
            year=year,
            fmt=fmt,
            out_path=out_path,
            lang=lang,
            rows=rows,
            pack=pack,
        )

    show.__doc__ = inspect.cleandoc(doc)
    teachers_app.command(command)(show)


def allocation_contract(part: Any, census_version: str) -> dict[str, Any]:
    """`teachers allocate --format json`: census_version, year, status, posts[…], moves[…], unfilled[…]."""
    return {"census_version": census_version, **part.as_dict()}


def training_contract(part: Any, census_version: str) -> dict[str, Any]:
    """`teachers training --format json`: census_version, year, pay, training per school and behind."""
    return {"census_version": census_version, **part.as_dict()}


part_command(
    "staffing",
    "staffing",
    staffing_contract,
    """Staffing norms (编制) per school (TW ratios, class floors of village schools and teaching points,
    kindergartens by class, boarding staff), teachers in post, surplus and shortage, by subject, and
    the county's totals against the 编制 it holds.""",
)
part_command(
    "allocate",
    "allocation",
    allocation_contract,
    """县管校聘 (RT): posts per public school from the county's 编制, and surplus teachers reassigned to
    schools short of their subject — in school, then across schools, then by the bureau — with the
    fewest moves and the least travel, no school below its class floor; each move explained.""",
)
part_command(
    "training",
    "training",
    training_contract,
    """Teachers' pay against civil servants' (第21条, QB-G8) and training hours against 360 in five
    years (QB-G9) per school, with the list of the teachers behind.""",
)


def rotation_contract(part: Any, census_version: str) -> dict[str, Any]:
    """`teachers rotation --format json` (README): census_version, year, params, eligible, moves, checks,
    objective, bound, gap."""
    return part.contract(census_version)


LockOpt = Annotated[
    list[str] | None, typer.Option("--lock", help="an agreed move, TEACHER:SCHOOL (repeatable)", metavar="T:S")
]
VetoOpt = Annotated[
    list[str] | None, typer.Option("--veto", help="a move never to make, TEACHER:SCHOOL (repeatable)", metavar="T:S")
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="fail (exit 2, saying why) when a rule cannot be met, not plan the most")
]


@teachers_app.command("rotation")
def rotation(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    lock: LockOpt = None,
    veto: VetoOpt = None,
    strict: StrictOpt = False,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 20,
    pack: PackOpt = None,
) -> None:
    """The exchange-rotation plan (第6、28条, RT, QB-G11) for the school year after YEAR: eligible teachers,
    the moves (urban → rural, strong → weak, central → village; 10 % of each urban or strong school's
    eligible, backbone ≥ 20 %), every rule's check, the CVs before and after, the solver's gap and the
    greedy baseline; with agreed moves (--lock) and vetoed pairs (--veto)."""
    from countyedu.teachers.rotation import plan_rotation

    _store, v, frames = _frames(data_dir, version, year)
    with err.status("教师交流轮岗 / rotation…"):
        plan = plan_rotation(frames, load_packs(pack), year, locks=lock or (), vetoes=veto or (), strict=strict)
    blocks = plan.blocks()
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(f"teachers-rotation-{plan.year}.xlsx")
    if out_path is not None:
        write_blocks(blocks, _Contract(plan.contract(v)), out_path, lang.value)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(plan.contract(v), ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang.value, rows)


def with_version(part: Any, census_version: str) -> dict[str, Any]:
    """A part's JSON with the census version it was computed on."""
    return {**part.as_dict(), "census_version": census_version}


part_command(
    "qualifications",
    "qualifications",
    with_version,
    """Qualifications to 2025 (第26条): retirements, in-service upgrades and hires year by year, and each
    TQ-* target's path with the year it is reached or the teachers short.""",
)
part_command(
    "backbone",
    "backbone",
    with_version,
    """Backbone teachers (第24条, QB-R2: the register, who is due for review, per school, the schools
    without any) and titles against the post structure (第25条, 已评未聘, the rural-service rule).""",
)

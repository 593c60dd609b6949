"""`countyedu tasks …` (issue 15 item 1): the policy's task register (督办, 第33条) — every task with its
owner, due date and status (from its indicators or its owner's accepted updates), what is overdue and
who owns it; views by clause, owner, township and school; the leadership's progress report.

The register is read from the census's `tasks` sheet, the owners' updates from the web's records
(`countyedu serve` keeps them), the indicator statuses from the stored assessment.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.blocks import LangOpt, RowsOpt, YearOpt, print_blocks, write_blocks
from countyedu.cli.common import DataDir, JsonDoc, Lang, OutOpt, PackOpt, VersionOpt, XFmt, XFormat, err
from countyedu.cli.supervise import AsOfOpt, supervision_run
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

tasks_app = typer.Typer(help="督办 / tasks: the policy's task register, overdue tasks and owners, progress report")


class By(StrEnum):
    clause = "clause"
    owner = "owner"
    township = "township"
    school = "school"


ByOpt = Annotated[By | None, typer.Option("--by", help="counts by clause, owner, township or school")]
TownshipOpt = Annotated[str | None, typer.Option("--township", help="only this township's tasks (and its schools')")]
SchoolOpt = Annotated[str | None, typer.Option("--school", help="only this school's tasks")]
LateOpt = Annotated[bool, typer.Option("--late", help="only the overdue tasks, longest overdue first")]


def register_of(
    data_dir: Path | None, version: str | None, year: int | None, pack: list[str] | None, as_of: str | None
) -> tuple[str, Any]:
    """(census version, the task register as of the day) — an error when the census has no tasks."""
    with err.status("督办 / tasks…"):
        v, run = supervision_run(data_dir, version, year, pack, as_of, only=["tasks"])
    reg = run.part("tasks")
    if reg is None:
        raise CountyEduError(Msg("the census has no tasks sheet"))
    return v, reg


@tasks_app.command("list")
def list_(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    by: ByOpt = None,
    township: TownshipOpt = None,
    school: SchoolOpt = None,
    late: LateOpt = False,
    fmt: XFormat = XFmt.table,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    rows: RowsOpt = 40,
    pack: PackOpt = None,
) -> None:
    """The task register as of a day: each task's owner, due date, status and overdue days, the overdue
    list first; --by counts per clause, owner, township or school; --township/--school keep one unit's."""
    from countyedu.supervision.tasks import TaskRegister

    v, reg = register_of(data_dir, version, year, pack, as_of)
    tasks = reg.tasks
    if township or school:
        tasks = reg.of_owner(township_id=township, school_id=school)
    if late:
        tasks = [t for t in reg.late() if t in tasks]
    shown = TaskRegister(reg.as_of, reg.year, tasks, reg.params)
    doc = {"census_version": v, **shown.as_dict()}
    if by is not None:
        key = {"township": "township_id", "school": "school_id"}.get(by.value, by.value)
        doc["groups"] = shown.group(key)
        blocks = [shown.group_block(by.value)] if by in (By.clause, By.owner) else [shown.register_block()]
    else:
        blocks = [shown.late_block(), shown.register_block()]
    if fmt is XFmt.xlsx and out_path is None:
        out_path = Path(f"tasks-{reg.as_of.isoformat()}.xlsx")
    if out_path is not None:
        write_blocks(blocks, JsonDoc(doc), out_path, lang.value)
        err.print(f"已写出 / written: {out_path}")
    if fmt is XFmt.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n")
    elif fmt is XFmt.table:
        print_blocks(blocks, lang.value, rows)


class RFmt(StrEnum):
    pdf = "pdf"
    xlsx = "xlsx"


@tasks_app.command("report")
def report(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    year: YearOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[RFmt, typer.Option("--format", help="pdf or xlsx")] = RFmt.pdf,
    out_path: OutOpt = None,
    lang: LangOpt = Lang.zh,
    pack: PackOpt = None,
) -> None:
    """The leadership's progress report (PDF or Excel): what is late and who owns it first, then the
    counts by owner and clause, the updates awaiting acceptance and the whole register."""
    from countyedu.messages import translate
    from countyedu.reports.progress import progress_html, progress_pdf, progress_xlsx

    _v, reg = register_of(data_dir, version, year, pack, as_of)
    lg = lang.value
    blocks = [b.localized(lg) for b in reg.report_blocks()]
    title = translate(Msg("Task register progress report"), lg)
    subtitle = translate(Msg("as of {day}", day=reg.as_of.isoformat()), lg)
    path = out_path or Path(f"tasks-{reg.as_of.isoformat()}.{fmt.value}")
    if fmt is RFmt.xlsx:
        path.write_bytes(progress_xlsx(blocks, title=title, subtitle=subtitle))
    else:
        with err.status("PDF…"):
            path.write_bytes(progress_pdf(progress_html(blocks, lang=lg, title=title, subtitle=subtitle)))
    err.print(f"已写出 / written: {path}")

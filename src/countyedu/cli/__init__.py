"""The `countyedu` command: the root group and its entry point. Each command group lives in its own
module (census, assess, serve, demo, backup, plans, funding, years); they share `cli.common`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from countyedu.cli import (
    admissions,
    assess,
    backup,
    census,
    demo,
    funding,
    plans,
    quality,
    registers,
    roads,
    run,
    serve,
    supervise,
    tasks,
    teachers,
    vocational,
    years,
)
from countyedu.cli.common import _problem_table, _state, err
from countyedu.errors import CountyEduError, ValidationFailed

app = typer.Typer(
    help="countyedu — 南丰县教育高质量发展 planning, monitoring and supervision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Typer's Rich help costs a tenth of a second of imports on every --help
)


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False) -> None:
    _state["debug"] = debug


app.command()(census.template)
app.command("import")(census.import_)
app.command()(census.export)
app.command()(census.versions)
app.command()(census.summary)
app.command("assess")(assess.assess_)
app.command()(assess.explain)
app.command()(assess.packs)
app.command()(serve.serve)
app.command()(serve.worker)
app.command()(demo.demo)
app.command()(run.run)
app.command()(backup.backup)
app.command()(backup.restore)
app.add_typer(plans.plan_app, name="plan")
app.add_typer(funding.funding_app, name="funding")
app.add_typer(years.years_app, name="years")
app.add_typer(teachers.teachers_app, name="teachers")
app.add_typer(admissions.admissions_app, name="admissions")
app.add_typer(tasks.tasks_app, name="tasks")
app.add_typer(supervise.supervise_app, name="supervise")
app.add_typer(quality.quality_app, name="quality")
app.add_typer(registers.private_app, name="private")
app.add_typer(registers.housing_app, name="housing")
app.add_typer(vocational.vocational_app, name="vocational")
app.add_typer(roads.roads_app, name="roads")


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

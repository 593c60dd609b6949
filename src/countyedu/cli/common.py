"""What every `countyedu` command shares: the consoles, the output format and data-dir options, JSON
output, the problem table and the Django set-up."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


def table(*args: Any, **kwargs: Any) -> Table:
    """A Rich table (rich.table imported when a command prints one: `--help` never does)."""
    from rich.table import Table

    return Table(*args, **kwargs)


def load_packs(ids: list[str] | None = None) -> Any:
    """runs.store.load_packs, imported when a command runs (pydantic and YAML cost start-up time)."""
    from countyedu.runs.store import load_packs as load

    return load(ids)


class _Console:
    """A Rich console made when a command first prints (rich.console costs a tenth of a second of
    imports: `--help` and `--format json` never print through it); it writes to the sys.stdout or
    sys.stderr of the moment, as Rich's own console does."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


out: Any = _Console()
err: Any = _Console(stderr=True)


def busy(text: str) -> Any:
    """A spinner on stderr while a step runs, where someone watches it (a terminal); elsewhere (a pipe,
    a script) nothing: Rich's console and its refresh thread are not started for a spinner nobody sees."""
    import contextlib

    return err.status(text) if sys.stderr.isatty() else contextlib.nullcontext()


def note(text: str) -> None:
    """A dim note on stderr: through Rich on a terminal, as a plain line elsewhere (as a replayed run writes it)."""
    if sys.stderr.isatty():
        err.print(f"[dim]{text}[/]")
    else:
        sys.stderr.write(text + "\n")


# keep: commands keep and replay their output (cli.kept); only the `countyedu` process (main) turns it on
_state: dict[str, bool] = {"debug": False, "keep": False}


class Fmt(StrEnum):
    table = "table"
    json = "json"


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="data folder (default $COUNTYEDU_DATA or ./countyedu-data)", show_default=False),
]
Format = Annotated[Fmt, typer.Option("--format", help="table for people, json for programs (stable keys)")]


def _json_text(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"


def _json(obj: Any) -> None:
    sys.stdout.write(_json_text(obj))


class XFmt(StrEnum):
    """The format of a module's listing: a table for people, JSON for programs, a workbook."""

    table = "table"
    json = "json"
    xlsx = "xlsx"


XFormat = Annotated[XFmt, typer.Option("--format", help="table for people, json for programs, xlsx for a workbook")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="file to write (.xlsx, .json or .csv)")]


class JsonDoc:
    """A JSON document as write_blocks takes a result (`--out x.json` writes it)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def as_dict(self) -> dict[str, Any]:
        return self.doc


PackOpt = Annotated[
    list[str] | None,
    typer.Option("--pack", help="policy pack id or .yaml path (repeatable; default: the three shipped packs)"),
]


class Lang(StrEnum):
    zh = "zh"
    en = "en"


VersionOpt = Annotated[str | None, typer.Option("--version", help="census version (default: latest)")]


def _problem_table(problems: list[Any], limit: int = 200) -> Table:
    from countyedu.census.problems import show_value

    t = table(show_lines=False, title="问题清单 / problems")
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


def _django(data_dir: Path | None) -> None:
    import os

    if data_dir is not None:
        os.environ["COUNTYEDU_DATA"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "countyedu.web.settings")
    import django

    django.setup()

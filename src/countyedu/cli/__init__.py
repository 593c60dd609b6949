"""The `countyedu` command: the root group and its entry point. Each command group lives in its own
module (census, assess, serve, demo, backup, plans, funding, years); they share `cli.common`."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

# numpy asks the kernel for huge pages on its large arrays; where transparent huge pages are on
# `madvise` (as on these machines) each page fault may compact memory: on the province's assess that was
# ~0.7 s of system time of ~11 s (measured: 8.3 s wall without, 8.8 s with). Set before numpy loads;
# a value in the environment wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import typer

from countyedu.cli.common import _problem_table, _state, err
from countyedu.errors import CountyEduError, ValidationFailed

# command → (module of countyedu.cli, function); command group → (module, its Typer), in --help's order.
# A command run builds only itself (Typer reads every command's signature when it builds a group: a
# seventh of a second for all of them, and the import of every command module).
COMMANDS: dict[str, tuple[str, str]] = {
    "template": ("census", "template"),
    "import": ("census", "import_"),
    "export": ("census", "export"),
    "versions": ("census", "versions"),
    "summary": ("census", "summary"),
    "assess": ("assess", "assess_"),
    "explain": ("assess", "explain"),
    "packs": ("assess", "packs"),
    "serve": ("serve", "serve"),
    "worker": ("serve", "worker"),
    "demo": ("demo", "demo"),
    "run": ("run", "run"),
    "backup": ("backup", "backup"),
    "restore": ("backup", "restore"),
}
GROUPS: dict[str, tuple[str, str]] = {
    "plan": ("plans", "plan_app"),
    "funding": ("funding", "funding_app"),
    "years": ("years", "years_app"),
    "teachers": ("teachers", "teachers_app"),
    "admissions": ("admissions", "admissions_app"),
    "tasks": ("tasks", "tasks_app"),
    "supervise": ("supervise", "supervise_app"),
    "quality": ("quality", "quality_app"),
    "private": ("registers", "private_app"),
    "housing": ("registers", "housing_app"),
    "vocational": ("vocational", "vocational_app"),
    "roads": ("roads", "roads_app"),
}


def _root(debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False) -> None:
    _state["debug"] = debug


def _attr(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"countyedu.cli.{module}"), name)


def make_app(only: str | None = None) -> typer.Typer:
    """The root group with every command, or with the one named `only` (what a run of it needs)."""
    root = typer.Typer(
        help="countyedu — 南丰县教育高质量发展 planning, monitoring and supervision.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: Typer's Rich help costs a tenth of a second of imports on every --help
    )
    root.callback()(_root)
    for name, (module, func) in COMMANDS.items():
        if only in (None, name):
            root.command(name)(_attr(module, func))
    for name, (module, group) in GROUPS.items():
        if only in (None, name):
            root.add_typer(_attr(module, group), name=name)
    return root


app: typer.Typer  # (made by __getattr__)


def __getattr__(name: str) -> Any:
    """`countyedu.cli.app`: the whole root group, made on first use (tests invoke it)."""
    if name == "app":
        made = globals()["app"] = make_app()
        return made
    raise AttributeError(name)


# Commands that compute over a whole census and end: their process keeps what it frees (keep_freed_memory).
# Not `serve` or `worker`, which run for days and should give memory back.
BATCH_COMMANDS = frozenset({"import", "assess", "explain", "run", "demo"})


def keep_freed_memory() -> None:
    """Ask glibc's malloc to keep memory the process frees for its next allocations instead of handing
    it back to the kernel at once: by default every block over 128 KB (up to 32 MB as it adapts) is its
    own mapping, unmapped when freed, and the heap's top is trimmed past 128 KB, so each new array of
    the engine faults in fresh zeroed pages. Measured on the province's `assess --fresh`: 740 k → 515 k
    page faults, ~0.5 s less system time, peak 1.72 → 1.87 GB; on the demo import ~0.3 s less CPU. The
    blocks over 32 MB stay mappings (glibc's cap). Nothing where the C library is not glibc, or with
    COUNTYEDU_MALLOC=system."""
    if os.environ.get("COUNTYEDU_MALLOC") == "system" or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: the largest glibc accepts
    mallopt(-1, 2**31 - 1)  # M_TRIM_THRESHOLD: the heap's top kept


def _command_named(argv: list[str]) -> str | None:
    """The command a command line runs (its first word after the root's options), if it is one."""
    for word in argv:
        if word == "--debug":
            continue
        return word if word in COMMANDS or word in GROUPS else None
    return None


def _help() -> None:
    """`countyedu --help`: the root group's help, kept for this code and terminal (cli.kept): building
    every command to list them costs as much as the rest of the start-up."""
    import contextlib
    import io
    import os

    import countyedu.cli.kept as kept

    main_spec = getattr(sys.modules["__main__"], "__spec__", None)  # click names the program from both
    prog = [os.path.basename(sys.argv[0]), getattr(main_spec, "name", None)]
    memo = kept.for_user("--help", prog, kept.terminal_key(sys.stdout))
    if kept.replay(memo):
        return
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = make_app()(["--help"], standalone_mode=False)
    kept.write(memo if not rc else None, buf.getvalue())


# Commands whose process ends holding a large result (a province's assessment: ~1.6 GB of arrays): the
# `countyedu` program leaves without tearing them down (entry).
QUICK_EXIT = frozenset({"assess", "explain"})


def entry() -> None:
    """The `countyedu` program (its console script, `python -m countyedu`): main(). After a command of
    QUICK_EXIT the process ends at once once its output is written and what exit runs has run (atexit:
    logging flushed, temporary files removed), without the interpreter's teardown — freeing a province's
    assessment object by object and array by array took ~0.25 s after the JSON was written. Those commands
    only read the census (their store connections are read-only) and write their output files whole
    before returning. Tests call main() itself."""
    if _command_named(sys.argv[1:]) not in QUICK_EXIT:
        main()
        return
    try:
        main()
        status: object = 0
    except SystemExit as exc:
        status = exc.code
    if status is None:
        code = 0
    elif isinstance(status, int):
        code = status
    else:  # as the interpreter does with a SystemExit that is not a number
        print(status, file=sys.stderr)
        code = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the interpreter's exit status for it
            code = code or 120
    os._exit(code)


def main() -> None:
    """Entry point: a user error prints a message (Chinese and English), never a traceback."""
    _state["keep"] = True  # a command's output kept and replayed while what it reads is unchanged (cli.kept)
    try:
        _main()
    finally:
        _state["keep"] = False  # a caller in the same process (a test) is not left keeping


def _main() -> None:
    if sys.argv[1:] == ["--help"]:
        _help()
        return
    command = _command_named(sys.argv[1:])
    if command in BATCH_COMMANDS:
        keep_freed_memory()
    root = make_app(command)
    try:
        rc = root(standalone_mode=False)
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

"""The `countyedu` command as a package (countyedu/cli/): the root group in cli/__init__ imports the
command modules; they import cli.common (and cli.blocks, cli.assess, cli.census for what they share),
never the root, so no module of the package imports another that imports it back. `countyedu --help`
stays fast: importing the package loads no data library (each command imports what it needs)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import countyedu.cli

PACKAGE = Path(countyedu.cli.__file__).parent
HEAVY = ("pandas", "numpy", "duckdb", "ibis", "pyarrow", "django", "weasyprint", "ortools", "highspy", "openpyxl")
# nor what only some commands use: the packs' YAML and models (cli.common.load_packs imports them when a
# command runs), Rich's tables (cli.common.table), Typer's Rich help (the root group's help is plain)
START_UP = ("yaml", "countyedu.policy.pack", "rich.table", "typer.rich_utils")


def cli_imports(path: Path) -> set[str]:
    """The countyedu.cli modules a module imports (at any depth: lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("countyedu.cli"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("countyedu.cli")}
    return found


def test_it_has_a_module_per_command_group() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert {"__init__", "common", "census", "assess", "demo", "serve", "plans", "funding", "years", "backup"} <= modules


def test_command_modules_never_import_the_root() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.name != "__init__.py":
            assert "countyedu.cli" not in cli_imports(path), path.name


def test_its_modules_import_each_other_without_a_cycle() -> None:
    graph = {
        p.stem: {m.rsplit(".", 1)[-1] for m in cli_imports(p) if m != "countyedu.cli"} for p in PACKAGE.glob("*.py")
    }
    assert graph["common"] == set(), "cli.common is the bottom of the package"
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " → ".join((*path, module))
        if module not in done:
            for dep in graph[module]:
                visit(dep, (*path, module))
            done.add(module)

    for module in graph:
        visit(module, ())


def test_help_loads_no_data_library() -> None:
    code = f"import sys, countyedu.cli\nprint(','.join(m for m in {HEAVY + START_UP!r} if m in sys.modules))\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == ""
    help_text = subprocess.run(
        [sys.executable, "-m", "countyedu", "--help"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for command in ("import", "assess", "demo", "serve", "plan", "funding", "years", "backup"):
        assert command in help_text


def test_an_assessment_with_its_queries_compiled_loads_neither_ibis_nor_the_run_kinds(small_store: Any) -> None:
    """`assess` runs a compiled (kept) query on DuckDB's own connection, without Ibis (a second of
    start-up), and its report loads no run kind's module (scipy, OR-Tools) when no run of the version
    is kept, nor Rich's console when its spinner and notes go to no terminal."""
    code = (
        "import sys\nfrom countyedu.cli import app\n"
        "for fmt in sys.argv[2:]:\n"
        "    try:\n"
        "        app(['assess', '--data-dir', sys.argv[1], '--format', fmt, '--out', f'{sys.argv[1]}/a.{fmt}'])\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "print('loaded:' + ','.join(m for m in ('ibis', 'scipy', 'ortools', 'rich.console') if m in sys.modules))\n"
    )

    def loaded(*formats: str) -> str:
        args = [sys.executable, "-c", code, str(small_store.data_dir), *formats]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return next(line for line in proc.stdout.splitlines() if line.startswith("loaded:"))

    assert "ibis" in loaded("json")  # the first assessment of these packs compiles its queries
    assert loaded("json", "html") == "loaded:"

"""The layers of DESIGN.md, checked: the computation packages import neither Django, the web app, the
CLI nor the report renderers (each is imported with those made unimportable), and no module of
src/countyedu takes part in an import cycle (module-level and function-level imports alike)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src"
CORE = [
    "census",
    "policy",
    "runs",
    "indicators",
    "reports",
    "planning",
    "funding",
    "teachers",
    "supervision",
    "quality",
    "roads",
]
COMPUTATIONS = [
    "census",
    "policy",
    "runs",
    "indicators",
    "planning",
    "funding",
    "teachers",
    "supervision",
    "quality",
    "roads",
]
# what a computation never imports: Django, the web app, the CLI and the reports (words and renderers)
ABOVE = ["django", "countyedu.web", "countyedu.cli", "countyedu.reports"]


def _import_all(package: str, blocked: list[str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys, importlib, pkgutil\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None  # any import of it now fails\n"
        f"pkg = importlib.import_module('countyedu.{package}')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("package", CORE)
def test_it_imports_without_django(package: str) -> None:
    proc = _import_all(package, ["django"])
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("package", COMPUTATIONS)
def test_a_computation_imports_neither_the_web_the_cli_nor_the_reports(package: str) -> None:
    """Imported with those modules unimportable: every module of the package, and the run kinds it
    registers (runs.registry.kinds() imports them by name)."""
    proc = _import_all(package, ABOVE)
    assert proc.returncode == 0, proc.stderr
    if package == "runs":
        kinds = "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in ABOVE)
        kinds += "from countyedu.runs.registry import kinds\nprint(sorted(kinds()))\n"
        proc = subprocess.run([sys.executable, "-c", kinds], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and "planning" in proc.stdout, proc.stderr


# ------------------------------------------------------------------------------ import cycles


def modules() -> dict[str, Path]:
    """Every module of src/countyedu by its dotted name (a package by its own name)."""
    out: dict[str, Path] = {}
    for path in (SRC / "countyedu").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at module level or inside a function, but those only for type checkers."""
    for node in ast.iter_child_nodes(tree):
        if _type_checking_only(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def import_graph() -> dict[str, set[str]]:
    """module → the modules of countyedu it imports."""
    known = modules()
    graph: dict[str, set[str]] = {m: set() for m in known}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                    )
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
                targets = subs or [base]
            for t in targets:
                while t and t not in known:  # `import countyedu.x.y` names a module; trim what is an attribute
                    t = t.rpartition(".")[0]
                if t and t != name:
                    graph[name].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    graph = import_graph()
    assert "countyedu.indicators.backends" in graph["countyedu.indicators.cache"]  # inside get_or_compute
    assert "countyedu.runs.store" in graph["countyedu.indicators.cache"]


def test_there_is_no_import_cycle_in_src() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)

"""The computation packages never import Django (DESIGN.md): each imports with Django absent."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["census", "policy", "runs", "indicators", "reports", "planning", "funding"]


@pytest.mark.parametrize("package", CORE)
def test_it_imports_without_django(package: str) -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "sys.modules['django'] = None  # any import of django now fails\n"
        f"pkg = importlib.import_module('countyedu.{package}')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr

"""Ibis, imported on first use. Loading Ibis and its SQL compilers costs about half a second; an
assessment whose query is already compiled (tables.CensusTables.compiled) runs on DuckDB's own
connection and never needs it. Modules write `ibis.…` as usual (type checkers see the real module)."""

from __future__ import annotations

import importlib
from typing import Any


class _Lazy:
    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("ibis"), name)


ibis: Any = _Lazy()

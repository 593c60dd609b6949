"""A run made of parts (teachers, supervision): each part a module with `part(ctx)` (None: nothing to
show), an optional `NEEDS` (the parts it reads, which run before it), `summary()` on its result and
`summary_lines(summary)` on its module. One runner for every such kind."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import Any


def run_parts(modules: Sequence[tuple[str, ModuleType]], ctx: Any, only: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the parts (all, or `only` those named and the parts they need) in order on `ctx`, keeping
    each result that is not None in `ctx.parts` (later parts read the earlier ones there)."""
    wanted = set(only) if only else {name for name, _ in modules}
    for name, module in reversed(modules):  # a part needs only parts before it
        if name in wanted:
            wanted |= set(getattr(module, "NEEDS", ()))
    for name, module in modules:
        if name in wanted and (result := module.part(ctx)) is not None:
            ctx.parts[name] = result
    return ctx.parts


def merged_summary(head: Mapping[str, Any], parts: Iterable[Any]) -> dict[str, Any]:
    """`head` and every part's headline numbers (a part result's `summary()`), in order."""
    out = dict(head)
    for p in parts:
        if hasattr(p, "summary"):
            out.update(p.summary())
    return out


def summary_lines(modules: Sequence[tuple[str, ModuleType]], s: Mapping[str, Any]) -> list[str]:
    """Each part's headline lines (a part module's `summary_lines(summary)`), in order."""
    lines: list[str] = []
    for _name, module in modules:
        fn = getattr(module, "summary_lines", None)
        if fn is not None:
            lines += fn(s)
    return lines

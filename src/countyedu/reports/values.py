"""Values and targets as a reader sees them: shares as percentages, counts whole, yuan with separators."""

from __future__ import annotations

import math

from countyedu.policy.pack import Target
from countyedu.reports.labels import OPS, unit_kind


def value_text(value: float | None, unit: str) -> str:
    """A measured value in its pack unit ("—" when missing)."""
    if value is None or math.isnan(value):
        return "—"
    kind = unit_kind(unit)
    if kind == "percent":
        return _percent(value)
    if kind in ("count", "yuan"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def limit_text(value: float, unit: str) -> str:
    """A target value in its pack unit, without trailing zeros."""
    kind = unit_kind(unit)
    if kind == "percent":
        return f"{value * 100:.4g}%"
    if kind in ("count", "yuan"):
        return f"{value:,.0f}"
    return f"{value:g}"


def target_text(target: Target | None, unit: str, lang: str) -> str:
    """A target in words: "2025 年前 ≥ 90%" / "≥ 90% by 2025" ("—" when none)."""
    if target is None:
        return "—"
    tol = f" ± {limit_text(target.tolerance, unit)}" if target.tolerance else ""
    rule = f"{OPS[target.op]} {limit_text(target.value, unit)}{tol}"
    return f"{target.by} 年前 {rule}" if lang == "zh" else f"{rule} by {target.by}"


def _percent(share: float) -> str:
    """A share as a percentage: one decimal, more for shares under 1%."""
    pct = share * 100
    digits = 1 if pct == 0 or abs(pct) >= 1 else 2
    return f"{pct:.{digits}f}%"


def addition_text(amount: float, unit_words: str, lang: str) -> str:
    """One addition a school needs: "+3 名体育艺术教师" / "+3 PE and arts teachers"."""
    zh, _, en = unit_words.partition(" / ")
    words = zh if lang == "zh" or not en else en
    return f"+{amount:,.0f} {words.strip()}"

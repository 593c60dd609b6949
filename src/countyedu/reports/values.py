"""Values and targets as a reader sees them: shares as percentages, counts whole, yuan with separators."""

from __future__ import annotations

import math
from decimal import Decimal

from countyedu.policy.pack import OPS as COMPARE
from countyedu.policy.pack import Target
from countyedu.reports.labels import OPS, unit_kind
from countyedu.runs.values import MORE_DIGITS


def value_text(value: float | None, unit: str, target: Target | None = None, meets: bool | None = None) -> str:
    """A measured value in its pack unit ("—" when missing).

    The one rule for values beside a status: a status is decided on the exact value, and a value is
    never shown rounded to a number that would decide otherwise. Given its target, the value gets as
    many more decimals as it takes for the shown number to meet the target exactly when the value
    does (99.97% against ≥ 100%, not 100.0%); past MORE_DIGITS more decimals it is shown as "<" or
    ">" the target. `meets` is how the engine decided (money is compared to the fen, so 994,306 yuan
    meets 0.05% of 1,988,612,010 = 994,306.005 and shows 0.05%); by default the exact comparison."""
    if value is None or math.isnan(value):
        return "—"
    kind = unit_kind(unit)
    decided = target.met(value) if target is not None and meets is None else meets
    for extra in range(MORE_DIGITS + 1):
        text, shown = _rounded(value, kind, extra)
        if target is None or _meets(shown, target) == decided:
            return text
    assert target is not None
    return ("<" if value < target.value else ">") + limit_text(target.value, unit)


def status_meets(status: str) -> bool | None:
    """Whether a result's status says its value meets the target (None: the status does not say)."""
    return {"met": True, "not_met": False}.get(status)


def _rounded(value: float, kind: str, extra: int) -> tuple[str, Decimal]:
    """The value as text with `extra` more decimals than usual, and the exact number that text shows."""
    if kind == "percent":
        pct = value * 100
        digits = (1 if pct == 0 or abs(pct) >= 1 else 2) + extra
        return f"{pct:.{digits}f}%", Decimal(f"{pct:.{digits}f}") / 100
    digits = (0 if kind in ("count", "yuan") else 2) + extra
    return f"{value:,.{digits}f}", Decimal(f"{value:.{digits}f}")


def _meets(shown: Decimal, target: Target) -> bool:
    """Target.met on the number shown, in decimal (0.05% is exactly 0.0005, as a reader reads it)."""
    t = Decimal(repr(target.value))
    if target.op == "≈":
        return abs(shown - t) <= Decimal(repr(target.tolerance or 0.0))
    if target.op == "==":
        return shown == t
    return bool(COMPARE[target.op](shown, t))  # type: ignore[arg-type]


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


def addition_text(amount: float, unit_words: str, lang: str) -> str:
    """One addition a school needs: "+3 名体育艺术教师" / "+3 PE and arts teachers"."""
    zh, _, en = unit_words.partition(" / ")
    words = zh if lang == "zh" or not en else en
    return f"+{amount:,.0f} {words.strip()}"

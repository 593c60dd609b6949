"""The precision rule of shown values, beneath every computation: a number beside a verdict is shown
with as many decimals as it takes to read as the verdict was decided (reports.values applies it to
values and their targets; funding's checks to the two values a rule compares)."""

from __future__ import annotations

from decimal import Decimal

from countyedu.policy.pack import OPS as COMPARE

MORE_DIGITS = 4  # decimals added at most for a value to agree with its target (then "<" or ">" the target)


def compared_text(a: float, b: float, op: str, *, digits: int, percent: bool = False) -> tuple[str, str]:
    """Two values that a rule compares (a op b: a county's growth against the province's, this year's
    pay against last year's), each shown with `digits` decimals, or as many more as it takes (up to
    MORE_DIGITS) for the shown numbers to compare as the values do: the rule of value_text."""

    def shown(v: float, d: int) -> tuple[str, Decimal]:
        if percent:
            return f"{v * 100:.{d}f}%", Decimal(f"{v * 100:.{d}f}") / 100
        return f"{v:,.{d}f}", Decimal(f"{v:.{d}f}")

    decided = bool(COMPARE[op](a, b))
    for extra in range(MORE_DIGITS + 1):
        (ta, da), (tb, db) = shown(a, digits + extra), shown(b, digits + extra)
        if bool(COMPARE[op](da, db)) == decided:  # type: ignore[arg-type]
            break
    return ta, tb

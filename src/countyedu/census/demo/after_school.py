"""The demo county's after-school ledger (第30条): fees, uptake, returns and teachers' pay per term,
with one deliberate breach of each check."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from countyedu.census.demo.county import YEARS, Rng, _between
from countyedu.census.demo.schools import _School

# 第30条 after-school services (invented): approved fee per pupil and term, uptake, hours, pay per hour.
AFTER_SCHOOL_SEED_OFFSET = 30  # its own generator, seed + 30: the other sheets stay as they were
AFTER_SCHOOL_FIRST_YEAR = 2021  # services became general with 双减 (2021)
AFTER_SCHOOL_FEE = {"urban": 300.0, "rural": 200.0}  # yuan per pupil and term
AFTER_SCHOOL_UPTAKE = {"urban": (0.55, 0.9), "rural": (0.3, 0.7)}
AFTER_SCHOOL_GROUP = 30  # pupils per after-school group
AFTER_SCHOOL_HOURS_PER_GROUP = 160  # 2 h × 5 days × 16 weeks a term
AFTER_SCHOOL_PAY_PER_HOUR = (40.0, 60.0)
AFTER_SCHOOL_RETURNED = (0.9, 1.0)  # share of the paid-in fees returned to the school


def _after_school_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> list[dict[str, Any]]:
    """第30条 ledger of the public primary, junior and nine-year schools, autumn and spring terms.

    Fees are collected at the approved standard, paid into the treasury in full and mostly returned;
    teachers are paid by hours. Four rows break one rule each, so the ledger's checks show something:
    fees not all paid in, more returned than paid in, a fee above the standard, more participants
    than pupils."""
    enrolled: dict[tuple[str, int], int] = defaultdict(int)
    for (sid, y, g), sizes in classes.items():
        if g[0] in ("P", "J"):
            enrolled[(sid, y)] += sum(sizes)
    rows: list[dict[str, Any]] = []
    for s in schools:
        if s.ownership != "public" or s.stage not in ("primary", "junior", "nine_year"):
            continue
        kind = "urban" if s.urban else "rural"
        for y in YEARS:
            n = enrolled.get((s.school_id, y), 0)
            if y < AFTER_SCHOOL_FIRST_YEAR or n == 0:
                continue
            for term in ("autumn", "spring"):
                fee = AFTER_SCHOOL_FEE[kind]
                participants = round(n * _between(rng, AFTER_SCHOOL_UPTAKE[kind]))
                collected = participants * fee
                hours = math.ceil(participants / AFTER_SCHOOL_GROUP) * AFTER_SCHOOL_HOURS_PER_GROUP
                returned = round(collected * _between(rng, AFTER_SCHOOL_RETURNED), 2)
                subsidy = min(round(hours * _between(rng, AFTER_SCHOOL_PAY_PER_HOUR), 2), returned)
                rows.append(
                    {
                        "school_id": s.school_id,
                        "year": y,
                        "term": term,
                        "fee_standard": fee,
                        "fee_charged": fee,
                        "participants": participants,
                        "collected": float(collected),
                        "paid_in": float(collected),
                        "returned": returned,
                        "teacher_hours": float(hours),
                        "teacher_subsidy": subsidy,
                        "note": None,
                    }
                )
    _after_school_breaches(rows, enrolled)
    return rows


def _after_school_breaches(rows: list[dict[str, Any]], enrolled: dict[tuple[str, int], int]) -> None:
    """One deliberate breach of each 第30条 check, at fixed places of the ledger."""
    if len(rows) < 8:
        return
    a, b, c, d = rows[len(rows) // 5], rows[2 * len(rows) // 5], rows[3 * len(rows) // 5], rows[4 * len(rows) // 5]
    a["paid_in"] = round(a["collected"] - 1200.0, 2)  # 1,200 yuan kept back: not all paid in
    a["returned"] = min(a["returned"], a["paid_in"])
    a["note"] = "部分收费未及时上缴 (synthetic breach)"
    b["returned"] = round(b["paid_in"] + 3000.0, 2)  # more returned than paid in
    b["note"] = "返还金额超过缴入金额 (synthetic breach)"
    c["fee_charged"] = c["fee_standard"] + 50.0  # above the approved standard
    c["collected"] = c["paid_in"] = float(c["participants"] * c["fee_charged"])
    c["note"] = "超标准收费 (synthetic breach)"
    d["participants"] = enrolled[(d["school_id"], d["year"])] + 12  # more participants than pupils
    d["note"] = "参加人数超过在校生数 (synthetic breach)"

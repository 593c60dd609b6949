"""The after-school services ledger (POLICY.md 第30条) per school, year and term, and its checks.

第30条: fees at cost, set by the development-reform and education departments; collected by schools,
paid into the county treasury and returned to schools (收支两条线); teachers paid by hours; voluntary.
Checks, each a Finding naming the offending rows (sheet after_school / 课后服务):
- ``paid_in``: collected = paid into the treasury (within params.money_tolerance yuan);
- ``returned``: returned to the school ≤ paid in;
- ``fee``: the fee charged ≤ the approved standard;
- ``participants``: participants ≤ pupils enrolled in the school that year (the classes sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.funding.labels import cells, status_label, term_label
from countyedu.funding.params import FundingParams
from countyedu.messages import Msg
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, worded

CLAUSE = "第30条"
MONEY = ["fee_standard", "fee_charged", "collected", "paid_in", "returned", "teacher_hours", "teacher_subsidy"]
MAX_NAMED = 20  # rows named in one finding; the rest are counted


@dataclass
class LedgerCheck:
    id: str
    rule: Msg
    rows: pd.DataFrame  # the offending rows
    checked: int  # rows the check could be applied to

    @property
    def status(self) -> str:
        if self.checked == 0:
            return "no_data"
        return "met" if self.rows.empty else "not_met"

    def finding(self, names: dict[str, str], lang: str | None = None) -> Finding:
        """The check as a Finding naming the offending rows (worded in `lang` when given)."""
        named = [
            Msg(
                "{school} {year} {term}",
                school=names.get(r.school_id, r.school_id),
                year=int(r.year),
                term=term_label(r.term),
            )
            for r in self.rows.itertuples()
        ]
        bad, more = len(named), len(named) - MAX_NAMED
        if self.status == "no_data":
            expl = Msg("no after-school rows to check")
        elif self.status == "met":
            expl = Msg("all {checked} rows comply", checked=self.checked)
        elif more > 0:
            expl = Msg(
                "{bad} of {checked} rows break it: {listed} and {more} more",
                bad=bad,
                checked=self.checked,
                listed=tuple(named[:MAX_NAMED]),
                more=more,
            )
        else:
            expl = Msg("{bad} of {checked} rows break it: {listed}", bad=bad, checked=self.checked, listed=tuple(named))
        found = Finding(CLAUSE, self.rule, Msg("{n} rows", n=bad), self.status, expl)
        return found if lang is None else found.localized(lang)


@dataclass
class AfterSchoolLedger:
    """Ledger rows (with enrolled pupils and the subsidy per hour) and the four checks."""

    params: FundingParams
    rows: pd.DataFrame
    checks: list[LedgerCheck]
    school_names: dict[str, str]

    def findings(self, lang: str | None = None) -> list[Finding]:
        return [c.finding(self.school_names, lang) for c in self.checks]

    def totals(self) -> pd.DataFrame:
        """Per year: participants, collected, paid in, returned, teacher hours and subsidies."""
        if self.rows.empty:
            return pd.DataFrame(
                columns=["year", "participants", "collected", "paid_in", "returned", "teacher_hours", "teacher_subsidy"]
            )
        cols = ["participants", "collected", "paid_in", "returned", "teacher_hours", "teacher_subsidy"]
        return self.rows.groupby("year", as_index=False)[cols].sum()

    def as_dict(self) -> dict[str, Any]:
        rows = self.rows.astype(object).where(self.rows.notna(), None).to_dict("records")
        return {
            "rows": rows,
            "totals": self.totals().astype(object).to_dict("records"),
            "checks": [
                {
                    "id": c.id,
                    **c.finding(self.school_names, "en").as_dict(),
                    "rows": c.rows[["school_id", "year", "term"]].astype(object).to_dict("records"),
                }
                for c in self.checks
            ],
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The blocks with their messages (worded in `lang` when given)."""
        return worded(ledger_blocks(self), lang)


def _enrolled(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    c = frames.get("classes")
    if c is None or c.empty:
        return pd.DataFrame(columns=["school_id", "year", "enrolled"])
    c = c.assign(year=pd.to_numeric(c["year"], errors="coerce"), pupils=pd.to_numeric(c["pupils"], errors="coerce"))
    return c.groupby(["school_id", "year"], as_index=False)["pupils"].sum().rename(columns={"pupils": "enrolled"})


def ledger(frames: dict[str, pd.DataFrame], params: FundingParams) -> AfterSchoolLedger:
    """The 第30条 ledger of the after_school sheet and its four checks (an absent sheet: no_data)."""
    a = frames.get("after_school")
    cols = ["school_id", "year", "term", "participants", *MONEY, "note"]
    if a is None:
        a = pd.DataFrame(columns=cols)
    a = a[[c for c in cols if c in a.columns]].copy()
    a["year"] = pd.to_numeric(a["year"], errors="coerce").astype("float64")
    for c in ["participants", *MONEY]:
        a[c] = pd.to_numeric(a.get(c), errors="coerce").astype("float64")
    a = a.merge(_enrolled(frames).astype({"year": "float64"}), on=["school_id", "year"], how="left")
    a["enrolled"] = pd.to_numeric(a["enrolled"], errors="coerce").astype("float64")
    a["subsidy_per_hour"] = a["teacher_subsidy"] / a["teacher_hours"].where(a["teacher_hours"] > 0)
    a["participation"] = a["participants"] / a["enrolled"].where(a["enrolled"] > 0)
    a = a.sort_values(["year", "school_id", "term"]).reset_index(drop=True)
    tol = params.money_tolerance

    def check(cid: str, rule: Msg, usable: pd.Series, bad: pd.Series) -> LedgerCheck:
        usable = usable.fillna(False).astype(bool)
        return LedgerCheck(cid, rule, a[usable & bad.fillna(False).astype(bool)], int(usable.sum()))

    checks = [
        check(
            "paid_in",
            Msg("fees collected are paid into the treasury in full (collected = paid in)"),
            a["collected"].notna() & a["paid_in"].notna(),
            (a["collected"] - a["paid_in"]).abs() > tol,
        ),
        check(
            "returned",
            Msg("returned to the school ≤ paid in"),
            a["returned"].notna() & a["paid_in"].notna(),
            a["returned"] > a["paid_in"] + tol,
        ),
        check(
            "fee",
            Msg("fee charged ≤ the approved standard"),
            a["fee_charged"].notna() & a["fee_standard"].notna(),
            a["fee_charged"] > a["fee_standard"] + 1e-9,
        ),
        check(
            "participants",
            Msg("participants ≤ pupils enrolled (participation is voluntary)"),
            a["participants"].notna() & a["enrolled"].notna(),
            a["participants"] > a["enrolled"],
        ),
    ]
    s = frames.get("schools")
    names = dict(zip(s["school_id"], s["name"], strict=True)) if s is not None else {}
    return AfterSchoolLedger(params, a, checks, names)


# the ledger's columns: (label, unit)
COLUMNS: dict[str, tuple[Msg, str]] = {
    "school": (Msg("school"), ""),
    "year": (Msg("year"), "year"),
    "term": (Msg("term"), ""),
    "rule": (Msg("rule"), ""),
    "fee_standard": (Msg("approved fee"), "yuan"),
    "fee_charged": (Msg("fee charged"), "yuan"),
    "participants": (Msg("participants"), "count"),
    "enrolled": (Msg("enrolled"), "count"),
    "collected": (Msg("collected"), "yuan"),
    "paid_in": (Msg("paid in"), "yuan"),
    "returned": (Msg("returned"), "yuan"),
    "teacher_hours": (Msg("teacher hours"), "count"),
    "teacher_subsidy": (Msg("teacher subsidies"), "yuan"),
}


def _columns(*keys: str) -> list[BlockColumn]:
    return [BlockColumn(k, *COLUMNS[k]) for k in keys]


def ledger_blocks(led: AfterSchoolLedger) -> list[Block]:
    """Findings, totals per year, and the offending rows."""
    t = led.totals()
    totals = BlockTable(
        Msg("After-school fees by year"),
        [
            *_columns("year"),
            BlockColumn("participants", Msg("participants (term-pupils)"), "count"),
            *_columns("collected", "paid_in", "returned", "teacher_hours", "teacher_subsidy"),
        ],
        [[int(r["year"])] + [float(r[k]) for k in list(t.columns)[1:]] for _, r in t.iterrows()],
        clause=CLAUSE,
    )
    bad = (
        pd.concat([c.rows.assign(check=c.id) for c in led.checks if not c.rows.empty], ignore_index=True)
        if any(not c.rows.empty for c in led.checks)
        else pd.DataFrame()
    )
    rule = {c.id: c.rule for c in led.checks}
    offending = BlockTable(
        Msg("Rows breaking a rule"),
        _columns(*list(COLUMNS)[:11]),  # all but the teachers' hours and subsidies
        [
            cells(
                led.school_names.get(r["school_id"], r["school_id"]),
                int(r["year"]),
                term_label(r["term"]),
                rule[r["check"]],
                *(
                    None if pd.isna(r[k]) else float(r[k])
                    for k in (
                        "fee_standard",
                        "fee_charged",
                        "participants",
                        "enrolled",
                        "collected",
                        "paid_in",
                        "returned",
                    )
                ),
            )
            for _, r in bad.iterrows()
        ],
        clause=CLAUSE,
    )
    status = tuple(Msg("{check}: {status}", check=c.rule, status=status_label(c.status)) for c in led.checks)
    para = Msg(
        "Fees are collected by schools, paid into the county treasury and returned to them; teachers are paid by "
        "hours. {rows} rows (school × year × term). {status}",
        rows=len(led.rows),
        status=status,
    )
    return [
        Block(
            "funding.after_school",
            Msg("After-school services ledger"),
            CLAUSE,
            paragraphs=[para],
            findings=led.findings(),
            tables=[totals, offending],
        )
    ]

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

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from countyedu.funding.labels import TERM, TERM_EN, pick, status_label
from countyedu.funding.params import FundingParams
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding

CLAUSE = "第30条"
MONEY = ["fee_standard", "fee_charged", "collected", "paid_in", "returned", "teacher_hours", "teacher_subsidy"]
MAX_NAMED = 20  # rows named in one finding; the rest are counted


@dataclass
class LedgerCheck:
    id: str
    rule_zh: str
    rule_en: str
    rows: pd.DataFrame  # the offending rows
    checked: int  # rows the check could be applied to

    @property
    def status(self) -> str:
        if self.checked == 0:
            return "no_data"
        return "met" if self.rows.empty else "not_met"

    def finding(self, names: dict[str, str], lang: str = "zh") -> Finding:
        named = [
            f"{names.get(r.school_id, r.school_id)} {int(r.year)} {_term(r.term, lang)}" for r in self.rows.itertuples()
        ]
        more = len(named) - MAX_NAMED
        listed = "；".join(named[:MAX_NAMED]) + (
            pick(lang, f" 等 {len(named)} 行", f" and {more} more") if more > 0 else ""
        )
        if self.status == "no_data":
            expl = pick(lang, "课后服务表没有可检查的行", "no after-school rows to check")
        elif self.status == "met":
            expl = pick(lang, f"{self.checked} 行全部符合", f"all {self.checked} rows comply")
        else:
            expl = pick(
                lang,
                f"{self.checked} 行中 {len(named)} 行不符合：{listed}",
                f"{len(named)} of {self.checked} rows break it: {listed}",
            )
        value = pick(lang, f"{len(named)} 行", f"{len(named)} rows")
        return Finding(CLAUSE, pick(lang, self.rule_zh, self.rule_en), value, self.status, expl)


def _term(term: str, lang: str) -> str:
    return TERM.get(term, term) if lang == "zh" else TERM_EN.get(term, term)


@dataclass
class AfterSchoolLedger:
    """Ledger rows (with enrolled pupils and the subsidy per hour) and the four checks."""

    params: FundingParams
    rows: pd.DataFrame
    checks: list[LedgerCheck]
    school_names: dict[str, str]

    def findings(self, lang: str = "zh") -> list[Finding]:
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
                    **asdict(c.finding(self.school_names, "en")),
                    "rows": c.rows[["school_id", "year", "term"]].astype(object).to_dict("records"),
                }
                for c in self.checks
            ],
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        return ledger_blocks(self, lang)


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

    def check(cid: str, zh: str, en: str, usable: pd.Series, bad: pd.Series) -> LedgerCheck:
        usable = usable.fillna(False).astype(bool)
        return LedgerCheck(cid, zh, en, a[usable & bad.fillna(False).astype(bool)], int(usable.sum()))

    checks = [
        check(
            "paid_in",
            "收费全部缴入国库（收费金额 = 缴入国库金额）",
            "fees collected are paid into the treasury in full (collected = paid in)",
            a["collected"].notna() & a["paid_in"].notna(),
            (a["collected"] - a["paid_in"]).abs() > tol,
        ),
        check(
            "returned",
            "返还学校金额不超过缴入国库金额",
            "returned to the school ≤ paid in",
            a["returned"].notna() & a["paid_in"].notna(),
            a["returned"] > a["paid_in"] + tol,
        ),
        check(
            "fee",
            "实际收费不超过核定标准",
            "fee charged ≤ the approved standard",
            a["fee_charged"].notna() & a["fee_standard"].notna(),
            a["fee_charged"] > a["fee_standard"] + 1e-9,
        ),
        check(
            "participants",
            "参加人数不超过在校学生数（自愿参加）",
            "participants ≤ pupils enrolled (participation is voluntary)",
            a["participants"].notna() & a["enrolled"].notna(),
            a["participants"] > a["enrolled"],
        ),
    ]
    s = frames.get("schools")
    names = dict(zip(s["school_id"], s["name"], strict=True)) if s is not None else {}
    return AfterSchoolLedger(params, a, checks, names)


def ledger_blocks(led: AfterSchoolLedger, lang: str = "zh") -> list[Block]:
    """Findings, totals per year, and the offending rows."""
    t = led.totals()
    totals = BlockTable(
        pick(lang, "课后服务收支（按学年）", "After-school fees by year"),
        [
            BlockColumn("year", pick(lang, "学年", "year"), "year"),
            BlockColumn("participants", pick(lang, "参加人次", "participants (term-pupils)"), "count"),
            BlockColumn("collected", pick(lang, "收费", "collected"), "yuan"),
            BlockColumn("paid_in", pick(lang, "缴入国库", "paid in"), "yuan"),
            BlockColumn("returned", pick(lang, "返还学校", "returned"), "yuan"),
            BlockColumn("teacher_hours", pick(lang, "教师课时", "teacher hours"), "count"),
            BlockColumn("teacher_subsidy", pick(lang, "教师补助", "teacher subsidies"), "yuan"),
        ],
        [[int(r["year"])] + [float(r[k]) for k in list(t.columns)[1:]] for _, r in t.iterrows()],
        clause=CLAUSE,
    )
    bad = (
        pd.concat([c.rows.assign(check=c.id) for c in led.checks if not c.rows.empty], ignore_index=True)
        if any(not c.rows.empty for c in led.checks)
        else pd.DataFrame()
    )
    rule = {c.id: pick(lang, c.rule_zh, c.rule_en) for c in led.checks}
    offending = BlockTable(
        pick(lang, "不符合的行", "Rows breaking a rule"),
        [
            BlockColumn("school", pick(lang, "学校", "school")),
            BlockColumn("year", pick(lang, "学年", "year"), "year"),
            BlockColumn("term", pick(lang, "学期", "term")),
            BlockColumn("rule", pick(lang, "规则", "rule")),
            BlockColumn("fee_standard", pick(lang, "核定标准", "approved fee"), "yuan"),
            BlockColumn("fee_charged", pick(lang, "实际收费", "fee charged"), "yuan"),
            BlockColumn("participants", pick(lang, "参加人数", "participants"), "count"),
            BlockColumn("enrolled", pick(lang, "在校生", "enrolled"), "count"),
            BlockColumn("collected", pick(lang, "收费", "collected"), "yuan"),
            BlockColumn("paid_in", pick(lang, "缴入国库", "paid in"), "yuan"),
            BlockColumn("returned", pick(lang, "返还学校", "returned"), "yuan"),
        ],
        [
            [
                led.school_names.get(r["school_id"], r["school_id"]),
                int(r["year"]),
                _term(r["term"], lang),
                rule[r["check"]],
            ]
            + [
                None if pd.isna(r[k]) else float(r[k])
                for k in ("fee_standard", "fee_charged", "participants", "enrolled", "collected", "paid_in", "returned")
            ]
            for _, r in bad.iterrows()
        ],
        clause=CLAUSE,
    )
    status = "；".join(f"{c.id}: {status_label(c.status, lang)}" for c in led.checks)
    para = pick(
        lang,
        f"课后服务费由学校收取、缴入县财政国库、再返还学校（收支两条线），教师按课时获得补助。共 {len(led.rows)} 行（学校 × 学年 × 学期）。{status}",
        f"Fees are collected by schools, paid into the county treasury and returned to them (收支两条线); teachers are paid by hours. {len(led.rows)} rows (school × year × term). {status}",
    )
    return [
        Block(
            "funding.after_school",
            pick(lang, "课后服务收费台账", "After-school services ledger"),
            CLAUSE,
            paragraphs=[para],
            findings=led.findings(lang),
            tables=[totals, offending],
        )
    ]

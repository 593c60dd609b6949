"""The county education budget plan per year: per-school funds by stage plus the fixed lines.

Lines (POLICY.md; parameters in funding.params):
- per-pupil operating funds by stage (第22条, 第5条, FD): funding.perpupil, summed;
- informatization ≥ 5,000,000 (第20条);
- special funds 5,000,000 for teaching research, audio-visual education, equipment and training
  (第22条; "each or together" a parameter, default together);
- temporary staff wages 3,500,000 (第22条);
- supervision funds ≥ 400,000 (第34条);
- education foundation = 0.05% of the previous year's total fiscal revenue (第23条);
- community education = 1–2 yuan × registered residents (第17条; the plan uses the parameter, the
  range is shown).
Each line carries the planned amount, the actual amount from the finance item it reads (when the
finance sheet has it), the rule, the clause and the data it uses; a line is met when actual ≥ planned.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.funding.labels import purpose, sources, stage_label, status_label
from countyedu.funding.params import STAGES, FundingParams
from countyedu.funding.perpupil import SchoolFunds, school_funds
from countyedu.messages import Msg, Num, Text, translate
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value, worded

CLAUSE = "第17条; 第20条; 第22条; 第23条; 第34条"


def finance_table(frames: dict[str, pd.DataFrame]) -> dict[tuple[int, str], float]:
    """(year, item) → amount of the finance sheet (empty when the sheet is missing)."""
    f = frames.get("finance")
    if f is None or f.empty:
        return {}
    years = pd.to_numeric(f["year"], errors="coerce")
    amounts = pd.to_numeric(f["amount"], errors="coerce")
    return {
        (int(y), str(i)): float(a)
        for y, i, a in zip(years, f["item"], amounts, strict=True)
        if pd.notna(y) and pd.notna(a)
    }


def registered_residents(frames: dict[str, pd.DataFrame]) -> float | None:
    """Registered (户籍) residents of the county: the communities sheet's sum (第17条)."""
    c = frames.get("communities")
    if c is None or c.empty or "registered_residents" not in c:
        return None
    s = pd.to_numeric(c["registered_residents"], errors="coerce")
    return float(s.sum()) if s.notna().any() else None


@dataclass
class BudgetLine:
    """One line of one year's plan."""

    year: int
    line: str
    name: Msg  # what the line is
    amount: float | None  # planned, yuan
    actual: float | None  # from the finance item (None: not reported)
    status: str  # met / not_met / no_data / plan (a line without a reported actual to compare)
    rule_text: Msg  # how the planned amount is set
    clause: str
    uses: tuple[str, ...]  # finance items (finance:<item>) and sheets (sheet:<name>) the line reads
    low: float | None = None  # a range rule's bounds (第17条)
    high: float | None = None
    sources: tuple[Text, ...] = ()  # `uses` in words

    def label(self, lang: str | None = None) -> Text:
        return self.name if lang is None else translate(self.name, lang)

    def rule(self, lang: str | None = None) -> Text:
        return self.rule_text if lang is None else translate(self.rule_text, lang)

    @property
    def label_zh(self) -> str:
        return translate(self.name, "zh")

    @property
    def label_en(self) -> str:
        return translate(self.name, "en")

    @property
    def rule_zh(self) -> str:
        return translate(self.rule_text, "zh")

    @property
    def rule_en(self) -> str:
        return translate(self.rule_text, "en")

    def as_dict(self) -> dict[str, Any]:
        """The line as data (its label and rule in both languages)."""
        return {
            "year": self.year,
            "line": self.line,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "amount": self.amount,
            "actual": self.actual,
            "status": self.status,
            "rule_zh": self.rule_zh,
            "rule_en": self.rule_en,
            "clause": self.clause,
            "uses": list(self.uses),
            "low": self.low,
            "high": self.high,
        }

    def finding(self, lang: str | None = None) -> Finding:
        """The line as a checked rule (worded in `lang` when given)."""
        value = "—" if self.actual is None else f"{self.actual:,.0f}"
        plan = "—" if self.amount is None else f"{self.amount:,.0f}"
        expl = Msg(
            "{year}: planned {plan}, actual {actual} yuan (data: {sources})",
            year=Num(self.year, "year"),
            plan=plan,
            actual=value,
            sources=self.sources,
        )
        found = Finding(self.clause, self.rule_text, value, self.status, expl)
        return found if lang is None else found.localized(lang)


def _status(actual: float | None, planned: float | None, tolerance: float) -> str:
    if actual is None or planned is None:
        return "no_data"
    return "met" if actual + tolerance >= planned else "not_met"


@dataclass
class BudgetPlan:
    """Per year, every line of the plan; per-school funds of each year kept for reference."""

    params: FundingParams
    years: list[int]
    lines: list[BudgetLine]
    funds: dict[int, SchoolFunds] = field(default_factory=dict)

    def year_lines(self, year: int) -> list[BudgetLine]:
        return [x for x in self.lines if x.year == year]

    def total(self, year: int) -> float:
        """The year's plan: every line once (the per-pupil stage lines, not their total line again)."""
        return float(sum(x.amount or 0.0 for x in self.year_lines(year) if x.line != "per_pupil.total"))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([x.as_dict() for x in self.lines])

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": list(self.years),
            "by_year": {
                str(y): {
                    "total": self.total(y),
                    "lines": [x.as_dict() for x in self.year_lines(y)],
                }
                for y in self.years
            },
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        """The blocks with their messages (worded in `lang` when given)."""
        return worded(budget_blocks(self), lang)


def _fixed_lines(
    year: int, p: FundingParams, fin: dict[tuple[int, str], float], registered: float | None
) -> list[BudgetLine]:
    it = p.items
    tol = p.money_tolerance
    out: list[BudgetLine] = []

    def line(key: str, name: Msg, amount: float | None, item: str, rule: Msg, clause: str,
             extra: tuple[str, ...] = (), **kw: Any) -> None:  # fmt: skip
        actual = fin.get((year, item))
        uses = (f"finance:{item}", *extra)
        status = _status(actual, amount, tol)
        out.append(
            BudgetLine(year, key, name, amount, actual, status, rule, clause, uses, sources=sources(uses, it), **kw)
        )

    yuan = functools.partial(Num, unit="yuan")
    line(
        "informatization",
        Msg("Informatization"),
        p.informatization_min,
        it.informatization,
        Msg("at least {amount} a year (remote classrooms, smart campus)", amount=yuan(p.informatization_min)),
        "第20条",
    )
    each = p.special_funds_mode == "each"
    purposes = tuple(purpose(x) for x in p.special_funds_purposes)
    line(
        "special_funds",
        Msg("Special funds (research, audio-visual, equipment, training)"),
        p.special_funds_total(),
        it.special_funds,
        Msg(
            "{amount} for each of: {purposes} (each or together: a parameter)",
            amount=yuan(p.special_funds),
            purposes=purposes,
        )
        if each
        else Msg(
            "{amount} together for: {purposes} (each or together: a parameter)",
            amount=yuan(p.special_funds),
            purposes=purposes,
        ),
        "第22条",
    )
    line(
        "temporary_staff",
        Msg("Temporary staff wages"),
        p.temporary_staff,
        it.temporary_staff,
        Msg("{amount} a year", amount=yuan(p.temporary_staff)),
        "第22条",
    )
    line(
        "supervision",
        Msg("Supervision funds"),
        p.supervision_min,
        it.supervision,
        Msg("at least {amount} a year", amount=yuan(p.supervision_min)),
        "第34条",
    )
    prev = fin.get((year - 1, it.fiscal_revenue_total))
    found = None if prev is None else prev * p.foundation_rate
    line(
        "foundation",
        Msg("Education foundation"),
        found,
        it.foundation,
        Msg(
            "last year's total fiscal revenue {revenue} × {rate}",
            revenue=yuan(prev),
            rate=f"{p.foundation_rate:.2%}",
        ),
        "第23条",
        extra=(f"finance:{it.fiscal_revenue_total}@{year - 1}",),
    )
    lo, hi = p.community_education_range
    plan = None if registered is None else registered * p.community_education_yuan
    line(
        "community_education",
        Msg("Community education"),
        plan,
        it.community_education,
        Msg(
            "registered residents {residents} × {yuan} yuan ({low}–{high} yuan per resident and year)",
            residents=Num(registered, "persons"),
            yuan=f"{p.community_education_yuan:g}",
            low=f"{lo:g}",
            high=f"{hi:g}",
        ),
        "第17条",
        extra=("sheet:communities.registered_residents",),
        low=None if registered is None else registered * lo,
        high=None if registered is None else registered * hi,
    )
    return out


def _per_pupil_lines(year: int, f: SchoolFunds, p: FundingParams, actual: float | None) -> list[BudgetLine]:
    by = f.by_stage().set_index("stage")["total"]
    uses = ("sheet:classes", "sheet:schools", "sheet:school_years")
    out = []
    for stage in STAGES:
        if stage not in by.index:
            continue
        rate = p.rate(stage, year)
        out.append(
            BudgetLine(
                year,
                f"per_pupil.{stage}",
                Msg("Per-pupil funds: {stage}", stage=stage_label(stage)),
                float(by[stage]),
                None,
                "plan",
                Msg(
                    "{stage} rate {rate} yuan per pupil, with floors, boarders and special education (see schools)",
                    stage=stage_label(stage),
                    rate=f"{rate:,.2f}",
                ),
                "第22条; 第5条; FD",
                uses,
                sources=sources(uses, p.items),
            )
        )
    total = f.total
    received = ("sheet:school_years.public_funding",)
    out.append(
        BudgetLine(
            year,
            "per_pupil.total",
            Msg("Per-pupil funds: total"),
            total,
            actual,
            _status(actual, total, p.money_tolerance),
            Msg("sum over stages; actual = the operating funds the schools reported receiving"),
            "第22条; 第5条; FD",
            received,
            sources=sources(received, p.items),
        )
    )
    return out


def received_funding(frames: dict[str, pd.DataFrame], year: int) -> float | None:
    """Sum of school_years.public_funding in `year` (None when nobody reported it)."""
    sy = frames.get("school_years")
    if sy is None or sy.empty:
        return None
    rows = sy[pd.to_numeric(sy["year"], errors="coerce") == year]
    v = pd.to_numeric(rows["public_funding"], errors="coerce")
    return float(v.sum()) if v.notna().any() else None


def budget_plan(frames: dict[str, pd.DataFrame], years: Iterable[int], params: FundingParams) -> BudgetPlan:
    """The plan for each year: per-pupil funds by stage (computed) and the fixed lines (第17、20、22、23、34条)."""
    fin = finance_table(frames)
    reg = registered_residents(frames)
    ys = sorted({int(y) for y in years})
    lines: list[BudgetLine] = []
    funds: dict[int, SchoolFunds] = {}
    for y in ys:
        f = school_funds(frames, y, params)
        funds[y] = f
        lines += _per_pupil_lines(y, f, params, received_funding(frames, y))
        lines += _fixed_lines(y, params, fin, reg)
    return BudgetPlan(params, ys, lines, funds)


# ---------------------------------------------------------------------------------------- blocks


def budget_blocks(plan: BudgetPlan) -> list[Block]:
    """One table: lines × years (planned), then a table per year with actual and status."""
    keys: list[str] = []
    labels: dict[str, Text] = {}
    for x in plan.lines:
        if x.line not in labels:
            keys.append(x.line)
            labels[x.line] = x.name
    cells = {(x.line, x.year): x for x in plan.lines}
    rows: list[list[Value]] = [
        [labels[k], *(cells[(k, y)].amount if (k, y) in cells else None for y in plan.years)]
        for k in keys
        if k != "per_pupil.total"
    ]
    rows.append([Msg("total"), *(plan.total(y) for y in plan.years)])
    overview = BlockTable(
        Msg("Budget plan (yuan)"),
        [BlockColumn("line", Msg("line")), *(BlockColumn(str(y), str(y), "yuan") for y in plan.years)],
        rows,
        clause=CLAUSE,
    )
    detail = BlockTable(
        Msg("Plan and actual"),
        [
            BlockColumn("year", Msg("fiscal year"), "year"),
            BlockColumn("line", Msg("line")),
            BlockColumn("amount", Msg("planned"), "yuan"),
            BlockColumn("actual", Msg("actual"), "yuan"),
            BlockColumn("status", Msg("status")),
            BlockColumn("rule", Msg("rule")),
            BlockColumn("clause", Msg("clause")),
            BlockColumn("uses", Msg("data")),
        ],
        [
            [
                x.year,
                x.name,
                x.amount,
                x.actual,
                Msg("plan") if x.status == "plan" else status_label(x.status),
                x.rule_text,
                x.clause,
                Msg("{sources}", sources=x.sources),
            ]
            for x in plan.lines
            if not x.line.startswith("per_pupil.") or x.line == "per_pupil.total"
        ],
        clause=CLAUSE,
    )
    para = Msg(
        "Plan = per-pupil funds of every school (by stage) + the fixed lines; the per-pupil total is not counted twice."
    )
    return [
        Block(
            "funding.budget", Msg("County education budget plan"), CLAUSE, paragraphs=[para], tables=[overview, detail]
        )
    ]

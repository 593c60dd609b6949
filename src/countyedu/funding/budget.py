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

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from countyedu.funding.labels import pick, stage_label, status_label
from countyedu.funding.params import STAGES, FundingParams
from countyedu.funding.perpupil import SchoolFunds, school_funds
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value

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
    label_zh: str
    label_en: str
    amount: float | None  # planned, yuan
    actual: float | None  # from the finance item (None: not reported)
    status: str  # met / not_met / no_data / plan (a line without a reported actual to compare)
    rule_zh: str
    rule_en: str
    clause: str
    uses: tuple[str, ...]  # finance items (finance:<item>) and sheets (sheet:<name>) the line reads
    low: float | None = None  # a range rule's bounds (第17条)
    high: float | None = None

    def label(self, lang: str) -> str:
        return pick(lang, self.label_zh, self.label_en)

    def rule(self, lang: str) -> str:
        return pick(lang, self.rule_zh, self.rule_en)

    def finding(self, lang: str = "zh") -> Finding:
        value = "—" if self.actual is None else f"{self.actual:,.0f}"
        plan = "—" if self.amount is None else f"{self.amount:,.0f}"
        expl = pick(
            lang,
            f"{self.year} 年计划 {plan} 元，实际 {value} 元（数据：{', '.join(self.uses)}）",
            f"{self.year}: planned {plan}, actual {value} yuan (data: {', '.join(self.uses)})",
        )
        return Finding(self.clause, self.rule(lang), value, self.status, expl)


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
        return pd.DataFrame([asdict(x) for x in self.lines])

    def as_dict(self) -> dict[str, Any]:
        return {
            "years": list(self.years),
            "by_year": {
                str(y): {
                    "total": self.total(y),
                    "lines": [{**asdict(x), "uses": list(x.uses)} for x in self.year_lines(y)],
                }
                for y in self.years
            },
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        return budget_blocks(self, lang)


def _fixed_lines(
    year: int, p: FundingParams, fin: dict[tuple[int, str], float], registered: float | None
) -> list[BudgetLine]:
    it = p.items
    tol = p.money_tolerance
    out: list[BudgetLine] = []

    def line(key: str, zh: str, en: str, amount: float | None, item: str, rule_zh: str, rule_en: str, clause: str,
             extra: tuple[str, ...] = (), **kw: Any) -> None:  # fmt: skip
        actual = fin.get((year, item))
        out.append(
            BudgetLine(
                year,
                key,
                zh,
                en,
                amount,
                actual,
                _status(actual, amount, tol),
                rule_zh,
                rule_en,
                clause,
                (f"finance:{item}", *extra),
                **kw,
            )
        )

    line(
        "informatization",
        "教育信息化经费",
        "Informatization",
        p.informatization_min,
        it.informatization,
        f"每年不少于 {p.informatization_min:,.0f} 元（专递课堂、智慧校园）",
        f"at least {p.informatization_min:,.0f} yuan a year (remote classrooms, smart campus)",
        "第20条",
    )
    purposes = "、".join(p.special_funds_purposes)
    each = p.special_funds_mode == "each"
    line(
        "special_funds",
        "教研、电教、装备、培训专项经费",
        "Special funds (research, audio-visual, equipment, training)",
        p.special_funds_total(),
        it.special_funds,
        f"{purposes}{'各' if each else '合计'} {p.special_funds:,.0f} 元（“分别…500万元”按{'分别' if each else '合计'}理解，参数）",
        f"{p.special_funds:,.0f} yuan {'for each of' if each else 'together for'} {len(p.special_funds_purposes)} "
        f"purposes (reading of '分别…500万元', a parameter)",
        "第22条",
    )
    line(
        "temporary_staff",
        "临聘人员工资",
        "Temporary staff wages",
        p.temporary_staff,
        it.temporary_staff,
        f"每年 {p.temporary_staff:,.0f} 元",
        f"{p.temporary_staff:,.0f} yuan a year",
        "第22条",
    )
    line(
        "supervision",
        "教育督导经费",
        "Supervision funds",
        p.supervision_min,
        it.supervision,
        f"每年不少于 {p.supervision_min:,.0f} 元",
        f"at least {p.supervision_min:,.0f} yuan a year",
        "第34条",
    )
    prev = fin.get((year - 1, it.fiscal_revenue_total))
    found = None if prev is None else prev * p.foundation_rate
    line(
        "foundation",
        "教育基金会",
        "Education foundation",
        found,
        it.foundation,
        f"上年财政总收入 {'—' if prev is None else f'{prev:,.0f}'} 元 × {p.foundation_rate:.2%}（万分之五）",
        f"last year's total fiscal revenue {'—' if prev is None else f'{prev:,.0f}'} × {p.foundation_rate:.2%}",
        "第23条",
        extra=(f"finance:{it.fiscal_revenue_total}@{year - 1}",),
    )
    lo, hi = p.community_education_range
    plan = None if registered is None else registered * p.community_education_yuan
    line(
        "community_education",
        "社区教育经费",
        "Community education",
        plan,
        it.community_education,
        f"户籍人口 {'—' if registered is None else f'{registered:,.0f}'} 人 × {p.community_education_yuan:g} 元"
        f"（每人每年 {lo:g}–{hi:g} 元）",
        f"registered residents {'—' if registered is None else f'{registered:,.0f}'} × "
        f"{p.community_education_yuan:g} yuan ({lo:g}–{hi:g} yuan per resident and year)",
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
        zh, en = stage_label(stage, "zh"), stage_label(stage, "en")
        rate = p.rate(stage, year)
        out.append(
            BudgetLine(
                year,
                f"per_pupil.{stage}",
                f"生均公用经费·{zh}",
                f"Per-pupil funds: {en}",
                float(by[stage]),
                None,
                "plan",
                f"{zh}标准 {rate:,.2f} 元/生·年，含保底、寄宿、特教补助（见各校明细）",
                f"{en} rate {rate:,.2f} yuan per pupil, with floors, boarders and special education (see schools)",
                "第22条; 第5条; FD",
                uses,
            )
        )
    total = f.total
    out.append(
        BudgetLine(
            year,
            "per_pupil.total",
            "生均公用经费合计",
            "Per-pupil funds: total",
            total,
            actual,
            _status(actual, total, p.money_tolerance),
            "各学段合计；实际数取学校年度表实际拨付（public_funding）之和",
            "sum over stages; actual = sum of school_years.public_funding received",
            "第22条; 第5条; FD",
            ("sheet:school_years.public_funding",),
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


def budget_blocks(plan: BudgetPlan, lang: str = "zh") -> list[Block]:
    """One table: lines × years (planned), then a table per year with actual and status."""
    keys: list[str] = []
    labels: dict[str, str] = {}
    for x in plan.lines:
        if x.line not in labels:
            keys.append(x.line)
            labels[x.line] = x.label(lang)
    cells = {(x.line, x.year): x for x in plan.lines}
    rows: list[list[Value]] = [
        [labels[k], *(cells[(k, y)].amount if (k, y) in cells else None for y in plan.years)]
        for k in keys
        if k != "per_pupil.total"
    ]
    rows.append([pick(lang, "合计", "total"), *(plan.total(y) for y in plan.years)])
    overview = BlockTable(
        pick(lang, "预算计划（元）", "Budget plan (yuan)"),
        [BlockColumn("line", pick(lang, "项目", "line"))] + [BlockColumn(str(y), str(y), "yuan") for y in plan.years],
        rows,
        clause=CLAUSE,
    )
    detail = BlockTable(
        pick(lang, "计划与实际", "Plan and actual"),
        [
            BlockColumn("year", pick(lang, "年度", "year"), "year"),
            BlockColumn("line", pick(lang, "项目", "line")),
            BlockColumn("amount", pick(lang, "计划", "planned"), "yuan"),
            BlockColumn("actual", pick(lang, "实际", "actual"), "yuan"),
            BlockColumn("status", pick(lang, "状态", "status")),
            BlockColumn("rule", pick(lang, "规则", "rule")),
            BlockColumn("clause", pick(lang, "条款", "clause")),
            BlockColumn("uses", pick(lang, "数据", "data")),
        ],
        [
            [
                x.year,
                x.label(lang),
                x.amount,
                x.actual,
                pick(lang, "计划", "plan") if x.status == "plan" else status_label(x.status, lang),
                x.rule(lang),
                x.clause,
                ", ".join(x.uses),
            ]
            for x in plan.lines
            if not x.line.startswith("per_pupil.") or x.line == "per_pupil.total"
        ],
        clause=CLAUSE,
    )
    para = pick(
        lang,
        "预算计划 = 各校生均公用经费（按学段汇总）+ 固定项目。生均公用经费各学段的合计只计一次（合计行不重复计入）。",
        "Plan = per-pupil funds of every school (by stage) + the fixed lines; the per-pupil total is not counted twice.",
    )
    return [
        Block(
            "funding.budget",
            pick(lang, "县教育经费预算计划", "County education budget plan"),
            CLAUSE,
            paragraphs=[para],
            tables=[overview, detail],
        )
    ]

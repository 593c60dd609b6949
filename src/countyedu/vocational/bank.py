"""The credit bank's part of a vocational run (学分银行, POLICY.md 第13条): every recorded learning
outcome converted by the pack's rules as of the end of the school year (vocational.credits), the
rules, the credits per course and each pupil's total; the conversions per pupil explained."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Value
from countyedu.vocational.credits import Conversion, convert, pupil_totals
from countyedu.vocational.frames import sheet, year_end
from countyedu.vocational.params import CreditBank
from countyedu.vocational.parts import Context

STATUSES = ("converted", "partly", "course_full", "pupil_full", "no_rule", "below_level", "too_few_hours", "expired")


@dataclass
class CreditBankRun:
    year: int
    as_of: date
    bank: CreditBank
    conversions: list[Conversion]

    def pupil(self, pupil_id: str) -> list[Conversion]:
        """One pupil's conversions, in the order they were made."""
        return [c for c in self.conversions if c.pupil_id == pupil_id]

    def pupil_block(self, pupil_id: str) -> Block:
        """One pupil's conversions explained, outcome by outcome (a CountyEduError when none is recorded)."""
        mine = self.pupil(pupil_id)
        if not mine:
            raise CountyEduError(
                Msg(
                    "no learning outcomes are recorded for pupil {pupil} up to {as_of}",
                    pupil=pupil_id,
                    as_of=self.as_of.isoformat(),
                ),
                pupil_id=pupil_id,
            )
        rows: list[list[Value]] = [
            [
                c.date,
                Code("outcome_kind", c.kind),
                c.name,
                Code("outcome_level", c.level) if c.level else None,
                Code("credit_status", c.status),
                self.bank.course(c.course_id).name if c.course_id else None,
                c.credits,
                c.explanation,
            ]
            for c in mine
        ]
        total = sum(c.credits for c in mine)
        return Block(
            "vocational.credit_bank.pupil",
            Msg("Credit bank of pupil {pupil}", pupil=pupil_id),
            "第13条",
            paragraphs=[
                Msg(
                    "{credits} credits from {n} learning outcomes as of {as_of}.",
                    credits=Num(total, ""),
                    n=len(mine),
                    as_of=self.as_of.isoformat(),
                )
            ],
            tables=[
                BlockTable(
                    Msg("Conversions"),
                    [
                        BlockColumn("date", Msg("date obtained")),
                        BlockColumn("kind", Msg("kind of outcome")),
                        BlockColumn("name", Msg("name")),
                        BlockColumn("level", Msg("level")),
                        BlockColumn("status", Msg("result")),
                        BlockColumn("course", Msg("course")),
                        BlockColumn("credits", Msg("credits")),
                        BlockColumn("explanation", Msg("explanation")),
                    ],
                    rows,
                    clause="第13条",
                )
            ],
        )

    def pupil_dict(self, pupil_id: str) -> dict[str, Any]:
        """One pupil's conversions as JSON (README: `vocational credits --pupil`)."""
        mine = self.pupil(pupil_id)
        return {
            "pupil_id": pupil_id,
            "as_of": self.as_of.isoformat(),
            "credits": sum(c.credits for c in mine),
            "conversions": [c.as_dict() for c in mine],
        }

    def totals(self) -> pd.DataFrame:
        return pupil_totals(self.conversions)

    def as_dict(self) -> dict[str, Any]:
        totals = self.totals()
        by_pupil: dict[str, list[dict[str, Any]]] = {}
        for c in self.conversions:
            by_pupil.setdefault(c.pupil_id, []).append(c.as_dict())
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "max_credits_per_pupil": self.bank.max_credits_per_pupil,
            "valid_years": self.bank.valid_years,
            "courses": [c.model_dump() for c in self.bank.courses],
            "rules": [r.model_dump() for r in self.bank.rules],
            "statuses": dict(Counter(c.status for c in self.conversions)),
            "pupils": [
                {"pupil_id": r.pupil_id, "credits": float(r.credits), "conversions": by_pupil[r.pupil_id]}
                for r in totals.itertuples()
            ],
        }

    def summary(self) -> dict[str, Any]:
        totals = self.totals()
        return {
            "credit_bank.outcomes": len(self.conversions),
            "credit_bank.converted": sum(1 for c in self.conversions if c.credits > 0),
            "credit_bank.pupils": int((totals["credits"] > 0).sum()) if len(totals) else 0,
            "credit_bank.credits": float(totals["credits"].sum()) if len(totals) else 0.0,
            "credit_bank.rules": len(self.bank.rules),
        }

    def blocks(self) -> list[Block]:
        rules: list[list[Value]] = [
            [
                r.rule_id,
                Code("outcome_kind", r.kind),
                r.name if r.name != "*" else Msg("any"),
                Code("outcome_level", r.min_level) if r.min_level else Msg("any"),
                self.bank.course(r.course_id).name,
                r.credits,
                r.per_hours,
            ]
            for r in self.bank.rules
        ]
        counts = Counter(c.status for c in self.conversions)
        credit_of = Counter[str]()
        for c in self.conversions:
            credit_of[c.status] += round(c.credits * 100)
        statuses: list[list[Value]] = [
            [Code("credit_status", s), counts[s], credit_of[s] / 100] for s in STATUSES if counts[s]
        ]
        per_course: dict[str, tuple[set[str], float]] = {}
        for c in self.conversions:
            if c.course_id and c.credits > 0:
                pupils, credits = per_course.get(c.course_id, (set(), 0.0))
                pupils.add(c.pupil_id)
                per_course[c.course_id] = (pupils, credits + c.credits)
        courses: list[list[Value]] = [
            [
                course.name,
                course.credits,
                len(per_course.get(course.course_id, (set(), 0.0))[0]),
                per_course.get(course.course_id, (set(), 0.0))[1],
            ]
            for course in self.bank.courses
        ]
        s = self.summary()
        paragraphs: list[Value] = [
            Msg(
                "As of {as_of}: {outcomes} learning outcomes recorded, {converted} converted into {credits} credits"
                " for {pupils} pupils; an outcome converts within {years} years, a pupil at most {max} credits.",
                as_of=self.as_of.isoformat(),
                outcomes=Num(s["credit_bank.outcomes"], "count"),
                converted=Num(s["credit_bank.converted"], "count"),
                credits=Num(s["credit_bank.credits"], ""),
                pupils=Num(s["credit_bank.pupils"], "count"),
                years=self.bank.valid_years,
                max=Num(self.bank.max_credits_per_pupil, ""),
            )
        ]
        if not self.bank.rules:
            paragraphs.append(
                Msg("The policy pack sets no conversion rules (parameters.vocational.credit_bank): nothing converts.")
            )
        return [
            Block(
                "vocational.credit_bank",
                Msg("Credit bank"),
                "第13条",
                paragraphs=[p for p in paragraphs if isinstance(p, Msg)],
                tables=[
                    BlockTable(
                        Msg("Conversion rules"),
                        [
                            BlockColumn("rule", Msg("rule")),
                            BlockColumn("kind", Msg("kind of outcome")),
                            BlockColumn("name", Msg("name")),
                            BlockColumn("min_level", Msg("least level")),
                            BlockColumn("course", Msg("course")),
                            BlockColumn("credits", Msg("credits")),
                            BlockColumn("per_hours", Msg("per hours")),
                        ],
                        rules,
                        clause="第13条",
                    ),
                    BlockTable(
                        Msg("Outcomes by result of the conversion"),
                        [
                            BlockColumn("status", Msg("result")),
                            BlockColumn("outcomes", Msg("outcomes"), "count"),
                            BlockColumn("credits", Msg("credits")),
                        ],
                        statuses,
                        clause="第13条",
                    ),
                    BlockTable(
                        Msg("Credits per course"),
                        [
                            BlockColumn("course", Msg("course")),
                            BlockColumn("course_credits", Msg("credits of the course")),
                            BlockColumn("pupils", Msg("pupils credited"), "count"),
                            BlockColumn("credits", Msg("credits converted")),
                        ],
                        courses,
                        clause="第13条",
                    ),
                ],
            )
        ]


def credit_bank(frames: dict[str, pd.DataFrame], bank: CreditBank, year: int) -> CreditBankRun:
    """Every learning outcome converted as of the end of school year `year`."""
    as_of = year_end(year)
    return CreditBankRun(year, as_of, bank, convert(sheet(frames, "learning_outcomes"), bank, as_of))


def part(ctx: Context) -> CreditBankRun | None:
    """The run's credit bank part (None: the census records no learning outcomes)."""
    if ctx.year is None or not len(sheet(ctx.frames, "learning_outcomes")):
        return None
    return credit_bank(dict(ctx.frames), ctx.params.credit_bank, ctx.year)


def summary_lines(s: dict[str, Any]) -> list[str]:
    if "credit_bank.outcomes" not in s:
        return []
    return [
        f"学分银行 / credit bank: {s['credit_bank.outcomes']:,} 项学习成果 outcomes, {s['credit_bank.converted']:,} 项转换 "
        f"converted, {s['credit_bank.credits']:,g} 学分 credits, {s['credit_bank.pupils']:,} 名学生 pupils "
        f"({s['credit_bank.rules']} 条规则 rules)"
    ]

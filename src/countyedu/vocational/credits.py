"""The credit bank (学分银行, POLICY.md 第13条): learning outcomes a pupil has (1+X and skill
certificates, competition awards, courses, trainings) converted into credits of the programme's courses
by the pack's fixed rules (`parameters.vocational.credit_bank`), each conversion with its reason.

The rules, for each pupil, outcomes taken in date order (then by id), as of a date:
1. an outcome dated after the as-of date is not counted yet; one obtained more than `valid_years`
   years before it has expired;
2. the rules of the outcome's kind and name (a rule named "*" takes any name) whose minimum level the
   outcome reaches (an outcome without a level reaches only a rule without one) are tried, the one
   giving most credits first (then in the pack's order);
3. a rule gives its credits (with `per_hours`: its credits for every whole `per_hours` hours), at most
   what the course still lacks (a course is credited at most its credits) and what the pupil may still
   take (`max_credits_per_pupil`); a rule whose course is full gives way to the next rule;
4. an outcome converts by one rule at most, and every outcome gets a status and an explanation:
   converted, partly (capped: the course's or the pupil's limit), course_full, pupil_full, no_rule,
   below_level, too_few_hours or expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg, Num
from countyedu.vocational.params import LEVELS, CreditBank, CreditRule

EPS = 1e-9


@dataclass(frozen=True)
class Conversion:
    """One outcome's conversion: the rule and course it went to (None: it did not convert), the credits
    and why (status and explanation)."""

    pupil_id: str
    outcome_id: str
    kind: str
    name: str
    level: str | None
    date: str
    rule_id: str | None
    course_id: str | None
    credits: float
    status: str
    explanation: Msg

    def as_dict(self) -> dict[str, Any]:
        return {
            "pupil_id": self.pupil_id,
            "outcome_id": self.outcome_id,
            "kind": self.kind,
            "name": self.name,
            "level": self.level,
            "date": self.date,
            "rule_id": self.rule_id,
            "course_id": self.course_id,
            "credits": self.credits,
            "status": self.status,
            "explanation": self.explanation.as_dict(),
        }


def _level_rank(level: str | None) -> int:
    return -1 if level is None else LEVELS.index(level)


def _reaches(level: str | None, rule: CreditRule) -> bool:
    return rule.min_level is None or (level is not None and _level_rank(level) >= _level_rank(rule.min_level))


def _rule_credits(rule: CreditRule, hours: float | None) -> float:
    if rule.per_hours is None:
        return rule.credits
    return rule.credits * int(((hours or 0.0) + EPS) // rule.per_hours)


def _minus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def convert(outcomes: pd.DataFrame, bank: CreditBank, as_of: date) -> list[Conversion]:
    """Every outcome of `outcomes` (the learning_outcomes sheet) dated up to `as_of`, converted by the
    bank's rules (the module docstring says how), pupil by pupil."""
    if not len(outcomes):
        return []
    df = outcomes.assign(when=outcomes["date"].astype(str).str[:10])
    df = df[df["when"] <= as_of.isoformat()].sort_values(["pupil_id", "when", "outcome_id"], kind="mergesort")
    oldest = _minus_years(as_of, bank.valid_years).isoformat()
    out: list[Conversion] = []
    for pupil_id, rows in df.groupby("pupil_id", sort=False):
        got: dict[str, float] = {}  # course → credits so far
        total = 0.0
        for r in rows.itertuples(index=False):
            level = None if pd.isna(r.level) else str(r.level)
            hours = None if "hours" not in df.columns or pd.isna(r.hours) else float(r.hours)
            c = _one(str(pupil_id), r, level, hours, bank, oldest, as_of, got, total)
            if c.course_id is not None and c.credits > 0:
                got[c.course_id] = got.get(c.course_id, 0.0) + c.credits
                total += c.credits
            out.append(c)
    return out


def _one(
    pupil_id: str,
    r: Any,
    level: str | None,
    hours: float | None,
    bank: CreditBank,
    oldest: str,
    as_of: date,
    got: dict[str, float],
    total: float,
) -> Conversion:
    """One outcome's conversion given what the pupil has so far."""
    name, kind, when = str(r.name), str(r.kind), str(r.when)

    def done(rule: CreditRule | None, credits: float, status: str, why: Msg) -> Conversion:
        course = rule.course_id if rule is not None else None
        return Conversion(
            pupil_id,
            str(r.outcome_id),
            kind,
            name,
            level,
            when,
            rule.rule_id if rule else None,
            course,
            credits,
            status,
            why,
        )

    if when < oldest:
        why = Msg(
            "obtained on {date}, more than {years} years before {as_of}: expired",
            date=when,
            years=bank.valid_years,
            as_of=as_of.isoformat(),
        )
        return done(None, 0.0, "expired", why)
    named = [x for x in bank.rules if x.kind == kind and x.name in ("*", name)]
    if not named:
        return done(
            None,
            0.0,
            "no_rule",
            Msg("no rule converts a {kind} named {name}", kind=Code("outcome_kind", kind), name=name),
        )
    fitting = [x for x in named if _reaches(level, x)]
    if not fitting:
        low = min(named, key=lambda x: _level_rank(x.min_level))
        why = Msg(
            "level {level} is below {min_level}, the least rule {rule} asks",
            level=Code("outcome_level", level) if level else Msg("none"),
            min_level=Code("outcome_level", str(low.min_level)),
            rule=low.rule_id,
        )
        return done(low, 0.0, "below_level", why)
    fitting.sort(key=lambda x: -_rule_credits(x, hours))  # stable: the pack's order among equals
    if _rule_credits(fitting[0], hours) <= EPS:
        rule = fitting[0]
        why = Msg(
            "{hours} hours are fewer than the {per_hours} hours rule {rule} converts",
            hours=Num(hours or 0.0, ""),
            per_hours=Num(rule.per_hours or 0.0, ""),
            rule=rule.rule_id,
        )
        return done(rule, 0.0, "too_few_hours", why)
    room_pupil = bank.max_credits_per_pupil - total
    if room_pupil <= EPS:
        why = Msg(
            "the pupil already has the most credits the bank converts, {max}", max=Num(bank.max_credits_per_pupil, "")
        )
        return done(None, 0.0, "pupil_full", why)
    for rule in fitting:
        course = bank.course(rule.course_id)
        room_course = course.credits - got.get(course.course_id, 0.0)
        if room_course <= EPS:
            continue
        full = _rule_credits(rule, hours)
        credits = min(full, room_course, room_pupil)
        if credits >= full - EPS:
            why = Msg(
                "{kind} {name} → {credits} credits of {course} by rule {rule}",
                kind=Code("outcome_kind", kind),
                name=name,
                credits=Num(credits, ""),
                course=course.name,
                rule=rule.rule_id,
            )
            return done(rule, credits, "converted", why)
        limit = (
            Msg("the course's {credits} credits", credits=Num(course.credits, ""))
            if room_course <= room_pupil
            else Msg("the pupil's most, {max}", max=Num(bank.max_credits_per_pupil, ""))
        )
        why = Msg(
            "{kind} {name} → {credits} of the {full} credits of {course} by rule {rule}, capped by {limit}",
            kind=Code("outcome_kind", kind),
            name=name,
            credits=Num(credits, ""),
            full=Num(full, ""),
            course=course.name,
            rule=rule.rule_id,
            limit=limit,
        )
        return done(rule, credits, "partly", why)
    course = bank.course(fitting[0].course_id)
    why = Msg("{course} already has its {credits} credits", course=course.name, credits=Num(course.credits, ""))
    return done(fitting[0], 0.0, "course_full", why)


def pupil_totals(conversions: list[Conversion]) -> pd.DataFrame:
    """pupil_id, outcomes, converted (outcomes that gave credits), credits — one row per pupil."""
    if not conversions:
        return pd.DataFrame({"pupil_id": [], "outcomes": [], "converted": [], "credits": []})
    df = pd.DataFrame([{"pupil_id": c.pupil_id, "credits": c.credits} for c in conversions])
    g = df.groupby("pupil_id", sort=True)["credits"]
    return pd.DataFrame(
        {"outcomes": g.size(), "converted": g.apply(lambda s: int((s > 0).sum())), "credits": g.sum()}
    ).reset_index()

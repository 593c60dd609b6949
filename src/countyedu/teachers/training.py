"""Teachers' pay and training (issue 13 item 6; POLICY.md 第21条, QB-G8, QB-G9).

Pay: the average pay of public schools' teachers against local civil servants' — the rule the funding
chapter checks (第21条; QB-G8: the finance sheet's teacher_avg_salary, else the census's public
full-time teachers' mean, against civil_servant_avg_salary), shown here for the year with the items
it reads.

Training: every full-time teacher's training hours in the last five years against 360 (QB-G9, the
pack's `training_hours_5y`), per school, with the list of the teachers behind and the hours each
still needs. The indicator QB-G9 of the assessment is the county's share of the same teachers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.funding.compliance import teacher_pay_from_census
from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value
from countyedu.teachers.parts import Context
from countyedu.teachers.staffing import _frame, _num, school_year


@dataclass
class PayAndTraining:
    year: int
    hours: float
    teacher_pay: float | None
    civil_pay: float | None
    pay_source: str  # finance | census | none
    schools: pd.DataFrame  # school_id, name, teachers, met, share
    behind: pd.DataFrame  # teacher_id, school_id, name, subject, hours, gap

    def as_dict(self) -> dict[str, Any]:
        ratio = self.teacher_pay / self.civil_pay if self.teacher_pay and self.civil_pay else None
        return {
            "year": self.year,
            "pay": {
                "teacher_avg_salary": self.teacher_pay,
                "civil_servant_avg_salary": self.civil_pay,
                "ratio": None if ratio is None else round(ratio, 4),
                "source": self.pay_source,
            },
            "training_hours_required": self.hours,
            "training_schools": [
                {k: (_num(v) if isinstance(v, float) else v) for k, v in r.items() if k != "name"}
                for r in self.schools.to_dict("records")
            ],
            "training_behind": [
                {
                    "teacher_id": r["teacher_id"],
                    "school_id": r["school_id"],
                    "subject": r["subject"],
                    "hours": _num(r["hours"]),
                    "gap": _num(r["gap"]),
                }
                for r in self.behind.to_dict("records")
            ],
        }

    def summary(self) -> dict[str, Any]:
        total = int(self.schools["teachers"].sum()) if len(self.schools) else 0
        return {"training.teachers": total, "training.behind": len(self.behind), "training.hours": self.hours}

    def blocks(self) -> list[Block]:
        return [self._pay_block(), self._training_block()]

    def _pay_block(self) -> Block:
        if self.teacher_pay is None or self.civil_pay is None:
            finding = Finding(
                "第21条; QB-G8",
                Msg("average teacher pay ≥ local civil-servant average pay"),
                Msg("not known"),
                "no_data",
                Msg("the finance sheet has no civil servants' or teachers' average pay for {year}", year=self.year),
            )
        else:
            finding = Finding(
                "第21条; QB-G8",
                Msg("average teacher pay ≥ local civil-servant average pay"),
                Num(self.teacher_pay / self.civil_pay, "share"),
                "met" if self.teacher_pay >= self.civil_pay else "not_met",
                Msg(
                    "teachers {teachers} yuan, civil servants {civil} yuan (ratio {ratio})",
                    teachers=Num(self.teacher_pay, "count"),  # the message says yuan
                    civil=Num(self.civil_pay, "count"),
                    ratio=Num(self.teacher_pay / self.civil_pay, "", 3),
                ),
            )
        return Block(
            "teachers.pay",
            Msg("Teachers' pay against civil servants'"),
            "第21条; QB-G8",
            paragraphs=[
                Msg(
                    "The same rule as the funding chapter's compliance check and the indicators QB-G8 and B-21-PAY"
                    " of the assessment."
                )
            ],
            findings=[finding],
        )

    def _training_block(self) -> Block:
        total = int(self.schools["teachers"].sum()) if len(self.schools) else 0
        met = int(self.schools["met"].sum()) if len(self.schools) else 0
        finding = Finding(
            "QB-G9",
            Msg("every full-time teacher has {hours} training hours in five years", hours=Num(self.hours, "")),
            Num(met / total if total else None, "share"),
            ("met" if met == total else "not_met") if total else "no_data",
            Msg("{behind} of {total} full-time teachers are behind", behind=total - met, total=total),
        )
        schools: list[list[Value]] = [
            [r.name, int(r.teachers), int(r.met), float(r.share)] for r in self.schools.itertuples()
        ]
        names = dict(zip(self.schools["school_id"], self.schools["name"], strict=True))
        behind: list[list[Value]] = [
            [r.teacher_id, names.get(r.school_id, r.school_id), Code("subject", r.subject), _num(r.hours), _num(r.gap)]
            for r in self.behind.itertuples()
        ]
        return Block(
            "teachers.training",
            Msg("Training hours (360 in five years)"),
            "QB-G9",
            findings=[finding],
            tables=[
                BlockTable(
                    Msg("Training per school"),
                    [
                        BlockColumn("school", Msg("school")),
                        BlockColumn("teachers", Msg("full-time teachers"), "count"),
                        BlockColumn("met", Msg("with the hours"), "count"),
                        BlockColumn("share", Msg("share"), "share"),
                    ],
                    schools,
                    clause="QB-G9",
                ),
                BlockTable(
                    Msg("Teachers behind on training"),
                    [
                        BlockColumn("teacher", Msg("teacher")),
                        BlockColumn("school", Msg("school")),
                        BlockColumn("subject", Msg("subject")),
                        BlockColumn("hours", Msg("hours in five years")),
                        BlockColumn("gap", Msg("hours still needed")),
                    ],
                    behind,
                    clause="QB-G9",
                ),
            ],
        )


def pay_and_training(frames: dict[str, pd.DataFrame], hours: float, year: int | None = None) -> PayAndTraining:
    """Pay against civil servants' and training hours against `hours` in `year` (default the latest)."""
    y = school_year(frames, year)
    finance = _frame(frames, "finance", y)
    items = dict(zip(finance["item"], pd.to_numeric(finance["amount"]), strict=True)) if len(finance) else {}
    teacher_pay = items.get("teacher_avg_salary")
    source = "finance"
    if teacher_pay is None or pd.isna(teacher_pay):
        teacher_pay = teacher_pay_from_census(frames).get(y)
        source = "census" if teacher_pay is not None else "none"
    civil = items.get("civil_servant_avg_salary")
    civil = None if civil is None or pd.isna(civil) else float(civil)
    teachers = _frame(frames, "teachers", y)
    schools = _frame(frames, "schools")
    names = dict(zip(schools["school_id"], schools["name"], strict=True)) if len(schools) else {}
    if len(teachers) and "full_time" in teachers.columns:
        teachers = teachers[teachers["full_time"].astype("boolean").fillna(False).astype(bool)]
    got = (
        pd.to_numeric(teachers["training_hours_5y"], errors="coerce")
        if "training_hours_5y" in teachers.columns
        else pd.Series(dtype=float)
    )
    t = teachers.assign(hours=got).dropna(subset=["hours"]) if len(teachers) else teachers.assign(hours=[])
    t = t.assign(ok=t["hours"] >= hours - 1e-9)
    per = t.groupby("school_id").agg(teachers=("ok", "size"), met=("ok", "sum")).reset_index()
    per = per.assign(share=per["met"] / per["teachers"], name=per["school_id"].map(names).fillna(per["school_id"]))
    per = per.sort_values(["share", "school_id"]).reset_index(drop=True)
    behind = t[~t["ok"]].assign(gap=lambda d: hours - d["hours"])
    behind = behind.sort_values(["gap", "teacher_id"], ascending=[False, True])
    return PayAndTraining(
        y,
        hours,
        None if teacher_pay is None else float(teacher_pay),
        civil,
        source,
        per[["school_id", "name", "teachers", "met", "share"]],
        behind[["teacher_id", "school_id", "subject", "hours", "gap"]].reset_index(drop=True),
    )


def part(ctx: Context) -> PayAndTraining | None:
    """The run's pay and training part."""
    if not len(_frame(dict(ctx.frames), "teachers")):
        return None
    return pay_and_training(dict(ctx.frames), ctx.params.training_hours_5y, ctx.year)


def summary_lines(s: dict[str, Any]) -> list[str]:
    if "training.behind" not in s:
        return []
    return [
        f"教师培训 / training: {s['training.behind']} / {s['training.teachers']} 名专任教师五年不足 "
        f"{s['training.hours']:g} 学时 full-time teachers below {s['training.hours']:g} hours in five years (QB-G9)"
    ]

"""Rectification (整改) by date (issue 15 item 4; 第31、34条; 教育督导问责办法): where each problem a
visit found stands on a day `as_of`, its escalation when overdue, and the safety hazards the bureau
tracks daily.

Stages of a rectification on `as_of` (the rule, all by date):
- `closed`: the inspector checked the school's answer and closed it;
- `awaiting_check`: the school answered by the deadline, the inspector has not checked yet;
- `due`: not answered (or returned to the school) and the deadline has not passed;
- `escalated`: the deadline passed without an answer in time → reported to the bureau, which sets a
  second deadline `grace_days` after the first (parameter, assumed 15 days);
- `notice`: the second deadline passed too → the bureau issues a notice (通报, the second overdue).
A school that answers late stays escalated (or under notice) until the inspector closes the item.

Safety hazards (安全隐患, 第31条) carry a severity (一般 / 较大 / 重大); an open 重大 one is shown to
the bureau at once and checked every day until closed: `hazards` lists them with the days open and
the days without a recorded daily check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from countyedu.messages import Code, Msg, register_codes
from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value
from countyedu.runs.store import parameters
from countyedu.supervision.params import section
from countyedu.supervision.parts import Context
from countyedu.supervision.records import Records, timestamp

CLAUSE = "第31条; 第34条; SV"

STAGES: dict[str, tuple[str, str]] = {
    "due": ("整改中", "in progress"),
    "awaiting_check": ("待督学复查", "awaiting the inspector's check"),
    "escalated": ("逾期，已报教育局", "overdue, reported to the bureau"),
    "notice": ("再次逾期，通报", "overdue again, notice issued"),
    "closed": ("已销号", "closed"),
}
OPEN_STAGES = ("due", "awaiting_check", "escalated", "notice")
register_codes("rectification_stage", lambda v, lang: STAGES[v][lang == "en"] if v in STAGES else v)


class RectifyParams(BaseModel):
    """`parameters.supervision.rectification` of the packs (every field has its default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # days a school has to put a problem right unless the inspector sets another deadline [assumed]
    deadline_days: int = Field(default=30, ge=1)
    # days for a 重大 safety hazard (第31条: at once; a week to remove it) [assumed]
    grave_deadline_days: int = Field(default=7, ge=1)
    # the bureau's second deadline after the first one passed unanswered (教育督导问责办法) [assumed]
    grace_days: int = Field(default=15, ge=1)

    @classmethod
    def of(cls, packs: Sequence[Pack]) -> RectifyParams:
        """From the packs' `parameters.supervision.rectification` (the pages' way in)."""
        return cls.model_validate(parameters(packs, "supervision").get("rectification") or {})

    def default_deadline(self, found_on: dt.date, severity: str | None) -> dt.date:
        """The deadline the form proposes for a problem found on a day."""
        days = self.grave_deadline_days if severity == "grave" else self.deadline_days
        return found_on + dt.timedelta(days=days)


STATE_COLUMNS = [
    "rectification_id",
    "finding_id",
    "school_id",
    "item",
    "severity",
    "deadline",
    "status",
    "stage",
    "days_overdue",
    "second_deadline",
]


@dataclass(frozen=True)
class Standing:
    """Every rectification's stage on `as_of` (STATE_COLUMNS) and the open 重大 hazards."""

    as_of: dt.date
    states: pd.DataFrame
    hazards: pd.DataFrame  # HAZARD_COLUMNS
    names: dict[str, str] = field(default_factory=dict)  # school id → name (the report's tables)

    def open(self) -> pd.DataFrame:
        return self.states[self.states["stage"].isin(OPEN_STAGES)]

    def counts(self) -> dict[str, int]:
        """Stage → number of rectifications (every stage listed)."""
        got = self.states["stage"].value_counts()
        return {s: int(got.get(s, 0)) for s in STAGES}

    def summary(self) -> dict[str, Any]:
        """Headline numbers: open and overdue rectifications, notices, open 重大 hazards."""
        c = self.counts()
        return {
            "as_of": self.as_of.isoformat(),
            "rectification_open": sum(c[s] for s in OPEN_STAGES),
            "rectification_overdue": c["escalated"] + c["notice"],
            "rectification_notice": c["notice"],
            "rectification_grave_hazards": len(self.hazards),
        }

    def blocks(self) -> list[Block]:
        """The report chapter's block: overdue rectifications (escalated, under notice) and the open
        重大 hazards, with where they stand."""
        s = self.summary()
        finding = Finding(
            CLAUSE,
            Msg("problems put right by their deadline"),
            Msg(
                "{late} of {n} open rectifications overdue", late=s["rectification_overdue"], n=s["rectification_open"]
            ),
            "met" if not s["rectification_overdue"] and not s["rectification_grave_hazards"] else "not_met",
            Msg(
                "as of {day}: {notice} under notice after a second overdue, {grave} grave safety hazards open",
                day=self.as_of.isoformat(),
                notice=s["rectification_notice"],
                grave=s["rectification_grave_hazards"],
            ),
        )
        late = self.states[self.states["stage"].isin(["escalated", "notice"])].sort_values(
            ["days_overdue", "rectification_id"], ascending=[False, True]
        )
        rows: list[list[Value]] = [
            [
                self.names.get(r.school_id, r.school_id),
                Code("finding_item", r.item),
                r.deadline.date().isoformat(),
                Code("rectification_stage", r.stage),
                int(r.days_overdue),
            ]
            for r in late.itertuples(index=False)
        ]
        columns = [
            BlockColumn("school", Msg("School")),
            BlockColumn("item", Msg("item")),
            BlockColumn("deadline", Msg("deadline")),
            BlockColumn("stage", Msg("rectification stage")),
            BlockColumn("days_overdue", Msg("days overdue"), "count"),
        ]
        tables = [BlockTable(Msg("Overdue rectifications"), columns, rows, clause=CLAUSE)]
        if len(self.hazards):
            hz: list[list[Value]] = [
                [
                    self.names.get(h.school_id, h.school_id),
                    h.found_on.date().isoformat(),
                    int(h.days_open),
                    int(h.days_unchecked),
                ]
                for h in self.hazards.itertuples(index=False)
            ]
            hcols = [
                BlockColumn("school", Msg("School")),
                BlockColumn("found_on", Msg("found on")),
                BlockColumn("days_open", Msg("days open"), "count"),
                BlockColumn("days_unchecked", Msg("days without a check"), "count"),
            ]
            tables.insert(0, BlockTable(Msg("Grave safety hazards open"), hcols, hz, clause="第31条"))
        return [Block("supervision.rectification", Msg("Rectification"), CLAUSE, findings=[finding], tables=tables)]

    def as_dict(self) -> dict[str, Any]:
        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = df.astype(object).where(df.notna(), None).to_dict("records")
            for r in out:
                for k, v in r.items():
                    if isinstance(v, pd.Timestamp):
                        r[k] = v.date().isoformat()
            return out

        return {
            "as_of": self.as_of.isoformat(),
            "summary": self.summary(),
            "counts": self.counts(),
            "rectifications": rows(self.states),
            "grave_hazards": rows(self.hazards),
        }


HAZARD_COLUMNS = [
    "rectification_id",
    "finding_id",
    "school_id",
    "found_on",
    "deadline",
    "stage",
    "days_open",
    "last_check",
    "days_unchecked",
]


def standing(rec: Records, as_of: dt.date, params: RectifyParams | None = None) -> Standing:
    """Where every rectification stands on `as_of`, and the open 重大 hazards' daily tracking."""
    p = params or RectifyParams()
    day = timestamp(as_of)
    r = rec.rectifications.merge(
        rec.findings[["finding_id", "item", "severity", "date"]], on="finding_id", how="left", validate="one_to_one"
    )
    second = r["deadline"] + pd.Timedelta(days=p.grace_days)
    answered_in_time = r["answered_on"].notna() & (r["answered_on"] <= r["deadline"]) & (r["status"] == "answered")
    passed, passed_again = day > r["deadline"], day > second
    stage = pd.Series("due", index=r.index, dtype=object)
    stage[passed] = "escalated"
    stage[passed_again] = "notice"
    stage[answered_in_time] = "awaiting_check"
    stage[r["status"] == "closed"] = "closed"
    overdue = stage.isin(["escalated", "notice"])
    days = (day - r["deadline"]).dt.days.where(overdue, 0)
    states = r.assign(
        stage=stage,
        days_overdue=days.astype("Int64"),
        second_deadline=second.where(passed, pd.NaT),
    )[STATE_COLUMNS]
    return Standing(as_of, states.reset_index(drop=True), _hazards(rec, r, stage, day))


def notices_due(s: Standing, issued: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """The rectifications whose second deadline passed by `s.as_of` (stage `notice`: the bureau issues a
    notice, 通报) and that have no notice yet (`issued`: rectification ids noticed before), oldest
    deadline first (STATE_COLUMNS)."""
    due = s.states[(s.states["stage"] == "notice") & ~s.states["rectification_id"].astype(str).isin(issued)]
    return due.sort_values(["deadline", "rectification_id"], kind="stable").reset_index(drop=True)


def _hazards(rec: Records, r: pd.DataFrame, stage: pd.Series, day: pd.Timestamp) -> pd.DataFrame:
    grave = r[(r["item"] == "safety") & (r["severity"] == "grave") & (stage != "closed") & (r["date"] <= day)]
    checks = rec.followups[(rec.followups["action"] == "daily_check") & (rec.followups["date"] <= day)]
    last = checks.groupby("rectification_id")["date"].max()
    out = grave.assign(
        found_on=grave["date"],
        stage=stage[grave.index],
        days_open=(day - grave["date"]).dt.days,
        last_check=grave["rectification_id"].map(last),
    )
    since = out["last_check"].where(out["last_check"].notna(), out["found_on"])
    out = out.assign(days_unchecked=(day - since).dt.days)
    return out[HAZARD_COLUMNS].sort_values(["found_on", "rectification_id"]).reset_index(drop=True)


def part(ctx: Context) -> Standing | None:
    """The supervision run's rectification part: where the records' rectifications stand on the run's
    day (None when no visit found a problem)."""
    rec = Records(**{name: ctx.record(name) for name in ("visits", "findings", "rectifications", "followups")})
    if rec.rectifications.empty:
        return None
    schools = ctx.frame("schools")
    names = (
        dict(zip(schools["school_id"].astype(str), schools["name"].astype(str), strict=True))
        if schools is not None
        else {}
    )
    found = standing(rec, ctx.as_of, section(ctx.params, "rectification", RectifyParams))
    return Standing(found.as_of, found.states, found.hazards, names)


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The headline `countyedu demo` prints."""
    if "rectification_open" not in s:
        return []
    return [
        f"{s['as_of']} 督导整改 / rectification: 未销号 open {s['rectification_open']}，"
        f"逾期 overdue {s['rectification_overdue']}（通报 notice {s['rectification_notice']}），"
        f"重大安全隐患 grave hazards {s['rectification_grave_hazards']}"
    ]

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from countyedu.messages import register_codes
from countyedu.policy.pack import Pack
from countyedu.runs.store import parameters
from countyedu.supervision.records import Records, timestamp

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

    def open(self) -> pd.DataFrame:
        return self.states[self.states["stage"].isin(OPEN_STAGES)]

    def counts(self) -> dict[str, int]:
        """Stage → number of rectifications (every stage listed)."""
        got = self.states["stage"].value_counts()
        return {s: int(got.get(s, 0)) for s in STAGES}

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

"""Every candidate's answer (issue 14 item 3): where they were admitted, in which batch, their rank in
the county's order, and for each choice above it why not — in message keys, worded at the edge
("统招线 612 分，你的成绩 598 分"; "名额已满：最后录取 605 分，同分比较数学").

Reads the candidates, the programmes and an allocation (the JSON of `countyedu admissions run`); the
lines are the programmes' minimum lines and the last admitted candidate of each programme and batch
(of each junior school in the quota batch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.admissions.verify import (
    QUOTA,
    UNIFIED,
    Candidate,
    Programme,
    Rules,
    batch_code,
    grade_ok,
    order_key,
    read_candidates,
    read_programmes,
)
from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockColumn, BlockTable

BATCHES = ("early", "quota", "unified", "vocational")
TERM_LABELS = {
    "chinese": Msg("Chinese"),
    "math": Msg("maths"),
    "english": Msg("English"),
    "chinese+math+english": Msg("the sum of Chinese, maths and English"),
}


def term_label(term: str) -> Msg | str:
    return TERM_LABELS.get(term.replace(" ", ""), term)


def points(v: float | None) -> Num:
    return Num(None if v is None else round(v, 1), "")


@dataclass(frozen=True)
class Reason:
    programme_id: str
    batch: str
    why: Msg

    def as_dict(self) -> dict[str, Any]:
        return {"programme_id": self.programme_id, "batch": self.batch, "why": self.why.as_dict()}


@dataclass(frozen=True)
class Answer:
    """One candidate's answer."""

    candidate_id: str
    year: int
    junior_school_id: str
    total: float | None
    rank: int | None
    programme_id: str | None
    batch: str | None
    reasons: tuple[Reason, ...]

    def headline(self, names: Mapping[str, str] | None = None) -> Msg:
        if self.programme_id is None:
            return Msg("{candidate}: not admitted to any programme chosen", candidate=self.candidate_id)
        name = (names or {}).get(self.programme_id, self.programme_id)
        if self.rank is None:
            return Msg(
                "{candidate}: admitted to {programme} in the {batch} batch",
                candidate=self.candidate_id,
                programme=name,
                batch=batch_code(self.batch or ""),
            )
        return Msg(
            "{candidate}: admitted to {programme} in the {batch} batch, rank {rank}",
            candidate=self.candidate_id,
            programme=name,
            batch=batch_code(self.batch or ""),
            rank=self.rank if self.rank is not None else "—",
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate_id": self.candidate_id,
            "year": self.year,
            "junior_school_id": self.junior_school_id,
            "score": self.total,
            "rank": self.rank,
            "programme_id": self.programme_id,
            "batch": self.batch,
            "why_not": [r.as_dict() for r in self.reasons],
        }

    def blocks(self, names: Mapping[str, str] | None = None) -> list[Block]:
        """The answer as a report block: the outcome, then one row per higher choice and why not."""
        names = names or {}
        rows: list[list[Any]] = [
            [names.get(r.programme_id, r.programme_id), batch_code(r.batch), r.why] for r in self.reasons
        ]
        table = BlockTable(
            Msg("Choices above the admission, and why not"),
            [
                BlockColumn("programme", Msg("Programme")),
                BlockColumn("batch", Msg("Batch")),
                BlockColumn("why", Msg("Why not")),
            ],
            rows,
        )
        paragraphs: list[Any] = [
            self.headline(names),
        ]
        if self.total is not None:
            paragraphs.append(
                Msg("Score {score}; rank {rank} in the county", score=points(self.total), rank=self.rank or "—")
            )
        else:
            paragraphs.append(Msg("no academic level exam: no general high school (第7条)"))
        return [
            Block(
                "admissions.answer",
                Msg("Admission result"),
                "第7条; AD",
                paragraphs=paragraphs,
                tables=[table] if rows else [],
            )
        ]


class Explainer:
    """The answers of one year's allocation (the lines computed once)."""

    def __init__(self, frames: Mapping[str, pd.DataFrame], year: int, allocation: Mapping[str, Any]) -> None:
        self.year = year
        self.rules = Rules.of(allocation.get("params", {}))
        progs = frames["programmes"]
        self.progs: dict[str, Programme] = read_programmes(progs[progs["year"] == year], self.rules)
        cands = frames["candidates"]
        self.cands: dict[str, Candidate] = read_candidates(cands[cands["year"] == year], self.progs)
        self.key = {cid: order_key(c, self.rules) for cid, c in self.cands.items()}
        # the boarding and gender conditions (AD): read here, beside the verifier's reading
        self.gender_rule = str(allocation.get("params", {}).get("gender_conditions", "ignore"))
        self.cand_cond = _conditions(cands[cands["year"] == year], "candidate_id")
        self.prog_cond = _conditions(progs[progs["year"] == year], "programme_id")
        self.outcome: dict[str, tuple[str, str, int | None]] = {}
        # the last admitted of each (programme, batch, junior school in the quota batch)
        self.last: dict[tuple[str, str, str], str] = {}
        for a in allocation.get("admitted", []):
            cid, pid, batch = str(a["candidate_id"]), str(a["programme_id"]), str(a["batch"])
            rank = a.get("rank")
            self.outcome[cid] = (pid, batch, None if rank is None else int(rank))
            c = self.cands.get(cid)
            if c is None:
                continue
            slot = (pid, batch, c.school if batch == QUOTA else "")
            if slot not in self.last or self.key[cid] < self.key[self.last[slot]]:
                self.last[slot] = cid
        ordered = sorted(self.key.values(), reverse=True)
        self._rank_of: dict[tuple[float, ...], int] = {}
        for i, k in enumerate(ordered):
            self._rank_of.setdefault(k, i + 1)

    def answer(self, candidate_id: str) -> Answer:
        c = self.cands.get(candidate_id)
        if c is None:
            raise CountyEduError(
                Msg("no candidate {candidate} in {year}", candidate=candidate_id, year=self.year),
                candidate=candidate_id,
            )
        got = self.outcome.get(candidate_id)
        reasons = []
        for batch in BATCHES:
            for pid in c.choices.get(batch, ()):
                if got and got[1] == batch and got[0] == pid:
                    break
                reasons.append(Reason(pid, batch, self.why_not(c, pid, batch)))
            else:
                continue
            break
        rank = got[2] if got and got[2] is not None else self._rank_of.get(self.key[candidate_id])
        return Answer(
            candidate_id,
            self.year,
            c.school,
            c.total,
            rank if c.total is not None else None,
            got[0] if got else None,
            got[1] if got else None,
            tuple(reasons),
        )

    def why_not(self, c: Candidate, pid: str, batch: str) -> Msg:
        """Why the candidate was not admitted to that choice in that batch."""
        p = self.progs.get(pid)
        if p is None:
            return Msg("{programme} has no places this year", programme=pid)
        if not c.took_exam and p.track != "vocational":
            return Msg("no academic level exam: no general high school (第7条)")
        if batch == QUOTA and not c.three_years:
            return Msg("quota places are for pupils who studied all three years at their junior school")
        if not grade_ok(c.grade, p.min_grade):
            return Msg(
                "requires quality grade {minimum} or better; yours is {grade}",
                minimum=p.min_grade or "",
                grade=c.grade or "—",
            )
        barred = self._condition(c.candidate_id, pid)
        if barred is not None:
            return barred
        line = None if p.min_score is None else p.min_score - (self.rules.quota_margin if batch == QUOTA else 0.0)
        last_id = self.last.get((pid, batch, c.school if batch == QUOTA else ""))
        if last_id is None:
            if line is not None and (c.total is None or c.total < line):
                return self._line(batch, line, c.total)
            if batch == QUOTA:
                return Msg("your junior school has no quota places at this programme")
            return Msg("no place was left in this batch")
        last = self.cands[last_id]
        last_total = last.total if last.total is not None else -math.inf
        total = c.total if c.total is not None else -math.inf
        if line is not None and total < line:
            return self._line(batch, line if batch == QUOTA else max(line, last_total), c.total)
        if total < last_total:
            if batch == QUOTA:
                return Msg(
                    "your school's quota places here are taken: last admitted {last} points, your score {score} points",
                    last=points(last_total),
                    score=points(c.total),
                )
            return self._line(batch, last_total, c.total)
        mine, theirs = self.key[c.candidate_id], self.key[last_id]
        if mine < theirs:
            term = next(t for t, a, b in zip(self.rules.tie_order, mine[1:], theirs[1:], strict=False) if a != b)
            return Msg(
                "places full: last admitted {last} points, ties compared by {term}",
                last=points(last_total),
                term=term_label(term),
            )
        if mine == theirs and self.rules.tie_rule == "lottery":
            return Msg("places full: tied with the last admitted, the seeded lottery decided")
        return Msg(
            "places full: candidates tied at your score outnumbered the places left, and the strict tie rule admits none of them"
        )

    def _condition(self, candidate_id: str, pid: str) -> Msg | None:
        """The boarding or gender condition of the programme the candidate does not meet, if any."""
        boards, gender = self.cand_cond.get(candidate_id, (None, None))
        rule, only = self.prog_cond.get(pid, (None, None))
        if rule == "required" and boards is False:
            return Msg("every pupil of this programme boards; you did not apply to board")
        if rule == "none" and boards is True:
            return Msg("this programme takes day pupils only; you applied to board")
        if only is not None and self.gender_rule == "apply" and gender != only:
            return Msg("this programme admits {gender} candidates only", gender=Code("gender", str(only)))
        return None

    def _line(self, batch: str, line: float, total: float | None) -> Msg:
        if batch == QUOTA:
            return Msg("quota line {line} points, your score {score} points", line=points(line), score=points(total))
        if batch == UNIFIED:
            return Msg("unified line {line} points, your score {score} points", line=points(line), score=points(total))
        return Msg("line {line} points, your score {score} points", line=points(line), score=points(total))

    def of_school(self, school_id: str) -> list[Answer]:
        """The answers of one junior school's candidates (a clerk's own pupils)."""
        return [self.answer(cid) for cid, c in sorted(self.cands.items()) if c.school == school_id]


def _conditions(frame: pd.DataFrame, key: str) -> dict[str, tuple[Any, Any]]:
    """id → (boarding, gender) of the rows with either recorded (candidates: applies to board as a bool;
    programmes: the boarding condition's code)."""
    if "boarding" not in frame and "gender" not in frame:
        return {}
    none = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    boarding = frame.get("boarding", none)
    gender = frame.get("gender", none)
    out = {}
    for i, b, g in zip(frame[key].astype(str), boarding.tolist(), gender.tolist(), strict=True):
        b, g = (
            (None if pd.isna(b) else (bool(b) if key == "candidate_id" else str(b))),
            (None if pd.isna(g) else str(g)),
        )
        if b is not None or g is not None:
            out[i] = (b, g)
    return out


def explain(frames: Mapping[str, pd.DataFrame], year: int, allocation: Mapping[str, Any], candidate_id: str) -> Answer:
    """One candidate's answer."""
    return Explainer(frames, year, allocation).answer(candidate_id)

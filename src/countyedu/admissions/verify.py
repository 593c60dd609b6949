"""The independent verifier of an admission (issue 14 item 4, STANDARDS AD, 第7条): reads the
candidates, the programmes, the schools, the declared rules and an allocation (the JSON contract of
`countyedu admissions run`), and says whether the allocation keeps every rule.

Written from the rules alone, apart from the allocator (admissions/allocate.py): it shares no code
with it beyond reading the data, and recomputes what it needs (the candidates' order, the 指标到校
places of each junior school by largest remainder) in its own way, so that a fault of one is not a
fault of both.

The checks, each {"check", "ok", "detail"} with a `Msg` detail (the first problems found, counted):
- one_place: every candidate of the year is either admitted once or unplaced, never both, never twice;
- quota: no programme over its places in a batch, except a tie at the last place under the declared
  tie rule 同分同录 (admit all tied);
- eligibility: the programme is among the candidate's choices of that batch; no exam → vocational
  only (第7条); the programme's conditions (quality grade, minimum line; the quota batch's line is the
  minimum line minus the margin);
- no_envy: inside a batch, no candidate who outranks an admitted one (or is tied with them, unless
  the tie rule is a lottery) was refused at a programme they preferred and were eligible for. Under
  the strict tie rule a tie larger than the places left is refused and the programme then takes no
  one below it (else the refused would envy them); under 同分同录 the tie is admitted beyond the
  quota; under the lottery a tie is parted by the draw, which the verifier does not redo;
- quota_places: 指标到校 places only to candidates of that junior school who studied there all three
  years, and no more than the school's share (largest remainder of the quota places by graduates,
  rural schools tilted);
- returned: every unused quota place is declared returned, and the unified batch used it (no place
  left empty that an eligible candidate preferred, save under the strict tie rule's refused tie).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg

EARLY, QUOTA, UNIFIED, VOCATIONAL = "early", "quota", "unified", "vocational"
BATCH_ORDER = (EARLY, QUOTA, UNIFIED, VOCATIONAL)
GRADES = ("A", "B", "C", "D")  # best first
SUBJECTS = ("chinese", "math", "english")
CHECKS = ("one_place", "quota", "eligibility", "no_envy", "quota_places", "returned")
BATCH_CODES = "admission_batch"  # the vocabulary of the batch codes (census.vocabulary)
MAX_NAMED = 5  # problems named in a check's detail; the rest counted


def batch_code(batch: str) -> Code:
    """A batch as a code its reader sees labelled (提前批, 指标到校, 统招, 职校)."""
    return Code(BATCH_CODES, batch)


# ---- what the verifier reads


@dataclass(frozen=True)
class Candidate:
    candidate_id: str
    school: str
    took_exam: bool
    total: float | None  # exam score plus bonus; None without the exam
    subjects: Mapping[str, float]
    grade: str | None
    three_years: bool
    choices: Mapping[str, tuple[str, ...]]  # batch → programme ids in order of preference


@dataclass(frozen=True)
class Programme:
    programme_id: str
    school: str
    batch: str  # early / unified / vocational (a unified programme with a quota share also runs in the quota batch)
    track: str
    quota: int
    quota_share: float
    min_score: float | None
    min_grade: str | None


@dataclass(frozen=True)
class Rules:
    """The rules the allocation declares it kept (its "params")."""

    tie_rule: str  # strict | admit_all | lottery
    tie_order: tuple[str, ...]  # subject keys after the total: "chinese+math+english", "math", …
    quota_margin: float
    rural_tilt: float
    quota_share: float | None  # the default share where a programme names none

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Rules:
        order = params.get("tie_order", "chinese+math+english,math,chinese")
        if isinstance(order, str):
            order = [k.strip() for k in order.split(",") if k.strip()]
        tie = str(params.get("tie_rule", "strict"))
        share = params.get("quota_share")
        return cls(
            tie_rule=tie,
            tie_order=tuple(k for k in order if k != "lottery"),
            quota_margin=float(params.get("quota_margin", 0.0) or 0.0),
            rural_tilt=float(params.get("rural_tilt", 1.0) or 1.0),
            quota_share=None if share is None else float(share),
        )


@dataclass
class Check:
    check: str
    problems: list[Msg] = field(default_factory=list)
    count: int = 0
    ok_detail: Msg | None = None

    def add(self, msg: Msg) -> None:
        self.count += 1
        if len(self.problems) < MAX_NAMED:
            self.problems.append(msg)

    def as_dict(self) -> dict[str, Any]:
        if not self.count:
            return {"check": self.check, "ok": True, "detail": self.ok_detail or Msg("no problem found")}
        detail = Msg(
            "{count} problems: {first}",
            count=self.count,
            first=tuple(self.problems),
        )
        return {"check": self.check, "ok": False, "detail": detail}


def _val(row: Mapping[str, Any], name: str) -> Any:
    v = row.get(name)
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return v


def read_candidates(frame: pd.DataFrame, programmes: Mapping[str, Programme]) -> dict[str, Candidate]:
    """The year's candidates: their total, subject scores and choices per batch (one choice list;
    a choice belongs to its programme's batch, and a programme with quota places to the quota batch too)."""
    choice_cols = sorted(
        (c for c in frame.columns if c.startswith("choice_") and c[7:].isdigit()), key=lambda c: int(c[7:])
    )
    out: dict[str, Candidate] = {}
    for row in frame.to_dict("records"):
        took = bool(_val(row, "took_exam"))
        score = _val(row, "exam_score")
        total = float(score) + float(_val(row, "bonus") or 0.0) if took and score is not None else None
        subjects = {s: float(_val(row, f"score_{s}") or 0.0) for s in SUBJECTS}
        lists: dict[str, list[str]] = defaultdict(list)
        for c in choice_cols:
            pid = _val(row, c)
            if pid is None:
                continue
            pid = str(pid)
            prog = programmes.get(pid)
            batch = prog.batch if prog else UNIFIED
            if prog and prog.batch == UNIFIED and prog.quota_share > 0:
                lists[QUOTA].append(pid)
            lists[batch].append(pid)
        cid = str(row["candidate_id"])
        out[cid] = Candidate(
            candidate_id=cid,
            school=str(row["junior_school_id"]),
            took_exam=took,
            total=total,
            subjects=subjects,
            grade=_val(row, "quality_grade"),
            three_years=bool(_val(row, "three_years_at_school")),
            choices={b: tuple(v) for b, v in lists.items()},
        )
    return out


def read_programmes(frame: pd.DataFrame, rules: Rules) -> dict[str, Programme]:
    out: dict[str, Programme] = {}
    for row in frame.to_dict("records"):
        track = str(_val(row, "track") or "general")
        batch = _val(row, "batch") or (VOCATIONAL if track == "vocational" else UNIFIED)
        if batch == QUOTA:  # a programme declared in the quota batch is a unified one with quota places
            batch = UNIFIED
        share = _val(row, "quota_to_schools")
        if share is None and batch == UNIFIED and track == "general":
            share = rules.quota_share
        pid = str(row["programme_id"])
        out[pid] = Programme(
            programme_id=pid,
            school=str(row["school_id"]),
            batch=str(batch),
            track=track,
            quota=int(row["quota"]),
            quota_share=float(share or 0.0),
            min_score=None if _val(row, "min_score") is None else float(row["min_score"]),
            min_grade=_val(row, "min_quality_grade"),
        )
    return out


# ---- the rules, recomputed


def order_key(c: Candidate, rules: Rules) -> tuple[float, ...]:
    """A candidate's place in the county's order, larger first: the total, then the tie order's
    subject sums. Candidates with equal keys are tied (a lottery, where declared, parts them)."""
    if c.total is None:
        return (-math.inf,)
    key = [c.total]
    for term in rules.tie_order:
        key.append(sum(c.subjects.get(s.strip(), 0.0) for s in term.split("+")))
    return tuple(key)


def quota_places(
    programmes: Mapping[str, Programme],
    candidates: Mapping[str, Candidate],
    rural: Mapping[str, bool],
    rules: Rules,
) -> dict[tuple[str, str], int]:
    """(programme, junior school) → its 指标到校 places: round(quota × share) divided by graduates (the
    school's candidates), rural schools' weight × the tilt, by largest remainder (ties to the school
    with more graduates, then the smaller id)."""
    graduates: dict[str, int] = defaultdict(int)
    for c in candidates.values():
        graduates[c.school] += 1
    weight = {s: n * (rules.rural_tilt if rural.get(s, False) else 1.0) for s, n in graduates.items()}
    total_w = sum(weight.values())
    out: dict[tuple[str, str], int] = {}
    for p in programmes.values():
        if p.batch != UNIFIED or p.quota_share <= 0 or total_w <= 0:
            continue
        places = math.floor(p.quota * p.quota_share + 0.5)
        exact = {s: places * w / total_w for s, w in weight.items()}
        floors = {s: math.floor(v) for s, v in exact.items()}
        left = places - sum(floors.values())
        by_remainder = sorted(exact, key=lambda s: (-(exact[s] - floors[s]), -graduates[s], s))
        for s in by_remainder[:left]:
            floors[s] += 1
        for s, n in floors.items():
            if n:
                out[(p.programme_id, s)] = n
    return out


def grade_ok(grade: str | None, minimum: str | None) -> bool:
    if minimum is None:
        return True
    return grade in GRADES and GRADES.index(grade) <= GRADES.index(minimum)


def eligible(c: Candidate, p: Programme, batch: str, rules: Rules) -> bool:
    """Whether the candidate meets the programme's conditions in that batch (not counting places)."""
    if not c.took_exam and p.track != "vocational":
        return False
    if not grade_ok(c.grade, p.min_grade):
        return False
    if p.min_score is not None:
        line = p.min_score - (rules.quota_margin if batch == QUOTA else 0.0)
        if c.total is None or c.total < line:
            return False
    return not (batch == QUOTA and not c.three_years)


# ---- the verifier


def verify(
    frames: Mapping[str, pd.DataFrame],
    year: int,
    allocation: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """{"ok", "checks": [{"check", "ok", "detail"}]} for the allocation of `year` (the run's JSON: its
    "admitted", "unplaced", "returned_quota" and, unless given, its "params")."""
    rules = Rules.of(params if params is not None else allocation.get("params", {}))
    progs_frame = frames["programmes"]
    progs = read_programmes(progs_frame[progs_frame["year"] == year], rules)
    cands_frame = frames["candidates"]
    cands = read_candidates(cands_frame[cands_frame["year"] == year], progs)
    schools = frames.get("schools")
    rural = {} if schools is None else {str(r.school_id): not bool(r.urban) for r in schools.itertuples()}
    admitted = [
        (str(a["candidate_id"]), str(a["programme_id"]), str(a["batch"]), a.get("rank"))
        for a in allocation.get("admitted", [])
    ]
    unplaced = [str(c) for c in allocation.get("unplaced", [])]
    returned = {
        (str(r["programme_id"]), str(r["junior_school_id"])): int(r["places"])
        for r in allocation.get("returned_quota", [])
    }
    v = _Verifier(rules, progs, cands, quota_places(progs, cands, rural, rules), admitted, unplaced, returned)
    checks = [
        v.one_place(),
        v.quota(),
        v.eligibility(),
        v.no_envy(),
        v.quota_places_check(),
        v.returned_check(),
    ]
    out = [c.as_dict() for c in checks]
    return {"ok": all(c["ok"] for c in out), "checks": out}


class _Verifier:
    def __init__(
        self,
        rules: Rules,
        progs: dict[str, Programme],
        cands: dict[str, Candidate],
        places: dict[tuple[str, str], int],
        admitted: list[tuple[str, str, str, Any]],
        unplaced: list[str],
        returned: dict[tuple[str, str], int],
    ) -> None:
        self.rules, self.progs, self.cands, self.places = rules, progs, cands, places
        self.admitted, self.unplaced, self.returned = admitted, unplaced, returned
        # one outcome per candidate (the first, if the allocation gives several: one_place says so)
        self.outcome: dict[str, tuple[str, str]] = {}
        for cid, pid, batch, _ in admitted:
            self.outcome.setdefault(cid, (pid, batch))
        self.key = {cid: order_key(c, rules) for cid, c in cands.items()}
        self.seats: dict[tuple[str, str], list[str]] = defaultdict(list)  # (programme, batch) → candidates
        for cid, pid, batch, _ in admitted:
            self.seats[(pid, batch)].append(cid)

    # one place per candidate
    def one_place(self) -> Check:
        check = Check("one_place")
        seen: dict[str, int] = defaultdict(int)
        for cid, *_ in self.admitted:
            seen[cid] += 1
        for cid, n in seen.items():
            if n > 1:
                check.add(Msg("candidate {candidate} admitted {n} times", candidate=cid, n=n))
            if cid not in self.cands:
                check.add(Msg("candidate {candidate} admitted but not a candidate of the year", candidate=cid))
        for cid in self.unplaced:
            if cid in seen:
                check.add(Msg("candidate {candidate} both admitted and unplaced", candidate=cid))
        listed = set(seen) | set(self.unplaced)
        for cid in self.cands:
            if cid not in listed:
                check.add(Msg("candidate {candidate} neither admitted nor unplaced", candidate=cid))
        check.ok_detail = Msg(
            "{admitted} admitted once each, {unplaced} unplaced, of {candidates} candidates",
            admitted=len(seen),
            unplaced=len(self.unplaced),
            candidates=len(self.cands),
        )
        return check

    def _capacity(self, pid: str, batch: str) -> int:
        p = self.progs[pid]
        if batch == QUOTA:
            return sum(n for (q, _), n in self.places.items() if q == pid)
        if batch == UNIFIED:  # the places not taken in the quota batch (the quota's unused ones returned)
            return p.quota - len(self.seats.get((pid, QUOTA), []))
        return p.quota

    def _tied_overflow(self, ids: list[str], capacity: int) -> bool:
        """Whether the seats beyond `capacity` are all tied with the last one within it (同分同录)."""
        if self.rules.tie_rule != "admit_all" or capacity <= 0:
            return False
        keys = sorted((self.key.get(c, (-math.inf,)) for c in ids), reverse=True)
        return all(k == keys[capacity - 1] for k in keys[capacity - 1 :])

    # no programme over quota
    def quota(self) -> Check:
        check = Check("quota")
        for (pid, batch), ids in sorted(self.seats.items()):
            if pid not in self.progs:
                check.add(Msg("programme {programme} is not a programme of the year", programme=pid))
                continue
            cap = self._capacity(pid, batch)
            if len(ids) > cap and not self._tied_overflow(ids, cap):
                check.add(
                    Msg(
                        "{programme} admitted {n} in batch {batch}, over its {places} places",
                        programme=pid,
                        n=len(ids),
                        batch=batch_code(batch),
                        places=cap,
                    )
                )
        check.ok_detail = Msg("{n} programmes within their places", n=len({p for p, _ in self.seats}))
        return check

    # eligibility and conditions
    def eligibility(self) -> Check:
        check = Check("eligibility")
        for cid, pid, batch, _ in self.admitted:
            c, p = self.cands.get(cid), self.progs.get(pid)
            if c is None or p is None:
                continue  # one_place / quota name these
            if batch not in BATCH_ORDER or (p.batch != batch and not (batch == QUOTA and p.quota_share > 0)):
                check.add(
                    Msg(
                        "{candidate} admitted to {programme} in batch {batch}",
                        candidate=cid,
                        programme=pid,
                        batch=batch_code(batch),
                    )
                )
            elif pid not in c.choices.get(batch, ()):
                check.add(Msg("{candidate} did not choose {programme}", candidate=cid, programme=pid))
            elif not c.took_exam and p.track != "vocational":
                check.add(
                    Msg("{candidate} sat no exam but was admitted to {programme} (第7条)", candidate=cid, programme=pid)
                )
            elif not eligible(c, p, batch, self.rules):
                check.add(Msg("{candidate} does not meet the conditions of {programme}", candidate=cid, programme=pid))
        check.ok_detail = Msg("{n} admissions meet their programme's conditions", n=len(self.admitted))
        return check

    def _better_choices(self, c: Candidate, batch: str) -> Iterable[str]:
        """The programmes of the batch the candidate preferred to their outcome in it (all, if none)."""
        lst = c.choices.get(batch, ())
        got = self.outcome.get(c.candidate_id)
        if got and got[1] == batch and got[0] in lst:
            return lst[: lst.index(got[0])]
        return lst

    def _in_batch(self, c: Candidate, batch: str) -> bool:
        """Whether the candidate was still free when the batch ran (not admitted in an earlier one)."""
        got = self.outcome.get(c.candidate_id)
        return got is None or BATCH_ORDER.index(got[1]) >= BATCH_ORDER.index(batch)

    # no justified envy inside a batch
    def no_envy(self) -> Check:
        check = Check("no_envy")
        lottery = self.rules.tie_rule == "lottery"
        # weakest admitted key per (programme, batch[, junior school])
        weakest: dict[tuple[str, str, str], tuple[float, ...]] = {}
        holder: dict[tuple[str, str, str], str] = {}
        for cid, pid, batch, _ in self.admitted:
            c = self.cands.get(cid)
            if c is None or pid not in self.progs:
                continue
            slot = (pid, batch, c.school if batch == QUOTA else "")
            k = self.key[cid]
            if slot not in weakest or k < weakest[slot]:
                weakest[slot], holder[slot] = k, cid
        for c in self.cands.values():
            for batch in BATCH_ORDER:
                if not self._in_batch(c, batch):
                    continue
                for pid in self._better_choices(c, batch):
                    p = self.progs.get(pid)
                    slot = (pid, batch, c.school if batch == QUOTA else "")
                    if p is None or slot not in weakest or not eligible(c, p, batch, self.rules):
                        continue
                    k, w = self.key[c.candidate_id], weakest[slot]
                    if k > w or (k == w and not lottery):
                        check.add(
                            Msg(
                                "{candidate} was refused at {programme} (batch {batch}) though {other}, "
                                "who does not outrank them, was admitted",
                                candidate=c.candidate_id,
                                programme=pid,
                                batch=batch_code(batch),
                                other=holder[slot],
                            )
                        )
        check.ok_detail = Msg("no candidate outranks one admitted where they preferred to be")
        return check

    # quota places only to qualifying candidates of that junior school
    def quota_places_check(self) -> Check:
        check = Check("quota_places")
        used: dict[tuple[str, str], int] = defaultdict(int)
        for cid in self.seats_in(QUOTA):
            c = self.cands.get(cid)
            pid = self.outcome[cid][0]
            if c is None:
                continue
            if not c.three_years:
                check.add(
                    Msg(
                        "{candidate} took a quota place at {programme} without three years at their junior school",
                        candidate=cid,
                        programme=pid,
                    )
                )
            used[(pid, c.school)] += 1
        for (pid, school), n in sorted(used.items()):
            allowed = self.places.get((pid, school), 0)
            if n > allowed and not self._tied_overflow(
                [cid for cid in self.seats.get((pid, QUOTA), []) if self.cands[cid].school == school], allowed
            ):
                check.add(
                    Msg(
                        "{school} has {places} quota places at {programme}, {n} admitted",
                        school=school,
                        places=allowed,
                        programme=pid,
                        n=n,
                    )
                )
        check.ok_detail = Msg(
            "{n} quota places of {schools} junior schools, each to its own pupils",
            n=sum(self.places.values()),
            schools=len({s for _, s in self.places}),
        )
        return check

    def seats_in(self, batch: str) -> list[str]:
        return [cid for (_, b), ids in self.seats.items() if b == batch for cid in ids]

    # returned places accounted for
    def returned_check(self) -> Check:
        check = Check("returned")
        used: dict[tuple[str, str], int] = defaultdict(int)
        for cid in self.seats_in(QUOTA):
            if cid in self.cands:
                used[(self.outcome[cid][0], self.cands[cid].school)] += 1
        for slot in sorted(set(self.places) | set(self.returned)):
            expected = max(self.places.get(slot, 0) - used.get(slot, 0), 0)
            if self.returned.get(slot, 0) != expected:
                check.add(
                    Msg(
                        "{school} left {expected} quota places of {programme} unused, {declared} declared returned",
                        school=slot[1],
                        programme=slot[0],
                        expected=expected,
                        declared=self.returned.get(slot, 0),
                    )
                )
        for pid, p in sorted(self.progs.items()):
            if p.batch != UNIFIED:
                continue
            free = self._capacity(pid, UNIFIED) - len(self.seats.get((pid, UNIFIED), []))
            if free <= 0:
                continue
            wanting = [
                c
                for c in self.cands.values()
                if self._in_batch(c, UNIFIED)
                and pid in self._better_choices(c, UNIFIED)
                and eligible(c, p, UNIFIED, self.rules)
            ]
            if wanting and not self._refused_tie(wanting, free):
                check.add(
                    Msg(
                        "{programme} left {free} places empty in the unified batch though {candidate} wanted one",
                        programme=pid,
                        free=free,
                        candidate=max(wanting, key=lambda c: self.key[c.candidate_id]).candidate_id,
                    )
                )
        check.ok_detail = Msg(
            "{n} returned quota places, all offered in the unified batch", n=sum(self.returned.values())
        )
        return check

    def _refused_tie(self, wanting: list[Candidate], free: int) -> bool:
        """Under the strict tie rule: the best refused candidates are a tie larger than the free places."""
        if self.rules.tie_rule != "strict":
            return False
        best = max(self.key[c.candidate_id] for c in wanting)
        return sum(1 for c in wanting if self.key[c.candidate_id] == best) > free

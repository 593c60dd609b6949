"""The independent verifier of an admission (issue 14 item 4, STANDARDS AD, 第7条): reads the
candidates, the programmes, the schools, the declared rules and an allocation (the JSON contract of
`countyedu admissions run`), and says whether the allocation keeps every rule.

The checks run over arrays (numpy), the per-candidate readers below (`read_candidates`, `eligible`,
`order_key`) serve the answers and reports of a year. Written from the rules alone, apart from the allocator (admissions/allocate.py): it shares no code
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
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


# ---- the verifier, over arrays (a million candidates in about a second)

INF = np.iinfo(np.int64).max
B_EARLY, B_QUOTA, B_UNIFIED, B_VOCATIONAL = range(4)
NO_GRADE, ANY_GRADE = 9, 99


def _bools(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.zeros(len(frame), dtype=bool)
    return (
        pd.array(frame[col].astype(object).where(frame[col].notna(), None), dtype="boolean")
        .fillna(False)
        .to_numpy(dtype=bool)
    )


def _floats(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _grade_index(frame: pd.DataFrame, col: str, missing: int) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), missing, dtype=np.int64)
    codes = pd.Categorical(frame[col], categories=list(GRADES)).codes.astype(np.int64)
    return np.where(codes < 0, missing, codes)


@dataclass(frozen=True)
class _Data:
    """One year's candidates and programmes as arrays (what the checks read)."""

    ids: np.ndarray
    school: np.ndarray  # index into school_ids
    school_ids: np.ndarray
    rural: np.ndarray  # per school
    took: np.ndarray
    total: np.ndarray  # -inf without the exam
    key: np.ndarray  # dense rank in the county's order, larger first; equal = tied
    grade: np.ndarray
    three_years: np.ndarray
    choices: np.ndarray  # n × K programme indices, -1 none
    pids: np.ndarray
    p_batch: np.ndarray  # B_EARLY / B_UNIFIED / B_VOCATIONAL
    p_vocational: np.ndarray
    p_quota: np.ndarray
    p_share: np.ndarray
    p_min: np.ndarray  # nan: no line
    p_grade: np.ndarray  # ANY_GRADE: no condition

    @classmethod
    def read(cls, frames: Mapping[str, pd.DataFrame], year: int, rules: Rules) -> _Data:
        progs = frames["programmes"]
        progs = progs[pd.to_numeric(progs["year"]) == year]
        cands = frames["candidates"]
        cands = cands[pd.to_numeric(cands["year"]) == year]
        pids = progs["programme_id"].astype(str).to_numpy()
        track = progs["track"].astype(str).to_numpy() if "track" in progs else np.full(len(progs), "general")
        vocational = track == "vocational"
        declared = progs["batch"].astype(object).to_numpy() if "batch" in progs else np.full(len(progs), None)
        p_batch = np.array(
            [
                B_VOCATIONAL
                if b == VOCATIONAL
                else B_EARLY
                if b == EARLY
                else B_UNIFIED
                if b in (UNIFIED, QUOTA)
                else (B_VOCATIONAL if v else B_UNIFIED)
                for b, v in zip(declared, vocational, strict=True)
            ],
            dtype=np.int64,
        )
        share = _floats(progs, "quota_to_schools")
        default = rules.quota_share or 0.0
        share = np.where(np.isnan(share) & (p_batch == B_UNIFIED) & ~vocational, default, np.nan_to_num(share))
        index = pd.Index(pids)
        cols = sorted(
            (c for c in cands.columns if c.startswith("choice_") and c[7:].isdigit()), key=lambda c: int(c[7:])
        )
        choices = np.full((len(cands), max(len(cols), 1)), -1, dtype=np.int64)
        for k, col in enumerate(cols):
            v = cands[col]
            choices[:, k] = np.where(v.notna().to_numpy(), index.get_indexer(v.astype(str)), -1)
        school_ids, school = np.unique(cands["junior_school_id"].astype(str).to_numpy(), return_inverse=True)
        schools = frames.get("schools")
        urban = (
            {}
            if schools is None
            else dict(zip(schools["school_id"].astype(str), schools["urban"].astype(bool), strict=True))
        )
        took = _bools(cands, "took_exam")
        score = _floats(cands, "exam_score")
        total = np.where(took & ~np.isnan(score), score + np.nan_to_num(_floats(cands, "bonus")), -np.inf)
        scored = np.isfinite(total)
        subjects = {s: np.nan_to_num(_floats(cands, f"score_{s}")) for s in SUBJECTS}
        terms = [
            np.where(scored, sum((subjects.get(s.strip(), 0.0) for s in t.split("+")), np.zeros(len(cands))), 0.0)
            for t in rules.tie_order
        ]
        return cls(
            ids=cands["candidate_id"].astype(str).to_numpy(),
            school=school.astype(np.int64),
            school_ids=school_ids,
            rural=np.array([not urban.get(s, True) for s in school_ids], dtype=bool),
            took=took,
            total=total,
            key=_dense_rank([total, *terms]),
            grade=_grade_index(cands, "quality_grade", NO_GRADE),
            three_years=_bools(cands, "three_years_at_school"),
            choices=choices,
            pids=pids,
            p_batch=p_batch,
            p_vocational=vocational,
            p_quota=pd.to_numeric(progs["quota"]).to_numpy(dtype=np.int64),
            p_share=share,
            p_min=_floats(progs, "min_score"),
            p_grade=_grade_index(progs, "min_quality_grade", ANY_GRADE),
        )

    def eligible(self, rows: np.ndarray, progs: np.ndarray, batch: int, margin: float) -> np.ndarray:
        """Whether each candidate row meets each programme's conditions in that batch (broadcast)."""
        ok = self.took[rows] | self.p_vocational[progs]
        ok &= self.grade[rows] <= self.p_grade[progs]
        line = self.p_min[progs] - (margin if batch == B_QUOTA else 0.0)
        ok &= np.isnan(line) | (self.total[rows] >= line)
        if batch == B_QUOTA:
            ok &= self.three_years[rows]
        return ok

    def in_list(self, progs: np.ndarray, batch: int) -> np.ndarray:
        """Whether each programme index is a choice of that batch."""
        if batch == B_QUOTA:
            return (self.p_batch[progs] == B_UNIFIED) & (self.p_share[progs] > 0)
        return self.p_batch[progs] == batch


def _dense_rank(keys: list[np.ndarray]) -> np.ndarray:
    """Each row's place by the keys (the first decides, larger first): equal rows share one rank;
    a larger rank is a better place."""
    n = len(keys[0])
    if not n:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys[::-1])  # ascending by keys[0], then keys[1], …
    change = np.zeros(n, dtype=bool)
    for k in keys:
        s = k[order]
        change[1:] |= s[1:] != s[:-1]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.cumsum(change)
    return rank


def places_of(d: _Data, rules: Rules) -> np.ndarray:
    """指标到校 places as a programmes × junior schools matrix: round(quota × share) divided by
    graduates (rural × the tilt), largest remainder (ties: more graduates, then the smaller id)."""
    graduates = np.bincount(d.school, minlength=len(d.school_ids)).astype(np.float64)
    weight = graduates * np.where(d.rural, rules.rural_tilt, 1.0)
    out = np.zeros((len(d.pids), len(d.school_ids)), dtype=np.int64)
    total_w = weight.sum()
    takes = np.flatnonzero((d.p_batch == B_UNIFIED) & (d.p_share > 0))
    if total_w <= 0:
        return out
    for p in takes:
        places = int(np.floor(d.p_quota[p] * d.p_share[p] + 0.5))
        exact = places * weight / total_w
        floors = np.floor(exact).astype(np.int64)
        left = places - int(floors.sum())
        by = np.lexsort((np.arange(len(weight)), -graduates, -(exact - floors)))
        floors[by[:left]] += 1
        out[p] = floors
    return out


@dataclass(frozen=True)
class _Rows:
    """The allocation's admitted rows as indices (-1: unknown), and each candidate's first outcome."""

    cand: np.ndarray
    prog: np.ndarray
    batch: np.ndarray
    raw: list[dict[str, Any]]
    out_prog: np.ndarray  # per candidate, -1 unplaced
    out_batch: np.ndarray

    @classmethod
    def read(cls, d: _Data, admitted: list[dict[str, Any]]) -> _Rows:
        cand = pd.Index(d.ids).get_indexer([str(a["candidate_id"]) for a in admitted]).astype(np.int64)
        prog = pd.Index(d.pids).get_indexer([str(a["programme_id"]) for a in admitted]).astype(np.int64)
        codes = {b: i for i, b in enumerate(BATCH_ORDER)}
        batch = np.array([codes.get(str(a["batch"]), -1) for a in admitted], dtype=np.int64)
        out_prog = np.full(len(d.ids), -1, dtype=np.int64)
        out_batch = np.full(len(d.ids), -1, dtype=np.int64)
        ok = (cand >= 0) & (prog >= 0) & (batch >= 0)
        first = np.unique(cand[ok], return_index=True)[1]
        rows = np.flatnonzero(ok)[first]
        out_prog[cand[rows]], out_batch[cand[rows]] = prog[rows], batch[rows]
        return cls(cand, prog, batch, admitted, out_prog, out_batch)

    @property
    def valid(self) -> np.ndarray:
        return (self.cand >= 0) & (self.prog >= 0) & (self.batch >= 0)


def verify(
    frames: Mapping[str, pd.DataFrame],
    year: int,
    allocation: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """{"ok", "checks": [{"check", "ok", "detail"}]} for the allocation of `year` (the run's JSON: its
    "admitted", "unplaced", "returned_quota" and, unless given, its "params")."""
    rules = Rules.of(params if params is not None else allocation.get("params", {}))
    d = _Data.read(frames, year, rules)
    rows = _Rows.read(d, list(allocation.get("admitted", [])))
    places = places_of(d, rules)
    v = _Checks(d, rules, rows, places, [str(c) for c in allocation.get("unplaced", [])], allocation)
    out = [
        c.as_dict() for c in (v.one_place(), v.quota(), v.eligibility(), v.no_envy(), v.quota_places(), v.returned())
    ]
    return {"ok": all(c["ok"] for c in out), "checks": out}


class _Checks:
    def __init__(
        self,
        d: _Data,
        rules: Rules,
        rows: _Rows,
        places: np.ndarray,
        unplaced: list[str],
        allocation: Mapping[str, Any],
    ) -> None:
        self.d, self.rules, self.rows, self.places = d, rules, rows, places
        self.unplaced = unplaced
        self.returned_rows = list(allocation.get("returned_quota", []))
        n_p = len(d.pids)
        ok = rows.valid
        self.seats = np.bincount(rows.prog[ok] * 4 + rows.batch[ok], minlength=n_p * 4).reshape(n_p, 4)
        self.cap = d.p_quota[:, None].repeat(4, axis=1).astype(np.int64)
        self.cap[:, B_QUOTA] = places.sum(axis=1)
        self.cap[:, B_UNIFIED] = d.p_quota - self.seats[:, B_QUOTA]
        self.wanting_unified: tuple[np.ndarray, np.ndarray] | None = (
            None  # (rows, choice columns) refused in 统招, set by no_envy
        )

    def _pid(self, p: int) -> str:
        return str(self.d.pids[p])

    def one_place(self) -> Check:
        check = Check("one_place")
        d, r = self.d, self.rows
        known = r.cand >= 0
        counts = np.bincount(r.cand[known], minlength=len(d.ids))
        for i in np.flatnonzero(counts > 1):
            check.add(Msg("candidate {candidate} admitted {n} times", candidate=str(d.ids[i]), n=int(counts[i])))
        for i in np.flatnonzero(~known):
            check.add(
                Msg(
                    "candidate {candidate} admitted but not a candidate of the year",
                    candidate=str(r.raw[i]["candidate_id"]),
                )
            )
        un = pd.Index(d.ids).get_indexer(self.unplaced)
        listed = counts > 0
        for i in un[un >= 0]:
            if listed[i]:
                check.add(Msg("candidate {candidate} both admitted and unplaced", candidate=str(d.ids[i])))
        listed[un[un >= 0]] = True
        for i in np.flatnonzero(~listed):
            check.add(Msg("candidate {candidate} neither admitted nor unplaced", candidate=str(d.ids[i])))
        check.ok_detail = Msg(
            "{admitted} admitted once each, {unplaced} unplaced, of {candidates} candidates",
            admitted=int((counts > 0).sum()),
            unplaced=len(self.unplaced),
            candidates=len(d.ids),
        )
        return check

    def _tied_overflow(self, members: np.ndarray, capacity: int) -> bool:
        """Whether the seats beyond `capacity` are all tied with the last one within it (同分同录)."""
        if self.rules.tie_rule != "admit_all" or capacity <= 0:
            return False
        keys = np.sort(self.d.key[members])[::-1]
        return bool((keys[capacity - 1 :] == keys[capacity - 1]).all())

    def quota(self) -> Check:
        check = Check("quota")
        r = self.rows
        for pid in sorted({str(r.raw[i]["programme_id"]) for i in np.flatnonzero(r.prog < 0)}):
            check.add(Msg("programme {programme} is not a programme of the year", programme=pid))
        for p, b in zip(*np.nonzero(self.seats > self.cap), strict=True):
            members = r.cand[r.valid & (r.prog == p) & (r.batch == b)]
            if not self._tied_overflow(members, int(self.cap[p, b])):
                check.add(
                    Msg(
                        "{programme} admitted {n} in batch {batch}, over its {places} places",
                        programme=self._pid(p),
                        n=int(self.seats[p, b]),
                        batch=batch_code(BATCH_ORDER[b]),
                        places=int(self.cap[p, b]),
                    )
                )
        check.ok_detail = Msg("{n} programmes within their places", n=int((self.seats.sum(axis=1) > 0).sum()))
        return check

    def eligibility(self) -> Check:
        check = Check("eligibility")
        d, r = self.d, self.rows
        idx = np.flatnonzero((r.cand >= 0) & (r.prog >= 0))
        c, p, b = r.cand[idx], r.prog[idx], r.batch[idx]
        right_batch = (b >= 0) & (
            (d.p_batch[p] == b) | ((b == B_QUOTA) & (d.p_batch[p] == B_UNIFIED) & (d.p_share[p] > 0))
        )
        chosen = (d.choices[c] == p[:, None]).any(axis=1)
        exam = d.took[c] | d.p_vocational[p]
        meets = np.zeros(len(idx), dtype=bool)
        for batch in range(4):
            at = b == batch
            meets[at] = d.eligible(c[at], p[at], batch, self.rules.quota_margin)
        bad = ~right_batch | ~chosen | ~exam | ~meets
        for j in np.flatnonzero(bad):
            cid, pid = str(d.ids[c[j]]), self._pid(p[j])
            if not right_batch[j]:
                raw = str(r.raw[idx[j]]["batch"])
                msg = Msg(
                    "{candidate} admitted to {programme} in batch {batch}",
                    candidate=cid,
                    programme=pid,
                    batch=batch_code(raw),
                )
            elif not chosen[j]:
                msg = Msg("{candidate} did not choose {programme}", candidate=cid, programme=pid)
            elif not exam[j]:
                msg = Msg(
                    "{candidate} sat no exam but was admitted to {programme} (第7条)", candidate=cid, programme=pid
                )
            else:
                msg = Msg("{candidate} does not meet the conditions of {programme}", candidate=cid, programme=pid)
            check.add(msg)
        check.ok_detail = Msg("{n} admissions meet their programme's conditions", n=len(r.raw))
        return check

    def _refused(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """(candidate rows, choice columns) of the programmes of `batch` each candidate preferred to
        their outcome in it (all of the batch's, if none), was eligible for, and was still free for."""
        d, r = self.d, self.rows
        ch = d.choices
        given = ch >= 0
        cp = np.where(given, ch, 0)
        listed = given & d.in_list(cp, batch)
        got = (r.out_batch == batch)[:, None] & (ch == r.out_prog[:, None]) & listed
        k = ch.shape[1]
        pos = np.where(got.any(axis=1), got.argmax(axis=1), k)
        free = (r.out_batch < 0) | (r.out_batch >= batch)
        better = listed & (np.arange(k)[None, :] < pos[:, None]) & free[:, None]
        rows_, cols = np.nonzero(better)
        keep = d.eligible(rows_, cp[rows_, cols], batch, self.rules.quota_margin)
        return rows_[keep], cols[keep]

    def no_envy(self) -> Check:
        check = Check("no_envy")
        d, r = self.d, self.rows
        lottery = self.rules.tie_rule == "lottery"
        n_s = len(d.school_ids)
        for batch in range(4):
            rows_, cols = self._refused(batch)
            if batch == B_UNIFIED:
                self.wanting_unified = (rows_, cols)
            adm = np.flatnonzero(r.valid & (r.batch == batch))
            quota = batch == B_QUOTA
            width = n_s if quota else 1
            weakest = np.full(len(d.pids) * width, INF, dtype=np.int64)
            a_c, a_p = r.cand[adm], r.prog[adm]
            np.minimum.at(weakest, a_p * width + (d.school[a_c] if quota else 0), d.key[a_c])
            progs = d.choices[rows_, cols]
            w = weakest[progs * width + (d.school[rows_] if quota else 0)]
            k = d.key[rows_]
            bad = (w < INF) & ((k > w) | ((k == w) & (not lottery)))
            for j in np.flatnonzero(bad):
                c, p = rows_[j], progs[j]
                same = adm[(r.prog[adm] == p) & (d.key[r.cand[adm]] == w[j])]
                if batch == B_QUOTA:
                    same = same[d.school[r.cand[same]] == d.school[c]]
                check.add(
                    Msg(
                        "{candidate} was refused at {programme} (batch {batch}) though {other}, "
                        "who does not outrank them, was admitted",
                        candidate=str(d.ids[c]),
                        programme=self._pid(p),
                        batch=batch_code(BATCH_ORDER[batch]),
                        other=str(d.ids[r.cand[same[0]]]) if len(same) else "—",
                    )
                )
        check.ok_detail = Msg("no candidate outranks one admitted where they preferred to be")
        return check

    def quota_places(self) -> Check:
        check = Check("quota_places")
        d, r = self.d, self.rows
        q = np.flatnonzero(r.valid & (r.batch == B_QUOTA))
        c, p = r.cand[q], r.prog[q]
        for j in np.flatnonzero(~d.three_years[c]):
            check.add(
                Msg(
                    "{candidate} took a quota place at {programme} without three years at their junior school",
                    candidate=str(d.ids[c[j]]),
                    programme=self._pid(p[j]),
                )
            )
        n_s = len(d.school_ids)
        self.used = np.bincount(p * n_s + d.school[c], minlength=len(d.pids) * n_s).reshape(len(d.pids), n_s)
        for pp, s in zip(*np.nonzero(self.used > self.places), strict=True):
            members = c[(p == pp) & (d.school[c] == s)]
            if not self._tied_overflow(members, int(self.places[pp, s])):
                check.add(
                    Msg(
                        "{school} has {places} quota places at {programme}, {n} admitted",
                        school=str(d.school_ids[s]),
                        places=int(self.places[pp, s]),
                        programme=self._pid(pp),
                        n=int(self.used[pp, s]),
                    )
                )
        check.ok_detail = Msg(
            "{n} quota places of {schools} junior schools, each to its own pupils",
            n=int(self.places.sum()),
            schools=int((self.places.sum(axis=0) > 0).sum()),
        )
        return check

    def returned(self) -> Check:
        check = Check("returned")
        d = self.d
        declared = np.zeros_like(self.places)
        rows = self.returned_rows
        # every row's programme and school looked up at once (one lookup per row cost seconds)
        ps = pd.Index(d.pids).get_indexer([str(r["programme_id"]) for r in rows])
        ss = pd.Index(d.school_ids).get_indexer([str(r["junior_school_id"]) for r in rows])
        for row, p, s in zip(rows, ps, ss, strict=True):
            if p < 0 or s < 0:
                check.add(
                    Msg(
                        "{school} left {expected} quota places of {programme} unused, {declared} declared returned",
                        school=str(row["junior_school_id"]),
                        programme=str(row["programme_id"]),
                        expected=0,
                        declared=int(row["places"]),
                    )
                )
                continue
            declared[p, s] += int(row["places"])
        expected = np.maximum(self.places - self.used, 0)
        for p, s in zip(*np.nonzero(declared != expected), strict=True):
            check.add(
                Msg(
                    "{school} left {expected} quota places of {programme} unused, {declared} declared returned",
                    school=str(d.school_ids[s]),
                    programme=self._pid(p),
                    expected=int(expected[p, s]),
                    declared=int(declared[p, s]),
                )
            )
        free = self.cap[:, B_UNIFIED] - self.seats[:, B_UNIFIED]
        rows_, cols = self.wanting_unified if self.wanting_unified is not None else self._refused(B_UNIFIED)
        progs = d.choices[rows_, cols]
        for p in np.flatnonzero((free > 0) & (d.p_batch == B_UNIFIED)):
            keys = d.key[rows_[progs == p]]
            if not len(keys):
                continue
            best = keys.max()
            if self.rules.tie_rule == "strict" and int((keys == best).sum()) > free[p]:
                continue  # the strict rule refused a tie larger than the places left
            who = rows_[progs == p][keys.argmax()]
            check.add(
                Msg(
                    "{programme} left {free} places empty in the unified batch though {candidate} wanted one",
                    programme=self._pid(p),
                    free=int(free[p]),
                    candidate=str(d.ids[who]),
                )
            )
        check.ok_detail = Msg("{n} returned quota places, all offered in the unified batch", n=int(declared.sum()))
        return check

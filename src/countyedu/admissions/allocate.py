"""The admission run, batch by batch (STANDARDS AD, 第7条, QB-G14): 提前批, 指标到校, 统招 平行志愿,
职校 — one pass each, "分数优先、遵循志愿、一次投档".

Every batch is the same allocation: candidates in the county's order (the total = exam score +
政策性加分, then the tie order's subject sums, then a seeded lottery), each admitted to the first
programme of their list for that batch that has a place and whose conditions they meet. With one
order for every programme this serial allocation is the student-proposing deferred acceptance with
common priorities, and it is computed as such: each programme (in the quota batch each programme ×
junior school) holds a cut-off in the order, every candidate points at the first admissible choice
whose cut-off they pass, and a programme with more pointers than places lowers its cut-off to the
last one that fits; cut-offs only fall, and the fixed point is the serial outcome (Azevedo & Leshno,
2016). Each round is a few array operations over the candidates who moved, so a million candidates
take well under a second (benchmarks/admissions.py).

A tie at the last place (candidates equal on the total and every tie term) follows `tie_rule`:
`lottery` parts it by the lottery; `admit_all` admits the whole tie beyond the quota (同分同录, the
PAT 1080 rule); `strict` refuses the whole tie when it does not fit, and the programme then takes no
one below it.

Batches: 提前批 (programmes of batch `early`); 指标到校 (unified general programmes with a quota
share: round(quota × share) places divided among junior schools by graduates, rural schools'
graduates weighted by `rural_tilt`, largest remainder; only candidates with three years at that
junior school, above the programme's minimum line minus `quota_margin`; each junior school's places
are its own market); 统招 (unified programmes: their quota less the quota batch's admissions, so the
unused quota places return here); 职校 last (vocational programmes; the only batch open to candidates
without the exam, 第7条). A candidate admitted in a batch takes part in no later one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.admissions.params import AdmissionParams

EARLY, QUOTA, UNIFIED, VOCATIONAL = "early", "quota", "unified", "vocational"
BATCHES = (EARLY, QUOTA, UNIFIED, VOCATIONAL)  # in the order they run
GRADES = ("A", "B", "C", "D")  # best first
NO_GRADE = 9  # a candidate without a quality grade meets no grade condition
ANY_GRADE = 99  # a programme without a grade condition
SUBJECTS = ("chinese", "math", "english")


@dataclass(frozen=True)
class Instance:
    """One year's admission as arrays. Candidates are rows (their lottery numbers are drawn in this
    order: `from_frames` sorts them by candidate id); choices are programme indices, -1 for none."""

    candidate_ids: np.ndarray  # str
    school: np.ndarray  # int: index into school_ids of the junior school
    took_exam: np.ndarray  # bool
    total: np.ndarray  # float: exam score + bonus, nan without the exam
    subjects: Mapping[str, np.ndarray]  # float, 0 where missing
    grade: np.ndarray  # int: index into GRADES, NO_GRADE for none
    three_years: np.ndarray  # bool
    choices: np.ndarray  # int n × K: programme index, -1 for none
    school_ids: np.ndarray  # str
    rural: np.ndarray  # bool per school
    programme_ids: np.ndarray  # str
    prog_school: np.ndarray  # str: the admitting school's id
    prog_batch: np.ndarray  # int: index into BATCHES (never QUOTA: a unified programme also runs there)
    prog_vocational: np.ndarray  # bool
    prog_quota: np.ndarray  # int
    prog_share: np.ndarray  # float: quota_to_schools, nan = the rules' quota_share
    prog_min_score: np.ndarray  # float: minimum line, nan for none
    prog_min_grade: np.ndarray  # int: index into GRADES, ANY_GRADE for none

    @property
    def n(self) -> int:
        return len(self.candidate_ids)

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], year: int) -> Instance:
        """The year's candidates and programmes of the exchange format (choices `choice_1 … choice_N`,
        each belonging to its programme's batch; STANDARDS AD and docs/admissions.md)."""
        cands = frames["candidates"]
        cands = cands[cands["year"] == year].sort_values("candidate_id", kind="stable").reset_index(drop=True)
        progs = frames["programmes"]
        progs = progs[progs["year"] == year].reset_index(drop=True)
        schools = frames.get("schools")
        pids = progs["programme_id"].astype(str).to_numpy()
        index = {p: i for i, p in enumerate(pids)}
        choice_cols = sorted(
            (c for c in cands.columns if c.startswith("choice_") and c[7:].isdigit()), key=lambda c: int(c[7:])
        )
        choices = np.full((len(cands), max(len(choice_cols), 1)), -1, dtype=np.int32)
        for k, col in enumerate(choice_cols):
            choices[:, k] = [index.get(str(v), -1) if _given(v) else -1 for v in cands[col]]
        sids = cands["junior_school_id"].astype(str).to_numpy()
        school_ids, school = np.unique(sids, return_inverse=True)
        urban = {} if schools is None else dict(zip(schools["school_id"].astype(str), schools["urban"], strict=True))
        took = _bools(cands, "took_exam", False)
        score = _floats(cands, "exam_score")
        total = np.where(took & ~np.isnan(score), score + np.nan_to_num(_floats(cands, "bonus")), np.nan)
        track = progs["track"].astype(str).to_numpy() if len(progs) else np.array([], dtype=str)
        batch_col = progs["batch"] if "batch" in progs else pd.Series([None] * len(progs), dtype=object)
        batches = [_batch_of(b, t) for b, t in zip(batch_col.tolist(), track.tolist(), strict=True)]
        return cls(
            candidate_ids=cands["candidate_id"].astype(str).to_numpy(),
            school=school.astype(np.int64),
            took_exam=took,
            total=total,
            subjects={s: np.nan_to_num(_floats(cands, f"score_{s}")) for s in SUBJECTS},
            grade=_grades(cands.get("quality_grade"), len(cands), NO_GRADE),
            three_years=_bools(cands, "three_years_at_school", False),
            choices=choices,
            school_ids=school_ids,
            rural=np.array([not bool(urban.get(s, False)) for s in school_ids], dtype=bool),
            programme_ids=pids,
            prog_school=progs["school_id"].astype(str).to_numpy(),
            prog_batch=np.array([BATCHES.index(b) for b in batches], dtype=np.int8),
            prog_vocational=track == "vocational",
            prog_quota=progs["quota"].astype("int64").to_numpy(),
            prog_share=_floats(progs, "quota_to_schools"),
            prog_min_score=_floats(progs, "min_score"),
            prog_min_grade=_grades(progs.get("min_quality_grade"), len(progs), ANY_GRADE),
        )


def _given(v: Any) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and np.isnan(v)) and str(v) != ""


def _floats(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _bools(frame: pd.DataFrame, col: str, default: bool) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), default)
    return np.array([bool(v) if _given(v) else default for v in frame[col]], dtype=bool)


def _grades(col: pd.Series | None, n: int, missing: int) -> np.ndarray:
    if col is None:
        return np.full(n, missing, dtype=np.int64)
    return np.array([GRADES.index(v) if _given(v) and v in GRADES else missing for v in col], dtype=np.int64)


def _batch_of(batch: Any, track: str) -> str:
    """A programme's batch: as declared (a programme declared `quota` is a unified one with quota
    places), else from its track."""
    if _given(batch) and str(batch) in BATCHES:
        return UNIFIED if batch == QUOTA else str(batch)
    return VOCATIONAL if track == "vocational" else UNIFIED


@dataclass(frozen=True)
class Allocation:
    """The outcome, as arrays over the instance's candidates (its row order).

    - programme: index of the programme admitted to, -1 unplaced; batch: index into BATCHES, -1;
    - rank: the candidate's place in the county's order (1 = first; ties parted by the lottery);
    - quota_places: (quota programme, junior school) → 指标到校 places, as rows
      (programme index, school index, places, admitted); returned = places − admitted when positive;
    - cutoffs: (programme index, batch index, score of the last admitted: None when they had no exam).
    """

    programme: np.ndarray
    batch: np.ndarray
    rank: np.ndarray
    quota_places: np.ndarray  # int rows (programme, school, places, admitted)
    cutoffs: list[tuple[int, int, float | None]] = field(default_factory=list)

    def returned(self) -> np.ndarray:
        """Rows (programme, school, places) of the quota places left unused, returned to 统招."""
        q = self.quota_places
        left = q[:, 2] - q[:, 3]
        keep = left > 0
        return np.column_stack([q[keep, 0], q[keep, 1], left[keep]])


def order(inst: Instance, params: AdmissionParams) -> tuple[np.ndarray, np.ndarray]:
    """(candidate rows in the county's order, tie group of each place in that order): the total
    (none last), then each tie term, then the lottery. Under the lottery rule every place is its own
    group; otherwise candidates equal on the total and every tie term share one."""
    n = inst.n
    total = np.where(np.isnan(inst.total), -np.inf, inst.total)
    terms = [
        np.where(np.isnan(inst.total), 0.0, sum((inst.subjects[s] for s in term), np.zeros(n)))
        for term in params.terms()
    ]
    lottery = np.random.default_rng(params.lottery_seed).permutation(n)
    keys = [lottery, *(-t for t in reversed(terms)), -total]
    rows = np.lexsort(keys)
    if params.tie_rule == "lottery" or n == 0:
        return rows, np.arange(n, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    for k in keys[1:]:
        s = k[rows]
        change[1:] |= s[1:] != s[:-1]
    return rows, np.cumsum(change, dtype=np.int64)


def parallel(units: np.ndarray, group: np.ndarray, cap: np.ndarray, tie_rule: str) -> np.ndarray:
    """The serial allocation of candidates in order (rows of `units`: each candidate's admissible
    choices as unit indices, -1 for none; `group` the tie group of each row, non-decreasing) to
    units of `cap` places: the unit each row is admitted to, -1 for none (module docstring)."""
    n, k_max = units.shape
    n_units = cap.shape[0]
    inf = np.iinfo(np.int64).max
    cut = np.where(cap > 0, inf, -1).astype(np.int64)  # the last tie group a unit admits
    k = np.full(n, -1, dtype=np.int64)  # the choice each row points at
    a = np.full(n, -1, dtype=np.int64)  # the unit each row points at
    counts = np.zeros(n_units, dtype=np.int64)
    cols = np.arange(k_max)
    movers = np.flatnonzero((units >= 0).any(axis=1))
    while movers.size:
        mu = units[movers]
        ok = (mu >= 0) & (cols[None, :] > k[movers][:, None])
        ok &= group[movers][:, None] <= cut[np.maximum(mu, 0)]
        nk = np.argmax(ok, axis=1)
        at = np.arange(movers.size)
        has = ok[at, nk]
        k[movers] = np.where(has, nk, k_max)
        arrived = mu[at[has], nk[has]].astype(np.int64)
        a[movers[has]] = arrived
        counts += np.bincount(arrived, minlength=n_units)
        touched = np.zeros(n_units, dtype=bool)
        touched[arrived] = True
        over = np.flatnonzero(touched & (counts > cap))
        if not over.size:
            break
        is_over = np.zeros(n_units + 1, dtype=bool)  # a == -1 reads the last entry: False
        is_over[over] = True
        held = np.flatnonzero(is_over[a])
        key = a[held] * n + held
        key.sort()
        start = np.searchsorted(key, over * n)
        last = group[key[start + cap[over] - 1] - over * n]
        if tie_rule == "strict":
            after = group[key[start + cap[over]] - over * n]
            last = np.where(after == last, last - 1, last)
        cut[over] = np.minimum(cut[over], last)
        movers = held[group[held] > cut[a[held]]]
        counts -= np.bincount(a[movers], minlength=n_units)
        a[movers] = -1
    return a


def quota_places(inst: Instance, params: AdmissionParams) -> np.ndarray:
    """Rows (programme, school, places) of 指标到校: round(quota × share) places of each unified
    general programme with a share, divided among the junior schools by graduates (the year's
    candidates), a rural school's weighted by rural_tilt, by largest remainder (a remainder tie to the
    school with more graduates, then the smaller id)."""
    share = np.where(np.isnan(inst.prog_share), params.quota_share, inst.prog_share)
    takes = (inst.prog_batch == BATCHES.index(UNIFIED)) & ~inst.prog_vocational & (share > 0)
    progs = np.flatnonzero(takes)
    graduates = np.bincount(inst.school, minlength=len(inst.school_ids)).astype(np.float64)
    weight = graduates * np.where(inst.rural, params.rural_tilt, 1.0)
    total_w = weight.sum()
    if not progs.size or total_w <= 0:
        return np.zeros((0, 3), dtype=np.int64)
    places = np.floor(inst.prog_quota[progs] * share[progs] + 0.5).astype(np.int64)
    exact = places[:, None] * weight[None, :] / total_w
    floors = np.floor(exact).astype(np.int64)
    left = places - floors.sum(axis=1)
    # the schools' order at equal remainders: more graduates first, then the smaller id
    tie = np.empty(len(graduates), dtype=np.int64)
    tie[np.lexsort((np.arange(len(graduates)), -graduates))] = np.arange(len(graduates))
    rem = exact - floors
    by = np.lexsort((np.broadcast_to(tie, rem.shape), -rem), axis=1)
    extra = np.zeros_like(floors)
    rows = np.arange(len(progs))[:, None]
    extra[rows, by] = np.arange(rem.shape[1])[None, :] < left[:, None]
    floors += extra
    p_idx, s_idx = np.nonzero(floors)
    return np.column_stack([progs[p_idx], s_idx, floors[p_idx, s_idx]]).astype(np.int64)


def allocate(inst: Instance, params: AdmissionParams) -> Allocation:
    """Every batch in turn (module docstring): the candidates' programmes, batches and ranks."""
    n = inst.n
    rows, group = order(inst, params)
    rank = np.empty(n, dtype=np.int64)
    rank[rows] = np.arange(1, n + 1)
    ch = inst.choices[rows]
    given = ch >= 0
    c = np.where(given, ch, 0)
    total = inst.total[rows]
    took = inst.took_exam[rows]
    # conditions every batch asks (第7条: no exam, vocational only; the quality grade)
    base = given & (took[:, None] | inst.prog_vocational[c])
    if (inst.prog_min_grade != ANY_GRADE).any():
        base &= inst.grade[rows][:, None] <= inst.prog_min_grade[c]
    has_line = ~np.isnan(inst.prog_min_score)
    batch_of = inst.prog_batch[c]
    prog = np.full(n, -1, dtype=np.int64)
    batch = np.full(n, -1, dtype=np.int64)
    cap = inst.prog_quota.astype(np.int64).copy()
    places = quota_places(inst, params)

    def above(margin: float) -> np.ndarray:
        if not has_line.any():
            return np.ones_like(given)
        line = inst.prog_min_score[c] - margin
        return ~has_line[c] | (total[:, None] >= line)  # nan total (no exam) is below every line

    def run(b: str, units: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        got = parallel(units, group, capacity, params.tie_rule)
        won = got >= 0
        batch[won] = BATCHES.index(b)
        return got

    free = np.ones(n, dtype=bool)
    for b in (EARLY, UNIFIED, VOCATIONAL):
        if b == UNIFIED and len(places):
            # 指标到校 first: units are (quota programme, junior school), each school its own market
            school = inst.school[rows]
            q_index = np.full(len(inst.programme_ids) + 1, -1, dtype=np.int64)
            q_progs = np.unique(places[:, 0])
            q_index[q_progs] = np.arange(len(q_progs))
            n_schools = len(inst.school_ids)
            q_cap = np.zeros(len(q_progs) * n_schools, dtype=np.int64)
            q_cap[q_index[places[:, 0]] * n_schools + places[:, 1]] = places[:, 2]
            qi = q_index[np.where(given, ch, -1)]
            ok = base & (qi >= 0) & (inst.three_years[rows] & free)[:, None] & above(params.quota_margin)
            got = run(QUOTA, np.where(ok, qi * n_schools + school[:, None], -1), q_cap)
            won = got >= 0
            prog[won] = q_progs[got[won] // n_schools]
            free &= ~won
            used = np.bincount(got[won], minlength=len(q_cap))
            places = np.column_stack([places, used[q_index[places[:, 0]] * n_schools + places[:, 1]]])
            cap -= np.bincount(prog[won], minlength=len(cap))
            np.maximum(cap, 0, out=cap)
        ok = base & (batch_of == BATCHES.index(b)) & free[:, None] & above(0.0)
        got = run(b, np.where(ok, c, -1), cap)
        won = got >= 0
        prog[won] = got[won]
        free &= ~won
    if places.shape[1] == 3:
        places = np.column_stack([places, np.zeros(len(places), dtype=np.int64)])
    out_prog = np.empty(n, dtype=np.int64)
    out_batch = np.empty(n, dtype=np.int64)
    out_prog[rows], out_batch[rows] = prog, batch
    return Allocation(out_prog, out_batch, rank, places, _cutoffs(prog, batch, total, len(inst.programme_ids)))


def _cutoffs(
    prog: np.ndarray, batch: np.ndarray, total: np.ndarray, n_progs: int
) -> list[tuple[int, int, float | None]]:
    """(programme, batch, score of its last admitted) for each programme and batch that admitted any
    (rows in the county's order: the last admitted is the largest row)."""
    won = np.flatnonzero(prog >= 0)
    slot = prog[won] * len(BATCHES) + batch[won]
    last = np.full(n_progs * len(BATCHES), -1, dtype=np.int64)
    np.maximum.at(last, slot, won)
    out = []
    for s in np.flatnonzero(last >= 0):
        score = total[last[s]]
        out.append((int(s // len(BATCHES)), int(s % len(BATCHES)), None if np.isnan(score) else float(score)))
    return out

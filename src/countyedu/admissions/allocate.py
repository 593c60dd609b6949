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
2016). Each round is a few array operations over the candidates who moved (`parallel`). Where numba
is installed (a dependency) the batch is instead one compiled pass over the order
(admissions/kernel.py, cached in the user's cache dir): the same outcome, which the tests check on
every tie rule; a million candidates take a few tenths of a second either way
(benchmarks/admissions.py).

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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from countyedu.admissions.kernel import kernel
from countyedu.admissions.params import AdmissionParams

# False: the numpy rounds below even where numba is installed (the tests compare both)
USE_KERNEL = True

EARLY, QUOTA, UNIFIED, VOCATIONAL = "early", "quota", "unified", "vocational"
BATCHES = (EARLY, QUOTA, UNIFIED, VOCATIONAL)  # in the order they run
GRADES = ("A", "B", "C", "D")  # best first
NO_GRADE = 9  # a candidate without a quality grade meets no grade condition
ANY_GRADE = 99  # a programme without a grade condition
SUBJECTS = ("chinese", "math", "english")
GENDERS = ("male", "female")  # codes of the gender list; -1: not recorded (a candidate) or open to all
BOARDING = ("required", "optional", "none")  # a programme's boarding condition (programme_boarding codes)


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
    # conditions (AD): -1 where not recorded; the defaults keep instances built by hand working
    gender: np.ndarray | None = None  # int per candidate: index into GENDERS, -1 none
    boarding: np.ndarray | None = None  # int per candidate: 1 applies to board, 0 does not, -1 either
    prog_gender: np.ndarray | None = None  # int per programme: index into GENDERS, -1 open to all
    prog_boarding: np.ndarray | None = None  # int per programme: index into BOARDING (empty: optional)

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
            gender=_codes(cands.get("gender"), GENDERS, len(cands), -1),
            boarding=np.array([int(bool(v)) if _given(v) else -1 for v in cands["boarding"]], dtype=np.int8)
            if "boarding" in cands
            else np.full(len(cands), -1, dtype=np.int8),
            prog_gender=_codes(progs.get("gender"), GENDERS, len(progs), -1),
            prog_boarding=_codes(progs.get("boarding"), BOARDING, len(progs), BOARDING.index("optional")),
        )

    def conditioned(self, params: AdmissionParams) -> np.ndarray:
        """bool per programme: a boarding or gender condition that can bar a candidate."""
        m = len(self.programme_ids)
        out = np.zeros(m, dtype=bool)
        if self.prog_boarding is not None:
            out |= self.prog_boarding != BOARDING.index("optional")
        if self.prog_gender is not None and params.gender_conditions == "apply":
            out |= self.prog_gender >= 0
        return out

    def barred(self, rows: np.ndarray, choices: np.ndarray, params: AdmissionParams) -> np.ndarray:
        """bool like `choices` (programme indices of the candidates `rows`, -1 none): the candidate does
        not meet the programme's boarding condition (applies to board: no day-only programme; declared
        no boarding: no boarding-only one) or, when the rules apply gender conditions, its gender
        condition (a candidate without a recorded gender meets none)."""
        out = np.zeros(choices.shape, dtype=bool)
        if self.prog_boarding is not None and self.boarding is not None:
            pb = np.append(self.prog_boarding, BOARDING.index("optional")).astype(np.int8)[choices]
            cb = self.boarding[rows][:, None]
            out |= (cb == 1) & (pb == BOARDING.index("none"))
            out |= (cb == 0) & (pb == BOARDING.index("required"))
        if self.prog_gender is not None and self.gender is not None and params.gender_conditions == "apply":
            pg = np.append(self.prog_gender, -1).astype(np.int8)[choices]
            out |= (pg >= 0) & (pg != self.gender[rows][:, None])
        return out


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


def _codes(col: pd.Series | None, codes: tuple[str, ...], n: int, missing: int) -> np.ndarray:
    if col is None:
        return np.full(n, missing, dtype=np.int8)
    return np.array([codes.index(v) if _given(v) and v in codes else missing for v in col], dtype=np.int8)


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
    no_exam = np.isnan(inst.total)
    total = np.where(no_exam, -np.inf, inst.total)
    terms = [np.where(no_exam, 0.0, sum((inst.subjects[s] for s in term), np.zeros(n))) for term in params.terms()]
    lottery = np.random.default_rng(params.lottery_seed).permutation(n)
    codes = [_descending_code(k) for k in (total, *terms)]  # best first: code 0
    span = 1
    for _code, size in codes:
        span *= size
    bits = max(n - 1, 1).bit_length()  # the lottery number's bits
    if span << bits < 2**62:
        # one integer key (codes in mixed radix, then the lottery number): one sort of n integers
        key = np.zeros(n, dtype=np.int64)
        for code, size in codes:
            key *= size
            key += code
        key <<= bits
        key |= lottery
        key.sort()
        by_lottery = np.empty(n, dtype=np.int64)
        by_lottery[lottery] = np.arange(n)
        rows = by_lottery[key & ((1 << bits) - 1)]
        prefix = key >> bits
    else:
        rows = np.lexsort([lottery, *(c for c, _ in reversed(codes))])
        prefix = _tie_groups(rows, codes)
    if params.tie_rule == "lottery" or n == 0:
        return rows, np.arange(n, dtype=np.int64)
    change = np.zeros(n, dtype=np.int64)
    change[1:] = prefix[1:] != prefix[:-1]
    return rows, np.cumsum(change)


def _tie_groups(rows: np.ndarray, codes: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """A value that changes exactly where any code changes along `rows` (the fallback of `order`)."""
    n = len(rows)
    change = np.zeros(n, dtype=np.int64)
    for code, _size in codes:
        c = code[rows]
        change[1:] |= c[1:] != c[:-1]
    return np.cumsum(change)


def _descending_code(x: np.ndarray) -> tuple[np.ndarray, int]:
    """(code, number of codes): 0 for the largest value, ties equal, -inf last. Scores in half
    points (the usual case) are coded by arithmetic, others by sorting the distinct values."""
    if len(x) == 0:  # a year without candidates (a county that runs no admission)
        return np.zeros(0, dtype=np.int64), 1
    finite = np.isfinite(x)
    every = bool(finite.all())
    if not every and not finite.any():
        return np.zeros(len(x), dtype=np.int64), 1
    half = x * 2 if every else x[finite] * 2
    top, bottom = half.max(), half.min()
    if top - bottom < 2**24 and np.array_equal(half, np.round(half)):
        size = int(top - bottom) + 2
        if every:  # the usual subject sums: no missing value to place last
            return (top - half).astype(np.int64), size
        return np.where(finite, top - np.where(finite, x, 0) * 2, size - 1).astype(np.int64), size
    values, code = np.unique(-x, return_inverse=True)  # -(-inf) = inf sorts last
    return code.astype(np.int64).ravel(), len(values)


def parallel(
    units: np.ndarray,
    group: np.ndarray,
    cap: np.ndarray,
    tie_rule: str,
    limit: np.ndarray | None = None,
    unit_of: np.ndarray | None = None,
    active: np.ndarray | None = None,
) -> np.ndarray:
    """The serial allocation of candidates in order (rows of `units`: each candidate's choices as
    unit indices, -1 for none; `group` the tie group of each row, non-decreasing) to units of `cap`
    places, each admitting no row of a tie group after `limit` (its line). The unit each row is
    admitted to, -1 for none (module docstring).

    With `unit_of`, `units` holds keys instead: the unit of key j is unit_of[j] (len(cap) for none),
    so a table of (candidate profile, programme) keys needs no unit matrix. Rows where `active` is
    false take no part (admitted in an earlier batch).

    The rows run in blocks of the order, each to its fixed point before the next: the serial outcome
    of a prefix is final, so a block's rows displace only each other and meet the units' places left
    by the blocks before (a unit left full is closed to the later blocks)."""
    n = units.shape[0]
    n_units = cap.shape[0]
    big = np.iinfo(np.int32).max
    cut, left = _start(cap, limit)
    if unit_of is None:
        unit_of = np.arange(n_units + 1)  # a unit is its own key; the key -1 is the last: none
    keys = _Keys(unit_of, cut)
    a = np.full(n, -1, dtype=np.int64)
    group = group.astype(np.int32)  # tie groups and cut-offs are row numbers: 32 bits halve the reads
    for lo, hi in _blocks(group, BLOCKS):
        g = group[lo:hi] if active is None else np.where(active[lo:hi], group[lo:hi], np.int32(big))
        _rounds(units[lo:hi], group[lo:hi], g, keys, left, a[lo:hi], tie_rule)
    a[a == n_units] = -1
    return a


def _start(cap: np.ndarray, limit: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(cut, left) of the units and one more for none: the last tie group each unit admits (its line,
    -1 when it has no place; an inactive row's group is int32 max, above every cut-off) and its places
    (none never fills)."""
    n_units = cap.shape[0]
    big = np.iinfo(np.int32).max
    cut = np.full(n_units + 1, big - 1, dtype=np.int32)
    if limit is not None:
        cut[:n_units] = np.minimum(limit, big - 1)
    left = np.append(cap.astype(np.int64), big)
    cut[np.flatnonzero(left <= 0)] = -1
    cut[n_units] = -1
    return cut, left


class _Keys:
    """The units' cut-offs (`cut`, one per unit and none) and the same per key (`at`), kept equal."""

    def __init__(self, unit_of: np.ndarray, cut: np.ndarray) -> None:
        self.unit_of = unit_of.astype(np.int64)
        self.cut = cut
        self.at = cut[self.unit_of]
        # each unit's keys: one run of `by_unit`, from first[u] to first[u + 1]
        self.by_unit = np.argsort(self.unit_of, kind="stable")
        self.first = np.searchsorted(self.unit_of[self.by_unit], np.arange(len(cut) + 1))
        self.identity = np.array_equal(self.unit_of, np.arange(len(cut)))

    def lower(self, units: np.ndarray, to: np.ndarray) -> None:
        """cut[units] = min(cut[units], to), in every key of those units."""
        self.cut[units] = np.minimum(self.cut[units], to)
        if self.identity:
            self.at[units] = self.cut[units]
            return
        start, size = self.first[units], self.first[units + 1] - self.first[units]
        idx = np.repeat(start - np.cumsum(size) + size, size) + np.arange(size.sum())
        ks = self.by_unit[idx]
        self.at[ks] = self.cut[self.unit_of[ks]]


# Rows run in this many blocks of the order (at least MIN_BLOCK rows each): short displacement chains.
BLOCKS = 64
MIN_BLOCK = 4096


def _blocks(group: np.ndarray, count: int) -> list[tuple[int, int]]:
    """[lo, hi) row ranges of about n / count rows (at least MIN_BLOCK), never parting a tie group."""
    n = len(group)
    out, lo = [], 0
    step = max(n // count, MIN_BLOCK)
    while lo < n:
        hi = min(lo + step, n)
        if hi < n:
            hi = int(np.searchsorted(group, group[hi - 1], side="right"))
        out.append((lo, hi))
        lo = hi
    return out


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, their counts) of a sorted array, without sorting it again."""
    if not values.size:
        return values, values
    starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
    return values[starts], np.diff(np.append(starts, values.size))


def _rounds(
    units: np.ndarray,
    group: np.ndarray,
    g: np.ndarray,
    keys: _Keys,
    left: np.ndarray,
    a: np.ndarray,
    tie_rule: str,
) -> None:
    """Deferred acceptance of one block's rows (`units`: their keys; `group`: their tie groups, `g`
    the same with `big` for an inactive row; `a` their slice of the result) against the units'
    cut-offs and places left, all updated in place. The block's holders are sorted keys unit × m +
    row: a unit's holders one run, best row first."""
    m, k_max = units.shape
    n_units = len(left) - 1
    k = np.full(m, -1, dtype=np.int64)  # the choice each row points at
    counts = np.zeros(n_units + 1, dtype=np.int64)  # the block's holders per unit
    held = np.zeros(0, dtype=np.int64)
    cols = np.arange(k_max)
    movers = np.arange(m)
    first = True
    while movers.size:
        # ok: the row may take its choice now; a last column always true, so argmax finds "none" (k_max)
        ok = np.empty((movers.size, k_max + 1), dtype=bool)
        ok[:, k_max] = True
        if first:  # every row of the block: views, not copies
            mu = units
            np.less_equal(g[:, None], keys.at[mu], out=ok[:, :k_max])
        else:
            mu = units[movers]
            np.less_equal(g[movers][:, None], keys.at[mu], out=ok[:, :k_max])
            ok[:, :k_max] &= cols[None, :] > k[movers][:, None]
        first = False
        nk = np.argmax(ok, axis=1)
        at = np.flatnonzero(nk < k_max)
        k[movers] = k_max
        k[movers[at]] = nk[at]
        rows = movers[at]
        arrived = keys.unit_of[mu[at, nk[at]]]
        a[rows] = arrived
        new = np.sort(arrived * m + rows)
        # two sorted runs: the stable sort (a merge sort) merges them in one pass
        held = np.sort(np.concatenate([held, new]), kind="stable") if held.size else new
        got, many = _runs(new // m)
        counts[got] += many
        over = got[counts[got] > left[got]]
        if not over.size:
            break
        base = over * m
        start = np.searchsorted(held, base)
        last = group[held[start + left[over] - 1] - base]
        if tie_rule == "strict":
            after = group[held[start + left[over]] - base]
            last = np.where(after == last, last - 1, last)
        keys.lower(over, last)
        # a unit's holders after its cut-off: the end of its run
        stay = np.searchsorted(held, base + np.searchsorted(group, keys.cut[over], side="right"))
        end = start + counts[over]
        size = end - stay
        idx = np.repeat(stay - np.cumsum(size) + size, size) + np.arange(size.sum())
        movers = held[idx] % m
        held = np.delete(held, idx)
        counts[over] -= size
        a[movers] = -1
    # the block's admissions are final: their places are taken, a unit left full closes to later rows
    took = _runs(held // m)[0]
    left[took] -= counts[took]
    full = took[left[took] <= 0]
    if full.size:
        keys.lower(full, np.full(full.size, group[-1], dtype=np.int32))


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
    n, n_progs = inst.n, len(inst.programme_ids)
    rows, group = order(inst, params)
    rank = np.empty(n, dtype=np.int64)
    rank[rows] = np.arange(1, n + 1)
    total = inst.total[rows]
    places = quota_places(inst, params)
    quota = len(places) > 0
    # Each candidate's conditions as a profile (quality grade, boarding, gender, three years when the
    # quota batch runs): a table per batch maps (profile, choice) to the unit the choice is in that
    # batch, negative when the candidate may not take it.
    profile, profiles = _profiles(inst, rows, params, quota)
    eligible = _eligible(inst, profiles, params)  # profiles × programmes
    prog = np.full(n, -1, dtype=np.int64)
    batch = np.full(n, -1, dtype=np.int64)
    cap = inst.prog_quota.astype(np.int64).copy()
    serial = kernel() if USE_KERNEL else None
    group32 = group.astype(np.int32)  # tie groups and cut-offs are row numbers: 32 bits halve the reads
    keys: list[np.ndarray] = []  # the numpy rounds' (profile, choice) keys of each row, made once
    ordered: list[np.ndarray] = []  # the kernel's choices and junior schools in order, made once

    def run(b: str, table: np.ndarray, capacity: np.ndarray, limit: np.ndarray, by_school: bool = False) -> np.ndarray:
        """Batch b's allocation of every row not admitted before: `table` (profiles × the choices, -1
        first: no choice) → the unit, negative for none; by_school: plus the row's junior school."""
        active = prog < 0
        if serial is not None:  # the compiled serial pass (admissions/kernel.py)
            cut, left = _start(capacity, limit)
            if not ordered:  # each row's choices and junior school in the county's order, gathered once
                ordered.extend([np.take(inst.choices, rows, axis=0), inst.school[rows]])
            got = serial(
                ordered[0],
                profile,
                table,
                ordered[1],
                by_school,
                group32,
                active,
                cut,
                left,
                params.tie_rule == "strict",
            )
        else:
            got = _rounds_of(table, capacity, limit, by_school, active)
        batch[got >= 0] = BATCHES.index(b)
        return got  # type: ignore[no-any-return]

    def _rounds_of(
        table: np.ndarray, capacity: np.ndarray, limit: np.ndarray, by_school: bool, active: np.ndarray
    ) -> np.ndarray:
        """The same by the numpy rounds of `parallel`."""
        if not keys:  # keys as intp: numpy converts any other index type on every gather
            idx = np.take(inst.choices, rows, axis=0).astype(np.intp)
            idx += (profile * table.shape[1] + 1)[:, None]
            keys.append(idx)
        idx = keys[0]
        if by_school:  # units apart: (quota programme, junior school)
            units = np.take(table.ravel(), idx)
            units += inst.school[rows].astype(table.dtype)[:, None]
            np.maximum(units, -1, out=units)
            who = np.flatnonzero((units.max(axis=1) >= 0) & active)
            got = np.full(n, -1, dtype=np.int64)
            got[who] = parallel(np.take(units, who, axis=0), group[who], capacity, params.tie_rule, limit)
            return got
        unit_of = np.where(table.ravel() < 0, len(capacity), table.ravel())
        if active.mean() > 0.5:
            return parallel(idx, group, capacity, params.tie_rule, limit, unit_of=unit_of, active=active)
        who = np.flatnonzero(active)  # the few rows left: their keys apart
        got = np.full(n, -1, dtype=np.int64)
        got[who] = parallel(np.take(idx, who, axis=0), group[who], capacity, params.tie_rule, limit, unit_of=unit_of)
        return got

    none = np.full((len(profiles), 1), -1, dtype=np.int32)  # the table's column of choice -1
    for b in (EARLY, UNIFIED, VOCATIONAL):
        if b == UNIFIED and quota:
            # 指标到校 first: units are (quota programme, junior school), each school its own market
            n_schools = len(inst.school_ids)
            q_progs = np.unique(places[:, 0])
            q_index = np.full(n_progs, -1, dtype=np.int64)
            q_index[q_progs] = np.arange(len(q_progs))
            q_cap = np.zeros(len(q_progs) * n_schools, dtype=np.int64)
            slot = q_index[places[:, 0]] * n_schools + places[:, 1]
            q_cap[slot] = places[:, 2]
            # the unit's programme part (q × schools), NO_UNIT where the choice is none of the quota batch
            in_quota = eligible & (inst.prog_batch == BATCHES.index(UNIFIED))[None, :] & (q_index >= 0)[None, :]
            in_quota &= profiles[:, -1:].astype(bool)  # three years at the junior school
            table = np.where(in_quota, (q_index * n_schools)[None, :], NO_UNIT).astype(np.int32)
            table = np.hstack([np.full((len(profiles), 1), NO_UNIT, dtype=np.int32), table])  # choice -1
            limit = np.repeat(_limits(inst, total, group, params.quota_margin)[q_progs], n_schools)
            got = run(QUOTA, table, q_cap, limit, by_school=True)
            won = got >= 0
            prog[won] = q_progs[got[won] // n_schools]  # got: unit = quota programme × schools + school
            places = np.column_stack([places, np.bincount(got[won], minlength=len(q_cap))[slot]])
            cap = np.maximum(cap - np.bincount(prog[won], minlength=n_progs), 0)
        in_batch = inst.prog_batch == BATCHES.index(b)
        if not in_batch.any():
            continue
        # (profile, choice) → the programme, or -1 where not of this batch or barred
        table = np.where(eligible & in_batch[None, :], np.arange(n_progs, dtype=np.int32)[None, :], -1)
        table = np.hstack([none, table.astype(np.int32)])
        got = run(b, table, cap, _limits(inst, total, group, 0.0))
        prog[got >= 0] = got[got >= 0]
    if places.shape[1] == 3:
        places = np.column_stack([places, np.zeros(len(places), dtype=np.int64)])
    out_prog = np.empty(n, dtype=np.int64)
    out_batch = np.empty(n, dtype=np.int64)
    out_prog[rows], out_batch[rows] = prog, batch
    return Allocation(out_prog, out_batch, rank, places, _cutoffs(prog, batch, total, n_progs))


NO_UNIT = -(2**30)  # a quota-batch table's "none": negative still after a junior school's index is added


def _profiles(inst: Instance, rows: np.ndarray, params: AdmissionParams, quota: bool) -> tuple[np.ndarray, np.ndarray]:
    """(profile of each row, the profiles as rows of attributes): the attributes the conditions read —
    quality grade, applies to board, gender (when the rules apply gender conditions) and, last, three
    years at the junior school (when the quota batch runs; else 1)."""
    n = len(rows)
    cols = [inst.grade[rows].astype(np.int64)]
    if inst.boarding is not None and inst.prog_boarding is not None:
        cols.append(inst.boarding[rows].astype(np.int64))
    if inst.gender is not None and params.gender_conditions == "apply":
        cols.append(inst.gender[rows].astype(np.int64))
    cols.append(inst.three_years[rows].astype(np.int64) if quota else np.ones(n, dtype=np.int64))
    lows = [int(c.min()) if n else 0 for c in cols]
    spans = [(int(c.max()) if n else 0) - lo + 1 for c, lo in zip(cols, lows, strict=True)]
    key = np.zeros(n, dtype=np.int64)
    for c, lo, span in zip(cols, lows, spans, strict=True):
        key = key * span + (c - lo)
    present = np.flatnonzero(np.bincount(key, minlength=1))  # the few keys present, without a sort
    index = np.zeros(int(np.prod(spans)), dtype=np.int64)
    index[present] = np.arange(present.size)
    codes, profile = present, index[key]
    attrs = np.zeros((len(codes), len(cols)), dtype=np.int64)
    rest = codes.copy()
    for j in range(len(cols) - 1, -1, -1):
        attrs[:, j] = rest % spans[j] + lows[j]
        rest //= spans[j]
    return profile.ravel().astype(np.int64), attrs


def _eligible(inst: Instance, profiles: np.ndarray, params: AdmissionParams) -> np.ndarray:
    """profiles × programmes: the profile meets the programme's quality grade, boarding and gender
    conditions (the columns of `_profiles`)."""
    ok = profiles[:, :1] <= inst.prog_min_grade[None, :]
    if inst.conditioned(params).any():
        # one representative per profile: the conditions read only the profile's attributes
        j = 1
        boarding = gender = None
        if inst.boarding is not None and inst.prog_boarding is not None:
            boarding, j = profiles[:, j], j + 1
        if inst.gender is not None and params.gender_conditions == "apply":
            gender = profiles[:, j]
        probe = replace(
            inst,
            boarding=boarding if boarding is not None else inst.boarding,
            gender=gender if gender is not None else inst.gender,
        )
        every = np.broadcast_to(np.arange(len(inst.programme_ids)), (len(profiles), len(inst.programme_ids)))
        ok &= ~probe.barred(np.arange(len(profiles)), every, params)
    return ok


def _limits(inst: Instance, total: np.ndarray, group: np.ndarray, margin: float) -> np.ndarray:
    """The last tie group each programme admits by its line (min_score less `margin`; rows in order,
    the totals falling): no exam, vocational programmes only (第7条); -1 for none."""
    with_exam = int(np.isfinite(total).sum())  # the rows without the exam come last
    line = inst.prog_min_score - margin
    descending = -total[:with_exam]
    above = np.searchsorted(descending, -np.where(np.isnan(line), -np.inf, line), side="right")
    above = np.where(np.isnan(line) & inst.prog_vocational, len(total), above)
    return np.where(above > 0, group[np.maximum(above - 1, 0)] if len(group) else -1, -1)


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

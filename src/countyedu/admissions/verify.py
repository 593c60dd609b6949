"""The independent verifier of an admission (issue 14 item 4, STANDARDS AD, 第7条): reads the
candidates, the programmes, the schools, the declared rules and an allocation (the JSON contract of
`countyedu admissions run`), and says whether the allocation keeps every rule.

The checks run over arrays (numpy); a large year (from 50,000 candidates) reads its ids and code
columns and runs its envy passes through compiled loops of its own (numba, cached in the user's cache
dir; the numpy reading stands in without numba, and the tests compare both): a million candidates
with ten choices each in about 1.0 s of CPU on a loaded machine (docs/admissions.md has the figures).
The per-candidate readers below (`read_candidates`, `eligible`, `order_key`) serve the answers and
reports of a year. Eligibility is one rule (`unmet`: the first condition a candidate fails at a
programme in a batch), which the checks and the per-candidate `eligible` both call. Written from the
rules alone, apart from the allocator (admissions/allocate.py): it shares no code with it beyond
reading the data, and recomputes what it needs (the candidates' order, the 指标到校 places of each
junior school by largest remainder) in its own way, so that a fault of one is not a fault of both.

The conditions (issue 14 item 1, the programmes sheet's `boarding` and `gender`, the candidates'
`boarding` and `gender`): a candidate who applies to board never goes to a programme for day pupils
only, one who declared they will not board never to a programme where every pupil boards (an empty
answer takes either); a programme's gender condition counts only where the rules declare
`gender_conditions: apply` (the issue allows gender only as a parameter), and then only a candidate
of that recorded gender meets it.

The allocation is read as the JSON contract (`admitted`: a list of {"candidate_id", "programme_id",
"batch"}) or, for a large run, as columns (`admitted`: {"candidate_id": [...], "programme_id": [...],
"batch": [...]}); either way the verifier joins it to the candidates by their ids.

The checks, each {"check", "ok", "detail"} with a `Msg` detail (the first problems found, counted):
- one_place: every candidate of the year is either admitted once or unplaced, never both, never twice;
- quota: no programme over its places in a batch, except a tie at the last place under the declared
  tie rule 同分同录 (admit all tied);
- eligibility: the programme is among the candidate's choices of that batch; no exam → vocational
  only (第7条); the programme's conditions (quality grade, minimum line — the quota batch's line is the
  minimum line minus the margin —, boarding, and gender where the rules apply it);
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

import ctypes
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from countyedu.messages import Code, Msg

EARLY, QUOTA, UNIFIED, VOCATIONAL = "early", "quota", "unified", "vocational"
BATCH_ORDER = (EARLY, QUOTA, UNIFIED, VOCATIONAL)
GRADES = ("A", "B", "C", "D")  # best first
SUBJECTS = ("chinese", "math", "english")
GENDERS = ("male", "female")  # the gender codes (census.vocabulary)
BOARDING = ("required", "optional", "none")  # a programme's boarding condition; empty: optional
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
    gender: str | None = None  # male / female, None when not recorded
    boarding: bool | None = None  # applies to board; None: either


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
    boarding: str = "optional"  # required / optional / none (day pupils only)
    gender: str | None = None  # the only gender admitted, where the rules apply gender conditions


@dataclass(frozen=True)
class Rules:
    """The rules the allocation declares it kept (its "params")."""

    tie_rule: str  # strict | admit_all | lottery
    tie_order: tuple[str, ...]  # subject keys after the total: "chinese+math+english", "math", …
    quota_margin: float
    rural_tilt: float
    quota_share: float | None  # the default share where a programme names none
    gender_conditions: str = "ignore"  # apply: a programme's gender condition counts

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
            gender_conditions=str(params.get("gender_conditions") or "ignore"),
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
            gender=_val(row, "gender"),
            boarding=None if _val(row, "boarding") is None else bool(_val(row, "boarding")),
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
            boarding=str(_val(row, "boarding") or "optional"),
            gender=_val(row, "gender"),
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


# ---- the one eligibility rule

INF = np.iinfo(np.int64).max
B_EARLY, B_QUOTA, B_UNIFIED, B_VOCATIONAL = range(4)
NO_GRADE, ANY_GRADE = 9, 99  # a candidate without a grade meets no grade condition; a programme without one
CONDITIONS = ("exam", "grade", "line", "three_years", "boarding", "gender")  # in the order they are asked
ASKS_BOARDING, DECLINES_BOARDING, EITHER = 1, 0, -1  # a candidate's `boarding` answer
REQUIRED, OPTIONAL, DAY_ONLY = range(3)  # a programme's `boarding` condition (BOARDING)


@dataclass(frozen=True)
class Pairs:
    """Candidates and programmes side by side (one pair a row), as the eligibility rule reads them."""

    took: np.ndarray  # bool: sat the exam
    grade: np.ndarray  # int: index into GRADES, NO_GRADE when none
    total: np.ndarray  # float: exam score plus bonus, -inf without the exam
    three_years: np.ndarray  # bool: at the junior school for grades 7–9
    gender: np.ndarray  # int: index into GENDERS, -1 not recorded
    boarding: np.ndarray  # int: ASKS_BOARDING, DECLINES_BOARDING or EITHER
    vocational: np.ndarray  # bool: the programme is vocational
    min_grade: np.ndarray  # int: index into GRADES, ANY_GRADE when none
    min_score: np.ndarray  # float: the minimum line, nan when none
    p_gender: np.ndarray  # int: index into GENDERS, -1 open to all
    p_boarding: np.ndarray  # int: REQUIRED, OPTIONAL or DAY_ONLY


def unmet(pairs: Pairs, batch: int, rules: Rules) -> np.ndarray:
    """The eligibility rule (第7条, STANDARDS AD, issue 14 item 2): per pair, 0 when the candidate meets
    every condition of the programme in that batch (places aside), else 1 + the index in CONDITIONS of
    the first condition they fail:
    - exam: no exam → vocational programmes only (第7条);
    - grade: the quality grade at least the programme's (A best; no grade meets no condition);
    - line: the total at least the minimum line (in the quota batch the line less `quota_margin`);
    - three_years: the quota batch only for pupils at their junior school all three years;
    - boarding: applying to board → not a programme for day pupils only; declining → not one where
      every pupil boards;
    - gender: where the rules apply gender conditions, only a candidate of the programme's gender."""
    line = pairs.min_score - (rules.quota_margin if batch == B_QUOTA else 0.0)
    fails = [
        ~pairs.took & ~pairs.vocational,
        pairs.grade > pairs.min_grade,
        ~np.isnan(line) & ~(pairs.total >= line),
        ~pairs.three_years if batch == B_QUOTA else None,
        ((pairs.boarding == ASKS_BOARDING) & (pairs.p_boarding == DAY_ONLY))
        | ((pairs.boarding == DECLINES_BOARDING) & (pairs.p_boarding == REQUIRED)),
        (pairs.p_gender >= 0) & (pairs.gender != pairs.p_gender) if rules.gender_conditions == "apply" else None,
    ]
    out = np.zeros(len(pairs.took), dtype=np.int8)
    for code in range(len(fails), 0, -1):  # the last first, so that the first failed stays
        bad = fails[code - 1]
        if bad is not None:
            out[bad] = code
    return out


def _code(value: Any, codes: tuple[str, ...], missing: int) -> int:
    return codes.index(value) if value in codes else missing


def grade_ok(grade: str | None, minimum: str | None) -> bool:
    """The rule's grade condition for one candidate (A best; no grade meets no condition)."""
    return _code(grade, GRADES, NO_GRADE) <= _code(minimum, GRADES, ANY_GRADE)


def eligible(c: Candidate, p: Programme, batch: str, rules: Rules) -> bool:
    """Whether the candidate meets the programme's conditions in that batch (not counting places): the
    rule `unmet` on one pair."""
    boarding = EITHER if c.boarding is None else ASKS_BOARDING if c.boarding else DECLINES_BOARDING
    one = Pairs(
        took=np.array([c.took_exam]),
        grade=np.array([_code(c.grade, GRADES, NO_GRADE)]),
        total=np.array([-np.inf if c.total is None else c.total]),
        three_years=np.array([c.three_years]),
        gender=np.array([_code(c.gender, GENDERS, -1)]),
        boarding=np.array([boarding]),
        vocational=np.array([p.track == "vocational"]),
        min_grade=np.array([_code(p.min_grade, GRADES, ANY_GRADE)]),
        min_score=np.array([np.nan if p.min_score is None else p.min_score]),
        p_gender=np.array([_code(p.gender, GENDERS, -1)]),
        p_boarding=np.array([_code(p.boarding, BOARDING, OPTIONAL)]),
    )
    return bool(unmet(one, BATCH_ORDER.index(batch), rules)[0] == 0)


# ---- reading the year as arrays


def _frame_of_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    at = (pd.to_numeric(frame["year"]) == year).to_numpy()
    return frame if at.all() else frame.loc[at]


def _bools(frame: pd.DataFrame, col: str, missing: int = 0) -> np.ndarray:
    """A yes/no column as int8 (1 yes, 0 no, `missing` where empty)."""
    if col not in frame:
        return np.full(len(frame), missing, dtype=np.int8)
    v = frame[col]
    if v.dtype == bool:
        return v.to_numpy().astype(np.int8)
    out = np.full(len(frame), missing, dtype=np.int8)
    given = v.notna().to_numpy()
    out[given] = v[given].astype(bool).to_numpy()
    return out


def _floats(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _codes(frame: pd.DataFrame, col: str, codes: tuple[str, ...], missing: int) -> np.ndarray:
    """A code column as the index of each value in `codes` (`missing` where empty or unknown)."""
    if col not in frame:
        return np.full(len(frame), missing, dtype=np.int64)
    at, uniques = _factorize(frame[col])
    of = np.array([_code(u, codes, missing) for u in uniques] + [missing], dtype=np.int64)
    return of[at]


COMPILED_FROM = 50_000  # candidates from which ids and code columns are read by compiled loops (numba)
SAMPLE = 4096  # rows whose objects tell whether a column shares them
ADDRESS_BITS, ADDRESS_LIMIT = 16, 1 << 14  # the compiled grouping's table, and the most objects it groups


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a column, -1 where empty, as `pd.factorize`. A column of Python
    objects whose equal values are mostly one object (a reader's shared strings, the programme ids
    of a choice column) is first factorized by the objects' addresses (integers, without reading
    the objects), then the few distinct objects by their values."""
    a = values.to_numpy()
    large = len(a) >= COMPILED_FROM
    if (
        a.dtype != object
        or not (large or len(a) >= 1024)
        or ctypes.sizeof(ctypes.c_void_p) != np.dtype(np.intp).itemsize
    ):
        return pd.factorize(a)
    a = np.ascontiguousarray(a)
    where = np.ctypeslib.as_array(ctypes.cast(a.ctypes.data, ctypes.POINTER(ctypes.c_ssize_t)), (len(a),))
    if large and (by_address := compiled("address")) is not None:
        codes, first, count = by_address(where, ADDRESS_BITS, ADDRESS_LIMIT)  # while `a` holds its objects
        if count < 0:  # mostly distinct objects: by value
            return pd.factorize(a)
        values_codes, uniques = pd.factorize(a[first[:count]])
        return values_codes[codes], uniques
    if len(np.unique(where[:SAMPLE])) > SAMPLE // 4:  # mostly distinct objects: by value at once
        return pd.factorize(a)
    by, addresses = pd.factorize(where)  # reads the addresses while `a` holds its objects
    if len(addresses) > len(a) // 4:
        return pd.factorize(a)
    one = np.zeros(len(addresses), dtype=np.intp)
    one[by] = np.arange(len(a))  # a row of each distinct object
    codes, uniques = pd.factorize(a[one])
    return codes[by], uniques


def _strings(values: Any) -> np.ndarray:
    """Ids as a numpy array of fixed-width str (the form the id index hashes without Python objects)."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        return np.ascontiguousarray(values)
    if isinstance(values, pd.Series) and values.dtype == object and len(values):
        return values.to_numpy().astype(str)  # str() of each object, as pandas' astype(str), at once
    if not isinstance(values, pd.Series):
        values = pd.Series(np.asarray(values, dtype=object) if not len(values) else values, copy=False)
    return values.astype(str).to_numpy(dtype=object).astype(str)


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _hashes(strings: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each fixed-width str: the sum of its code points times a random odd number per
    position, mixed. An empty tail adds nothing, so a string hashes alike at any width."""
    width = strings.dtype.itemsize // 4
    out = np.zeros(len(strings), dtype=np.uint64)
    if not width or not len(strings):
        return out
    points = strings.view(np.uint32).reshape(len(strings), width)
    weights = np.random.default_rng(20261206).integers(1, 2**63, width, dtype=np.uint64) * 2 + 1
    for j in range(width):
        out += points[:, j] * weights[j]
    out ^= out >> np.uint64(31)
    out *= _MIX
    return out ^ (out >> np.uint64(29))


FEW_KEYS = 8


class Ids:
    """Distinct string ids and where each is: `find(queries)` is the index of each query, -1 when
    absent. A search of the sorted hashes of fixed-width strings, each match then confirmed by
    comparing the strings (a million in a fraction of a second, where a hash table of a million
    Python strings takes seconds); ids whose hashes repeat are looked up in a dict instead."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = _strings(keys)
        hashes = _hashes(self.keys)
        self.order = np.argsort(hashes)
        self.sorted = hashes[self.order]
        # buckets of the sorted hashes by their top bits (about one key each): a query looks in its own
        bits = max(1, (len(hashes) - 1).bit_length())
        self.shift = np.uint64(64 - bits)
        self.start = np.zeros(2**bits + 1, dtype=np.int64)
        np.cumsum(np.bincount((self.sorted >> self.shift).astype(np.intp), minlength=2**bits), out=self.start[1:])
        self.first: dict[str, int] | None = None
        if (self.sorted[1:] == self.sorted[:-1]).any():
            self.first = {}
            for i, k in enumerate(self.keys.tolist()):
                self.first.setdefault(k, i)

    def find(self, queries: Any) -> np.ndarray:
        queries = _strings(queries)
        out = np.full(len(queries), -1, dtype=np.int64)
        if not len(self.keys) or not len(queries):
            return out
        if len(self.keys) <= FEW_KEYS and self.first is None:  # a few codes: compared one by one
            for i, key in enumerate(self.keys):
                out[queries == key] = i
            return out
        if self.first is not None:
            first = self.first
            return np.fromiter((first.get(q, -1) for q in queries.tolist()), dtype=np.int64, count=len(queries))
        hq = _hashes(queries)
        bucket = (hq >> self.shift).astype(np.intp)
        pos, end = self.start[bucket], self.start[bucket + 1]
        todo = np.flatnonzero(pos < end)
        while todo.size:  # the keys of each query's bucket in turn (the hashes of keys are distinct)
            p = pos[todo]
            hit = self.sorted[p] == hq[todo]
            out[todo[hit]] = self.order[p[hit]]
            todo = todo[~hit]
            pos[todo] += 1
            todo = todo[pos[todo] < end[todo]]
        at = np.flatnonzero(out >= 0)
        out[at[self.keys[out[at]] != queries[at]]] = -1  # equal hashes of different strings
        return out


def lookup(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The index in `keys` (distinct strings) of each query, -1 when absent."""
    return Ids(keys).find(queries)


# ---- compiled loops (numba) of the verifier's own, for a large year


TABLE_EMPTY = -1
_OFFSET = 14695981039346656037  # FNV-1a's offset basis and prime, then a mix
_PRIME = 1099511628211


def _index_keys(offsets: np.ndarray, data: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """An open-addressing table of the keys (key i: code points data[offsets[i]:offsets[i + 1]]): each
    slot the index of a key (the first of equal keys), TABLE_EMPTY none; and each key's hash."""
    n = offsets.shape[0] - 1
    mask = np.uint64((1 << bits) - 1)
    table = np.full(1 << bits, TABLE_EMPTY, dtype=np.int32)
    hashes = np.empty(n, dtype=np.uint64)
    for i in range(n):
        h = np.uint64(_OFFSET)
        for j in range(offsets[i], offsets[i + 1]):
            h = (h ^ np.uint64(data[j])) * np.uint64(_PRIME)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(32)
        hashes[i] = h
        s = h & mask
        while True:
            t = table[s]
            if t == TABLE_EMPTY:
                table[s] = i
                break
            if hashes[t] == h and offsets[t + 1] - offsets[t] == offsets[i + 1] - offsets[i]:
                same = True
                for j in range(offsets[i + 1] - offsets[i]):
                    if data[offsets[t] + j] != data[offsets[i] + j]:
                        same = False
                        break
                if same:
                    break  # an id twice: the first stays
            s = (s + np.uint64(1)) & mask
    return table, hashes


def _find_keys(
    table: np.ndarray, hashes: np.ndarray, offsets: np.ndarray, data: np.ndarray, queries: np.ndarray
) -> np.ndarray:
    """The key index of each query (a row of code points, zeros after its end), -1 when absent."""
    m, width = queries.shape
    mask = np.uint64(table.shape[0] - 1)
    out = np.full(m, -1, dtype=np.int64)
    for q in range(m):
        length = width
        while length > 0 and queries[q, length - 1] == 0:
            length -= 1
        h = np.uint64(_OFFSET)
        for j in range(length):
            h = (h ^ np.uint64(queries[q, j])) * np.uint64(_PRIME)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(32)
        s = h & mask
        while True:
            t = table[s]
            if t == TABLE_EMPTY:
                break
            if hashes[t] == h and offsets[t + 1] - offsets[t] == length:
                same = True
                for j in range(length):
                    if data[offsets[t] + j] != queries[q, j]:
                        same = False
                        break
                if same:
                    out[q] = t
                    break
            s = (s + np.uint64(1)) & mask
    return out


def _ascending(offsets: np.ndarray, data: np.ndarray) -> bool:
    """Whether the keys are in strictly ascending order of code points (so distinct)."""
    for i in range(1, offsets.shape[0] - 1):
        a, b = offsets[i - 1], offsets[i]
        la, lb = b - a, offsets[i + 1] - b
        order = 0
        for j in range(min(la, lb)):
            if data[a + j] != data[b + j]:
                order = 1 if data[a + j] < data[b + j] else -1
                break
        if order < 0 or (order == 0 and la >= lb):
            return False
    return True


def _order(offsets: np.ndarray, data: np.ndarray, i: int, queries: np.ndarray, q: int, length: int) -> int:
    """Key i against query q (its first `length` code points): -1 below it, 0 equal, 1 above."""
    a, la = offsets[i], offsets[i + 1] - offsets[i]
    for j in range(min(la, length)):
        if data[a + j] != queries[q, j]:
            return -1 if data[a + j] < queries[q, j] else 1
    return -1 if la < length else (1 if la > length else 0)


def _find_sorted(offsets: np.ndarray, data: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """`_find_keys` on keys in strictly ascending order, without a table: each query searched from the
    place of the one before (a step, then doubling steps, then halving: a few comparisons where the
    queries come in the keys' order, a binary search at worst)."""
    n = offsets.shape[0] - 1
    m, width = queries.shape
    out = np.full(m, -1, dtype=np.int64)
    last = 0
    for q in range(m):
        length = width
        while length > 0 and queries[q, length - 1] == 0:
            length -= 1
        # lo: a key below the query (-1: none known); hi: a key at or above it (n: none known)
        lo, hi, step = -1, n, 1
        probe = last
        while probe < n:
            order = _order(offsets, data, probe, queries, q, length)
            if order == 0:
                lo = hi = probe
                break
            if order > 0:
                hi = probe
                if probe == last:
                    lo = -1  # below where the last query was found: the whole start
                break
            lo = probe
            probe = last + step
            step *= 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            order = _order(offsets, data, mid, queries, q, length)
            if order == 0:
                lo = hi = mid
                break
            if order < 0:
                lo = mid
            else:
                hi = mid
        if lo == hi and lo < n:
            out[q] = lo
            last = lo + 1 if lo + 1 < n else lo
    return out


def _by_address(where: np.ndarray, bits: int, limit: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(codes, a row of each code, number of codes) of the object addresses `where` (one code per
    distinct address, in order of appearance); a number of codes of -1 when more than `limit`."""
    n = where.shape[0]
    mask = np.uint64((1 << bits) - 1)
    slots = np.zeros(1 << bits, dtype=np.int64)  # an address (never 0), 0 for none
    code_of = np.empty(1 << bits, dtype=np.int64)
    first = np.empty(limit, dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        a = where[i]
        h = np.uint64(a) * np.uint64(0x9E3779B97F4A7C15)
        s = (h >> np.uint64(64 - bits)) & mask
        while True:
            if slots[s] == a:
                codes[i] = code_of[s]
                break
            if slots[s] == 0:
                if count == limit:
                    return codes, first, -1
                slots[s] = a
                code_of[s] = count
                first[count] = i
                codes[i] = count
                count += 1
                break
            s = (s + np.uint64(1)) & mask
    return codes, first, count


def _outranking_loop(
    choices: np.ndarray,
    place: np.ndarray,
    limit: np.ndarray,
    unit: np.ndarray,
    bar: np.ndarray,
    stride: int,
    offset: np.ndarray,
    key: np.ndarray,
    ties: bool,
) -> np.ndarray:
    """`outranking`'s choices as an n × K mask, in one pass over the choices."""
    n, k = choices.shape
    shared = place.shape[0] == 1
    out = np.zeros((n, k), dtype=np.bool_)
    for i in range(n):
        pi = 0 if shared else i
        below, own_key, at = limit[i], key[i], offset[i]
        for j in range(k):
            c = choices[i, j]
            u = unit[c] if c >= 0 else -1
            if u >= 0:
                need = bar[u * stride + at]
                out[i, j] = (place[pi, j] < below) & ((own_key > need) | (ties & (own_key == need)))
    return out


def _column_loop(choices: np.ndarray, prog: np.ndarray) -> np.ndarray:
    """`outcome_column` in one pass: the first column of each row holding prog[row], else K."""
    n, k = choices.shape
    out = np.full(n, k, dtype=np.int64)
    for i in range(n):
        p = prog[i]
        for j in range(k):
            if choices[i, j] == p:
                out[i] = j
                break
    return out


_COMPILED: dict[str, Any] = {}


def compiled(name: str) -> Any:
    """The compiled loop `name` (numba, cached on disk in the user's cache dir — `$NUMBA_CACHE_DIR`
    when set —, never beside the source; in memory without a writable one), None without numba."""
    if name not in _COMPILED:
        from countyedu.compiled import jit

        if name == "find_sorted" and not hasattr(_order, "py_func"):
            globals()["_order"] = jit(_order)  # compiled first: the search calls it
        fn: Any = {
            "index": _index_keys,
            "find": _find_keys,
            "ascending": _ascending,
            "find_sorted": _find_sorted,
            "address": _by_address,
            "outranking": _outranking_loop,
            "column": _column_loop,
        }[name]
        _COMPILED[name] = jit(fn)
    return _COMPILED[name]


NEVER = np.iinfo(np.int64).min  # a bar every key reaches


def outranking(
    choices: np.ndarray,
    place: np.ndarray,
    limit: np.ndarray,
    unit: np.ndarray,
    bar: np.ndarray,
    stride: int,
    offset: np.ndarray,
    key: np.ndarray,
    ties: bool,
    large: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the choices a candidate ranked before their outcome (place[row, column] below
    limit[row]; `place` one row for all, or a row each) whose bar — bar[unit[choice] × stride +
    offset[row]], the key of the weakest admitted there — the candidate's key reaches: above it, or
    equal to it where `ties` count. A choice of none, or of a programme without a unit (-1), never.
    `large`: by the compiled loop when there is one."""
    loop = compiled("outranking") if large else None
    if loop is not None:
        rows, cols = np.nonzero(loop(choices, place, limit, unit, bar, stride, offset, key, ties))
        return rows, cols
    units = np.append(unit, -1)[choices]
    given = units >= 0
    need = np.where(given, bar[np.where(given, units * stride + offset[:, None], 0)], INF)
    reach = (key[:, None] >= need) if ties else (key[:, None] > need)
    rows, cols = np.nonzero((place < limit[:, None]) & reach)
    return rows, cols


def _code_points(strings: np.ndarray) -> np.ndarray:
    """Fixed-width str as rows of code points (zeros after each string's end), without a copy."""
    strings = np.ascontiguousarray(strings)
    width = strings.dtype.itemsize // 4
    if not width:
        return np.zeros((len(strings), 1), dtype=np.uint32)
    return strings.view(np.uint32).reshape(len(strings), width)


SEARCH_FROM = 1 << 16  # ids from which ascending ones are searched rather than put in a table


class CompiledIds:
    """Distinct string ids and where each is, as `Ids`, searched by compiled loops: ids that come in
    ascending order (as exam numbers usually do) by a search from the place of the query before, others
    in a hash table (a million ids in about a tenth of a second). Made by `compiled_ids` from a column
    of Python strings (read once into bytes: ASCII ids only) or from fixed-width str."""

    def __init__(self, offsets: np.ndarray, data: np.ndarray) -> None:
        self.offsets, self.data = offsets, data
        n = len(offsets) - 1
        # a small table stays in the processor's cache: searching it beats searching the sorted ids
        self.ascending = n >= SEARCH_FROM and bool(compiled("ascending")(offsets, data))
        if not self.ascending:
            self.table, self.hashes = compiled("index")(offsets, data, max(4, (2 * n).bit_length()))

    def find(self, queries: Any) -> np.ndarray:
        points = _code_points(_strings(queries))
        if self.ascending:
            return cast(np.ndarray, compiled("find_sorted")(self.offsets, self.data, points))
        return cast(np.ndarray, compiled("find")(self.table, self.hashes, self.offsets, self.data, points))


def compiled_ids(values: Any) -> CompiledIds | None:
    """The compiled index of `values` — a column of Python strings or an array of fixed-width str, ASCII
    and none missing —, None when the loops are missing or the ids are not of that kind (`Ids` then)."""
    if compiled("index") is None:
        return None
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        points = _code_points(values)
        given = points != 0
        lengths = np.where(given.any(axis=1), points.shape[1] - given[:, ::-1].argmax(axis=1), 0)
        data = points[np.arange(points.shape[1])[None, :] < lengths[:, None]]
        if data.size and data.max() >= 128:  # ASCII only, as bytes (one compiled form of the keys)
            return None
        data = data.astype(np.uint8)
        return CompiledIds(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), data)
    import pyarrow as pa

    objects = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    if objects.dtype != object:
        return None
    try:
        column = pa.array(objects, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # not all strings: spelled by str() in `Ids`
        return None
    if column.null_count or column.offset:
        return None
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=len(column) + 1).astype(np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=int(offsets[-1])) if offsets[-1] else np.zeros(0, np.uint8)
    if data.size and data.max() >= 128:  # UTF-8 beyond ASCII is not one byte a code point
        return None
    return CompiledIds(offsets, data)


def _order_codes(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Each value's place among the distinct values (ascending) and their number; -inf first."""
    scaled = x * 4  # scores in quarter points need no sort
    finite = np.isfinite(scaled)
    low_inf = ~finite & (x < 0)
    if finite.any() and (finite | low_inf).all():
        f = scaled[finite] if low_inf.any() else scaled
        low, high = f.min(), f.max()
        if high - low < 1 << 24 and (f == np.round(f)).all():
            if not low_inf.any():
                return (scaled - low).astype(np.int64), int(high - low) + 1
            # -inf first (code 0), then the finite values
            return np.where(finite, scaled - low + 1, 0).astype(np.int64), int(high - low) + 2
    uniques, inverse = np.unique(x, return_inverse=True)
    return inverse.astype(np.int64), len(uniques)


def order_keys(keys: list[np.ndarray]) -> np.ndarray:
    """One int64 per row in the county's order by `keys` (the first decides, larger better): equal
    rows get equal keys, a larger key is a better place."""
    n = len(keys[0])
    if not n:
        return np.zeros(0, dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    span = 1
    for k in keys:
        codes, size = _order_codes(k)
        span *= size
        if span >= 1 << 62:  # too many distinct values to pack: rank them by sorting
            return _dense_rank(keys)
        out = out * size + codes
    return out


def _dense_rank(keys: list[np.ndarray]) -> np.ndarray:
    order = np.lexsort(keys[::-1])  # ascending by keys[0], then keys[1], …
    change = np.zeros(len(order), dtype=bool)
    for k in keys:
        s = k[order]
        change[1:] |= s[1:] != s[:-1]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.cumsum(change)
    return rank


@dataclass(frozen=True)
class _Data:
    """One year's candidates and programmes as arrays (what the checks read)."""

    ids: np.ndarray  # the candidate ids (fixed-width str, or the column's Python strings)
    school: np.ndarray  # index into school_ids
    school_ids: np.ndarray  # sorted
    rural: np.ndarray  # per school
    took: np.ndarray
    total: np.ndarray  # -inf without the exam
    key: np.ndarray  # the county's order, larger first; equal = tied
    grade: np.ndarray
    three_years: np.ndarray
    gender: np.ndarray
    boarding: np.ndarray
    choices: np.ndarray  # n × K programme indices, -1 none
    pids: np.ndarray
    p_batch: np.ndarray  # B_EARLY / B_UNIFIED / B_VOCATIONAL
    p_vocational: np.ndarray
    p_quota: np.ndarray
    p_share: np.ndarray
    p_min: np.ndarray  # nan: no line
    p_grade: np.ndarray  # ANY_GRADE: no condition
    p_gender: np.ndarray  # -1: open to all
    p_boarding: np.ndarray  # REQUIRED / OPTIONAL / DAY_ONLY
    index: Ids | CompiledIds  # where each candidate id is
    p_index: Ids | CompiledIds  # where each programme id is

    @classmethod
    def read(cls, frames: Mapping[str, pd.DataFrame], year: int, rules: Rules) -> _Data:
        progs = _frame_of_year(frames["programmes"], year)
        cands = _frame_of_year(frames["candidates"], year)
        pids = _strings(progs["programme_id"])
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
        cols = sorted(
            (c for c in cands.columns if c.startswith("choice_") and c[7:].isdigit()), key=lambda c: int(c[7:])
        )
        choices = np.full((len(cands), max(len(cols), 1)), -1, dtype=np.int32)
        for k, col in enumerate(cols):  # each column's few distinct ids looked up once
            at, uniques = _factorize(cands[col])
            of = np.append(lookup(pids, uniques), -1)
            choices[:, k] = of[at]
        at, uniques = _factorize(cands["junior_school_id"])
        school_ids, of = np.unique(np.array([str(u) for u in uniques] + ["nan"], dtype=object), return_inverse=True)
        school = np.asarray(of)[at]  # an empty id (-1) reads the last: "nan", as str() spells it
        schools = frames.get("schools")
        urban = (
            {}
            if schools is None
            else dict(zip(schools["school_id"].astype(str), schools["urban"].astype(bool), strict=True))
        )
        took = _bools(cands, "took_exam").astype(bool)
        score = _floats(cands, "exam_score")
        total = np.where(took & ~np.isnan(score), score + np.nan_to_num(_floats(cands, "bonus")), -np.inf)
        scored = np.isfinite(total)
        subjects = {s: np.nan_to_num(_floats(cands, f"score_{s}")) for s in SUBJECTS}
        terms = [
            np.where(scored, sum((subjects.get(s.strip(), 0.0) for s in t.split("+")), np.zeros(len(cands))), 0.0)
            for t in rules.tie_order
        ]
        large = len(cands) >= COMPILED_FROM
        index = compiled_ids(cands["candidate_id"]) if large else None
        p_index = compiled_ids(pids) if large else None
        # with the compiled index the ids stay the column's strings (named in a detail by str())
        ids = _strings(cands["candidate_id"]) if index is None else cands["candidate_id"].to_numpy()
        return cls(
            ids=ids,
            index=Ids(ids) if index is None else index,
            school=school.astype(np.int64),
            school_ids=school_ids,
            rural=np.array([not urban.get(s, True) for s in school_ids], dtype=bool),
            took=took,
            total=total,
            key=order_keys([total, *terms]),
            grade=_codes(cands, "quality_grade", GRADES, NO_GRADE),
            three_years=_bools(cands, "three_years_at_school").astype(bool),
            gender=_codes(cands, "gender", GENDERS, -1),
            boarding=_bools(cands, "boarding", EITHER),
            choices=choices,
            pids=pids,
            p_index=Ids(pids) if p_index is None else p_index,
            p_batch=p_batch,
            p_vocational=vocational,
            p_quota=pd.to_numeric(progs["quota"]).to_numpy(dtype=np.int64),
            p_share=share,
            p_min=_floats(progs, "min_score"),
            p_grade=_codes(progs, "min_quality_grade", GRADES, ANY_GRADE),
            p_gender=_codes(progs, "gender", GENDERS, -1),
            p_boarding=_codes(progs, "boarding", BOARDING, OPTIONAL),
        )

    def pairs(self, rows: np.ndarray, progs: np.ndarray) -> Pairs:
        return Pairs(
            took=self.took[rows],
            grade=self.grade[rows],
            total=self.total[rows],
            three_years=self.three_years[rows],
            gender=self.gender[rows],
            boarding=self.boarding[rows],
            vocational=self.p_vocational[progs],
            min_grade=self.p_grade[progs],
            min_score=self.p_min[progs],
            p_gender=self.p_gender[progs],
            p_boarding=self.p_boarding[progs],
        )

    def unmet(self, rows: np.ndarray, progs: np.ndarray, batch: int, rules: Rules) -> np.ndarray:
        """The rule `unmet` on each candidate row and programme index (side by side)."""
        return unmet(self.pairs(rows, progs), batch, rules)

    def eligible(self, rows: np.ndarray, progs: np.ndarray, batch: int, rules: Rules) -> np.ndarray:
        return self.unmet(rows, progs, batch, rules) == 0

    def lists(self) -> np.ndarray:
        """n × K: the batch of each choice's list, -1 none (a unified programme with quota places is
        a choice of the quota batch too: those choices are marked in the quota column of `in_quota`)."""
        given = self.choices >= 0
        return np.where(given, np.append(self.p_batch, -1).astype(np.int8)[self.choices], np.int8(-1))

    def in_quota(self) -> np.ndarray:
        """Per programme (and a last entry for "none"): whether it runs in the quota batch."""
        return np.append((self.p_batch == B_UNIFIED) & (self.p_share > 0), False)


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
    cand_ids: np.ndarray  # as the allocation spells them
    prog_ids: np.ndarray
    batch_codes: np.ndarray
    out_prog: np.ndarray  # per candidate, -1 unplaced
    out_batch: np.ndarray

    @classmethod
    def read(cls, d: _Data, admitted: Any) -> _Rows:
        if isinstance(admitted, Mapping):  # columns
            cids, pids, codes = (_strings(admitted[c]) for c in ("candidate_id", "programme_id", "batch"))
        else:  # the JSON contract's rows
            rows = list(admitted)
            cids, pids, codes = (_strings([a[c] for a in rows]) for c in ("candidate_id", "programme_id", "batch"))
        cand = d.index.find(cids)
        prog = d.p_index.find(pids)
        batch = Ids(np.array(BATCH_ORDER)).find(codes)
        out_prog = np.full(len(d.ids), -1, dtype=np.int64)
        out_batch = np.full(len(d.ids), -1, dtype=np.int64)
        ok = (cand >= 0) & (prog >= 0) & (batch >= 0)
        # a candidate admitted twice keeps one of the outcomes (one_place fails them anyway)
        out_prog[cand[ok]], out_batch[cand[ok]] = prog[ok], batch[ok]
        return cls(cand, prog, batch, cids, pids, codes, out_prog, out_batch)

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
    "admitted" — rows or columns —, "unplaced", "returned_quota" and, unless given, its "params")."""
    rules = Rules.of(params if params is not None else allocation.get("params", {}))
    d = _Data.read(frames, year, rules)
    rows = _Rows.read(d, allocation.get("admitted", []))
    places = places_of(d, rules)
    v = _Checks(d, rules, rows, places, _strings(allocation.get("unplaced", [])), allocation)
    out = [
        c.as_dict() for c in (v.one_place(), v.quota(), v.eligibility(), v.no_envy(), v.quota_places(), v.returned())
    ]
    return {"ok": all(c["ok"] for c in out), "checks": out}


CONDITION_WORDS = {
    "grade": Msg("the quality grade"),
    "line": Msg("the minimum line"),
    "three_years": Msg("three years at the junior school"),
    "boarding": Msg("the boarding condition"),
    "gender": Msg("the gender condition"),
}


class _Checks:
    def __init__(
        self,
        d: _Data,
        rules: Rules,
        rows: _Rows,
        places: np.ndarray,
        unplaced: np.ndarray,
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
        self.used = np.zeros_like(places)
        # (rows, choice columns) refused in 统招 at a programme with places left, set by no_envy
        self.wanting_unified: tuple[np.ndarray, np.ndarray] | None = None
        # n × K: each choice's place in the order of batches, then columns: batch × (K + 1) + column
        # (a choice of none after every batch), compared whole with a candidate's outcome
        k = d.choices.shape[1]
        width = np.int16 if (len(BATCH_ORDER) + 2) * (k + 1) < 2**15 else np.int64
        start = np.append(d.p_batch, len(BATCH_ORDER) + 1).astype(width) * (k + 1)
        self.place = start[d.choices] + np.arange(k, dtype=width)[None, :]
        self._column: np.ndarray | None = None

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
                Msg("candidate {candidate} admitted but not a candidate of the year", candidate=str(r.cand_ids[i]))
            )
        un = d.index.find(self.unplaced)
        un = un[un >= 0]
        listed = counts > 0
        for i in un[listed[un]]:
            check.add(Msg("candidate {candidate} both admitted and unplaced", candidate=str(d.ids[i])))
        listed[un] = True
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
        for pid in sorted({str(r.prog_ids[i]) for i in np.flatnonzero(r.prog < 0)}):
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
        # chosen: the candidate's outcome is in their list (a candidate admitted twice: looked up)
        k = d.choices.shape[1]
        chosen = (r.out_prog[c] == p) & (self.outcome_column()[c] < k)
        again = np.flatnonzero(r.out_prog[c] != p)
        chosen[again] = (d.choices[c[again]] == p[again, None]).any(axis=1)
        fails = np.zeros(len(idx), dtype=np.int8)
        for batch in range(4):
            at = b == batch
            fails[at] = d.unmet(c[at], p[at], batch, self.rules)
        for j in np.flatnonzero(~right_batch | ~chosen | (fails > 0)):
            cid, pid = str(d.ids[c[j]]), self._pid(p[j])
            if not right_batch[j]:
                msg = Msg(
                    "{candidate} admitted to {programme} in batch {batch}",
                    candidate=cid,
                    programme=pid,
                    batch=batch_code(str(r.batch_codes[idx[j]])),
                )
            elif not chosen[j]:
                msg = Msg("{candidate} did not choose {programme}", candidate=cid, programme=pid)
            elif CONDITIONS[fails[j] - 1] == "exam":
                msg = Msg(
                    "{candidate} sat no exam but was admitted to {programme} (第7条)", candidate=cid, programme=pid
                )
            else:
                msg = Msg(
                    "{candidate} does not meet {condition} of {programme}",
                    candidate=cid,
                    programme=pid,
                    condition=CONDITION_WORDS[CONDITIONS[fails[j] - 1]],
                )
            check.add(msg)
        check.ok_detail = Msg("{n} admissions meet their programme's conditions", n=len(r.cand))
        return check

    def outcome_column(self) -> np.ndarray:
        """The column of each candidate's outcome in their list (K: not in it, or unplaced)."""
        if self._column is None:
            d, k = self.d, self.d.choices.shape[1]
            loop = compiled("column") if len(d.ids) >= COMPILED_FROM else None
            if loop is not None:
                self._column = cast(np.ndarray, loop(d.choices, self.rows.out_prog))
                return self._column
            match = d.choices == self.rows.out_prog[:, None]
            self._column = np.where(match.any(axis=1), match.argmax(axis=1), k)
        return self._column

    def no_envy(self) -> Check:
        """No candidate who outranks (or, unless the lottery parts ties, equals) the weakest admitted
        at a programme of a batch — at a quota programme, the weakest of their junior school — was
        refused there though they preferred it and were eligible."""
        check = Check("no_envy")
        d, r = self.d, self.rows
        ties = self.rules.tie_rule != "lottery"
        n_s, n_p, k = len(d.school_ids), len(d.pids), d.choices.shape[1]
        large = len(d.ids) >= COMPILED_FROM
        pos = self.outcome_column()
        out = np.where(r.out_batch < 0, len(BATCH_ORDER), r.out_batch)
        # the choices each candidate preferred to their outcome and was still free for (not admitted in
        # an earlier batch), eligibility not yet asked: a choice of an earlier batch than the outcome's,
        # or of its batch in an earlier column, as one comparison of the choice's (batch, column) code
        # with the outcome's (`place`); the outcome's own column counts only in the batch it was
        # admitted in, at a programme of it
        own = np.where(np.append(d.p_batch, -1)[r.out_prog] == r.out_batch, pos, k)
        limit = out * (k + 1) + own
        everyone = np.zeros(len(d.ids), dtype=np.int64)
        # for `returned`: the refused who wanted a place left empty in the unified batch
        free_unified = (self.cap[:, B_UNIFIED] - self.seats[:, B_UNIFIED] > 0) & (d.p_batch == B_UNIFIED)
        bar = np.where(free_unified, NEVER, INF)
        every = np.arange(n_p, dtype=np.int64)  # each programme its own unit
        rows_, cols = outranking(d.choices, self.place, limit, every, bar, 1, everyone, d.key, True, large)
        keep = d.eligible(rows_, d.choices[rows_, cols], B_UNIFIED, self.rules)
        self.wanting_unified = (rows_[keep], cols[keep])
        ok = r.valid
        # the key of the weakest admitted at each programme in its own batch (INF: none admitted; a key
        # is always below INF, so outranking INF never counts)
        in_own = ok & (r.batch == d.p_batch[np.maximum(r.prog, 0)])
        weakest = np.full(n_p, INF, dtype=np.int64)
        np.minimum.at(weakest, r.prog[in_own], d.key[r.cand[in_own]])
        rows_, cols = outranking(d.choices, self.place, limit, every, weakest, 1, everyone, d.key, ties, large)
        of = self.place[rows_, cols] // (k + 1)  # the batch of each choice
        found = [(b, rows_[of == b], cols[of == b]) for b in (B_EARLY, B_UNIFIED, B_VOCATIONAL)]
        # the quota batch: (programme, junior school) units; its choices are the quota programmes of the
        # list, those before the outcome where it was admitted in the quota batch, all of them where it
        # was admitted later or not at all, none where it was admitted in the early batch
        in_quota = d.in_quota()
        own = np.where((r.out_batch == B_QUOTA) & in_quota[r.out_prog], pos, k)
        limit = np.where(out >= B_QUOTA, own, 0)
        quota_progs = np.flatnonzero(in_quota[:-1])
        unit = np.full(n_p, -1, dtype=np.int64)
        unit[quota_progs] = np.arange(len(quota_progs))
        at = ok & (r.batch == B_QUOTA)
        at[at] = unit[r.prog[at]] >= 0
        weakest = np.full((len(quota_progs), n_s), INF, dtype=np.int64)
        np.minimum.at(weakest.reshape(-1), unit[r.prog[at]] * n_s + d.school[r.cand[at]], d.key[r.cand[at]])
        columns = np.arange(k, dtype=self.place.dtype)[None, :]
        rows_, cols = outranking(
            d.choices, columns, limit, unit, weakest.reshape(-1), n_s, d.school, d.key, ties, large
        )
        found.append((B_QUOTA, rows_, cols))
        for batch, rows_, cols in found:
            progs = d.choices[rows_, cols]
            # only those who outrank someone admitted there are asked the conditions
            for j in np.flatnonzero(d.eligible(rows_, progs, batch, self.rules)):
                c, p = rows_[j], progs[j]
                at = np.flatnonzero(ok & (r.prog == p) & (r.batch == batch))
                if batch == B_QUOTA:
                    at = at[d.school[r.cand[at]] == d.school[c]]
                other = at[np.argmin(d.key[r.cand[at]])] if len(at) else None
                check.add(
                    Msg(
                        "{candidate} was refused at {programme} (batch {batch}) though {other}, "
                        "who does not outrank them, was admitted",
                        candidate=str(d.ids[c]),
                        programme=self._pid(p),
                        batch=batch_code(BATCH_ORDER[batch]),
                        other="—" if other is None else str(d.ids[r.cand[other]]),
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
        ps = lookup(d.pids, _strings([r["programme_id"] for r in rows]))
        ss = lookup(d.school_ids, _strings([r["junior_school_id"] for r in rows]))
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
        if self.wanting_unified is None:
            self.no_envy()
        rows_, cols = cast(tuple[np.ndarray, np.ndarray], self.wanting_unified)
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

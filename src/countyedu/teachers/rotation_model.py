"""The exchange-rotation model (issue 13 item 3): a mixed-integer programme solved by HiGHS, and the
greedy baseline computed on the same numbers.

Formulation. Eligible teachers who may move are grouped in *classes* of interchangeable teachers
(same school, subject, backbone level and degree flags; a teacher with a lock or a veto is a class of
one). A variable y[c, b] ∈ ℤ≥0 is the number of class c's teachers sent to school b, for the pairs
the rules allow (direction, the receiving school needs the subject, no veto). With out_s, in_s the
teachers a school sends and receives:

    Σ_b y[c, b] ≤ |c|                                  a class sends at most its teachers
    Σ_{c of subject j} y[c, b] ≤ cap[b, j]               the receiving school needs the subject
    actual_b − out_b + in_b ≤ norm_b    (b receives)     no receiving school ends over its norm
    actual_a − out_a + in_a ≥ floor_a   (a sends)        no sending school ends below its floor
    req_a ≤ out_a ≤ max_a                                each urban or strong school moves ≥ 10 %
    B_u ≥ share · M_u  or  B_u ≥ ⌈share · E_u⌉           backbone ≥ 20 % of moved (or of eligible)
    y[c, b] = 1 for a locked move

Objective (a documented proxy, minimised):

    w_cv · Σ_{k ∈ R1..R3, stage} Σ_i (P_i / N) (X_i − X̄⁰)² / X̄⁰²       the squared pupil-weighted CV
      + w_short · Σ_{i, j} max(0, posts_ij − teachers_ij)                  subject shortages (posts)
      + w_km · Σ km(a, b) · y + w_move · Σ y                              travel and disruption

with X_i = 100·Q_i / pupils_i the school's QB-R value (Q_i its qualifying teachers), X̄⁰ the county
mean before the plan. Each school's squared deviation is convex in the integer Q_i, so it is written
exactly by its secants between consecutive integers (z ≥ f(q) + (f(q+1) − f(q))(Q − q)): the
programme's objective equals the proxy at every integer plan. X̄ moves a little when a nine-year
school's teacher moves (its teachers count in both parts); the proxy keeps the mean before the plan
(Σ P(X − X̄⁰)² ≥ Σ P(X − X̄)²), and the true CVs are reported before and after.

HiGHS (highspy; started from the greedy plan when that meets the rules) returns the best plan found and a proven lower bound; the gap is
(objective − bound) / objective.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from scipy.sparse import coo_matrix

from countyedu.planning.highs import new_highs

EPS = 1e-9
BIG = 1e4  # the price of a rule left short in the elastic solve


@dataclass(frozen=True)
class Term:
    """One school part's squared deviation for one indicator: weight · (scale · Q − mean)²."""

    school: int
    key: tuple[str, str]  # (indicator, stage)
    q0: int
    weight: float
    scale: float
    mean: float

    def value(self, q: float) -> float:
        return self.weight * (self.scale * q - self.mean) ** 2


@dataclass(frozen=True)
class BackboneRule:
    """Backbone moves of a unit (county, township or school): ≥ share · moved, or ≥ need."""

    unit: str
    classes: tuple[int, ...]  # classes whose moves count in the unit
    share: float
    need: int | None = None  # denominator "eligible": a fixed number of backbone moves
    slack: float = 0.0  # how far the rule may stay short (a request that cannot meet it)


@dataclass
class Problem:
    """The numbers of a rotation: schools i, classes c of movable teachers, pairs e = (c, b)."""

    actual: list[float]
    norm: list[float]
    floor: list[float]
    cls_school: list[int]
    cls_size: list[int]
    cls_subject: list[str]
    cls_backbone: list[bool]
    cls_keys: list[frozenset[tuple[str, str]]]  # the (indicator, stage) counts a teacher of c adds to
    pair_cls: list[int]
    pair_to: list[int]
    pair_km: list[float]
    pair_lb: list[int]
    cap: dict[tuple[int, str], int]  # (receiving school, subject) → most teachers it takes
    posts: dict[tuple[int, str], float]  # (school, subject) → posts (in-scope schools)
    have: dict[tuple[int, str], float]  # (school, subject) → teachers before the plan
    terms: list[Term]
    required: dict[int, int]  # school → least teachers it sends
    most: dict[int, int]  # school → most teachers it sends
    backbone: list[BackboneRule]
    w_cv: float
    w_short: float
    w_km: float
    w_move: float
    receivers: set[int] = field(default_factory=set)
    senders: set[int] = field(default_factory=set)

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, y: np.ndarray) -> float:
        """The objective of a plan (moves per pair), exactly as the programme counts it."""
        _out, _into, q, have = self._after(y)
        cv = sum(t.value(q[n]) for n, t in enumerate(self.terms))
        short = sum(max(0.0, posts - have.get(k, 0.0)) for k, posts in self.posts.items())
        km = float(np.dot(self.pair_km, y)) if len(y) else 0.0
        return self.w_cv * cv + self.w_short * short + self.w_km * km + self.w_move * float(np.sum(y))

    def _after(self, y: np.ndarray) -> tuple[dict[int, int], dict[int, int], list[int], dict[tuple[int, str], float]]:
        out: dict[int, int] = defaultdict(int)
        into: dict[int, int] = defaultdict(int)
        delta: dict[tuple[int, tuple[str, str]], int] = defaultdict(int)
        have = dict(self.have)
        for e in np.nonzero(y)[0]:
            n, c, b = round(y[e]), self.pair_cls[e], self.pair_to[e]
            a, j = self.cls_school[c], self.cls_subject[c]
            out[a] += n
            into[b] += n
            have[(a, j)] = have.get((a, j), 0.0) - n
            have[(b, j)] = have.get((b, j), 0.0) + n
            for key in self.cls_keys[c]:
                delta[(a, key)] -= n
                delta[(b, key)] += n
        q = [t.q0 + delta.get((t.school, t.key), 0) for t in self.terms]
        return out, into, q, have

    def cv_part(self, y: np.ndarray) -> float:
        """The squared-CV part of the objective (unweighted)."""
        _, _, q, _ = self._after(y)
        return sum(t.value(q[n]) for n, t in enumerate(self.terms))


@dataclass(frozen=True)
class Solution:
    """Moves per pair, the objective, the proven bound and the solver's status."""

    y: np.ndarray
    objective: float
    bound: float
    status: str  # optimal | feasible | infeasible | error
    seconds: float
    short: dict[str, float] = field(default_factory=dict)  # elastic solve: rule → how far it stays short

    @property
    def gap(self) -> float:
        if self.status not in ("optimal", "feasible"):
            return float("nan")
        return max(0.0, (self.objective - self.bound) / max(abs(self.objective), EPS))


# ---------------------------------------------------------------------- the programme
def solve(
    p: Problem,
    *,
    time_limit: float = 20.0,
    rel_gap: float = 0.005,
    elastic: bool = False,
    start_y: np.ndarray | None = None,
) -> Solution:
    """The programme of the module docstring, by HiGHS. `elastic`: the 10 % and backbone rules may
    stay short at a high price (to say which rules an impossible request cannot meet, and by how much)."""
    start = time.perf_counter()
    n_y = len(p.pair_cls)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    obj = [p.w_km * km + p.w_move for km in p.pair_km]
    var_lb = [float(v) for v in p.pair_lb]
    var_ub = [
        float(min(p.cls_size[c], p.cap.get((b, p.cls_subject[c]), 0)))
        for c, b in zip(p.pair_cls, p.pair_to, strict=False)
    ]
    integrality = [1] * n_y

    def new_var(cost: float, lb: float = 0.0, ub: float = np.inf) -> int:
        obj.append(cost)
        var_lb.append(lb)
        var_ub.append(ub)
        integrality.append(0)
        return len(obj) - 1

    def add_row(entries: dict[int, float], low: float, high: float) -> None:
        r = len(lo)
        for col, v in entries.items():
            if v:
                rows.append(r)
                cols.append(col)
                vals.append(v)
        lo.append(low)
        hi.append(high)

    by_cls: dict[int, list[int]] = defaultdict(list)
    by_to_subject: dict[tuple[int, str], list[int]] = defaultdict(list)
    out_of: dict[int, list[int]] = defaultdict(list)
    into: dict[int, list[int]] = defaultdict(list)
    for e, (c, b) in enumerate(zip(p.pair_cls, p.pair_to, strict=True)):
        by_cls[c].append(e)
        by_to_subject[(b, p.cls_subject[c])].append(e)
        out_of[p.cls_school[c]].append(e)
        into[b].append(e)
    for c, es in by_cls.items():
        add_row(dict.fromkeys(es, 1.0), 0.0, float(p.cls_size[c]))
    for (b, j), es in by_to_subject.items():
        add_row(dict.fromkeys(es, 1.0), 0.0, float(p.cap.get((b, j), 0)))
    for s in set(out_of) | set(into):
        net: dict[int, float] = defaultdict(float)
        for e in into.get(s, []):
            net[e] += 1.0
        for e in out_of.get(s, []):
            net[e] -= 1.0
        if s in into:  # a receiving school ends at or under its norm
            add_row(net, -np.inf, p.norm[s] - p.actual[s] + EPS)
        if s in out_of:  # a sending school ends at or over its floor (one under it: no lower)
            add_row(net, min(p.floor[s], p.actual[s]) - p.actual[s] - EPS, np.inf)
    slack: dict[str, int] = {}
    for s in set(p.required) | set(p.most):
        row = dict.fromkeys(out_of.get(s, []), 1.0)
        if elastic and p.required.get(s):
            slack[f"school:{s}"] = new_var(BIG)
            row[slack[f"school:{s}"]] = 1.0
            add_row(row, float(p.required[s]), np.inf)
            add_row(dict.fromkeys(out_of.get(s, []), 1.0), 0.0, float(p.most.get(s, n_y)))
        else:
            add_row(row, float(p.required.get(s, 0)), float(p.most.get(s, n_y)))
    for n_rule, rule in enumerate(p.backbone):
        members = set(rule.classes)
        entries: dict[int, float] = {}
        for c in members:
            for e in by_cls.get(c, []):
                entries[e] = (1.0 if p.cls_backbone[c] else 0.0) - (0.0 if rule.need is not None else rule.share)
        if elastic:
            slack[f"backbone:{n_rule}"] = new_var(BIG)
            entries[slack[f"backbone:{n_rule}"]] = 1.0
        add_row(entries, float(rule.need or 0) - rule.slack, np.inf)
    constant = 0.0
    # shortages of the (school, subject) pairs a move touches; the others are constants
    touched: dict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    for e, (c, b) in enumerate(zip(p.pair_cls, p.pair_to, strict=True)):
        a, j = p.cls_school[c], p.cls_subject[c]
        touched[(a, j)][e] = touched[(a, j)].get(e, 0.0) - 1.0  # s + in − out ≥ posts − have
        touched[(b, j)][e] = touched[(b, j)].get(e, 0.0) + 1.0
    for key, posts in p.posts.items():
        gap0 = posts - p.have.get(key, 0.0)
        if key not in touched:
            constant += p.w_short * max(0.0, gap0)
            continue
        s = new_var(p.w_short)
        add_row({**touched[key], s: 1.0}, gap0, np.inf)
    # the squared deviations, by secants over the counts a plan can reach
    q_moves: dict[tuple[int, tuple[str, str]], dict[int, float]] = defaultdict(dict)
    for e, (c, b) in enumerate(zip(p.pair_cls, p.pair_to, strict=True)):
        a = p.cls_school[c]
        for ind in p.cls_keys[c]:
            q_moves[(a, ind)][e] = q_moves[(a, ind)].get(e, 0.0) - 1.0
            q_moves[(b, ind)][e] = q_moves[(b, ind)].get(e, 0.0) + 1.0
    for t in p.terms:
        moves = {e: v for e, v in q_moves.get((t.school, t.key), {}).items() if v}
        if not moves:
            constant += p.w_cv * t.value(t.q0)
            continue
        down = min(t.q0, sum(var_ub[e] for e, v in moves.items() if v < 0), p.most.get(t.school, t.q0))
        up = sum(var_ub[e] for e, v in moves.items() if v > 0)
        if p.norm[t.school] - p.actual[t.school] >= 0:
            up = min(up, math.floor(p.norm[t.school] - p.actual[t.school] + p.most.get(t.school, 0) + EPS))
        lo_q, hi_q = int(t.q0 - down), int(t.q0 + max(0, up))
        z = new_var(1.0, -np.inf, np.inf)
        for q in range(lo_q, max(hi_q, lo_q + 1)):
            f0, f1 = p.w_cv * t.value(q), p.w_cv * t.value(q + 1)
            slope = f1 - f0
            # z − slope · Σ moves ≥ f0 + slope · (q0 − q)
            add_row({**{e: -slope * v for e, v in moves.items()}, z: 1.0}, f0 + slope * (t.q0 - q), np.inf)
    n = len(obj)
    a = coo_matrix((vals, (rows, cols)), shape=(len(lo), n)).tocsc()
    x, proven, code = _highs(obj, var_lb, var_ub, integrality, a, lo, hi, time_limit, rel_gap, start_y)
    seconds = time.perf_counter() - start
    if x is None:
        return Solution(np.zeros(n_y, dtype=int), float("nan"), float("nan"), code, seconds)
    y = np.rint(x[:n_y]).astype(int)
    if elastic:
        short = {k: float(x[v]) for k, v in slack.items() if x[v] > 1e-6}
        return Solution(y, p.evaluate(y), float("nan"), "elastic", seconds, short)
    objective = p.evaluate(y)
    bound = proven + constant
    return Solution(y, objective, min(bound, objective), code, seconds)


def _highs(
    obj: list[float],
    lb: list[float],
    ub: list[float],
    integrality: list[int],
    a: Any,
    lo: list[float],
    hi: list[float],
    time_limit: float,
    rel_gap: float,
    start_y: np.ndarray | None,
) -> tuple[np.ndarray | None, float, str]:
    """Solve by HiGHS (highspy): the solution (None when none was found), the proven bound of the
    objective's variable part and the status (optimal | feasible | infeasible | error). `start_y`:
    values of the first (integer) columns to start from (HiGHS completes the others)."""
    h = new_highs(time_limit)
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    h.setOptionValue("random_seed", 0)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(obj), len(lo)
    lp.col_cost_ = np.asarray(obj, dtype=float)
    lp.col_lower_ = np.asarray(lb, dtype=float)
    lp.col_upper_ = np.asarray(ub, dtype=float)
    lp.row_lower_ = np.asarray(lo, dtype=float)
    lp.row_upper_ = np.asarray(hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integrality]
    h.passModel(lp)
    if start_y is not None and len(start_y):
        idx = np.arange(len(start_y), dtype=np.int32)
        h.setSolution(len(idx), idx, np.asarray(start_y, dtype=float))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None, float("nan"), "infeasible"
    if info.primal_solution_status != 2:  # no feasible solution found
        return None, float("nan"), "error"
    x = np.asarray(h.getSolution().col_value, dtype=float)
    code = "optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible"
    return x, float(info.mip_dual_bound), code


# ---------------------------------------------------------------------- the greedy baseline
class _State:
    """A plan being built one move at a time, with the marginal cost of a move."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        self.y = np.zeros(len(p.pair_cls), dtype=int)
        self.left = list(p.cls_size)
        self.staff = list(p.actual)
        self.out: dict[int, int] = defaultdict(int)
        self.recv: dict[int, int] = defaultdict(int)
        self.taken: dict[tuple[int, str], int] = defaultdict(int)
        self.have = dict(p.have)
        self.term_of = {(t.school, t.key): n for n, t in enumerate(p.terms)}
        self.q = [t.q0 for t in p.terms]

    def fits(self, e: int) -> bool:
        p, c, b = self.p, self.p.pair_cls[e], self.p.pair_to[e]
        a, j = p.cls_school[c], p.cls_subject[c]
        return (
            self.left[c] > 0
            and self.taken[(b, j)] < p.cap.get((b, j), 0)
            and self.staff[b] + 1 <= p.norm[b] + EPS
            and self.staff[a] - 1 >= p.floor[a] - EPS
            and self.out[a] < p.most.get(a, 10**9)
        )

    def delta(self, e: int) -> float:
        """The objective's change if one teacher of pair e moves."""
        p, c, b = self.p, self.p.pair_cls[e], self.p.pair_to[e]
        a, j = p.cls_school[c], p.cls_subject[c]
        d = p.w_km * p.pair_km[e] + p.w_move
        for s, sign in ((a, -1), (b, 1)):
            key = (s, j)
            if key in p.posts:
                before = max(0.0, p.posts[key] - self.have.get(key, 0.0))
                after = max(0.0, p.posts[key] - self.have.get(key, 0.0) - sign)
                d += p.w_short * (after - before)
            for k in p.cls_keys[c]:
                n = self.term_of.get((s, k))
                if n is not None:
                    t = p.terms[n]
                    d += p.w_cv * (t.value(self.q[n] + sign) - t.value(self.q[n]))
        return d

    def move(self, e: int) -> None:
        p, c, b = self.p, self.p.pair_cls[e], self.p.pair_to[e]
        a, j = p.cls_school[c], p.cls_subject[c]
        self.y[e] += 1
        self.left[c] -= 1
        self.staff[a] -= 1
        self.staff[b] += 1
        self.out[a] += 1
        self.recv[b] += 1
        self.taken[(b, j)] += 1
        self.have[(a, j)] = self.have.get((a, j), 0.0) - 1
        self.have[(b, j)] = self.have.get((b, j), 0.0) + 1
        for k in p.cls_keys[c]:
            for s, sign in ((a, -1), (b, 1)):
                n = self.term_of.get((s, k))
                if n is not None:
                    self.q[n] += sign


def greedy(p: Problem) -> Solution:
    """The baseline a clerk would make: locked moves first; then, backbone teachers first while the
    backbone rule is short, each school's required moves, each the cheapest move at that moment;
    then any move that still lowers the objective (lazy greedy: the cheapest first, re-priced)."""
    start = time.perf_counter()
    st = _State(p)
    for e, lb in enumerate(p.pair_lb):
        for _ in range(lb):
            st.move(e)
    pairs_of: dict[int, list[int]] = defaultdict(list)
    for e, c in enumerate(p.pair_cls):
        pairs_of[p.cls_school[c]].append(e)

    def backbone_short(rule: BackboneRule) -> bool:
        moved = sum(int(st.y[e]) for c in rule.classes for e in _pairs_of_cls(p, c))
        bb = sum(int(st.y[e]) for c in rule.classes if p.cls_backbone[c] for e in _pairs_of_cls(p, c))
        need = rule.need if rule.need is not None else rule.share * moved
        return bb < need - rule.slack - EPS

    def best(cands: list[int]) -> int | None:
        ok = [(st.delta(e), e) for e in cands if st.fits(e)]
        return min(ok)[1] if ok else None

    for rule in p.backbone:  # backbone teachers first while the rule is short
        members = set(rule.classes)
        cands = [e for e, c in enumerate(p.pair_cls) if c in members and p.cls_backbone[c]]
        while backbone_short(rule):
            pick: int | None = best(cands)
            if pick is None:
                break
            st.move(pick)
    for a in sorted(p.required, key=lambda s: -p.required[s]):
        while st.out[a] < p.required[a]:
            cands = pairs_of.get(a, [])
            pick = None
            if any(backbone_short(r) for r in p.backbone if any(p.cls_school[c] == a for c in r.classes)):
                pick = best([e for e in cands if p.cls_backbone[p.pair_cls[e]]])
            pick = pick if pick is not None else best(cands)
            if pick is None:
                break
            st.move(pick)
    heap = [(st.delta(e), e) for e in range(len(p.pair_cls)) if st.fits(e)]
    heapq.heapify(heap)
    while heap:
        d, e = heapq.heappop(heap)
        if d >= -EPS:
            break
        if not st.fits(e):
            continue
        now = st.delta(e)
        if heap and now > heap[0][0] + EPS:
            heapq.heappush(heap, (now, e))
            continue
        if now >= -EPS:
            continue
        st.move(e)
        if any(backbone_short(r) for r in p.backbone):
            _undo(st, e)
            continue
        if st.fits(e):
            heapq.heappush(heap, (st.delta(e), e))
    y = st.y
    return Solution(y, p.evaluate(y), float("nan"), "feasible", time.perf_counter() - start)


def _pairs_of_cls(p: Problem, c: int) -> list[int]:
    cache = p.__dict__.setdefault("_by_cls", None)
    if cache is None:
        cache = defaultdict(list)
        for e, k in enumerate(p.pair_cls):
            cache[k].append(e)
        p.__dict__["_by_cls"] = cache
    return cache.get(c, [])


def _undo(st: _State, e: int) -> None:
    """Take back one move of pair e (a move that broke the backbone share)."""
    p, c, b = st.p, st.p.pair_cls[e], st.p.pair_to[e]
    a, j = p.cls_school[c], p.cls_subject[c]
    st.y[e] -= 1
    st.left[c] += 1
    st.staff[a] += 1
    st.staff[b] -= 1
    st.out[a] -= 1
    st.recv[b] -= 1
    st.taken[(b, j)] -= 1
    st.have[(a, j)] += 1
    st.have[(b, j)] -= 1
    for k in p.cls_keys[c]:
        for s, sign in ((a, 1), (b, -1)):
            n = st.term_of.get((s, k))
            if n is not None:
                st.q[n] += sign

"""Whole-community catchments at scale (第4条 划片招生; QB-G13): each community to one school within
capacity, for instances too large for one MIP (a generalised assignment problem).

Formulation. Communities i with d_i pupils (fractional allowed), schools j with C_j seats, travel
c_ij (km or minutes; inf or NaN: not allowed):

    minimise   Σ_ij d_i c_ij x_ij
    subject to Σ_j x_ij = 1          every community goes whole to one school
               Σ_i d_i x_ij ≤ C_j    capacity
               x_ij ∈ {0, 1}

Bound (Lagrangian relaxation of the capacity rows; Fisher, Jaikumar & Van Wassenhove 1986). For any
λ ≥ 0 (a price per seat of each school)

    L(λ) = Σ_i d_i min_j (c_ij + λ_j) − Σ_j λ_j C_j

is a lower bound of every plan, evaluated here in floating point over **all** allowed pairs. λ is taken
from the LP relaxation (HiGHS dual simplex on the k nearest schools of each community, columns added
while any left-out pair has a negative reduced cost), where L(λ) equals the LP optimum: the relaxation
has the integrality property, so no λ gives more.

Plan (a primal heuristic): each community to the school of its largest LP share (the LP splits at
most as many communities as there are schools), overfull schools repaired by the cheapest moves, then
local search on the true cost until no move improves it. On large instances with whole-pupil demand
(from COMPILED_FROM pairs) the search is `gap_search`'s compiled loops: shift, swap and ejection-chain
descent alternated with school pairs re-shared exactly by a knapsack over seats (this fills tight
schools to the pupil: 10,000 × 500 from 0.55% to about 0.38% above the bound); otherwise the
numpy-vectorised shift, swap and ejection-chain passes below.

Closing the gap (HiGHS on a reduced model): with u_i = d_i min_j (c_ij + λ_j) and reduced costs
r_ij = d_i (c_ij + λ_j) − u_i ≥ 0, every plan costs at least L(λ) + Σ r_ij over its pairs, so a plan
cheaper than the heuristic's U uses no pair with r_ij ≥ U − L(λ). HiGHS solves the MIP on the pairs left
(communities left with one pair are fixed), warm-started from the heuristic; the proven bound is then
max(L, min(U, the reduced MIP's dual bound)). The gap is always (plan − bound) / plan from these proven
numbers, never assumed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, Num

K_LP = 20  # schools per community in the first LP (then columns added by reduced cost)
K_SWAP = 8  # swap partners: the communities of each community's K_SWAP cheapest schools
GAP_TARGET = 0.005  # stop when the plan is proven within this of the bound
HEUR_EFFORT = 0.05
HOOD = 6  # schools besides the seed in a neighbourhood of the large-neighbourhood search
HOOD_SECONDS = 0.5
K_CAND = 12  # the compiled search's candidate schools per community (by seat-priced cost)
K_PARTNERS = 6  # its school pairs: each school with the schools its communities' candidates name most
PAIR_SEATS = 50_000  # the compiled search only where no school has more seats (its knapsack runs over seats)
COMPILED_FROM = 20_000  # ... and only from this many community × school pairs (smaller: the numpy search)
EXACT_PAIRS = 200_000  # the reduced MIP proves the plan when reduced-cost fixing leaves at most these pairs


class GapInfeasible(CountyEduError):
    """No whole-community plan fits: the facts give demand against capacity."""


@dataclass(frozen=True)
class GapResult:
    """School index per community, the plan's cost, the proven lower bound and the gap between them."""

    assign: np.ndarray  # int, school column per community
    objective: float
    bound: float
    gap: float
    prices: np.ndarray  # λ_j: the seat prices of the bound
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def proven_optimal(self) -> bool:
        return self.gap <= 1e-9


def _cost_matrix(cost: Any) -> np.ndarray:
    c = np.array(cost, dtype=float)
    c[~np.isfinite(c)] = np.inf
    return c


def lagrangian_bound(c: np.ndarray, d: np.ndarray, cap: np.ndarray, lam: np.ndarray) -> tuple[float, np.ndarray]:
    """(L(λ), u): the Lagrangian bound of the module docstring for seat prices λ ≥ 0, and u_i."""
    lam = np.maximum(lam, 0.0)
    u = d * np.min(c + lam[None, :], axis=1)
    return float(u.sum() - lam @ cap), u


def lp_prices(c: np.ndarray, d: np.ndarray, cap: np.ndarray, k: int = K_LP) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Seat prices λ from the LP relaxation (HiGHS), columns generated over all pairs: (λ, the school of
    each community's largest LP share, LP rounds, pairs)."""
    n, m = c.shape
    allowed = np.isfinite(c)
    sel = np.zeros_like(allowed)
    k = min(k, m)
    near = np.argpartition(c, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    sel[np.arange(n)[:, None], near] = True
    sel &= allowed
    rounds = 0
    while True:
        rounds += 1
        h, ok = _lp(c, d, cap, sel)
        if not ok:
            if sel.sum() == allowed.sum():
                raise GapInfeasible(
                    Msg(
                        "demand {demand} pupils cannot be seated in the {capacity} seats within reach",
                        demand=Num(float(d.sum()), "count"),
                        capacity=Num(float(cap.sum()), "count"),
                    ),
                    demand=float(d.sum()),
                    capacity=float(cap.sum()),
                )
            sel = allowed.copy()
            continue
        dual = np.asarray(h.getSolution().row_dual)
        u, lam = dual[:n], np.maximum(-dual[n:], 0.0)
        rc = d[:, None] * (c + lam[None, :]) - u[:, None]
        add = allowed & ~sel & (rc < -1e-9 * max(1.0, float(np.abs(u).max(initial=0.0))))
        if not add.any():
            ai, aj = np.nonzero(sel)
            order = np.argsort(np.asarray(h.getSolution().col_value), kind="stable")
            share = np.argmin(c + lam[None, :], axis=1)
            share[ai[order]] = aj[order]  # each community's largest share written last
            return lam, share, rounds, int(sel.sum())
        sel |= add


def _lp(c: np.ndarray, d: np.ndarray, cap: np.ndarray, sel: np.ndarray) -> tuple[highspy.Highs, bool]:
    from countyedu.planning.highs import new_highs

    n, m = c.shape
    ai, aj = np.nonzero(sel)
    na = len(ai)
    h = new_highs()
    h.addVars(na, np.zeros(na), np.ones(na))
    h.changeColsCost(na, np.arange(na, dtype=np.int32), d[ai] * c[ai, aj])
    starts = np.searchsorted(ai, np.arange(n)).astype(np.int32)
    h.addRows(n, np.ones(n), np.ones(n), na, starts, np.arange(na, dtype=np.int32), np.ones(na))
    by_j = np.argsort(aj, kind="stable")
    js = np.searchsorted(aj[by_j], np.arange(m)).astype(np.int32)
    h.addRows(m, np.full(m, -highspy.kHighsInf), cap.astype(float), na, js, by_j.astype(np.int32), d[ai[by_j]])
    h.run()
    return h, h.getModelStatus() == highspy.HighsModelStatus.kOptimal


# ------------------------------------------------------------------ the plan: repair and local search


def repair(c: np.ndarray, d: np.ndarray, cap: np.ndarray, assign: np.ndarray) -> np.ndarray | None:
    """The plan with no school over capacity: out of the fullest school, the move of least extra cost
    per pupil moved, until every school fits (None when no move fits)."""
    assign = assign.copy()
    m = len(cap)
    load = np.bincount(assign, weights=d, minlength=m)
    tol = 1e-9 * max(1.0, float(cap.max(initial=1.0)))
    for _ in range(4 * len(d) + 10):
        over = np.flatnonzero(load > cap + tol)
        if over.size == 0:
            return assign
        j = over[np.argmax(load[over] - cap[over])]
        members = np.flatnonzero((assign == j) & (d > 0))
        fits = (load[None, :] + d[members, None] <= cap[None, :] + tol) & np.isfinite(c[members])
        fits[:, j] = False
        if not fits.any():
            return None
        extra = np.where(fits, c[members] - c[members, j][:, None], np.inf)
        r, k = np.unravel_index(np.argmin(extra), extra.shape)
        i = members[r]
        assign[i] = k
        load[j] -= d[i]
        load[k] += d[i]
    return None


def regret_greedy(c: np.ndarray, d: np.ndarray, cap: np.ndarray, f: np.ndarray, batch: int = 100) -> np.ndarray | None:
    """Martello and Toth's regret heuristic: communities in order of the regret between their best and
    second-best school with room (desirability `f`, lower is better), each to its best; in batches
    (regrets computed again after each). None when a community finds no school with room."""
    n, m = c.shape
    assign = np.full(n, -1, dtype=np.int64)
    load = np.zeros(m)
    tol = 1e-9 * max(1.0, float(cap.max(initial=1.0)))
    todo = np.arange(n)
    while todo.size:
        room = load[None, :] + d[todo, None] <= cap[None, :] + tol
        ff = np.where(room & np.isfinite(c[todo]), f[todo], np.inf)
        two = np.partition(ff, 1, axis=1)[:, :2] if m > 1 else np.concatenate([ff, np.full((len(todo), 1), np.inf)], 1)
        if not np.isfinite(two[:, 0]).all():
            return None
        regret = np.where(np.isfinite(two[:, 1]), two[:, 1] - two[:, 0], np.inf)
        best = np.argmin(ff, axis=1)
        pick = np.argsort(-regret, kind="stable")[:batch]
        placed = np.zeros(len(todo), dtype=bool)
        for t in pick:
            i, j = todo[t], best[t]
            if load[j] + d[i] > cap[j] + tol:
                break  # the regrets change: compute them again
            assign[i] = j
            load[j] += d[i]
            placed[t] = True
        todo = todo[~placed]
    return assign


def _shifts(c: np.ndarray, d: np.ndarray, cap: np.ndarray, assign: np.ndarray, load: np.ndarray) -> float:
    """One pass of improving moves of one community to a school with room; returns the saving."""
    n = len(d)
    tol = 1e-9 * max(1.0, float(cap.max(initial=1.0)))
    now = c[np.arange(n), assign]
    delta = d[:, None] * (c - now[:, None])
    delta[load[None, :] + d[:, None] > cap[None, :] + tol] = np.inf
    best = np.argmin(delta, axis=1)
    gain = delta[np.arange(n), best]
    cand = np.flatnonzero(gain < -1e-9)
    saved = 0.0
    for i in cand[np.argsort(gain[cand])]:
        j, k = assign[i], best[i]
        if load[k] + d[i] > cap[k] + tol:
            continue
        assign[i] = k
        load[j] -= d[i]
        load[k] += d[i]
        saved -= float(gain[i])
    return saved


def _swaps(
    c: np.ndarray, d: np.ndarray, cap: np.ndarray, assign: np.ndarray, load: np.ndarray, near: np.ndarray
) -> float:
    """One pass of improving exchanges of two communities between their schools (each community's
    partners: the communities of its `near` schools); returns the saving."""
    n, m = c.shape
    tol = 1e-9 * max(1.0, float(cap.max(initial=1.0)))
    ii, jj = _pairs(assign, near, m)
    a, b = assign[ii], assign[jj]
    delta = d[ii] * (c[ii, b] - c[ii, a]) + d[jj] * (c[jj, a] - c[jj, b])
    ok = (delta < -1e-9) & np.isfinite(delta)
    ok &= load[b] - d[jj] + d[ii] <= cap[b] + tol
    ok &= load[a] - d[ii] + d[jj] <= cap[a] + tol
    cand = np.flatnonzero(ok)
    saved = 0.0
    moved = np.zeros(n, dtype=bool)
    for t in cand[np.argsort(delta[cand])]:
        x, y = ii[t], jj[t]
        if moved[x] or moved[y]:
            continue
        p, q = assign[x], assign[y]
        if load[q] - d[y] + d[x] > cap[q] + tol or load[p] - d[x] + d[y] > cap[p] + tol:
            continue
        assign[x], assign[y] = q, p
        load[p] += d[y] - d[x]
        load[q] += d[x] - d[y]
        moved[x] = moved[y] = True
        saved -= float(delta[t])
    return saved


def _pairs(assign: np.ndarray, near: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, i') for every community i and every community i' at one of i's `near` schools but not i's."""
    n = len(assign)
    order = np.argsort(assign, kind="stable")
    start = np.searchsorted(assign[order], np.arange(m + 1))
    k = near.ravel()
    i = np.repeat(np.arange(n), near.shape[1])
    keep = assign[i] != k
    i, k = i[keep], k[keep]
    counts = start[k + 1] - start[k]
    ii = np.repeat(i, counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return ii, order[np.repeat(start[k], counts) + offs]


def _chains(
    c: np.ndarray, d: np.ndarray, cap: np.ndarray, assign: np.ndarray, load: np.ndarray, near: np.ndarray
) -> float:
    """One pass of improving ejection chains: i moves to the school k of i', which moves on to a third
    school l with room (l ≠ i's school); returns the saving."""
    n, m = c.shape
    tol = 1e-9 * max(1.0, float(cap.max(initial=1.0)))
    now = c[np.arange(n), assign]
    out = d[:, None] * (c - now[:, None])
    out[load[None, :] + d[:, None] > cap[None, :] + tol] = np.inf
    out[np.arange(n), assign] = np.inf
    dest = np.argmin(out, axis=1)  # where each community would go next, and at what extra cost
    out_cost = out[np.arange(n), dest]
    ii, jj = _pairs(assign, near, m)
    a, b = assign[ii], assign[jj]
    ok = dest[jj] != a
    ii, jj, a, b = ii[ok], jj[ok], a[ok], b[ok]
    delta = d[ii] * (c[ii, b] - c[ii, a]) + out_cost[jj]
    ok = (delta < -1e-9) & np.isfinite(delta) & (load[b] - d[jj] + d[ii] <= cap[b] + tol)
    cand = np.flatnonzero(ok)
    saved = 0.0
    touched = np.zeros(m, dtype=bool)
    for t in cand[np.argsort(delta[cand])]:
        x, y = ii[t], jj[t]
        p, q, r = assign[x], assign[y], dest[y]
        if touched[p] or touched[q] or touched[r]:
            continue
        assign[x], assign[y] = q, r
        load[p] -= d[x]
        load[q] += d[x] - d[y]
        load[r] += d[y]
        touched[[p, q, r]] = True
        saved -= float(delta[t])
    return saved


def local_search(
    c: np.ndarray,
    d: np.ndarray,
    cap: np.ndarray,
    assign: np.ndarray,
    deadline: float,
    k_swap: int = K_SWAP,
    rank: np.ndarray | None = None,
) -> np.ndarray:
    """Shift, swap and ejection-chain moves on the true cost until none improves the plan (or the
    deadline); the partners of a community are at its `k_swap` first schools by `rank` (default c)."""
    assign = assign.copy()
    m = len(cap)
    load = np.bincount(assign, weights=d, minlength=m)
    kk = min(k_swap, m)
    r = c if rank is None else rank
    near = np.argpartition(r, kk - 1, axis=1)[:, :kk] if kk < m else np.tile(np.arange(m), (len(d), 1))
    while time.perf_counter() < deadline:
        saved = _shifts(c, d, cap, assign, load)
        saved += _swaps(c, d, cap, assign, load, near)
        saved += _chains(c, d, cap, assign, load, near)
        if saved <= 1e-9:
            break
    return assign


def plan_cost(c: np.ndarray, d: np.ndarray, assign: np.ndarray) -> float:
    return float((d * c[np.arange(len(d)), assign]).sum())


def _compiled_search(
    c: np.ndarray, d: np.ndarray, cap: np.ndarray, start: np.ndarray, priced: np.ndarray, deadline: float
) -> tuple[np.ndarray, int]:
    """`gap_search.search` from `start`: candidates each community's K_CAND cheapest schools by priced
    cost, partners of a school the K_PARTNERS schools most named among its communities' candidates."""
    from countyedu.planning import gap_search

    n, m = c.shape
    k = min(K_CAND, m)
    cand = np.argpartition(priced, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
    votes = np.zeros((m, m))
    np.add.at(votes, (np.repeat(start, k), cand.ravel()), 1.0)
    votes[np.arange(m), np.arange(m)] = -1.0
    partners = np.argsort(-votes, axis=1, kind="stable")[:, : min(K_PARTNERS, m - 1)]
    partners = np.where(np.take_along_axis(votes, partners, axis=1) > 0, partners, np.arange(m)[:, None])
    return gap_search.search(c, d, cap, cand, partners, start, deadline)


# ------------------------------------------------------------------ closing the gap: HiGHS on the pairs left


def _reduced_mip(
    c: np.ndarray,
    d: np.ndarray,
    cap: np.ndarray,
    assign: np.ndarray,
    keep: np.ndarray,
    abs_gap: float,
    time_limit_s: float,
) -> tuple[np.ndarray, float, int, int]:
    """The MIP on the pairs `keep` (the plan's own among them), warm-started from `assign`:
    (plan, dual bound of plans on these pairs, communities free, pairs)."""
    from countyedu.planning.highs import new_highs

    n, m = c.shape
    keep = keep.copy()
    keep[np.arange(n), assign] = True
    free = keep.sum(axis=1) >= 2
    fixed_cost = plan_cost(c[~free], d[~free], assign[~free])
    left = cap - np.bincount(assign[~free], weights=d[~free], minlength=m)
    F = np.flatnonzero(free)
    if F.size == 0:
        return assign, plan_cost(c, d, assign), 0, 0
    li, aj = np.nonzero(keep[F])
    ai = F[li]
    na = len(ai)
    h = new_highs(max(1.0, time_limit_s))
    h.addVars(na, np.zeros(na), np.ones(na))
    idx = np.arange(na, dtype=np.int32)
    h.changeColsCost(na, idx, d[ai] * c[ai, aj])
    h.changeColsIntegrality(na, idx, np.full(na, highspy.HighsVarType.kInteger))
    starts = np.searchsorted(li, np.arange(len(F))).astype(np.int32)
    h.addRows(len(F), np.ones(len(F)), np.ones(len(F)), na, starts, idx, np.ones(na))
    by_j = np.argsort(aj, kind="stable")
    js = np.searchsorted(aj[by_j], np.arange(m)).astype(np.int32)
    h.addRows(m, np.full(m, -highspy.kHighsInf), left.astype(float), na, js, by_j.astype(np.int32), d[ai[by_j]])
    h.setOptionValue("mip_abs_gap", max(0.0, abs_gap))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_heuristic_effort", HEUR_EFFORT)
    sol = highspy.HighsSolution()
    sol.col_value = (assign[ai] == aj).astype(float).tolist()
    sol.value_valid = True
    h.setSolution(sol)
    h.run()
    info = h.getInfo()
    out = assign.copy()
    if info.primal_solution_status == 2:
        x = np.asarray(h.getSolution().col_value) > 0.5
        out[ai[x]] = aj[x]
    dual = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else -np.inf
    return out, fixed_cost + dual, len(F), na


def improve(
    c: np.ndarray,
    d: np.ndarray,
    cap: np.ndarray,
    assign: np.ndarray,
    deadline: float,
    *,
    k_near: int = K_SWAP,
    hood_size: int = HOOD,
    rounds: int = 3,
    rank: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Large-neighbourhood search: for a seed school and the schools its communities have among their
    `k_near` cheapest, every community of those schools is re-assigned by HiGHS (exact on that
    neighbourhood, warm-started from the plan), seeds taken in order of the plan's excess cost;
    local search after each round. Returns (plan, neighbourhoods solved)."""
    n, m = c.shape
    kk = min(k_near, m)
    r = c if rank is None else rank
    near = np.argpartition(r, kk - 1, axis=1)[:, :kk] if kk < m else np.tile(np.arange(m), (n, 1))
    solved = 0
    assign = assign.copy()
    for _ in range(rounds):
        before = plan_cost(c, d, assign)
        excess = d * (c[np.arange(n), assign] - np.min(c, axis=1))
        order = np.argsort(-np.bincount(assign, weights=excess, minlength=m), kind="stable")
        done = np.zeros(m, dtype=bool)
        for seed in order:
            if time.perf_counter() > deadline:
                return assign, solved
            if done[seed]:
                continue
            members = np.flatnonzero(assign == seed)
            hood = np.zeros(m, dtype=bool)
            hood[seed] = True
            votes = np.bincount(near[members].ravel(), minlength=m)
            votes[seed] = 0
            hood[np.argsort(-votes, kind="stable")[:hood_size]] = True
            free = hood[assign]
            keep = np.zeros_like(c, dtype=bool)
            fi = np.flatnonzero(free)
            keep[fi[:, None], near[fi]] = True
            keep &= hood[None, :]
            keep[np.arange(n), assign] = True
            left = max(0.1, min(HOOD_SECONDS, deadline - time.perf_counter()))
            new, _dual, _free, _pairs = _reduced_mip(c, d, cap, assign, keep, 1e-9, left)
            solved += 1
            if _feasible(c, d, cap, new) and plan_cost(c, d, new) < plan_cost(c, d, assign) - 1e-9:
                assign = new
            done[hood] = True
        assign = local_search(c, d, cap, assign, deadline, rank=rank)
        if plan_cost(c, d, assign) > before * (1 - 1e-5):
            break
    return assign, solved


# ------------------------------------------------------------------ the solve


def solve_gap(
    cost: Any,
    demand: Any,
    capacity: Any,
    *,
    target_gap: float = GAP_TARGET,
    time_limit_s: float = 20.0,
) -> GapResult:
    """The whole-community plan of the module docstring with its proven bound: `cost` per pupil
    (n × m; inf/NaN = not allowed), `demand` (n) and `capacity` (m) in pupils. Raises GapInfeasible."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    c = _cost_matrix(cost)
    d = np.asarray(demand, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    lonely = np.flatnonzero(~np.isfinite(c).any(axis=1))
    if lonely.size:
        raise GapInfeasible(
            Msg("{count} communities have no school within reach", count=len(lonely)), communities=lonely.tolist()
        )
    if d.sum() > cap.sum() + 1e-9:
        raise GapInfeasible(
            Msg(
                "demand {demand} pupils is above the {capacity} seats of all schools",
                demand=Num(float(d.sum()), "count"),
                capacity=Num(float(cap.sum()), "count"),
            ),
            demand=float(d.sum()),
            capacity=float(cap.sum()),
        )
    lam, share, lp_rounds, lp_pairs = lp_prices(c, d, cap)
    bound, u = lagrangian_bound(c, d, cap, lam)
    t_bound = time.perf_counter() - t0
    start = repair(c, d, cap, share)
    if start is None:  # the LP's plan cannot be repaired by single moves: from the nearest school
        start = repair(c, d, cap, np.argmin(c, axis=1))
    stats: dict[str, Any] = {"lp_rounds": lp_rounds, "lp_pairs": lp_pairs, "bound_s": t_bound}
    priced = c + lam[None, :]
    if start is None:
        upper, assign = np.inf, np.argmin(c, axis=1)
    elif c.size >= COMPILED_FROM and np.all(d == np.round(d)) and float(cap.max(initial=0.0)) <= PAIR_SEATS:
        assign, stats["pair_rounds"] = _compiled_search(c, d, cap, start, priced, deadline)
        upper = plan_cost(c, d, assign)
    else:
        assign = local_search(c, d, cap, start, deadline, rank=priced)
        upper = plan_cost(c, d, assign)
    stats["heuristic"] = upper
    stats["heuristic_s"] = time.perf_counter() - t0
    if _gap(upper, bound) > target_gap and np.isfinite(upper):
        rc = d[:, None] * priced - u[:, None]
        keep = np.isfinite(c) & (rc < upper - bound)  # a cheaper plan uses only these pairs
        if int(keep.sum()) <= EXACT_PAIRS:
            left = deadline - time.perf_counter()
            assign2, dual, free, pairs = _reduced_mip(c, d, cap, assign, keep, target_gap * upper * 0.999, left)
            if _feasible(c, d, cap, assign2):
                assign = assign2
            bound = max(bound, min(upper, dual))
            upper = plan_cost(c, d, assign)
            stats.update(mip_communities=free, mip_pairs=pairs, mip_s=time.perf_counter() - t0)
        else:  # too many pairs survive the fixing to prove: improve the plan by neighbourhoods; L bounds it
            assign, hoods = improve(c, d, cap, assign, deadline, rank=priced)
            upper = plan_cost(c, d, assign)
            stats.update(neighbourhoods=hoods, fixing_pairs=int(keep.sum()), improve_s=time.perf_counter() - t0)
    if not np.isfinite(upper):
        raise GapInfeasible(Msg("no whole-community plan found within {seconds} s", seconds=f"{time_limit_s:.0f}"))
    stats["seconds"] = time.perf_counter() - t0
    return GapResult(assign, upper, bound, _gap(upper, bound), lam, stats)


def _gap(upper: float, bound: float) -> float:
    if not np.isfinite(upper):
        return np.inf
    return 0.0 if upper <= 0 else max(0.0, (upper - bound) / abs(upper))


def _feasible(c: np.ndarray, d: np.ndarray, cap: np.ndarray, assign: np.ndarray) -> bool:
    load = np.bincount(assign, weights=d, minlength=len(cap))
    return bool(np.isfinite(c[np.arange(len(d)), assign]).all() and (load <= cap + 1e-6).all())

"""Capacitated p-median at scale (第4、5条; PN): which p sites to open and where each community goes
whole, for instances where one MIP does not finish (1,000 communities × 100 sites at tight capacity).

Formulation (spopt's `PMedian` with capacities, single sourcing): communities i with d_i pupils, sites
j with C_j seats, cost c_ij per pupil (km; inf or NaN: not allowed):

    minimise   Σ_ij d_i c_ij x_ij
    subject to Σ_j x_ij = 1,  Σ_i d_i x_ij ≤ C_j y_j,  x_ij ≤ y_j,  Σ_j y_j = p,
               y_j = 1 for the sites that must stay open,  x, y ∈ {0, 1}

Bounds, each proven:
- the LP relaxation (HiGHS on the k nearest sites of each community; columns added while a left-out
  pair has a negative reduced cost, so its value bounds the problem on all pairs);
- Lagrangian relaxation of the assignment rows (Beasley 1993): for multipliers u,
  L(u) = Σ_i u_i + min over p sites S (the must-open ones in S) of Σ_{j∈S} v_j(u), where v_j(u) is the
  least Σ_i (d_i c_ij − u_i) x_i of a site's knapsack (Σ_i d_i x_i ≤ C_j). Subgradient steps from the
  LP's duals, with the fractional knapsack; at the best u the 0-1 knapsack is solved exactly (dynamic
  programming over whole pupils when demand is whole), which can lift the bound above the LP's.
- HiGHS's dual bound on the reduced MIP (the k nearest sites + the plan's pairs) holds for the full
  problem together with the LP's reduced costs: a plan using a left-out pair (i, j) costs at least
  z_LP + r_ij, so the bound is min(reduced dual bound, z_LP + min r_ij over the left-out pairs).

Plan: open sets from the LP (largest y) and from the Lagrangian subproblems, each assigned whole by
the catchment heuristic (`catchment_gap`: priced start, repair, shift/swap/ejection-chain search),
the best kept; then HiGHS on the reduced model, warm-started from it, until the gap is within the
target or the time is up. The gap is (plan − best bound) / plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, Num
from countyedu.planning import catchment_gap as gap

K_LP = 10  # sites per community in the LP and the reduced MIP (then columns added by reduced cost)
GAP_TARGET = 0.005
SUBGRADIENT_ROUNDS = 150


@dataclass(frozen=True)
class LargeSiting:
    """Open sites (column indices), the site per community, the objective, the proven bound and gap."""

    opened: np.ndarray
    assign: np.ndarray
    objective: float
    bound: float
    gap: float
    stats: dict[str, Any] = field(default_factory=dict)


class LargeSitingInfeasible(CountyEduError):
    """No plan fits: the facts give demand against capacity."""


# ------------------------------------------------------------------ LP relaxation (HiGHS, column generation)


def _lp(
    c: np.ndarray, d: np.ndarray, cap: np.ndarray, p: int, must: np.ndarray, sel: np.ndarray
) -> tuple[highspy.Highs, np.ndarray]:
    from countyedu.planning.highs import new_highs

    n, m = c.shape
    ai, aj = np.nonzero(sel)
    na = len(ai)
    h = new_highs()
    inf = highspy.kHighsInf
    h.addVars(na + m, np.concatenate([np.zeros(na), must.astype(float)]), np.ones(na + m))
    h.changeColsCost(na + m, np.arange(na + m, dtype=np.int32), np.concatenate([d[ai] * c[ai, aj], np.zeros(m)]))
    starts = np.searchsorted(ai, np.arange(n)).astype(np.int32)
    h.addRows(n, np.ones(n), np.ones(n), na, starts, np.arange(na, dtype=np.int32), np.ones(na))
    by_j = np.argsort(aj, kind="stable")
    counts = np.bincount(aj, minlength=m)
    st = np.concatenate([[0], np.cumsum(counts + 1)[:-1]]).astype(np.int32)
    idx = np.empty(na + m, dtype=np.int32)
    val = np.empty(na + m)
    pos = st + counts  # the y_j entry after the site's arcs
    rank = np.arange(na) - np.repeat(np.cumsum(counts) - counts, counts)
    idx[st[aj[by_j]] + rank] = by_j
    val[st[aj[by_j]] + rank] = d[ai[by_j]]
    idx[pos] = na + np.arange(m)
    val[pos] = -cap
    h.addRows(m, np.full(m, -inf), np.zeros(m), na + m, st, idx, val)
    link = np.stack([np.arange(na), na + aj], axis=1).astype(np.int32).ravel()
    h.addRows(na, np.full(na, -inf), np.zeros(na), 2 * na, np.arange(0, 2 * na, 2, dtype=np.int32), link,
              np.tile([1.0, -1.0], na))  # fmt: skip
    h.addRow(p, p, m, (na + np.arange(m)).astype(np.int32), np.ones(m))
    h.run()
    return h, np.stack([ai, aj], axis=1)


def lp_bound(
    c: np.ndarray, d: np.ndarray, cap: np.ndarray, p: int, must: np.ndarray, k: int = K_LP
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(z_LP, u, y, reduced costs of all pairs, pairs in the LP): the LP bound over all pairs."""
    n, m = c.shape
    allowed = np.isfinite(c)
    kk = min(k, m)
    sel = np.zeros_like(allowed)
    sel[np.arange(n)[:, None], np.argpartition(np.where(allowed, c, np.inf), kk - 1, axis=1)[:, :kk]] = True
    sel &= allowed
    while True:
        h, _arcs = _lp(c, d, cap, p, must, sel)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            if sel.sum() == allowed.sum():
                raise LargeSitingInfeasible(
                    Msg("no siting plan fits even with fractional assignment (capacity or reach too small)")
                )
            sel = allowed.copy()
            continue
        sol = h.getSolution()
        dual = np.asarray(sol.row_dual)
        u, mu = dual[:n], dual[n : n + m]
        z = float(h.getInfo().objective_function_value)
        rc = d[:, None] * (c - mu[None, :]) - u[:, None]
        add = allowed & ~sel & (rc < -1e-9 * max(1.0, abs(z)))
        if not add.any():
            na = int(sel.sum())
            y = np.asarray(sol.col_value)[na : na + m]
            return z, u, y, np.where(allowed, rc, np.inf), sel
        sel |= add


# ------------------------------------------------------------------ Lagrangian relaxation of the assignment rows


def _knapsacks(c: np.ndarray, d: np.ndarray, cap: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional knapsack of every site at multipliers u: (v_j ≤ 0, x n × m in [0, 1])."""
    n, m = c.shape
    profit = u[:, None] - d[:, None] * c  # -inf where not allowed
    good = profit > 0
    ratio = np.where(good, profit / np.maximum(d, 1e-12)[:, None], -np.inf)
    order = np.argsort(-ratio, axis=0, kind="stable")
    w = np.where(good, d[:, None], 0.0)
    ws = np.take_along_axis(w, order, axis=0)
    before = np.cumsum(ws, axis=0) - ws
    take = np.clip((cap[None, :] - before) / np.maximum(ws, 1e-12), 0.0, 1.0) * (ws > 0)
    x = np.zeros((n, m))
    np.put_along_axis(x, order, take, axis=0)
    v = -(np.where(good, profit, 0.0) * x).sum(axis=0)
    return v, x


def _choose(v: np.ndarray, p: int, must: np.ndarray) -> np.ndarray:
    """The p sites of least v_j, the must-open ones among them."""
    score = np.where(must, -np.inf, v)
    return np.argsort(score, kind="stable")[:p]


def lagrangian(u: np.ndarray, v: np.ndarray, p: int, must: np.ndarray) -> float:
    return float(u.sum() + v[_choose(v, p, must)].sum())


def exact_knapsacks(c: np.ndarray, d: np.ndarray, cap: np.ndarray, u: np.ndarray) -> np.ndarray | None:
    """The 0-1 knapsack values v_j (dynamic programming over whole pupils), or None when demand is not
    whole or a capacity is too large for it."""
    if not np.allclose(d, np.round(d)) or cap.max(initial=0) > 200_000:
        return None
    _n, m = c.shape
    w_all = np.round(d).astype(np.int64)
    v = np.zeros(m)
    for j in range(m):
        prof = u - d * c[:, j]
        items = np.flatnonzero(prof > 0)
        size = int(np.floor(cap[j] + 1e-9))
        dp = np.zeros(size + 1)
        for i in items:
            w = int(w_all[i])
            if w == 0:
                dp += prof[i]
            elif w <= size:
                dp[w:] = np.maximum(dp[w:], dp[:-w] + prof[i])
        v[j] = -dp[-1]
    return v


# ------------------------------------------------------------------ the plan


def _assign(
    c: np.ndarray, d: np.ndarray, cap: np.ndarray, sites: np.ndarray, deadline: float
) -> tuple[np.ndarray, float] | None:
    """Every community whole to one of `sites` (the catchment heuristic): (site per community, cost)."""
    sub = c[:, sites]
    if cap[sites].sum() < d.sum() - 1e-9 or not np.isfinite(sub).any(axis=1).all():
        return None
    try:
        lam, share, _r, _pairs = gap.lp_prices(sub, d, cap[sites])
    except gap.GapInfeasible:
        return None
    start = gap.repair(sub, d, cap[sites], share)
    if start is None:
        return None
    a = gap.local_search(sub, d, cap[sites], start, deadline, rank=sub + lam[None, :])
    return sites[a], gap.plan_cost(sub, d, a)


def _reduced_mip(
    c: np.ndarray,
    d: np.ndarray,
    cap: np.ndarray,
    p: int,
    must: np.ndarray,
    sel: np.ndarray,
    assign: np.ndarray,
    opened: np.ndarray,
    abs_gap: float,
    time_limit_s: float,
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """HiGHS on the pairs `sel` (with the plan's), warm-started: (assign, opened, dual bound, optimal)."""
    from countyedu.planning.highs import new_highs

    n, m = c.shape
    sel = sel.copy()
    sel[np.arange(n), assign] = True
    ai, aj = np.nonzero(sel)
    na = len(ai)
    h = new_highs(max(1.0, time_limit_s))
    inf = highspy.kHighsInf
    h.addVars(na + m, np.concatenate([np.zeros(na), must.astype(float)]), np.ones(na + m))
    cols = np.arange(na + m, dtype=np.int32)
    h.changeColsCost(na + m, cols, np.concatenate([d[ai] * c[ai, aj], np.zeros(m)]))
    h.changeColsIntegrality(na + m, cols, np.full(na + m, highspy.HighsVarType.kInteger))
    starts = np.searchsorted(ai, np.arange(n)).astype(np.int32)
    h.addRows(n, np.ones(n), np.ones(n), na, starts, np.arange(na, dtype=np.int32), np.ones(na))
    for j in range(m):
        members = np.flatnonzero(aj == j)
        h.addRow(-inf, 0.0, len(members) + 1, np.concatenate([members, [na + j]]).astype(np.int32),
                 np.concatenate([d[ai[members]], [-cap[j]]]))  # fmt: skip
    link = np.stack([np.arange(na), na + aj], axis=1).astype(np.int32).ravel()
    h.addRows(na, np.full(na, -inf), np.zeros(na), 2 * na, np.arange(0, 2 * na, 2, dtype=np.int32), link,
              np.tile([1.0, -1.0], na))  # fmt: skip
    h.addRow(p, p, m, (na + np.arange(m)).astype(np.int32), np.ones(m))
    h.setOptionValue("mip_abs_gap", max(0.0, abs_gap))
    h.setOptionValue("mip_rel_gap", 0.0)
    start = np.concatenate([(assign[ai] == aj).astype(float), np.isin(np.arange(m), opened).astype(float)])
    sol = highspy.HighsSolution()
    sol.col_value = start.tolist()
    sol.value_valid = True
    h.setSolution(sol)
    h.run()
    info = h.getInfo()
    out, op = assign, opened
    if info.primal_solution_status == 2:
        x = np.asarray(h.getSolution().col_value)
        chosen = x[:na] > 0.5
        out = assign.copy()
        out[ai[chosen]] = aj[chosen]
        op = np.flatnonzero(x[na:] > 0.5)
    dual = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else -np.inf
    return out, op, dual, h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _valid(c: np.ndarray, d: np.ndarray, cap: np.ndarray, p: int, must: np.ndarray, assign: np.ndarray,
           opened: np.ndarray) -> bool:  # fmt: skip
    is_open = np.zeros(len(cap), dtype=bool)
    is_open[opened] = True
    load = np.bincount(assign, weights=d, minlength=len(cap))
    return bool(
        len(opened) == p
        and is_open[must].all()
        and is_open[assign].all()
        and np.isfinite(c[np.arange(len(d)), assign]).all()
        and (load <= cap + 1e-6).all()
    )


def solve_large(
    cost: Any,
    demand: Any,
    capacity: Any,
    p: int,
    *,
    must_open: Any = None,
    target_gap: float = GAP_TARGET,
    time_limit_s: float = 60.0,
) -> LargeSiting:
    """The capacitated p-median plan of the module docstring with its proven bound and gap: `cost` per
    pupil (n × m; inf/NaN = not allowed), `demand` (n), `capacity` (m) in pupils, `must_open` (m bools)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    c = gap._cost_matrix(cost)
    d = np.asarray(demand, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    _n, m = c.shape
    must = np.zeros(m, dtype=bool) if must_open is None else np.asarray(must_open, dtype=bool)
    best_cap = cap[must].sum() + np.sort(cap[~must])[::-1][: p - int(must.sum())].sum()
    if not 1 <= p <= m or p < must.sum() or best_cap < d.sum() - 1e-9:
        raise LargeSitingInfeasible(
            Msg(
                "demand {demand} pupils is above the {capacity} seats of the {p} largest sites that may open",
                demand=Num(float(d.sum()), "count"),
                capacity=Num(float(best_cap), "count"),
                p=p,
            ),
            demand=float(d.sum()),
            capacity=float(best_cap),
            p=p,
        )
    z_lp, u, y, rc, lp_sel = lp_bound(c, d, cap, p, must)
    stats: dict[str, Any] = {"lp": z_lp, "lp_s": time.perf_counter() - t0}
    # plans: the LP's open set first
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    tried: set[bytes] = set()

    def consider(sites: np.ndarray) -> None:
        nonlocal best
        sites = np.sort(sites)
        key = sites.tobytes()
        if key in tried:
            return
        tried.add(key)
        r = _assign(c, d, cap, sites, deadline)
        if r is not None and (best is None or r[1] < best[0]):
            best = (r[1], r[0], sites)

    consider(_choose(-y, p, must))
    # Lagrangian: subgradient from the LP's duals
    lag, best_u = -np.inf, u.copy()
    theta, stall = 1.0, 0
    for it in range(SUBGRADIENT_ROUNDS):
        if time.perf_counter() > t0 + 0.4 * time_limit_s:
            break
        v, x = _knapsacks(c, d, cap, u)
        S = _choose(v, p, must)
        val = float(u.sum() + v[S].sum())
        if val > lag + 1e-9:
            lag, best_u, stall = val, u.copy(), 0
        else:
            stall += 1
            if stall >= 10:
                theta, stall = theta / 2, 0
        if it % 15 == 0:
            consider(S)
        g = 1.0 - x[:, S].sum(axis=1)
        norm = float(g @ g)
        upper = best[0] if best is not None else z_lp * 1.05
        if norm < 1e-12 or theta < 1e-4:
            break
        u = u + theta * max(upper - val, 1e-6 * upper) / norm * g
    stats.update(lagrangian=lag, lagrangian_s=time.perf_counter() - t0)
    exact = exact_knapsacks(c, d, cap, best_u)
    if exact is not None:
        lag = max(lag, lagrangian(best_u, exact, p, must))
    stats["lagrangian_exact"] = lag
    bound = max(z_lp, lag)
    if best is None:
        raise LargeSitingInfeasible(
            Msg("no siting plan found within {time_limit_s} s", time_limit_s=f"{time_limit_s:.0f}")
        )
    upper, assign, opened = best
    stats["heuristic"] = upper
    stats["heuristic_s"] = time.perf_counter() - t0
    if (upper - bound) / upper > target_gap and time.perf_counter() < deadline:
        left_out = np.isfinite(rc) & ~lp_sel
        floor = z_lp + (float(rc[left_out].min()) if left_out.any() else np.inf)
        a2, o2, dual, _opt = _reduced_mip(
            c, d, cap, p, must, lp_sel, assign, opened, target_gap * upper * 0.999, deadline - time.perf_counter()
        )
        if _valid(c, d, cap, p, must, a2, o2):
            cost2 = gap.plan_cost(c, d, a2)
            if cost2 < upper:
                upper, assign, opened = cost2, a2, o2
        bound = max(bound, min(dual, floor))
        stats["mip_s"] = time.perf_counter() - t0
    stats["seconds"] = time.perf_counter() - t0
    g_ = 0.0 if upper <= 0 else max(0.0, (upper - bound) / upper)
    return LargeSiting(np.sort(opened), assign, upper, bound, g_, stats)

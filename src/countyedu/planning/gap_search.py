"""The whole-community plan's search as compiled loops (numba; issue 17 item 3).

Two neighbourhoods, alternated until neither improves the plan (every plan visited fits capacity):

- descent: each community's best move among shift (to one of its `cand` schools with room), swap
  (with a community of that school, both fitting) and ejection chain (that community on to one of
  its own candidates with room); `cand[i]` are i's cheapest schools by seat-priced cost c + λ (the
  Lagrangian prices of `catchment_gap`);
- school pairs: for a school a and each of its `partners` b, the communities of a and b shared
  between the two at least cost: a 0/1 knapsack solved exactly by dynamic programming over whole
  pupils (minimise Σ_{i→a} d_i (c_ia − c_ib) with Σ_{i→a} d_i ≤ C_a and the rest ≤ C_b). It fills
  tight schools to the pupil, which single moves cannot; a pair is solved again only when one of its
  schools changed. Used when every demand is a whole number of pupils.

Deterministic: the same instance gives the same plan. Compiled on the first call in a process and
cached on disk in the user's cache directory (`$NUMBA_CACHE_DIR` when set, else the platform's, e.g.
`~/.cache/numba`), never beside the source; without a writable cache it is compiled in memory (a few
seconds once per process).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

_COMPILED: dict[str, Any] = {}


def _move(
    assign: np.ndarray,
    load: np.ndarray,
    d: np.ndarray,
    members: np.ndarray,
    count: np.ndarray,
    where: np.ndarray,
    i: int,
    b: int,
) -> None:
    a = assign[i]
    last = members[a, count[a] - 1]  # out of a's row: its last community takes i's place
    members[a, where[i]] = last
    where[last] = where[i]
    count[a] -= 1
    members[b, count[b]] = i  # onto the end of b's row
    where[i] = count[b]
    count[b] += 1
    assign[i] = b
    load[a] -= d[i]
    load[b] += d[i]


def _pair(
    c: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    cap: np.ndarray,
    assign: np.ndarray,
    members: np.ndarray,
    count: np.ndarray,
    where: np.ndarray,
    load: np.ndarray,
    a: int,
    b: int,
    f: np.ndarray,
    choice: np.ndarray,
    items: np.ndarray,
) -> float:
    """The communities of schools a and b shared between them at least cost (a 0/1 knapsack by dynamic
    programming over whole pupils `w`); applied when cheaper. Returns the saving."""
    ni = 0
    fixed_a = 0.0
    fixed_b = 0.0
    total = 0.0
    cur = 0.0
    for side in range(2):
        j = a if side == 0 else b
        for s in range(count[j]):
            i = members[j, s]
            if not np.isfinite(c[i, b]):
                fixed_a += d[i]
            elif not np.isfinite(c[i, a]):
                fixed_b += d[i]
            else:
                items[ni] = i
                ni += 1
                total += d[i]
                if side == 0:
                    cur += d[i] * (c[i, a] - c[i, b])
    if ni < 2:
        return 0.0
    top = min(int(cap[a] - fixed_a + 1e-6), int(total + 1e-6))
    low = total - (cap[b] - fixed_b) - 1e-6
    if top < 0:
        return 0.0
    f[: top + 1] = np.inf
    f[0] = 0.0
    for t in range(ni):
        i = items[t]
        wi = w[i]
        g = d[i] * (c[i, a] - c[i, b])
        for x in range(top, wi - 1, -1):
            v = f[x - wi] + g
            if v < f[x]:
                f[x] = v
                choice[t, x] = 1
            else:
                choice[t, x] = 0
        for x in range(min(wi, top + 1)):
            choice[t, x] = 0
    bx = -1
    bv = cur - 1e-7 * (1.0 + abs(cur))
    for x in range(top + 1):
        if x >= low and f[x] < bv:
            bv = f[x]
            bx = x
    if bx < 0:
        return 0.0
    x = bx
    for t in range(ni - 1, -1, -1):
        i = items[t]
        to = b
        if choice[t, x] == 1:
            to = a
            x -= w[i]
        if assign[i] != to:
            _move(assign, load, d, members, count, where, i, to)
    return cur - bv


def _pairs_sweep(
    c: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    cap: np.ndarray,
    assign: np.ndarray,
    members: np.ndarray,
    count: np.ndarray,
    where: np.ndarray,
    partners: np.ndarray,
    active: np.ndarray,
) -> float:
    """One pass of `_pair` over each school and its `partners` where either is `active` (changed since
    the pair was last solved; set here for the schools this pass changes); returns the saving."""
    m = cap.shape[0]
    load = np.zeros(m)
    for i in range(d.shape[0]):
        load[assign[i]] += d[i]
    top = 0
    for j in range(m):
        top = max(top, int(cap[j] + 1e-6))
    f = np.empty(top + 2)
    choice = np.zeros((2 * members.shape[1], top + 2), dtype=np.uint8)
    items = np.zeros(2 * members.shape[1], dtype=np.int64)
    saved = 0.0
    nxt = np.zeros(m, dtype=np.bool_)
    for a in range(m):
        for r in range(partners.shape[1]):
            b = partners[a, r]
            if b == a or not (active[a] or active[b]):
                continue
            gain = _pair(c, d, w, cap, assign, members, count, where, load, a, b, f, choice, items)
            if gain > 0.0:
                saved += gain
                nxt[a] = True
                nxt[b] = True
    active[:] = nxt
    return saved


def _descend(
    c: np.ndarray,
    d: np.ndarray,
    cap: np.ndarray,
    cand: np.ndarray,
    assign: np.ndarray,
    members: np.ndarray,
    count: np.ndarray,
    where: np.ndarray,
    tol: float,
    max_passes: int,
    dirty: np.ndarray,
) -> int:
    """Best-improvement moves per community (shift, swap, chain) until a pass improves nothing;
    `assign` updated in place; returns the passes made. A community is looked at only when its school
    or one of its candidates is `dirty` (changed since it was last looked at; all at first)."""
    n = d.shape[0]
    k = cand.shape[1]
    load = np.zeros(cap.shape[0])
    for i in range(n):
        load[assign[i]] += d[i]
    passes = 0
    improved = True
    m = cap.shape[0]
    nxt = np.zeros(m, dtype=np.bool_)
    while improved and passes < max_passes:
        improved = False
        passes += 1
        nxt[:] = False
        for i in range(n):
            a = assign[i]
            look = dirty[a]
            r = 0
            while not look and r < k:
                look = dirty[cand[i, r]]
                r += 1
            if not look:
                continue
            di = d[i]
            best = -1e-9
            kind = 0
            bb = -1
            jj = -1
            xx = -1
            for r in range(k):
                b = cand[i, r]
                if b == a:
                    continue
                gain_i = di * (c[i, b] - c[i, a])
                if load[b] + di <= cap[b] + tol:
                    if gain_i < best:
                        best, kind, bb = gain_i, 1, b
                    continue
                for s in range(count[b]):
                    j = members[b, s]
                    dj = d[j]
                    if load[b] - dj + di > cap[b] + tol:
                        continue
                    base = gain_i - dj * c[j, b]
                    if base + dj * c[j, a] < best and load[a] - di + dj <= cap[a] + tol:
                        best, kind, bb, jj = base + dj * c[j, a], 2, b, j
                    for q in range(k):
                        x = cand[j, q]
                        if x == a or x == b or load[x] + dj > cap[x] + tol:  # noqa: SIM109 (numba: plain compares)
                            continue
                        if base + dj * c[j, x] < best:
                            best, kind, bb, jj, xx = base + dj * c[j, x], 3, b, j, x
            if kind == 1:
                _move(assign, load, d, members, count, where, i, bb)
            elif kind == 2:
                _move(assign, load, d, members, count, where, i, bb)
                _move(assign, load, d, members, count, where, jj, a)
            elif kind == 3:
                _move(assign, load, d, members, count, where, jj, xx)
                _move(assign, load, d, members, count, where, i, bb)
            if kind:
                improved = True
                for j in (a, bb, xx):
                    if j >= 0:
                        dirty[j] = True
                        nxt[j] = True
        dirty[:] = nxt
    return passes


def _compiled() -> dict[str, Any]:
    if not _COMPILED:
        from countyedu.compiled import jit

        g = globals()
        g["_move"] = jit(_move)
        _COMPILED["descend"] = jit(_descend)
        _COMPILED["pairs"] = jit(_pairs_sweep)
        g["_pair"] = jit(_pair)
    return _COMPILED


def _members(assign: np.ndarray, d: np.ndarray, cap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each school's communities as rows of a table wide enough for any feasible plan: (members,
    count, where each community sits in its school's row)."""
    n, m = len(d), len(cap)
    pos = d[d > 0]
    zero = n - len(pos)
    width = n if pos.size == 0 else min(n, zero + int(float(cap.max(initial=0.0)) * (1 + 1e-9) / float(pos.min())) + 2)
    width = max(width, int(np.bincount(assign, minlength=m).max(initial=0)))
    members = np.zeros((m, width), dtype=np.int64)
    count = np.zeros(m, dtype=np.int64)
    where = np.zeros(n, dtype=np.int64)
    order = np.argsort(assign, kind="stable")
    start = np.searchsorted(assign[order], np.arange(m))
    count[:] = np.bincount(assign, minlength=m)
    where[order] = np.arange(n) - start[assign[order]]
    members[assign[order], where[order]] = order
    return members, count, where


def search(
    c: np.ndarray,
    d: np.ndarray,
    cap: np.ndarray,
    cand: np.ndarray,
    partners: np.ndarray,
    assign: np.ndarray,
    deadline: float,
    rounds: int = 8,
) -> tuple[np.ndarray, int]:
    """From the feasible plan `assign`: descent, then up to `rounds` of school pairs each followed by
    descent, until a round saves nothing (or the deadline). Returns (plan, pair rounds made)."""
    fns = _compiled()
    tol = 1e-9 * max(1.0, float(cap.max(initial=1.0)))
    c = np.ascontiguousarray(c, dtype=np.float64)
    d = np.ascontiguousarray(d, dtype=np.float64)
    cap = np.ascontiguousarray(cap, dtype=np.float64)
    cand = np.ascontiguousarray(cand, dtype=np.int64)
    a = np.ascontiguousarray(assign, dtype=np.int64).copy()
    members, count, where = _members(a, d, cap)
    fns["descend"](c, d, cap, cand, a, members, count, where, tol, 1000, np.ones(len(cap), dtype=np.bool_))
    made = 0
    if not np.all(d == np.round(d)) or partners.shape[1] == 0:
        return a, made
    w = d.astype(np.int64)
    p = np.ascontiguousarray(partners, dtype=np.int64)
    active = np.ones(len(cap), dtype=np.bool_)
    while made < rounds and time.perf_counter() < deadline:
        before = a.copy()
        saved = fns["pairs"](c, d, w, cap, a, members, count, where, p, active)
        made += 1
        fns["descend"](c, d, cap, cand, a, members, count, where, tol, 1000, active.copy())
        moved = np.flatnonzero(a != before)
        active[a[moved]] = True
        active[before[moved]] = True
        if saved <= 1e-9 and moved.size == 0:
            break
    return a, made

"""Siting and consolidation (第4、5条; PN; CS; FD): which sites to open, which small schools to merge.

Formulation (capacitated p-median, single sourcing, the model of PySAL spopt's `PMedian` with
capacities). Communities i with d_i pupils, sites j with capacity C_j, distance c_ij (km), arcs only
within `max_km` (daily travel) or, with `boarding_km`, up to it to a site that boards (its pupils
are then boarders, 第5条):

    minimise   Σ_ij d_i c_ij x_ij  (+ Σ_j f_j y_j + money terms when p is None, see below)
    subject to Σ_j x_ij = 1                  every community goes to one site
               Σ_i d_i x_ij ≤ C_j y_j        capacity of an open site
               x_ij ≤ y_j                    (the strong linking rows)
               Σ_j y_j = p                   (p-median; omitted for facility location)
               y_j = 1 where must_stay_open;  x, y ∈ {0, 1}
               Σ_i d_i x_ij ≥ C_j            where a kept site is to be filled (spopt's fulfill_predefined_fac)

Without p it is capacitated facility location in yuan a year: Σ_j open_cost_j y_j +
`yuan_per_pupil_km` · Σ d_i c_ij x_ij + `boarder_yuan` · boarders.

Solved by HiGHS (highspy) on the k nearest sites of each community, with an exact certificate for the
arcs left out: (1) the LP relaxation is solved by column generation until no left-out arc has negative
reduced cost — its value z_LP is a lower bound for the full problem; (2) the MIP on the kept arcs
gives z_R; (3) by LP duality a solution using a left-out arc (i, j) costs at least z_LP + rc_ij, so
every left-out arc with z_LP + rc_ij ≥ z_R can be dropped (reduced-cost fixing); arcs that cannot are
added and the MIP solved again. When every left-out arc is fixed and the MIP is optimal, the plan is
optimal on all arcs.

Consolidation (第5条) uses the same solver with two more terms: an open small school funded as
`funded_as` pupils pays the top-up t_j ≥ F·y_j − Σ_i d_i x_ij (t_j ≥ 0) at the per-pupil rate, and
capacity is soft (Σ_i d_i x_ij ≤ C_j y_j + s_j, s_j at `seat_short_yuan`); the floor rows' duals enter
the reduced costs. Small schools' pupils move whole; the communities' other pupils may be split.
`census_siting` adds candidate sites (`read_sites`) to a census's schools.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.planning.geo import k_nearest
from countyedu.planning.highs import new_highs

K_SITES = 10
FULL_ARCS = 20_000
MIP_GAP = 1e-6


class SitingInfeasible(CountyEduError):
    """No siting plan fits: the message and facts give demand against capacity."""


@dataclass(frozen=True)
class _Inst:
    d: np.ndarray
    km: np.ndarray
    cost: np.ndarray  # per arc objective coefficient for x, inf where no arc
    boarder: np.ndarray  # bool: the arc is a boarding arc
    cap: np.ndarray
    fixed: np.ndarray  # yuan for opening j (0 for p-median)
    must: np.ndarray
    p: int | None
    # consolidation: an open site j with floor F_j > 0 is funded as F_j pupils — the top-up
    # t_j ≥ F_j·y_j − Σ_i d_i x_ij, t_j ≥ 0, costs `floor_yuan` per pupil; `short_yuan` makes capacity soft:
    # Σ_i d_i x_ij ≤ C_j y_j + s_j, a pupil without a seat (s_j) costing `short_yuan`
    floor: np.ndarray | None = None
    floor_yuan: float = 0.0
    short_yuan: float | None = None
    whole: np.ndarray | None = None  # bool per community: single sourcing (default all); False = divisible
    fill: np.ndarray | None = None  # bool per site: kept open and filled to capacity (Σ_i d_i x_ij ≥ C_j)


def _floor_sites(inst: _Inst) -> np.ndarray:
    return np.zeros(0, dtype=np.int64) if inst.floor is None else np.flatnonzero(inst.floor > 0)


def _fill_sites(inst: _Inst) -> np.ndarray:
    return np.zeros(0, dtype=np.int64) if inst.fill is None else np.flatnonzero(inst.fill)


def _build(inst: _Inst, sel: np.ndarray, integer: bool) -> tuple[highspy.Highs, np.ndarray]:
    ai, aj = np.nonzero(sel)
    na, n, m = len(ai), len(inst.d), len(inst.cap)
    fl = _floor_sites(inst)
    nf, ns = len(fl), (m if inst.short_yuan is not None else 0)
    h = new_highs()
    inf = highspy.kHighsInf
    lower = np.concatenate([np.zeros(na), inst.must.astype(float), np.zeros(nf + ns)])
    upper = np.concatenate([np.ones(na + m), np.full(nf + ns, inf)])
    h.addVars(na + m + nf + ns, lower, upper)
    cols = np.arange(na + m + nf + ns, dtype=np.int32)
    extra = np.concatenate([np.full(nf, inst.floor_yuan), np.full(ns, inst.short_yuan or 0.0)])
    h.changeColsCost(len(cols), cols, np.concatenate([inst.cost[ai, aj], inst.fixed, extra]))
    if integer:
        ints = (
            cols[: na + m] if inst.whole is None else cols[: na + m][np.concatenate([inst.whole[ai], np.ones(m, bool)])]
        )
        h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger))
    starts = np.searchsorted(ai, np.arange(n)).astype(np.int32)
    h.addRows(n, np.ones(n), np.ones(n), na, starts, np.arange(na, dtype=np.int32), np.ones(na))
    by_j = np.argsort(aj, kind="stable")
    counts = np.bincount(aj, minlength=m)
    idx, val, st = [], [], np.zeros(m, dtype=np.int32)
    pos = 0
    for j, (lo, c) in enumerate(zip(np.concatenate([[0], np.cumsum(counts)[:-1]]), counts, strict=True)):
        st[j] = pos
        members = by_j[lo : lo + c]
        idx.append(members)
        idx.append(np.array([na + j]))
        val.append(inst.d[ai[members]].astype(float))
        val.append(np.array([-float(inst.cap[j])]))
        pos += c + 1
    h.addRows(m, np.full(m, -inf), np.zeros(m), pos, st, np.concatenate(idx).astype(np.int32), np.concatenate(val))
    link = np.stack([np.arange(na), na + aj], axis=1).astype(np.int32).ravel()
    h.addRows(
        na,
        np.full(na, -inf),
        np.zeros(na),
        2 * na,
        np.arange(0, 2 * na, 2, dtype=np.int32),
        link,
        np.tile([1.0, -1.0], na),
    )
    if inst.p is not None:
        h.addRow(inst.p, inst.p, m, (na + np.arange(m)).astype(np.int32), np.ones(m))
    for j in range(ns):  # soft capacity: Σ d x − C y − s ≤ 0
        h.changeCoeff(n + j, na + m + nf + j, -1.0)
    assert inst.floor is not None or nf == 0
    for k, j in enumerate(fl):  # funded as F_j: Σ d x − F_j y_j + t_j ≥ 0
        members = np.flatnonzero(aj == j)
        f_idx = np.concatenate([members, [na + j, na + m + k]]).astype(np.int32)
        f_val = np.concatenate([inst.d[ai[members]].astype(float), [-float(inst.floor[j]), 1.0]])  # type: ignore[index]
        h.addRow(0.0, inf, len(f_idx), f_idx, f_val)
    for j in _fill_sites(inst):  # kept full (spopt's fulfill_predefined_fac): Σ d x ≥ C_j, with Σ d x ≤ C_j y_j
        members = np.flatnonzero(aj == j)
        h.addRow(float(inst.cap[j]), inf, len(members), members.astype(np.int32), inst.d[ai[members]].astype(float))
    if integer:
        h.setOptionValue("mip_rel_gap", MIP_GAP)
    return h, np.stack([ai, aj], axis=1)


def _solve(inst: _Inst, time_limit_s: float) -> dict[str, Any]:
    """The certified MIP of the module docstring: chosen arcs, open sites, objective, bound, status."""
    t0 = time.perf_counter()
    allowed = np.isfinite(inst.cost)
    n, m = allowed.shape
    if allowed.sum() <= FULL_ARCS:
        sel = allowed.copy()
    else:
        sel = np.zeros_like(allowed)
        sel[np.arange(n)[:, None], k_nearest(np.where(allowed, inst.km, np.inf), K_SITES)] = True
        sel &= allowed
    # (1) LP by column generation
    lp_rounds = 0
    while True:
        lp_rounds += 1
        h, _ = _build(inst, sel, integer=False)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            if sel.sum() == allowed.sum():
                raise SitingInfeasible(
                    Msg("no siting plan fits even with fractional assignment (capacity or reach too small)")
                )
            sel = allowed.copy()
            continue
        duals = np.asarray(h.getSolution().row_dual)
        z_lp = float(h.getInfo().objective_function_value)
        u, v = duals[:n], duals[n : n + m].copy()
        fl, fq = _floor_sites(inst), _fill_sites(inst)
        if len(fl):  # the floor rows, then the fill rows, close the model (see _build)
            v[fl] += duals[len(duals) - len(fl) - len(fq) : len(duals) - len(fq)]
        if len(fq):
            v[fq] += duals[len(duals) - len(fq) :]
        rc = np.where(allowed, inst.cost, 0.0) - u[:, None] - inst.d[:, None] * v[None, :]
        add = allowed & ~sel & (rc < -1e-7 * max(1.0, abs(z_lp)))
        if not add.any():
            break
        sel |= add
    # (2)-(3) MIP on the kept arcs, reduced-cost fixing of the rest
    rounds = 0
    while True:
        rounds += 1
        left = max(1.0, time_limit_s - (time.perf_counter() - t0))
        h, arcs = _build(inst, sel, integer=True)
        h.setOptionValue("time_limit", left)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        if status == highspy.HighsModelStatus.kInfeasible or info.primal_solution_status != 2:
            if sel.sum() == allowed.sum():
                if status == highspy.HighsModelStatus.kInfeasible:
                    raise SitingInfeasible(
                        Msg("no plan sends every community whole to one open site within capacity and reach")
                    )
                raise CountyEduError(
                    Msg("no siting plan found within {time_limit_s} s", time_limit_s=f"{time_limit_s:.0f}")
                )
            sel = allowed.copy()
            continue
        z_r = float(info.objective_function_value)
        unfixed = allowed & ~sel & (z_lp + rc < z_r * (1 - MIP_GAP) - 1e-9)
        if not unfixed.any() or rounds >= 5:
            if unfixed.any():
                sel = allowed.copy()
                continue
            break
        sel |= unfixed
    x = np.asarray(h.getSolution().col_value)
    na = len(arcs)
    chosen = arcs[x[:na] > 0.5]
    used = x[:na] > 1e-9
    m = len(inst.cap)
    opened = x[na : na + m] > 0.5
    nf = len(_floor_sites(inst))
    short = x[na + m + nf :] if inst.short_yuan is not None else np.zeros(m)
    proven = status == highspy.HighsModelStatus.kOptimal
    bound = max(z_lp, float(info.mip_dual_bound)) if proven else z_lp
    return {
        "chosen": chosen,
        "flows": (arcs[used], np.clip(x[:na][used], 0.0, 1.0)),
        "opened": opened,
        "short": np.asarray(short, dtype=float),
        "objective": z_r,
        "bound": bound,
        "proven": proven,
        "z_lp": z_lp,
        "arcs": int(sel.sum()),
        "all_arcs": int(allowed.sum()),
        "lp_rounds": lp_rounds,
        "mip_rounds": rounds,
    }

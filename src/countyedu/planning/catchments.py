"""Catchments (划片招生, 免试就近入学 — 第4条; QB-G13): which school each community's pupils of a stage go to.

Formulation (a transportation problem). Communities i with demand d_i pupils, schools j with capacity
C_j seats, travel c_ij (km, or minutes from a user's matrix); arcs only where the school is in reach
(`max_km`) or listed in the travel matrix:

    minimise   Σ_ij c_ij · x_ij                    (pupil-km)
    subject to Σ_j x_ij = d_i        every community (every pupil is assigned)
               Σ_i x_ij ≤ C_j        every school (capacity)
               x_ij ≥ 0 integer      (divisible: a community may be split between schools)

`single=True` adds "each community goes to exactly one school": x_ij = d_i · y_ij with y_ij ∈ {0, 1}
(a generalised assignment problem: up to FULL_MIP_ARCS pairs one HiGHS MIP; larger, `catchment_gap.solve_gap`:
the LP's plan repaired and improved by local search and HiGHS on reduced models). Its LP relaxation is the divisible
problem, so the divisible optimum is the proven lower bound `bound` of the indivisible plan.

Divisible plans are solved by OR-Tools min-cost flow on the k nearest schools of each community, then
certified on the full graph: node potentials π are computed from the optimal residual graph
(Bellman–Ford), and every left-out arc must have reduced cost c_ij + π_i − π_j ≥ 0; arcs that fail
are added and the flow solved again, until the certificate holds (then no left-out arc can improve the
plan: the flow is optimal on all arcs). Min-cost flow needs integers: demand is rounded to whole pupils
(half up), capacities down to whole seats, costs to whole metres (or whole seconds for minutes);
"optimal" means optimal for these rounded costs (at most 0.5 m per pupil from the exact km).

`keep_current=True` is lexicographic: first keep as many pupils as possible at their community's
current school, then minimise travel among those plans. It is implemented exactly with a per-pupil
penalty M = Σ_i d_i · max_j c_ij + 1 on every arc to a school other than the current one (one moved
pupil costs more than any possible saving in travel), in the flow; in the MIP in two stages.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
from ortools.graph.python import max_flow, min_cost_flow

import countyedu.planning.labels  # noqa: F401  (labels the solver_status codes of the blocks)
from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num, Text, encode
from countyedu.planning.geo import distance_matrix, k_nearest, read_travel
from countyedu.planning.highs import new_highs
from countyedu.roads.params import RoadParams
from countyedu.runs.blocks import Block, BlockColumn, BlockMap, BlockTable, Finding, worded

CLAUSE = "第4条; QB-G13"
K_NEAREST = 20  # schools per community in the first flow (then certified on all arcs)
FULL_MIP_ARCS = 150_000  # single=True: up to this many arcs, one MIP proves optimality
SINGLE_NEAREST = 4  # single=True, large, keep_current: schools per community in the MIP besides the LP's
INT_LIMIT = 2**62


class CatchmentInfeasible(CountyEduError):
    """No catchment plan fits: the message and facts give demand against capacity, and where."""


@dataclass(frozen=True)
class Problem:
    """The instance in solver units: dense n × m arrays (cost in metres or seconds, -1 = no arc)."""

    communities: pd.DataFrame
    schools: pd.DataFrame
    d: np.ndarray  # int64 pupils
    cap: np.ndarray  # int64 seats
    cost: np.ndarray  # int64, -1 where no arc
    km: np.ndarray  # float, NaN where unknown
    unit: str  # km | minutes
    scale: int  # solver cost units per unit (1000 m per km, 60 s per minute)
    current: np.ndarray  # int index of the current school, -1 if none

    @property
    def allowed(self) -> np.ndarray:
        return self.cost >= 0


def _whole(values: pd.Series, how: str) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce").fillna(0.0).to_numpy(float)
    return (np.floor(v + 0.5) if how == "half_up" else np.floor(v + 1e-9)).astype(np.int64).clip(min=0)


def build_problem(
    demand: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    max_km: float | None = None,
    travel: pd.DataFrame | None = None,
) -> Problem:
    """The arrays the solvers use, from plain tables (see solve_catchments)."""
    for frame, cols, what in (
        (demand, ("community_id", "demand"), "demand"),
        (schools, ("school_id", "capacity"), "schools"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise CountyEduError(
                Msg("{table} table lacks column(s) {columns}", table=what, columns=tuple(missing)),
                missing=missing,
            )
    comm = demand.reset_index(drop=True).copy()
    comm["community_id"] = comm["community_id"].astype(str)
    sch = schools.reset_index(drop=True).copy()
    sch["school_id"] = sch["school_id"].astype(str)
    n, m = len(comm), len(sch)
    has_xy = all(c in f.columns for f in (comm, sch) for c in ("lat", "lon"))
    km = distance_matrix(comm, sch) if has_xy else np.full((n, m), np.nan)
    if travel is not None:
        t = read_travel(travel, comm["community_id"], sch["school_id"])
        ci = pd.Index(comm["community_id"]).get_indexer(t["community_id"])
        sj = pd.Index(sch["school_id"]).get_indexer(t["school_id"])
        unit = "minutes" if "minutes" in t.columns else "km"
        scale = 60 if unit == "minutes" else 1000
        measure = np.full((n, m), np.nan)
        measure[ci, sj] = t[unit].to_numpy(float)
        if "km" in t.columns:
            km = np.full((n, m), np.nan)
            km[ci, sj] = t["km"].to_numpy(float)
    else:
        if not has_xy:
            raise CountyEduError(Msg("catchments need lat/lon of communities and schools, or a travel matrix"))
        unit, scale, measure = "km", 1000, km
    cost = np.where(np.isnan(measure), -1, np.floor(np.nan_to_num(measure) * scale + 0.5)).astype(np.int64)
    if max_km is not None:
        if np.isnan(km).all():
            raise CountyEduError(Msg("max_km needs distances: give lat/lon or a km column in the travel matrix"))
        cost[~(np.nan_to_num(km, nan=np.inf) <= max_km)] = -1
    current = np.full(n, -1, dtype=np.int64)
    if "current_school_id" in comm.columns:
        current = pd.Index(sch["school_id"]).get_indexer(comm["current_school_id"].astype(str))
        current = np.where((current >= 0) & (cost[np.arange(n), current.clip(min=0)] >= 0), current, -1)
    return Problem(
        comm,
        sch,
        _whole(comm["demand"], "half_up"),
        _whole(sch["capacity"], "down"),
        cost,
        km,
        unit,
        scale,
        current.astype(np.int64),
    )


# ------------------------------------------------------------------ infeasibility, explained


def explain_infeasible(p: Problem, *, single: bool = False) -> CatchmentInfeasible:
    """The error for a plan that cannot fit, with the numbers (第4条: every pupil gets a seat)."""
    total_d, total_c = int(p.d.sum()), int(p.cap.sum())
    facts: dict[str, Any] = {"demand": total_d, "capacity": total_c}
    if total_d > total_c:
        return CatchmentInfeasible(
            Msg(
                "demand {demand} pupils is above the capacity {capacity} seats of all schools (short {short})",
                demand=Num(total_d, "count"),
                capacity=Num(total_c, "count"),
                short=Num(total_d - total_c, "count"),
            ),
            **facts,
        )
    reach = p.allowed
    lonely = np.flatnonzero((~reach.any(axis=1)) & (p.d > 0))
    if lonely.size:
        ids = p.communities["community_id"].iloc[lonely].tolist()
        facts["unreachable"] = ids
        facts["unreachable_demand"] = int(p.d[lonely].sum())
        return CatchmentInfeasible(
            Msg(
                "{count} communities have no school within reach: {communities} ({pupils} pupils)",
                count=len(ids),
                communities=tuple(ids[:20]),
                pupils=Num(facts["unreachable_demand"], "count"),
            ),
            **facts,
        )
    short_set, s_dem, s_cap = _hall_violator(p)
    facts["areas"] = _township_reach(p)
    if short_set:
        facts.update(short_communities=short_set, short_demand=s_dem, short_capacity=s_cap)
        over = [a for a in facts["areas"] if a["demand"] > a["capacity_in_reach"]]
        where = tuple(f"{a['township_id']}: {a['demand']:,} > {a['capacity_in_reach']:,}" for a in over[:10])
        short = Msg(
            "the {count} communities {communities} need {demand} seats but the schools within reach have {capacity}",
            count=len(short_set),
            communities=tuple(short_set[:15]),
            demand=Num(s_dem, "count"),
            capacity=Num(s_cap, "count"),
        )
        return CatchmentInfeasible(
            Msg("{text} (townships where demand exceeds capacity in reach: {where})", text=short, where=where)
            if over
            else short,
            **facts,
        )
    largest = int(p.d.max()) if len(p.d) else 0
    return CatchmentInfeasible(
        Msg(
            "demand {demand} fits the capacity {capacity} only if communities are split between schools: no plan "
            "sends each community whole to one school (largest community {largest} pupils, largest school {school} "
            "seats)",
            demand=Num(total_d, "count"),
            capacity=Num(total_c, "count"),
            largest=Num(largest, "count"),
            school=Num(int(p.cap.max()), "count"),
        ),
        **facts,
    )


def _hall_violator(p: Problem) -> tuple[list[str], int, int]:
    """Communities whose demand exceeds the capacity of every school they can reach (a min cut)."""
    n, m = p.cost.shape
    src, sink = n + m, n + m + 1
    ci, sj = np.nonzero(p.allowed)
    big = int(p.d.sum()) + 1
    tails = np.concatenate([np.full(n, src), ci, n + np.arange(m)])
    heads = np.concatenate([np.arange(n), n + sj, np.full(m, sink)])
    caps = np.concatenate([p.d, np.full(len(ci), big), p.cap])
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64))
    if mf.solve(src, sink) != mf.OPTIMAL or mf.optimal_flow() >= p.d.sum():
        return [], 0, 0
    side = np.asarray(mf.get_source_side_min_cut())
    comm = side[side < n]
    sch = side[(side >= n) & (side < n + m)] - n
    ids = p.communities["community_id"].iloc[comm].tolist()
    return ids, int(p.d[comm].sum()), int(p.cap[sch].sum())


def _township_reach(p: Problem) -> list[dict[str, Any]]:
    """Per township: its demand and the capacity of the schools its communities can reach."""
    if "township_id" not in p.communities.columns:
        return []
    out = []
    for tid, idx in p.communities.groupby(p.communities["township_id"].astype(str)).indices.items():
        reach = p.allowed[idx].any(axis=0)
        out.append({"township_id": tid, "demand": int(p.d[idx].sum()), "capacity_in_reach": int(p.cap[reach].sum())})
    return out


# ------------------------------------------------------------------ divisible: flow + certificate


def _lex_penalty(p: Problem) -> int:
    """Per moved pupil penalty making keep_current lexicographic (see the module docstring)."""
    row_max = np.where(p.allowed, p.cost, 0).max(axis=1) if p.cost.size else np.zeros(0, np.int64)
    pen = int((p.d * row_max).sum()) + 1
    if pen * max(int(p.d.sum()), 1) >= INT_LIMIT:
        raise CountyEduError(
            Msg("keep_current: the instance is too large for the exact lexicographic rule (integer overflow)")
        )
    return pen


def solver_costs(p: Problem, keep_current: bool) -> np.ndarray:
    """Costs the solver minimises: travel, plus the keep_current penalty on moves."""
    if not keep_current or not (p.current >= 0).any():
        return p.cost
    cost = p.cost.copy()
    pen = _lex_penalty(p)
    has = p.current >= 0
    moved = np.ones_like(cost, dtype=bool)
    moved[np.flatnonzero(has), p.current[has]] = False
    moved[~has] = False
    cost[(cost >= 0) & moved] += pen
    return cost


@dataclass
class FlowResult:
    flows: pd.DataFrame  # i, j, x (x > 0 only)
    total: int  # solver cost
    arcs: int  # arcs in the final graph
    rounds: int  # certificate rounds
    added: int  # arcs added by the certificate
    pi: np.ndarray | None = None  # the certificate's node potentials (reduced costs c + π_i − π_j ≥ 0)


def solve_flow(p: Problem, cost: np.ndarray, k: int = K_NEAREST, full_below: int = 50_000) -> FlowResult:
    """Optimal divisible plan on all allowed arcs, via k nearest + reduced-cost certificate
    (instances of fewer than `full_below` pairs go straight to all arcs)."""
    n, m = cost.shape
    allowed = cost >= 0
    if n * m < full_below or k >= m:
        sel = allowed.copy()
    else:
        sel = np.zeros_like(allowed)
        near = k_nearest(np.where(allowed, cost, np.iinfo(np.int64).max).astype(float), k)
        sel[np.arange(n)[:, None], near] = True
        sel &= allowed
        if (p.current >= 0).any():
            has = p.current >= 0
            sel[np.flatnonzero(has), p.current[has]] = True
            sel &= allowed
    rounds = added = 0
    while True:
        rounds += 1
        res = _mcf(p, cost, sel)
        if res is None:
            if sel.sum() == allowed.sum():
                raise explain_infeasible(p)
            k *= 2  # the restricted graph cannot route every pupil: widen it
            near = k_nearest(np.where(allowed, cost, np.iinfo(np.int64).max).astype(float), k)
            sel[np.arange(n)[:, None], near] = True
            sel &= allowed
            continue
        flows, total = res
        pi = _potentials(p, cost, sel, flows)
        red = cost + pi[:n, None] - pi[None, n : n + m]
        bad = allowed & ~sel & (red < 0)
        if not bad.any():
            return FlowResult(flows, total, int(sel.sum()), rounds, added, pi)
        added += int(bad.sum())
        sel |= bad


def _mcf(p: Problem, cost: np.ndarray, sel: np.ndarray) -> tuple[pd.DataFrame, int] | None:
    n, m = cost.shape
    ci, sj = np.nonzero(sel)
    sink = n + m
    total = int(p.d.sum())
    f = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([ci, n + np.arange(m)]).astype(np.int32)
    heads = np.concatenate([n + sj, np.full(m, sink)]).astype(np.int32)
    caps = np.concatenate([np.full(len(ci), total), p.cap]).astype(np.int64)
    costs = np.concatenate([cost[ci, sj], np.zeros(m, np.int64)]).astype(np.int64)
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    f.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), np.concatenate([p.d, np.zeros(m, np.int64), [-total]]))
    status = f.solve()
    if status == f.INFEASIBLE:
        return None
    if status != f.OPTIMAL:
        raise CountyEduError(Msg("min-cost flow ended with status {status}", status=str(status)))
    x = np.asarray(f.flows(np.arange(len(ci), dtype=np.int32)))
    keep = x > 0
    return pd.DataFrame({"i": ci[keep], "j": sj[keep], "x": x[keep]}), int(f.optimal_cost())


def _potentials(p: Problem, cost: np.ndarray, sel: np.ndarray, flows: pd.DataFrame) -> np.ndarray:
    """Shortest distances from a virtual root in the residual graph (Bellman–Ford, vectorised).

    They are node potentials with non-negative reduced cost on every residual arc of the optimal flow.
    """
    n, m = cost.shape
    sink = n + m
    ci, sj = np.nonzero(sel)
    load = np.bincount(flows["j"], weights=flows["x"], minlength=m).astype(np.int64)
    fi, fj = flows["i"].to_numpy(), flows["j"].to_numpy()
    tails = np.concatenate([ci, n + fj, n + np.flatnonzero(load < p.cap), np.full(int((load > 0).sum()), sink)])
    heads = np.concatenate([n + sj, fi, np.full(int((load < p.cap).sum()), sink), n + np.flatnonzero(load > 0)])
    w = np.concatenate([cost[ci, sj], -cost[fi, fj], np.zeros(int((load < p.cap).sum()) + int((load > 0).sum()))])
    w = w.astype(np.int64)
    dist = np.zeros(n + m + 1, dtype=np.int64)
    for _ in range(n + m + 2):
        cand = dist[tails] + w
        new = dist.copy()
        np.minimum.at(new, heads, cand)
        if np.array_equal(new, dist):
            return dist
        dist = new
    raise CountyEduError(Msg("negative cycle in an optimal residual graph"))  # pragma: no cover


# ------------------------------------------------------------------ indivisible: MIP (HiGHS)


def _mip(
    p: Problem,
    cost: np.ndarray,
    arcs: np.ndarray,
    cap: np.ndarray,
    rows: np.ndarray,
    time_limit_s: float,
    keep: bool,
    hint: np.ndarray | None = None,
) -> tuple[np.ndarray, float, float, bool] | None:
    """Assign communities `rows` whole, over arcs (k × 2 array of i, j): chosen arc mask, objective,
    dual bound, proven optimal. None when infeasible."""
    ai, aj = arcs[:, 0], arcs[:, 1]
    na = len(ai)
    local = pd.Index(rows).get_indexer(ai)
    order = np.argsort(local, kind="stable")
    h = new_highs(time_limit_s)
    h.setOptionValue("mip_rel_gap", 1e-7)
    travel = (p.d[ai] * p.cost[ai, aj]).astype(float)
    h.addVars(na, np.zeros(na), np.ones(na))
    idx = np.arange(na, dtype=np.int32)
    h.changeColsIntegrality(na, idx, np.full(na, highspy.HighsVarType.kInteger))
    starts = np.searchsorted(local[order], np.arange(len(rows))).astype(np.int32)
    h.addRows(len(rows), np.ones(len(rows)), np.ones(len(rows)), na, starts, order.astype(np.int32), np.ones(na))
    by_j = np.argsort(aj, kind="stable")
    m = len(cap)
    js = np.searchsorted(aj[by_j], np.arange(m)).astype(np.int32)
    h.addRows(
        m, np.full(m, -highspy.kHighsInf), cap.astype(float), na, js, by_j.astype(np.int32), p.d[ai][by_j].astype(float)
    )
    moved = (cost[ai, aj] != p.cost[ai, aj]).astype(float) * p.d[ai]
    if keep and moved.any():
        h.changeColsCost(na, idx, moved)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            return None
        best = h.getInfo().objective_function_value
        h.addRow(-highspy.kHighsInf, best + 0.5, na, idx, moved)
    h.changeColsCost(na, idx, travel)
    if hint is not None:
        sol = highspy.HighsSolution()
        sol.col_value = hint.astype(float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
        h.setOptionValue("mip_rel_gap", 1e-3)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible point found within the time limit
        raise CountyEduError(
            Msg(
                "no whole-community plan found within {seconds} s (HiGHS status {status})",
                seconds=f"{time_limit_s:.0f}",
                status=h.modelStatusToString(status),
            )
        )
    x = np.asarray(h.getSolution().col_value) > 0.5
    return (
        x,
        float(info.objective_function_value),
        float(info.mip_dual_bound),
        status == highspy.HighsModelStatus.kOptimal,
    )


def _single(
    p: Problem, cost: np.ndarray, lp: FlowResult, time_limit_s: float, keep: bool
) -> tuple[pd.DataFrame, float, bool, Msg]:
    """Whole-community plan: (flows, bound in solver travel units, proven optimal, how)."""
    n, _m = cost.shape
    fl = lp.flows
    lp_travel = float((fl["x"] * p.cost[fl["i"], fl["j"]]).sum())
    split = fl.groupby("i").size()
    split_rows = split.index[split > 1].to_numpy()
    if split_rows.size == 0:
        return fl, lp_travel, True, Msg("the divisible optimum splits no community")
    allowed = cost >= 0
    if int(allowed.sum()) <= FULL_MIP_ARCS:
        arcs = np.argwhere(allowed)
        res = _mip(p, cost, arcs, p.cap, np.arange(n), time_limit_s, keep)
        if res is None:
            raise explain_infeasible(p, single=True)
        x, _obj, dual, proven = res
        chosen = arcs[x]
        flows = pd.DataFrame({"i": chosen[:, 0], "j": chosen[:, 1], "x": p.d[chosen[:, 0]]})
        bound = max(dual, lp_travel) if not keep else dual
        return flows, bound, proven, Msg("HiGHS MIP on all arcs")
    if not keep:  # large: catchment_gap's Lagrangian bound, heuristic and HiGHS (issue 17 item 3)
        from countyedu.planning.catchment_gap import GapInfeasible, solve_gap

        rows = np.flatnonzero(allowed.any(axis=1))  # a community with no arc has no pupils here
        unit = np.where(allowed[rows], cost[rows], np.inf).astype(float)
        try:
            r = solve_gap(unit, p.d[rows].astype(float), p.cap.astype(float), time_limit_s=max(1.0, time_limit_s))
        except GapInfeasible as exc:
            raise explain_infeasible(p, single=True) from exc
        flows = pd.DataFrame({"i": rows, "j": r.assign, "x": p.d[rows]})
        return (
            flows,
            max(lp_travel, r.bound),
            r.gap <= 1e-9,
            Msg(
                "LP bound (min-cost flow) + the large-instance search (the LP's plan repaired, shift, swap and "
                "chain moves, HiGHS on reduced models; its bound from the Lagrangian relaxation at the LP's prices)"
            ),
        )
    # large, keep_current: one MIP on the arcs the LP uses plus each community's few nearest schools; the LP bound
    # (proven on all arcs) measures its gap
    sel = np.zeros_like(allowed)
    sel[fl["i"].to_numpy(), fl["j"].to_numpy()] = True
    near = k_nearest(np.where(allowed, cost, np.iinfo(np.int64).max).astype(float), SINGLE_NEAREST)
    sel[np.arange(n)[:, None], near] = True
    sel &= allowed
    start = _repair(p, cost, fl)
    if start is not None:
        sel[np.arange(n), start] = True
    arcs = np.argwhere(sel)
    hint = None if start is None else (arcs[:, 1] == start[arcs[:, 0]])
    res = _mip(p, cost, arcs, p.cap, np.arange(n), time_limit_s, keep, hint)
    if res is None:
        raise CountyEduError(
            Msg("no whole-community plan found on the nearest schools; try single=False or a larger time limit")
        )
    x, _, _, _ = res
    chosen = arcs[x]
    flows = pd.DataFrame({"i": chosen[:, 0], "j": chosen[:, 1], "x": p.d[chosen[:, 0]]})
    return (
        flows,
        lp_travel,
        False,
        Msg(
            "LP bound (min-cost flow) + HiGHS MIP on {arcs} arcs (the LP's and the {k} nearest)",
            arcs=Num(len(arcs), "count"),
            k=SINGLE_NEAREST,
        ),
    )


def _repair(p: Problem, cost: np.ndarray, fl: pd.DataFrame) -> np.ndarray | None:
    """A whole-community start from the LP: each split community to its largest share (a community
    without flow, having no pupils, to its nearest school), then catchment_gap.repair's moves out of
    overfull schools at the least extra cost. None if it gets stuck."""
    from countyedu.planning.catchment_gap import repair

    big = fl.sort_values("x", ascending=False).drop_duplicates("i")
    c = np.where(cost >= 0, cost, np.inf).astype(float)
    assign = np.argmin(c, axis=1)
    assign[big["i"].to_numpy()] = big["j"].to_numpy()
    return repair(c, p.d.astype(float), p.cap.astype(float), assign)


# ------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class CatchmentPlan:
    """A catchment plan: assignments, zones, objective with its proven bound, and how it was solved."""

    assignments: pd.DataFrame  # community_id, school_id, pupils, km[, minutes]
    zones: pd.DataFrame  # school_id, communities, pupils, capacity, utilisation
    objective: float  # pupil-km (or pupil-minutes when unit == "minutes")
    bound: float
    gap: float
    status: str  # optimal | feasible
    solver: Text
    unit: str = "km"
    single: bool = False
    kept: int | None = None  # keep_current: pupils at their current school
    notes: list[Text] = field(default_factory=list)
    map_points: pd.DataFrame = field(default_factory=pd.DataFrame)
    names: dict[str, str] = field(default_factory=dict)  # school and community id → name (census_catchments)
    distance_basis: dict[str, Any] = field(default_factory=dict)  # roads.travel.Basis.as_dict() (census_catchments)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: summary numbers, assignments, zones and the map lines."""
        return {
            "clause": CLAUSE,
            "status": self.status,
            "solver": encode(self.solver),
            "unit": self.unit,
            "single": self.single,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "kept": self.kept,
            "distance_basis": self.distance_basis,
            "notes": [encode(n) for n in self.notes],
            "assignments": _records(self.assignments),
            "zones": [{**r, "communities": list(r["communities"])} for r in self.zones.to_dict("records")],
            "map": _records(self.map_points),
        }

    def block_map(self) -> BlockMap | None:
        """The zones on a map: each school, and each community joined to the school most of its pupils go
        to (None without coordinates)."""
        mp = self.map_points
        if mp.empty or not {"lat", "lon", "school_lat", "school_lon"} <= set(mp.columns):
            return None
        mp = mp.dropna(subset=["lat", "lon", "school_lat", "school_lon"])
        main = mp.sort_values("pupils", ascending=False).drop_duplicates("community_id")
        points: list[dict[str, Any]] = []
        for r in mp.drop_duplicates("school_id").itertuples():
            load = int(self.zones.set_index("school_id")["pupils"].get(r.school_id, 0))
            points.append(
                {"kind": "school", "id": str(r.school_id), "name": self.names.get(str(r.school_id), str(r.school_id)),
                 "lat": float(r.school_lat), "lon": float(r.school_lon), "detail": f"{load:,}"}
            )  # fmt: skip
        for r in main.itertuples():
            points.append(
                {"kind": "community", "id": str(r.community_id),
                 "name": self.names.get(str(r.community_id), str(r.community_id)),
                 "lat": float(r.lat), "lon": float(r.lon), "site_id": str(r.school_id),
                 "site_name": self.names.get(str(r.school_id), str(r.school_id)), "detail": f"{int(r.pupils):,}"}
            )  # fmt: skip
        return BlockMap(Msg("Catchment map"), points)

    def blocks(self, lang: str | None = None) -> list[Block]:
        """学区划分: the zone list a bureau publishes and the community → school table (the map's data stays
        in as_dict()["map"]; the web page draws it). Texts are messages, worded in `lang` when given."""

        def nm(i: str) -> str:
            return self.names.get(i, i)

        pupils = int(self.assignments["pupils"].sum())
        avg = self.objective / pupils if pupils else 0.0
        para = Msg(
            "All {pupils} pupils assigned; total travel {travel} pupil-{unit} ({each} {unit} each), bound {bound}, "
            "gap {gap}, status {status}; solver: {solver}.",
            pupils=Num(pupils, "count"),
            travel=Num(self.objective, "", 1),
            unit=Msg("km") if self.unit == "km" else Msg("minutes"),
            each=Num(avg, "", 2),
            bound=Num(self.bound, "", 1),
            gap=Num(self.gap, "share", 2),
            status=Code("solver_status", self.status),
            solver=self.solver,
        )
        over = self.zones[self.zones["pupils"] > self.zones["capacity"]]
        finding = Finding(
            clause=CLAUSE,
            rule=Msg("every pupil assigned within capacity"),
            value=f"{pupils:,}",
            status="met" if over.empty else "not_met",
        )
        zone_rows: list[list[Any]] = [
            [
                nm(r.school_id),
                Msg("{names}", names=tuple(nm(c) for c in r.communities)),
                int(r.pupils),
                int(r.capacity),
                float(r.utilisation),
            ]
            for r in self.zones.itertuples()
        ]
        zones = BlockTable(
            title=Msg("Catchment zones (published enrolment areas)"),
            columns=[
                BlockColumn("school_id", Msg("school")),
                BlockColumn("communities", Msg("communities served")),
                BlockColumn("pupils", Msg("pupils"), "count"),
                BlockColumn("capacity", Msg("seats"), "count"),
                BlockColumn("utilisation", Msg("utilisation"), "share"),
            ],
            rows=zone_rows,
            clause=CLAUSE,
        )
        a = self.assignments
        table = BlockTable(
            title=Msg("Community → school"),
            columns=[
                BlockColumn("community_id", Msg("community")),
                BlockColumn("school_id", Msg("school")),
                BlockColumn("pupils", Msg("pupils"), "count"),
                BlockColumn("km", Msg("distance (km)"), "km"),
            ],
            rows=[[nm(r.community_id), nm(r.school_id), int(r.pupils), _num(r.km)] for r in a.itertuples()],
            clause=CLAUSE,
        )
        blocks = [
            Block(
                id="planning.catchments",
                title=Msg("Catchments (enrolment by zone)"),
                clause=CLAUSE,
                paragraphs=[para, *self.notes],
                findings=[finding],
                tables=[zones, table],
                maps=[m] if (m := self.block_map()) else [],
            )
        ]
        return worded(blocks, lang)


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        out.append(
            {
                k: (None if isinstance(v, float) and math.isnan(v) else (v.item() if hasattr(v, "item") else v))
                for k, v in rec.items()
            }
        )
    return out


def solve_catchments(
    demand: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    single: bool = False,
    max_km: float | None = None,
    keep_current: bool = False,
    travel: pd.DataFrame | None = None,
    time_limit_s: float = 60,
) -> CatchmentPlan:
    """The catchment plan minimising pupil travel within capacity (第4条 划片招生; QB-G13).

    demand: community_id, demand, lat, lon[, township_id, current_school_id]; schools: school_id,
    capacity, lat, lon[, township_id]. Raises CatchmentInfeasible with the numbers when no plan fits.
    """
    t_start = time.perf_counter()
    p = build_problem(demand, schools, max_km=max_km, travel=travel)
    if p.d.sum() > p.cap.sum() or ((~p.allowed.any(axis=1)) & (p.d > 0)).any():
        raise explain_infeasible(p)
    cost = solver_costs(p, keep_current)
    lp = solve_flow(p, cost)
    notes: list[Text] = [
        Msg(
            "certified optimal on all {all_arcs} arcs: min-cost flow on {arcs} arcs (k = {k} nearest), {rounds} "
            "certificate round(s), {added} arc(s) added",
            all_arcs=Num(int(p.allowed.sum()), "count"),
            arcs=Num(lp.arcs, "count"),
            k=K_NEAREST,
            rounds=lp.rounds,
            added=Num(lp.added, "count"),
        )
    ]
    if single:
        flows, bound_units, proven, how = _single(
            p, cost, lp, max(1.0, time_limit_s - (time.perf_counter() - t_start)), keep_current
        )
        solver = how
    else:
        flows = lp.flows
        bound_units = float((flows["x"] * p.cost[flows["i"], flows["j"]]).sum())
        proven, solver = True, Msg("OR-Tools min-cost flow + reduced-cost certificate")
    travel_units = float((flows["x"] * p.cost[flows["i"], flows["j"]]).sum())
    gap = 0.0 if travel_units <= 0 else max(0.0, (travel_units - bound_units) / travel_units)
    status = "optimal" if proven or gap <= 1e-9 else "feasible"
    return _plan(p, flows, bound_units, gap, status, solver, single, keep_current, notes)


def _plan(
    p: Problem,
    flows: pd.DataFrame,
    bound_units: float,
    gap: float,
    status: str,
    solver: Text,
    single: bool,
    keep: bool,
    notes: list[Text],
) -> CatchmentPlan:
    i, j, x = flows["i"].to_numpy(), flows["j"].to_numpy(), flows["x"].to_numpy()
    comm, sch = p.communities, p.schools
    a = pd.DataFrame(
        {
            "community_id": comm["community_id"].to_numpy()[i],
            "school_id": sch["school_id"].to_numpy()[j],
            "pupils": x.astype(int),
            "km": p.km[i, j],
        }
    )
    if p.unit == "minutes":
        a["minutes"] = p.cost[i, j] / p.scale
    a = a.sort_values(["community_id", "school_id"]).reset_index(drop=True)
    measure = a["km"] if p.unit == "km" else a["minutes"]
    objective = float((a["pupils"] * measure).sum())
    load = np.bincount(j, weights=x, minlength=len(sch))
    members = a.groupby("school_id")["community_id"].apply(list)
    zones = pd.DataFrame(
        {
            "school_id": sch["school_id"],
            "communities": [members.get(s, []) for s in sch["school_id"]],
            "pupils": load.astype(int),
            "capacity": p.cap.astype(int),
        }
    )
    zones["utilisation"] = np.where(zones["capacity"] > 0, zones["pupils"] / zones["capacity"].clip(lower=1), np.nan)
    zones = zones[zones["pupils"] > 0].reset_index(drop=True)
    mp = a[["community_id", "school_id", "pupils"]].copy()
    if {"lat", "lon"} <= set(comm.columns) and {"lat", "lon"} <= set(sch.columns):
        mp["lat"] = comm.set_index("community_id")["lat"].reindex(mp["community_id"]).to_numpy(float)
        mp["lon"] = comm.set_index("community_id")["lon"].reindex(mp["community_id"]).to_numpy(float)
        mp["school_lat"] = sch.set_index("school_id")["lat"].reindex(mp["school_id"]).to_numpy(float)
        mp["school_lon"] = sch.set_index("school_id")["lon"].reindex(mp["school_id"]).to_numpy(float)
    kept = None
    if keep:
        cur = np.where(p.current >= 0, p.current, -2)
        kept = int(x[cur[i] == j].sum())
    return CatchmentPlan(
        assignments=a,
        zones=zones,
        objective=objective,
        bound=bound_units / p.scale,
        gap=gap,
        status=status,
        solver=solver,
        unit=p.unit,
        single=single,
        kept=kept,
        notes=[
            *notes,
            Msg("demand rounded to whole pupils (half up), capacity down to whole seats, costs to whole metres")
            if p.unit == "km"
            else Msg("demand rounded to whole pupils (half up), capacity down to whole seats, costs to whole seconds"),
        ],
        map_points=mp.reset_index(drop=True),
    )


def census_catchments(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int,
    *,
    persons: pd.DataFrame | None = None,
    rate: float | None = None,
    roads: RoadParams | None = None,
    **options: Any,
) -> CatchmentPlan:
    """solve_catchments on a census: demand of `stage` in `year` per community (community_demand on
    the observed population, or `persons` from a projection), coordinates and township from the
    communities sheet, capacities of the schools teaching that stage that year (seats.stage_supply);
    road km with the packs' road parameters `roads` (roads.travel.params_of; None: the defaults)."""
    from countyedu.planning.demand import community_demand, supply_year
    from countyedu.planning.seats import stage_supply

    pop = frames["population"] if persons is None else persons
    dem = community_demand(pop, stage, year, rate=rate)
    comm = frames["communities"][["community_id", "township_id", "lat", "lon"]].copy()
    comm["community_id"] = comm["community_id"].astype(str)
    dem["community_id"] = dem["community_id"].astype(str)
    dem = dem.merge(comm, on="community_id", how="left")
    supply = stage_supply(frames, supply_year(frames, year))
    sch = supply[supply["stage"] == stage][["school_id", "capacity", "lat", "lon", "township_id"]]
    if sch.empty:
        raise CountyEduError(
            Msg(
                "no open school teaches {stage} in {year}", stage=Code("education_stage", stage), year=Num(year, "year")
            )
        )
    sch = sch.reset_index(drop=True)
    basis = None
    if options.get("travel") is None:  # the census's roads when it has them (issue 17), else haversine
        from countyedu.roads.travel import road_pairs

        travel, basis = road_pairs(frames, dem[["community_id", "lat", "lon"]], sch[["school_id", "lat", "lon"]], roads)
        options = {**options, "travel": travel}
    plan = solve_catchments(dem, sch, **options)
    if basis is None:
        return dataclasses.replace(plan, names=place_names(frames), distance_basis={"basis": "travel_matrix"})
    notes = [basis.words(), *plan.notes]
    return dataclasses.replace(plan, names=place_names(frames), distance_basis=basis.as_dict(), notes=notes)


def place_names(frames: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """School and community id → name, for the tables a bureau publishes."""
    out: dict[str, str] = {}
    for sheet, key in (("communities", "community_id"), ("schools", "school_id")):
        df = frames.get(sheet)
        if df is not None and "name" in df:
            out.update(zip(df[key].astype(str), df["name"].astype(str), strict=True))
    return out

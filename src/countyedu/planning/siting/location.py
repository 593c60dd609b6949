"""Location models on any cost matrix (issue 17 item 2): the solvers of `plan site`, the planning pages
and consolidation as a library. Coordinates are not needed: a caller turns them into a matrix first
(`planning.geo.distance_matrix`, or road km from `roads.travel.distances`) and passes it here.

Every function takes
- `cost`: demand points × sites, the cost of one unit of demand at a site (km, minutes, yuan): a numpy
  array (rows and columns are then numbered 0, 1, …), a pandas DataFrame (index = demand ids, columns
  = site ids) or a Series on a (demand id, site id) MultiIndex (the long form). NaN, ±inf and, in the
  long form, a missing pair mean the pair is **not allowed**;
- `demand`: units per demand point (default 1 each), fractional allowed; `capacity`: per site, fractional
  allowed. A pandas Series is aligned on the ids. Nothing is rounded unless `round_demand=True` (demand
  half up to whole units, capacity down to whole seats — the rounding `solve_siting` asks for, pupils
  being whole);
- `preselected`: sites kept open (a boolean mask or site ids); `fill_preselected=True` also fills each
  to its capacity exactly (spopt's `fulfill_predefined_fac`).

The formulation (single sourcing unless `split`), its HiGHS solve and the certificate that makes the
result optimal on all pairs are in `countyedu.planning.siting.solver`. The result gives the open sites,
the assignment table, the objective, the proven lower bound and the gap between them.

Reference: the models of PySAL spopt (`spopt.locate.PMedian`, capacitated with `facility_capacities`,
`fulfill_predefined_fac`); its test instances are reproduced in tests/planning/test_spopt_instances.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, Num, Text, encode
from countyedu.planning.siting.solver import K_SITES, SitingInfeasible, _Inst, _solve

ArrayLike = Any  # numpy array, pandas Series, or a sequence of numbers


@dataclass(frozen=True)
class LocationResult:
    """A solved location model: open sites, who goes where, the objective, its proven bound and the gap."""

    model: str  # p_median | capacitated_p_median | facility_location
    sites: list[Any]  # the open sites' ids, in the cost matrix's order
    assignment: pd.DataFrame  # demand_id, site_id, share, demand, unit_cost, cost: one row per pair used
    load: pd.Series  # demand served at each site (every site, by id)
    opened: pd.Series  # bool per site id
    objective: float  # Σ open_cost of the open sites + Σ demand · share · unit cost (+ top-ups, shortages)
    bound: float  # a proven lower bound on the optimum over all allowed pairs
    gap: float  # (objective − bound) / objective; 0 when proven optimal
    status: str  # optimal | feasible (a time limit stopped the search)
    p: int | None = None
    shortage: pd.Series | None = None  # seats missing per site (facility_location with shortage_cost)
    solver: dict[str, Any] = field(default_factory=dict)  # arcs kept, LP and MIP rounds, the LP bound
    notes: list[Text] = field(default_factory=list)
    pairs: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))  # the assignment's
    # (row, column) positions in the cost matrix

    @property
    def travel(self) -> float:
        """Σ demand · unit cost over the assignment (the p-median objective; without open costs)."""
        return float(self.assignment["cost"].sum())

    @property
    def mean_cost(self) -> float:
        """Travel per unit of demand (spopt's `mean_dist`)."""
        total = float(self.assignment["demand"].sum())
        return self.travel / total if total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "p": self.p,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "travel": self.travel,
            "mean_cost": self.mean_cost,
            "sites": [_plain(s) for s in self.sites],
            "assignment": [{k: _plain(v) for k, v in r.items()} for r in self.assignment.to_dict("records")],
            "load": {str(k): float(v) for k, v in self.load.items()},
            "shortage": None if self.shortage is None else {str(k): float(v) for k, v in self.shortage.items()},
            "solver": dict(self.solver),
            "notes": [encode(n) for n in self.notes],
        }


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def p_median(
    cost: Any,
    demand: ArrayLike | None = None,
    *,
    p: int,
    capacity: ArrayLike | None = None,
    preselected: ArrayLike | None = None,
    fill_preselected: bool = False,
    round_demand: bool = False,
    split: bool | ArrayLike = False,
    near: Any = None,
    time_limit_s: float = 60.0,
    method: str = "exact",
) -> LocationResult:
    """The p-median (Hakimi 1964; ReVelle & Swain 1970; spopt `PMedian`): open exactly `p` sites and send
    each demand point whole to one open site, minimising Σ_ij d_i c_ij x_ij. With `capacity`, each open
    site serves at most its capacity (the capacitated p-median); without, capacity is unlimited.
    `split`: demand points (a mask, or True for all) that may be divided among sites. `near`: the
    matrix that orders each point's sites for the first round (default: `cost`). `method="large"`
    (capacitated, whole points, no fill): `siting.large.solve_large` for instances the certified MIP
    does not finish — a plan within 0.5% of its proven bound, not proven optimal (issue 17 item 3)."""
    prob = _problem(cost, demand, capacity, preselected, round_demand, split, near)
    model = "p_median" if capacity is None else "capacitated_p_median"
    _check_p(prob, p)
    _check_fill(prob, fill_preselected, capacity is not None)
    _check_reach(prob)
    if method == "large" and capacity is not None and prob.whole.all() and not fill_preselected:
        return _run_large(prob, model, p, time_limit_s)
    return _run(prob, model, p, np.zeros(prob.m), fill_preselected, time_limit_s)


def capacitated_p_median(
    cost: Any,
    demand: ArrayLike | None,
    capacity: ArrayLike,
    *,
    p: int,
    preselected: ArrayLike | None = None,
    fill_preselected: bool = False,
    round_demand: bool = False,
    split: bool | ArrayLike = False,
    near: Any = None,
    time_limit_s: float = 60.0,
    method: str = "exact",
) -> LocationResult:
    """The capacitated p-median (spopt `PMedian` with `facility_capacities`): `p_median` with capacities."""
    return p_median(
        cost,
        demand,
        p=p,
        capacity=capacity,
        preselected=preselected,
        fill_preselected=fill_preselected,
        round_demand=round_demand,
        split=split,
        near=near,
        time_limit_s=time_limit_s,
        method=method,
    )


def facility_location(
    cost: Any,
    demand: ArrayLike | None = None,
    *,
    open_cost: ArrayLike | None = None,
    capacity: ArrayLike | None = None,
    preselected: ArrayLike | None = None,
    fill_preselected: bool = False,
    round_demand: bool = False,
    split: bool | ArrayLike = False,
    funded_floor: ArrayLike | None = None,
    floor_cost: float = 0.0,
    shortage_cost: float | None = None,
    near: Any = None,
    time_limit_s: float = 60.0,
) -> LocationResult:
    """Capacitated facility location (Balinski 1965; Cornuéjols, Nemhauser & Wolsey 1990): open any number
    of sites, minimising Σ_j f_j y_j + Σ_ij d_i c_ij x_ij (f = `open_cost`, c in money per unit) — the
    model of `plan site` without --p. The options of consolidation (第5条): an open site funded as at
    least `funded_floor` units pays the top-up (floor − load) at `floor_cost` a unit; with
    `shortage_cost`, capacity is soft and each unit beyond it costs that much."""
    prob = _problem(cost, demand, capacity, preselected, round_demand, split, near)
    _check_fill(prob, fill_preselected, capacity is not None)
    if shortage_cost is None:
        _check_total(prob)
    _check_reach(prob)
    fixed = np.zeros(prob.m) if open_cost is None else _vector(open_cost, prob.site_ids, Msg("open cost"))
    floor = None if funded_floor is None else _vector(funded_floor, prob.site_ids, Msg("funded floor"))
    return _run(
        prob, "facility_location", None, fixed, fill_preselected, time_limit_s, floor, floor_cost, shortage_cost
    )


# ------------------------------------------------------------------ the inputs


@dataclass(frozen=True)
class _Problem:
    demand_ids: list[Any]
    site_ids: list[Any]
    unit: np.ndarray  # unit cost, inf where not allowed
    d: np.ndarray
    cap: np.ndarray
    must: np.ndarray
    whole: np.ndarray
    near: np.ndarray

    @property
    def m(self) -> int:
        return len(self.site_ids)


def _matrix(cost: Any) -> tuple[np.ndarray, list[Any], list[Any]]:
    """The cost matrix as floats (inf where not allowed) with its demand and site ids."""
    if isinstance(cost, pd.Series):
        if cost.index.nlevels != 2:
            raise CountyEduError(Msg("a cost Series needs a (demand id, site id) index"))
        if cost.index.duplicated().any():
            dup = cost.index[cost.index.duplicated()][0]
            raise CountyEduError(Msg("the cost pair {pair} is given twice", pair=f"{dup[0]} → {dup[1]}"))
        rows = list(pd.unique(cost.index.get_level_values(0)))
        cols = list(pd.unique(cost.index.get_level_values(1)))
        cost = cost.unstack().reindex(index=rows, columns=cols)
    if isinstance(cost, pd.DataFrame):
        rows, cols = list(cost.index), list(cost.columns)
        values = cost.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    else:
        values = np.asarray(cost, dtype=float)
        if values.ndim != 2:
            raise CountyEduError(Msg("the cost matrix must have two dimensions, not {ndim}", ndim=values.ndim))
        rows, cols = list(range(values.shape[0])), list(range(values.shape[1]))
    if not cols:
        raise CountyEduError(Msg("the cost matrix has no sites ({rows} × {cols})", rows=len(rows), cols=len(cols)))
    return np.where(np.isfinite(values), values, np.inf), rows, cols


def _vector(values: ArrayLike, ids: list[Any], what: Msg) -> np.ndarray:
    """A per-point or per-site vector as floats; a Series is aligned on the ids."""
    if isinstance(values, pd.Series):
        missing = [i for i in ids if i not in values.index]
        if missing:
            raise CountyEduError(
                Msg("{what} has no value for {ids}", what=what, ids=tuple(str(i) for i in missing[:10])),
                missing=missing,
            )
        out = pd.to_numeric(values.reindex(ids)).to_numpy(float)
    else:
        out = np.asarray(values, dtype=float).ravel()
        if out.size == 1 and len(ids) != 1:
            out = np.full(len(ids), float(out[0]))
    if len(out) != len(ids):
        raise CountyEduError(
            Msg("{what} has {given} values for {expected}", what=what, given=len(out), expected=len(ids)),
        )
    if not np.isfinite(out).all() or (out < 0).any():
        raise CountyEduError(Msg("{what} must be a finite number ≥ 0 everywhere", what=what))
    return out


def _mask(values: ArrayLike | bool | None, ids: list[Any], what: Msg) -> np.ndarray:
    """A boolean mask over ids from None, a bool, a boolean mask or a collection of ids."""
    if values is None or values is False:
        return np.zeros(len(ids), dtype=bool)
    if values is True:
        return np.ones(len(ids), dtype=bool)
    if isinstance(values, pd.Series) and values.dtype == bool:
        return values.reindex(ids).fillna(False).to_numpy(bool)
    arr = np.asarray(values)
    if arr.dtype == bool:
        if len(arr) != len(ids):
            raise CountyEduError(
                Msg("{what} has {given} values for {expected}", what=what, given=len(arr), expected=len(ids))
            )
        return arr.copy()
    wanted = list(values) if isinstance(values, Sequence | np.ndarray | pd.Index | pd.Series) else [values]
    pos = {v: k for k, v in enumerate(ids)}
    unknown = [v for v in wanted if _plain(v) not in pos]
    if unknown:
        raise CountyEduError(
            Msg("{what}: unknown ids {ids}", what=what, ids=tuple(str(v) for v in unknown[:10])), unknown=unknown
        )
    out = np.zeros(len(ids), dtype=bool)
    out[[pos[_plain(v)] for v in wanted]] = True
    return out


def _problem(
    cost: Any,
    demand: ArrayLike | None,
    capacity: ArrayLike | None,
    preselected: ArrayLike | None,
    round_demand: bool,
    split: bool | ArrayLike,
    near: Any,
) -> _Problem:
    unit, rows, cols = _matrix(cost)
    d = np.ones(len(rows)) if demand is None else _vector(demand, rows, Msg("demand"))
    cap = np.full(len(cols), max(float(d.sum()), 1.0)) if capacity is None else _vector(capacity, cols, Msg("capacity"))
    if round_demand:  # whole units: demand half up, capacity down (a seat is not split)
        d = np.floor(d + 0.5)
        if capacity is not None:
            cap = np.floor(cap + 1e-9)
    nearness = unit if near is None else np.where(np.isfinite(unit), _matrix(near)[0], np.inf)
    if nearness.shape != unit.shape:
        raise CountyEduError(Msg("near has another shape than the cost matrix"))
    return _Problem(
        demand_ids=rows,
        site_ids=cols,
        unit=unit,
        d=d,
        cap=cap,
        must=_mask(preselected, cols, Msg("preselected sites")),
        whole=~_mask(split, rows, Msg("demand points that may split")),
        near=nearness,
    )


# ------------------------------------------------------------------ what can be told before solving


def _n(v: float) -> Num:
    return Num(v, "count") if float(v).is_integer() else Num(v, "", 2)


def _fact(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def _check_p(prob: _Problem, p: int) -> None:
    must, m, total = prob.must, prob.m, float(prob.d.sum())
    if p < int(must.sum()) or p > m or p < 1:
        raise SitingInfeasible(
            Msg(
                "p = {p} must be between 1 (and the {must} sites that must stay open) and {sites} sites",
                p=p,
                must=int(must.sum()),
                sites=m,
            ),
            p=p,
            must_stay_open=int(must.sum()),
            sites=m,
        )
    best = float(prob.cap[must].sum() + np.sort(prob.cap[~must])[::-1][: p - int(must.sum())].sum())
    if best < total - 1e-9:
        raise SitingInfeasible(
            Msg(
                "demand {demand} pupils is above the {capacity} seats of the {p} largest sites that may open",
                demand=_n(total),
                capacity=_n(best),
                p=p,
            ),
            demand=_fact(total),
            capacity=_fact(best),
            p=p,
        )


def _check_total(prob: _Problem) -> None:
    total, seats = float(prob.d.sum()), float(prob.cap.sum())
    if seats < total - 1e-9:
        raise SitingInfeasible(
            Msg(
                "demand {demand} pupils is above the {capacity} seats of all sites",
                demand=_n(total),
                capacity=_n(seats),
            ),
            demand=_fact(total),
            capacity=_fact(seats),
        )


def _check_fill(prob: _Problem, fill: bool, has_capacity: bool) -> None:
    if not fill:
        return
    if not has_capacity:
        raise CountyEduError(Msg("keeping preselected sites full needs their capacities"))
    total, seats = float(prob.d.sum()), float(prob.cap[prob.must].sum())
    if seats > total + 1e-9:
        raise SitingInfeasible(
            Msg(
                "the {count} preselected sites cannot be kept full: their {capacity} seats are more than the "
                "demand {demand}",
                count=int(prob.must.sum()),
                capacity=_n(seats),
                demand=_n(total),
            ),
            demand=_fact(total),
            capacity=_fact(seats),
        )


def _check_reach(prob: _Problem) -> None:
    lonely = np.flatnonzero(~np.isfinite(prob.unit).any(axis=1) & (prob.d > 0))
    if lonely.size:
        ids = [str(prob.demand_ids[i]) for i in lonely]
        raise SitingInfeasible(
            Msg(
                "{count} communities have no site within reach: {communities}",
                count=len(ids),
                communities=tuple(ids[:20]),
            ),
            unreachable=ids,
            unreachable_demand=_fact(float(prob.d[lonely].sum())),
        )


# ------------------------------------------------------------------ the solve


def _run(
    prob: _Problem,
    model: str,
    p: int | None,
    fixed: np.ndarray,
    fill: bool,
    time_limit_s: float,
    floor: np.ndarray | None = None,
    floor_cost: float = 0.0,
    shortage_cost: float | None = None,
) -> LocationResult:
    arc = np.where(np.isfinite(prob.unit), prob.d[:, None] * prob.unit, np.inf)
    inst = _Inst(
        prob.d,
        prob.near,
        arc,
        np.zeros(prob.unit.shape, dtype=bool),
        prob.cap,
        fixed,
        prob.must,
        p,
        floor,
        float(floor_cost),
        shortage_cost,
        None if prob.whole.all() else prob.whole,
        prob.must if fill else None,
    )
    r = _solve(inst, time_limit_s)
    (pairs, share) = r["flows"]
    fi, fj = pairs[:, 0], pairs[:, 1]
    whole = prob.whole[fi]
    share = np.where(whole, np.round(share), share)  # a whole point's share is 0 or 1 (the MIP's tolerance)
    keep = share > 0
    fi, fj, share = fi[keep], fj[keep], share[keep]
    rows, cols = np.asarray(prob.demand_ids, dtype=object), np.asarray(prob.site_ids, dtype=object)
    assignment = pd.DataFrame(
        {
            "demand_id": rows[fi],
            "site_id": cols[fj],
            "share": share,
            "demand": prob.d[fi] * share,
            "unit_cost": prob.unit[fi, fj],
            "cost": prob.d[fi] * prob.unit[fi, fj] * share,
        }
    )
    site_index = pd.Index(prob.site_ids, name="site_id")
    load = pd.Series(np.bincount(fj, weights=prob.d[fi] * share, minlength=prob.m), index=site_index, name="load")
    opened = pd.Series(np.asarray(r["opened"], dtype=bool) | prob.must, index=site_index, name="open")
    objective = float(r["objective"])
    gap = 0.0 if objective <= 0 else max(0.0, (objective - r["bound"]) / abs(objective))
    solver = {k: r[k] for k in ("arcs", "all_arcs", "lp_rounds", "mip_rounds", "z_lp")}
    note = Msg(
        "HiGHS MIP on {arcs} of {all_arcs} arcs (k = {k} nearest + column generation, {lp_rounds} LP round(s), "
        "{mip_rounds} MIP round(s)); LP bound {bound}; the left-out arcs are excluded by reduced-cost fixing",
        arcs=Num(r["arcs"], "count"),
        all_arcs=Num(r["all_arcs"], "count"),
        k=K_SITES,
        lp_rounds=r["lp_rounds"],
        mip_rounds=r["mip_rounds"],
        bound=Num(r["z_lp"], "", 1),
    )
    return LocationResult(
        model=model,
        pairs=np.stack([fi, fj], axis=1),
        sites=[_plain(s) for s in np.asarray(prob.site_ids, dtype=object)[opened.to_numpy()]],
        assignment=assignment,
        load=load,
        opened=opened,
        objective=objective,
        bound=float(r["bound"]),
        gap=gap,
        status="optimal" if r["proven"] else "feasible",
        p=p,
        shortage=None if shortage_cost is None else pd.Series(r["short"], index=site_index, name="shortage"),
        solver=solver,
        notes=[note],
    )


def _run_large(prob: _Problem, model: str, p: int, time_limit_s: float) -> LocationResult:
    """`p_median(method="large")`: siting.large's plan, bound and gap in the library's result."""
    from countyedu.planning.siting.large import solve_large

    r = solve_large(prob.unit, prob.d, prob.cap, p, must_open=prob.must, time_limit_s=time_limit_s)
    fi, fj = np.arange(len(prob.d)), r.assign
    rows, cols = np.asarray(prob.demand_ids, dtype=object), np.asarray(prob.site_ids, dtype=object)
    site_index = pd.Index(prob.site_ids, name="site_id")
    is_open = np.zeros(prob.m, dtype=bool)
    is_open[r.opened] = True
    return LocationResult(
        model=model,
        pairs=np.stack([fi, fj], axis=1),
        sites=[_plain(s) for s in cols[is_open]],
        assignment=pd.DataFrame(
            {
                "demand_id": rows[fi],
                "site_id": cols[fj],
                "share": 1.0,
                "demand": prob.d,
                "unit_cost": prob.unit[fi, fj],
                "cost": prob.d * prob.unit[fi, fj],
            }
        ),
        load=pd.Series(np.bincount(fj, weights=prob.d, minlength=prob.m), index=site_index, name="load"),
        opened=pd.Series(is_open, index=site_index, name="open"),
        objective=r.objective,
        bound=r.bound,
        gap=r.gap,
        status="optimal" if r.gap <= 1e-9 else "feasible",
        p=p,
        solver={"method": "large", **{k: v for k, v in r.stats.items() if isinstance(v, (int, float))}},
        notes=[
            Msg(
                "large-instance search: LP and Lagrangian bounds, open sets from both assigned by local search, "
                "HiGHS on the reduced model; bound {bound}",
                bound=Num(r.bound, "", 1),
            )
        ],
    )

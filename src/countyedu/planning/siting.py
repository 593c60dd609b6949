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

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pandas as pd

from countyedu.census.problems import Problem
from countyedu.errors import CountyEduError
from countyedu.planning.catchments import new_highs
from countyedu.planning.geo import PlanningFileError, distance_matrix, k_nearest
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding

CLAUSE = "第4条; 第5条; PN"
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


def _floor_sites(inst: _Inst) -> np.ndarray:
    return np.zeros(0, dtype=np.int64) if inst.floor is None else np.flatnonzero(inst.floor > 0)


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
                    "no siting plan fits even with fractional assignment (capacity or reach too small)",
                    "即使允许拆分也无法满足：容量或可达范围不足",
                )
            sel = allowed.copy()
            continue
        duals = np.asarray(h.getSolution().row_dual)
        z_lp = float(h.getInfo().objective_function_value)
        u, v = duals[:n], duals[n : n + m].copy()
        fl = _floor_sites(inst)
        if len(fl):
            v[fl] += duals[len(duals) - len(fl) :]
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
                        "no plan sends every community whole to one open site within capacity and reach",
                        "无法在容量和距离限制内把每个社区整体划入一个开办的校点",
                    )
                raise CountyEduError(
                    f"no siting plan found within {time_limit_s:.0f} s", f"{time_limit_s:.0f} 秒内未找到布点方案"
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


@dataclass(frozen=True)
class SitingPlan:
    """Open and closed sites, the community → site assignment, and the proven bound."""

    opened: list[str]
    closed: list[str]
    assignments: pd.DataFrame  # community_id, site_id, pupils, km, boarder
    sites: pd.DataFrame  # site_id, existing, open, pupils, capacity, utilisation
    objective: float  # the model's objective: pupil-km (p-median) or yuan a year
    pupil_km: float
    bound: float
    gap: float
    status: str
    solver: str
    p: int | None = None
    notes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # site and community id → name (census_siting)

    @property
    def boarders(self) -> int:
        return int(self.assignments.loc[self.assignments["boarder"], "pupils"].sum())

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": CLAUSE,
            "p": self.p,
            "status": self.status,
            "solver": self.solver,
            "objective": self.objective,
            "pupil_km": self.pupil_km,
            "bound": self.bound,
            "gap": self.gap,
            "boarders": self.boarders,
            "opened": list(self.opened),
            "closed": list(self.closed),
            "notes": list(self.notes),
            "assignments": _records(self.assignments),
            "sites": _records(self.sites),
            "names": dict(self.names),
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        zh = lang == "zh"

        def nm(i: Any) -> str:
            return self.names.get(str(i), str(i))

        pupils = int(self.assignments["pupils"].sum())
        para = (
            f"开办 {len(self.opened)} 个校点，关闭 {len(self.closed)} 个；{pupils:,} 名学生全部划入，总出行 "
            f"{self.pupil_km:,.1f} 人·公里，寄宿生 {self.boarders:,} 人；目标值 {self.objective:,.1f}，下界 "
            f"{self.bound:,.1f}，差距 {self.gap:.2%}，状态：{'最优' if self.status == 'optimal' else '可行'}。"
            if zh
            else f"{len(self.opened)} sites open, {len(self.closed)} closed; all {pupils:,} pupils assigned, "
            f"{self.pupil_km:,.1f} pupil-km, {self.boarders:,} boarders; objective {self.objective:,.1f}, bound "
            f"{self.bound:,.1f}, gap {self.gap:.2%}, status {self.status}."
        )
        s = self.sites
        table = BlockTable(
            title="校点布局" if zh else "Sites",
            columns=[
                BlockColumn("site_id", "校点" if zh else "site"),
                BlockColumn("existing", "现有" if zh else "existing"),
                BlockColumn("open", "开办" if zh else "open"),
                BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
                BlockColumn("capacity", "学位" if zh else "seats", "count"),
                BlockColumn("utilisation", "学位使用率" if zh else "utilisation", "share"),
            ],
            rows=[
                [nm(r.site_id), bool(r.existing), bool(r.open), int(r.pupils), int(r.capacity), _num(r.utilisation)]
                for r in s.itertuples()
            ],
            clause=CLAUSE,
        )
        a = self.assignments
        assign = BlockTable(
            title="社区（村）划入校点" if zh else "Community → site",
            columns=[
                BlockColumn("community_id", "社区（村）" if zh else "community"),
                BlockColumn("site_id", "校点" if zh else "site"),
                BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
                BlockColumn("km", "距离（公里）" if zh else "distance (km)", "km"),
                BlockColumn("boarder", "寄宿" if zh else "boarders"),
            ],
            rows=[
                [nm(r.community_id), nm(r.site_id), int(r.pupils), _num(r.km), bool(r.boarder)] for r in a.itertuples()
            ],
            clause=CLAUSE,
        )
        new = [nm(i) for i in self.opened if i in set(s.loc[~s["existing"], "site_id"])]
        if new:
            sep = "、" if zh else ", "
            para += f"新开校点：{sep.join(new)}。" if zh else f" New sites opened: {sep.join(new)}."
        over = s[s["pupils"] > s["capacity"]]
        return [
            Block(
                id="planning.siting",
                title="校点布局优化" if zh else "Siting",
                clause=CLAUSE,
                paragraphs=[para, *self.notes],
                findings=[
                    Finding(
                        CLAUSE,
                        "每名学生划入开办校点且不超过学位"
                        if zh
                        else "every pupil assigned to an open site within capacity",
                        f"{pupils:,}",
                        "met" if over.empty else "not_met",
                    )
                ],
                tables=[table, assign],
            )
        ]


def _num(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            k: (None if isinstance(v, float) and math.isnan(v) else (v.item() if hasattr(v, "item") else v))
            for k, v in r.items()
        }
        for r in frame.to_dict("records")
    ]


def solve_siting(
    demand: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    p: int | None = None,
    max_km: float | None = None,
    boarding_km: float | None = None,
    time_limit_s: float = 60,
    yuan_per_pupil_km: float = 380.0,
    boarder_yuan: float = 200.0,
) -> SitingPlan:
    """Which sites to open and where each community goes (第4、5条): capacitated p-median when p is
    given, capacitated facility location in yuan otherwise (see the module docstring).

    demand: community_id, demand, lat, lon. sites: site_id, lat, lon, capacity, open_cost (optional,
    yuan a year), existing (bool), must_stay_open (bool), boarding (optional bool, default true).
    `yuan_per_pupil_km` (assumed: 190 school days × 2 trips × 1 yuan/km) and `boarder_yuan` (第5条:
    +200 per boarder a year) only enter the facility-location objective.
    """
    comm = demand.reset_index(drop=True)
    st = sites.reset_index(drop=True).copy()
    st["site_id"] = st["site_id"].astype(str)
    d = np.floor(pd.to_numeric(comm["demand"]).fillna(0).to_numpy(float) + 0.5).astype(np.int64)
    cap = np.floor(pd.to_numeric(st["capacity"]).fillna(0).to_numpy(float) + 1e-9).astype(np.int64)
    for col, default in (("existing", False), ("must_stay_open", False), ("boarding", True), ("open_cost", 0.0)):
        if col not in st.columns:
            st[col] = default
    must = st["must_stay_open"].fillna(False).astype(bool).to_numpy()
    km = distance_matrix(comm, st)
    daily = km <= (max_km if max_km is not None else np.inf)
    board = np.zeros_like(daily)
    if boarding_km is not None:
        board = ~daily & (km <= boarding_km) & st["boarding"].fillna(True).astype(bool).to_numpy()[None, :]
    allowed = daily | board
    _check(comm, st, d, cap, allowed, must, p)
    pupil_km = d[:, None] * km
    if p is None:
        cost = yuan_per_pupil_km * pupil_km + boarder_yuan * board * d[:, None]
        fixed = pd.to_numeric(st["open_cost"]).fillna(0).to_numpy(float)
    else:
        cost, fixed = pupil_km.astype(float), np.zeros(len(st))
    cost = np.where(allowed, cost, np.inf)
    inst = _Inst(d, km, cost, board, cap, fixed, must, p)
    r = _solve(inst, time_limit_s)
    ci, sj = r["chosen"][:, 0], r["chosen"][:, 1]
    a = pd.DataFrame(
        {
            "community_id": comm["community_id"].astype(str).to_numpy()[ci],
            "site_id": st["site_id"].to_numpy()[sj],
            "pupils": d[ci].astype(int),
            "km": km[ci, sj],
            "boarder": board[ci, sj],
        }
    ).sort_values("community_id", ignore_index=True)
    load = np.bincount(sj, weights=d[ci], minlength=len(st))
    table = pd.DataFrame(
        {
            "site_id": st["site_id"],
            "existing": st["existing"].fillna(False).astype(bool),
            "open": r["opened"],
            "pupils": load.astype(int),
            "capacity": cap.astype(int),
        }
    )
    table["utilisation"] = np.where(
        table["open"] & (table["capacity"] > 0), table["pupils"] / table["capacity"].clip(lower=1), np.nan
    )
    gap = 0.0 if r["objective"] <= 0 else max(0.0, (r["objective"] - r["bound"]) / abs(r["objective"]))
    status = "optimal" if r["proven"] else "feasible"
    notes = [
        f"HiGHS MIP on {r['arcs']:,} of {r['all_arcs']:,} arcs (k = {K_SITES} nearest + column generation, "
        f"{r['lp_rounds']} LP round(s), {r['mip_rounds']} MIP round(s)); LP bound {r['z_lp']:,.1f}; the left-out arcs "
        "are excluded by reduced-cost fixing",
    ]
    return SitingPlan(
        opened=table.loc[table["open"], "site_id"].tolist(),
        closed=table.loc[~table["open"] & table["existing"], "site_id"].tolist(),
        assignments=a,
        sites=table,
        objective=r["objective"],
        pupil_km=float((a["pupils"] * a["km"]).sum()),
        bound=r["bound"],
        gap=gap,
        status=status,
        solver="HiGHS (highspy) MIP + LP column generation + reduced-cost fixing",
        p=p,
        notes=notes,
    )


def _check(
    comm: pd.DataFrame,
    st: pd.DataFrame,
    d: np.ndarray,
    cap: np.ndarray,
    allowed: np.ndarray,
    must: np.ndarray,
    p: int | None,
) -> None:
    """Infeasibility that can be told before solving, with the numbers."""
    total = int(d.sum())
    if p is not None:
        if p < int(must.sum()) or p > len(st) or p < 1:
            raise SitingInfeasible(
                f"p = {p} must be between 1 (and the {int(must.sum())} sites that must stay open) and {len(st)} sites",
                f"p = {p} 应不少于 1 和必须保留的 {int(must.sum())} 个校点，且不超过 {len(st)} 个校点",
                p=p,
                must_stay_open=int(must.sum()),
                sites=len(st),
            )
        best = int(cap[must].sum() + np.sort(cap[~must])[::-1][: p - int(must.sum())].sum())
        if best < total:
            raise SitingInfeasible(
                f"demand {total:,} pupils is above the {best:,} seats of the {p} largest sites that may open",
                f"学位需求 {total:,} 人超过可开办的 {p} 个最大校点的 {best:,} 个学位",
                demand=total,
                capacity=best,
                p=p,
            )
    elif int(cap.sum()) < total:
        raise SitingInfeasible(
            f"demand {total:,} pupils is above the {int(cap.sum()):,} seats of all sites",
            f"学位需求 {total:,} 人超过全部校点的 {int(cap.sum()):,} 个学位",
            demand=total,
            capacity=int(cap.sum()),
        )
    lonely = np.flatnonzero(~allowed.any(axis=1) & (d > 0))
    if lonely.size:
        ids = comm["community_id"].astype(str).iloc[lonely].tolist()
        raise SitingInfeasible(
            f"{len(ids)} communities have no site within reach: {', '.join(ids[:20])}",
            f"{len(ids)} 个社区（村）在限定距离内没有校点：{'、'.join(ids[:20])}",
            unreachable=ids,
            unreachable_demand=int(d[lonely].sum()),
        )


# ------------------------------------------------------------------ census siting (第4、5条)


def census_siting(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int,
    sites: pd.DataFrame,
    *,
    p: int | None = None,
    max_km: float | None = None,
    boarding_km: float | None = None,
    persons: pd.DataFrame | None = None,
) -> SitingPlan:
    """Which candidate sites to open (第4、5条), on a census: demand of `stage` in `year` per community
    (community_demand on the observed population, or `persons` from a projection), the stage's existing
    schools (seats.stage_supply; `existing`, they stay open) plus the candidate `sites` (read_sites:
    site_id, name, lat, lon, capacity, open_cost optional, boarding optional).

    `p` is how many of the candidates to open (a capacitated p-median over existing + p sites, in
    pupil-km); None weighs each candidate's `open_cost` (yuan a year) against travel (facility location).
    """
    from countyedu.planning.catchments import place_names
    from countyedu.planning.demand import community_demand, supply_year
    from countyedu.planning.seats import stage_supply

    pop = frames["population"] if persons is None else persons
    dem = community_demand(pop, stage, year)
    comm = frames["communities"][["community_id", "lat", "lon"]].copy()
    comm["community_id"] = comm["community_id"].astype(str)
    dem["community_id"] = dem["community_id"].astype(str)
    dem = dem.merge(comm, on="community_id", how="left")
    supply = stage_supply(frames, supply_year(frames, year))
    sch = supply[supply["stage"] == stage]
    cand = sites.reset_index(drop=True).copy()
    cand["site_id"] = cand["site_id"].astype(str)
    clash = sorted(set(cand["site_id"]) & set(sch["school_id"].astype(str)))
    if clash:
        raise CountyEduError(
            f"candidate site ids are already school ids: {', '.join(clash[:10])}",
            f"候选校点编号与现有学校编号重复：{'、'.join(clash[:10])}",
            site_ids=clash,
        )
    existing = pd.DataFrame(
        {
            "site_id": sch["school_id"].astype(str).to_numpy(),
            "lat": sch["lat"].to_numpy(float),
            "lon": sch["lon"].to_numpy(float),
            "capacity": sch["capacity"].to_numpy(float),
            "open_cost": 0.0,
            "existing": True,
            "must_stay_open": True,
            "boarding": True,
        }
    )
    new = pd.DataFrame(
        {
            "site_id": cand["site_id"],
            "lat": pd.to_numeric(cand["lat"]),
            "lon": pd.to_numeric(cand["lon"]),
            "capacity": pd.to_numeric(cand["capacity"]),
            "open_cost": pd.to_numeric(cand["open_cost"]).fillna(0.0) if "open_cost" in cand else 0.0,
            "existing": False,
            "must_stay_open": False,
            "boarding": cand["boarding"].fillna(True).astype(bool) if "boarding" in cand else True,
        }
    )
    if p is not None and not 0 <= p <= len(new):
        raise SitingInfeasible(
            f"p = {p} candidate sites to open, but {len(new)} are given",
            f"计划开办 {p} 个候选校点，但只提供了 {len(new)} 个",
            p=p,
            candidates=len(new),
        )
    total = None if p is None else len(existing) + p
    plan = solve_siting(
        dem, pd.concat([existing, new], ignore_index=True), p=total, max_km=max_km, boarding_km=boarding_km
    )
    names = place_names(frames)
    if "name" in cand:
        names.update(zip(cand["site_id"], cand["name"].astype(str), strict=True))
    notes = list(plan.notes)
    if p is not None:
        notes.insert(
            0,
            f"p-median over the {len(existing)} existing schools of the stage (all stay open) and {p} of the "
            f"{len(new)} candidate sites (p = {total})",
        )
    return replace(plan, names=names, notes=notes)


SITES_SHEET = "sites"
SITE_COLUMNS = ("site_id", "name", "lat", "lon", "capacity")
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f"}


class SitesFileError(PlanningFileError):
    """A candidate-sites file with located problems."""

    what_en = "candidate sites"
    what_zh = "候选校点表"


def read_sites(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """Candidate sites from a CSV or Excel file (or a frame): site_id, name, lat, lon, capacity, and
    optionally open_cost (yuan a year, ≥ 0) and boarding (true/false, 是/否).

    Every problem is listed with its row (the header is row 1), column, value and rule: missing columns,
    empty, non-numeric or out-of-range values (latitude 18–54, longitude 73–135.5, capacity ≥ 1,
    open_cost ≥ 0), duplicate site ids. Raises SitesFileError carrying them all.
    """
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, value: object, rule: str, detail: str = "") -> None:
        problems.append(Problem("error", SITES_SHEET, row, column, value, rule, detail))

    if isinstance(source, pd.DataFrame):
        frame = source.copy().astype(object)
    else:
        path = Path(source)
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
                frame = pd.read_excel(path, dtype=object)
            else:
                frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            problem(None, None, None, "empty_file")
            raise SitesFileError(problems) from None
        except (OSError, ValueError) as exc:
            problem(None, None, None, "unreadable", str(exc))
            raise SitesFileError(problems) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in SITE_COLUMNS:
        if col not in frame.columns:
            problem(1, col, None, "missing_column", col)
    if problems:
        raise SitesFileError(problems)
    rows = np.arange(len(frame)) + 2  # the line a user sees: header is 1
    out = pd.DataFrame(index=frame.index)
    for col in ("site_id", "name"):
        values = frame[col].astype("string").str.strip()
        for r in rows[(values.isna() | (values == "")).fillna(True).to_numpy()]:
            problem(int(r), col, None, "required")
        out[col] = values
    limits = {"lat": ("lat_range", 18.0, 54.0), "lon": ("lon_range", 73.0, 135.5)}
    for col in ("lat", "lon", "capacity", "open_cost"):
        if col not in frame.columns:
            continue
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce")
        empty = raw.isna() | (raw.astype(str).str.strip() == "")
        if col != "open_cost":
            for r in rows[empty.to_numpy()]:
                problem(int(r), col, None, "required")
        for r, v in zip(rows[(num.isna() & ~empty).to_numpy()], raw[num.isna() & ~empty], strict=True):
            problem(int(r), col, v, "type_number")
        if col in limits:
            rule, lo, hi = limits[col]
            bad = (num < lo) | (num > hi)
            for r, v in zip(rows[bad.to_numpy()], num[bad], strict=True):
                problem(int(r), col, v, rule)
        elif col == "capacity":
            for r, v in zip(rows[(num < 1).to_numpy()], num[num < 1], strict=True):
                problem(int(r), col, v, "min", "1")
        else:
            for r, v in zip(rows[(num < 0).to_numpy()], num[num < 0], strict=True):
                problem(int(r), col, v, "negative")
        out[col] = num.astype(float)
    if "boarding" in frame.columns:
        flags: list[bool | None] = []
        for r, v in zip(rows, frame["boarding"], strict=True):
            text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip().lower()
            if text in _TRUE or v is True:
                flags.append(True)
            elif text in _FALSE or v is False:
                flags.append(False)
            elif text == "":
                flags.append(None)
            else:
                flags.append(None)
                problem(int(r), "boarding", v, "type_bool")
        out["boarding"] = pd.array(flags, dtype="boolean")
    ids = out["site_id"]
    dup = ids.duplicated(keep="first") & ids.notna() & (ids != "")
    for r, v in zip(rows[dup.to_numpy()], ids[dup], strict=True):
        problem(int(r), "site_id", v, "duplicate_key", f"site_id {v}")
    if problems:
        problems.sort(key=Problem.sort_key)
        raise SitesFileError(problems)
    return out.reset_index(drop=True)


# ------------------------------------------------------------------ consolidation (第5条)


@dataclass(frozen=True)
class ConsolidationParams:
    """Parameters of 第5条's consolidation (pack: parameters.siting; defaults stated, assumed where marked)."""

    small_below: int = 100  # PN / 第5条 / 第22条: rural small school < 100 pupils [text]
    max_km: float = 3.0  # daily walking limit for primary pupils (assumed; PN urban radius is 0.5 km)
    boarding_km: float = 15.0  # boarders up to this distance (assumed)
    transition_years: int = 3  # 第5条: 3-year transition
    funded_as: int = 100  # 第5条/第22条, FD: small rural schools funded as 100 pupils
    per_pupil_yuan: float = 650.0  # FD: central/western primary baseline after the raise (practice)
    boarder_yuan: float = 200.0  # 第5条, FD: +200 per boarder a year
    big_class: int = 56  # CS: 大班额 ≥ 56
    class_size: int = 45  # CS: complete primary
    yuan_per_pupil_km: float = 380.0  # daily travel, assumed: 190 school days × 2 trips × 1 yuan/km
    boarder_yuan_per_km: float = 76.0  # a boarder's trips home, assumed: 38 weeks × 2 trips × 1 yuan/km
    seat_short_yuan: float = 1_000_000.0  # a pupil without a seat: above any saving, so no avoidable shortage
    time_limit_s: float = 60.0

    @classmethod
    def from_pack(cls, parameters: Mapping[str, Any] | None) -> ConsolidationParams:
        raw = dict((parameters or {}).get("siting", {}) or {})
        return cls(**{k: v for k, v in raw.items() if k in cls.__dataclass_fields__})


def transition_schedule(years: int, start_year: int) -> list[dict[str, Any]]:
    """The transition by year (第5条, default 3 years): no new intake, grades moved, closed."""
    steps_en = ["no new intake (grade 1 enrols at the receiving school)", "remaining grades move", "closed"]
    steps_zh = ["停止招收新生（一年级到接收学校就读）", "其余年级整体迁入接收学校", "撤并完成，校舍转作他用（第5条）"]
    out = []
    for k in range(max(1, years)):
        idx = 0 if k == 0 else (2 if k == years - 1 else 1)
        out.append({"year": start_year + k, "step_en": steps_en[idx], "step_zh": steps_zh[idx]})
    return out


KEEP, OPTIMISE, MERGE_ALL = "keep", "optimise", "merge_all"
CONSOLIDATION_CLAUSE = "第5条; 第22条; PN; CS; FD"
_REASONS = {
    "saves": ("撤并比保留每年节省经费", "merging costs less a year than keeping it"),
    "reach": (
        "步行上限内没有其他学校，寄宿距离内没有可寄宿学校",
        "no other school within walking distance, no boarding school within reach",
    ),
    "cost": ("保留比撤并每年花费更少", "keeping it costs less a year than merging"),
    "seats": ("可达学校学位不足", "the schools within reach have no seats to spare"),
}


@dataclass(frozen=True)
class ConsolidationPlan:
    """Small schools that may merge, where they go, the transition by year, scenarios side by side."""

    candidates: pd.DataFrame  # school_id, kind, pupils, demand, classes, receiving_id, km, boarders, merge, …
    scenarios: pd.DataFrame  # name, mode, feasible, merged, pupil_km, added_pupil_km, seats_short, big_classes, …
    schedule: list[dict[str, Any]]
    params: ConsolidationParams
    names: dict[str, str] = field(default_factory=dict)  # school id → name
    basis: str = "population"  # population | projection | enrolment (the fallback)
    notes: list[str] = field(default_factory=list)
    status: str = "optimal"  # of the optimised scenario
    gap: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": CONSOLIDATION_CLAUSE,
            "params": dict(self.params.__dict__),
            "basis": self.basis,
            "status": self.status,
            "gap": self.gap,
            "notes": list(self.notes),
            "candidates": _records(self.candidates),
            "scenarios": _records(self.scenarios),
            "schedule": list(self.schedule),
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        zh = lang == "zh"
        p = self.params
        sep = "、" if zh else ", "

        def nm(i: Any) -> str:
            return "" if i is None or (isinstance(i, float) and math.isnan(i)) else self.names.get(str(i), str(i))

        c = self.candidates
        cand = BlockTable(
            title="可撤并的教学点和农村小规模学校（优化方案）"
            if zh
            else "Teaching points and small rural schools (the optimised choice)",
            columns=[
                BlockColumn("school_id", "学校" if zh else "school"),
                BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
                BlockColumn("receiving_id", "接收学校" if zh else "receiving school"),
                BlockColumn("km", "距离（公里）" if zh else "distance (km)", "km"),
                BlockColumn("boarders", "转为寄宿" if zh else "boarders", "count"),
                BlockColumn("keep_yuan", "保留需补足经费（元/年）" if zh else "top-up to keep (yuan/year)", "yuan"),
                BlockColumn(
                    "move_yuan",
                    "撤并出行与寄宿费用（元/年）" if zh else "travel and boarding if merged (yuan/year)",
                    "yuan",
                ),
                BlockColumn("merge", "撤并" if zh else "merge"),
                BlockColumn("reason", "理由" if zh else "why"),
            ],
            rows=[
                [
                    nm(r.school_id),
                    int(r.demand),
                    nm(r.receiving_id),
                    _num(r.km),
                    int(r.boarders),
                    _num(r.keep_yuan),
                    _num(r.move_yuan),
                    bool(r.merge),
                    _REASONS[r.reason][0 if zh else 1] if r.reason in _REASONS else "",
                ]
                for r in c.itertuples()
            ],
            note=(
                f"小规模：农村学校不足 {p.small_below} 人或教学点（PN；第5条）；步行上限 {p.max_km:g} 公里，超过者寄宿"
                f"（≤ {p.boarding_km:g} 公里）；保留：按 {p.funded_as} 人拨付的补足部分；撤并：每人每公里 "
                f"{p.yuan_per_pupil_km:g} 元（走读）或寄宿 {p.boarder_yuan:g} 元 + 每公里 {p.boarder_yuan_per_km:g} 元"
                if zh
                else f"small: rural schools under {p.small_below} pupils or teaching points (PN; 第5条); walking limit "
                f"{p.max_km:g} km, beyond it boarding (≤ {p.boarding_km:g} km); keep: the top-up to {p.funded_as} "
                f"funded pupils; merge: {p.yuan_per_pupil_km:g} yuan per pupil-km (daily) or boarding "
                f"{p.boarder_yuan:g} yuan + {p.boarder_yuan_per_km:g} yuan per km"
            ),
            clause="第5条; PN; FD",
        )
        sc = BlockTable(
            title="方案比较" if zh else "Scenarios compared",
            columns=[
                BlockColumn("name", "方案" if zh else "scenario"),
                BlockColumn("merged", "撤并校数" if zh else "schools merged", "count"),
                BlockColumn("pupil_km", "总出行（人·公里）" if zh else "travel (pupil-km)", "km"),
                BlockColumn("added_pupil_km", "增加出行（人·公里）" if zh else "added travel (pupil-km)", "km"),
                BlockColumn("seats_short", "学位缺口" if zh else "seats short", "count"),
                BlockColumn(
                    "big_classes", "接收学校新增大班额（≥56）" if zh else "big classes created (≥ 56)", "count"
                ),
                BlockColumn("boarders", "寄宿生" if zh else "boarders", "count"),
                BlockColumn("funds_yuan", "公用经费（元/年）" if zh else "operating funds (yuan/year)", "yuan"),
                BlockColumn("cost_yuan", "总费用（元/年）" if zh else "total cost (yuan/year)", "yuan"),
                BlockColumn("note", "说明" if zh else "note"),
            ],
            rows=[
                [
                    str(r.name),
                    None if pd.isna(r.merged) else int(r.merged),
                    _num(r.pupil_km),
                    _num(r.added_pupil_km),
                    None if pd.isna(r.seats_short) else int(r.seats_short),
                    None if pd.isna(r.big_classes) else int(r.big_classes),
                    None if pd.isna(r.boarders) else int(r.boarders),
                    _num(r.funds_yuan),
                    _num(r.cost_yuan),
                    str(r.note_zh if zh else r.note_en),
                ]
                for r in self.scenarios.itertuples()
            ],
            note=(
                f"经费：生均 {p.per_pupil_yuan:g} 元（FD），小规模学校按 {p.funded_as} 人拨付（第5条、第22条），寄宿生每人每年另加 "
                f"{p.boarder_yuan:g} 元（第5条）；总费用 = 公用经费 + 寄宿补助 + 出行（走读每人每公里 {p.yuan_per_pupil_km:g} 元，"
                f"寄宿生每公里 {p.boarder_yuan_per_km:g} 元，假设）；大班额按接收学校现有班数（至少按 {p.class_size} 人一班）平均分班计"
                if zh
                else f"funds: {p.per_pupil_yuan:g} yuan per pupil (FD), small schools funded as {p.funded_as} pupils "
                f"(第5/22条), +{p.boarder_yuan:g} yuan per boarder (第5条); total = funds + boarder subsidy + travel "
                f"({p.yuan_per_pupil_km:g} yuan per daily pupil-km, {p.boarder_yuan_per_km:g} per boarder-km, assumed); "
                f"big classes: pupils spread evenly over the receiving school's classes (at least one per {p.class_size})"
            ),
            clause="第5条; 第22条; CS; FD",
        )
        steps = BlockTable(
            title="过渡期安排（优化方案）" if zh else "Transition by year (the optimised choice)",
            columns=[
                BlockColumn("year", "年份" if zh else "year", "year"),
                BlockColumn("step", "安排" if zh else "step"),
                BlockColumn("schools", "学校" if zh else "schools"),
                BlockColumn("pupils", "转入学生" if zh else "pupils moving", "count"),
            ],
            rows=[
                [
                    s["year"],
                    s["step_zh"] if zh else s["step_en"],
                    sep.join(nm(i) for i in s.get("schools", [])),
                    int(s.get("pupils", 0)),
                ]
                for s in self.schedule
            ],
            note=f"第5条：{p.transition_years} 年过渡期（默认，参数）"
            if zh
            else f"第5条: {p.transition_years}-year transition (default, a parameter)",
            clause="第5条",
        )
        paras = _consolidation_paragraphs(self, zh, nm)
        opt = self.scenarios[self.scenarios["mode"] == OPTIMISE]
        findings = []
        if not opt.empty and bool(opt.iloc[0]["feasible"]):
            short = int(opt.iloc[0]["seats_short"])
            findings.append(
                Finding(
                    "第5条; PN",
                    f"撤并后每名学生在步行 {p.max_km:g} 公里或寄宿 {p.boarding_km:g} 公里内有学位"
                    if zh
                    else f"after merging every pupil has a seat within {p.max_km:g} km walking or {p.boarding_km:g} km boarding",
                    f"{short:,}",
                    "met" if short == 0 else "not_met",
                    ("学位缺口 " if zh else "seats short ") + f"{short:,}",
                )
            )
        return [
            Block(
                id="planning.consolidation",
                title="农村学校布局调整（撤并与寄宿）" if zh else "Rural school consolidation and boarding",
                clause=CONSOLIDATION_CLAUSE,
                paragraphs=paras,
                findings=findings,
                tables=[cand, sc, steps],
            )
        ]


def _consolidation_paragraphs(plan: ConsolidationPlan, zh: bool, nm: Any) -> list[str]:
    sep = "、" if zh else ", "
    out: list[str] = []
    if plan.basis == "enrolment":
        out.append(
            "没有该年的人口数据：以各校当前在校生（位于学校所在地）作为需求计算。"
            if zh
            else "No population data for the year: the schools' current pupils, located at their school, are the demand."
        )
    sc = plan.scenarios.set_index("mode")
    if OPTIMISE in sc.index and KEEP in sc.index:
        o, k = sc.loc[OPTIMISE], sc.loc[KEEP]
        if isinstance(o, pd.DataFrame):
            o = o.iloc[0]
        if isinstance(k, pd.DataFrame):
            k = k.iloc[0]
        if bool(o["feasible"]) and bool(k["feasible"]):
            cand = plan.candidates
            merged = cand[cand["merge"].eq(True)]  # None where a school's plan was not feasible
            saving = float(k["cost_yuan"]) - float(o["cost_yuan"])
            who = sep.join(nm(i) for i in merged["school_id"]) or ("无" if zh else "none")
            out.append(
                f"优化方案：{len(plan.candidates)} 所小规模学校中撤并 {len(merged)} 所（{who}），{int(merged['demand'].sum()):,} "
                f"名学生转入接收学校，其中 {int(merged['boarders'].sum()):,} 名寄宿；与全部保留相比每年节省 {saving:,.0f} 元，"
                f"出行增加 {float(o['pupil_km']) - float(k['pupil_km']):,.1f} 人·公里；求解状态："
                f"{'最优' if plan.status == 'optimal' else '可行'}（差距 {plan.gap:.2%}）。"
                if zh
                else f"Optimised: {len(merged)} of the {len(plan.candidates)} small schools merge ({who}); "
                f"{int(merged['demand'].sum()):,} pupils move, {int(merged['boarders'].sum()):,} of them board; "
                f"{saving:,.0f} yuan a year less than keeping all, {float(o['pupil_km']) - float(k['pupil_km']):,.1f} more "
                f"pupil-km; status {plan.status} (gap {plan.gap:.2%})."
            )
    for r in plan.scenarios.itertuples():
        if not bool(r.feasible):
            out.append(f"{r.name}：{r.note_zh}" if zh else f"{r.name}: {r.note_en}")
    out.append(
        "方法：各社区（村）的学龄学生与各小规模学校的在校生按容量分配到开办的学校（容量受限设施选址，HiGHS 求解），"
        "目标为每年费用（小规模学校按 100 人拨付的补足部分、寄宿补助、出行）；非小规模学校保留，社区学生只在非小规模学校间分配，"
        "小规模学校的学生可留校、转入步行范围内的学校或寄宿。"
        if zh
        else "Method: each community's pupils and each small school's own pupils are assigned to open schools within "
        "capacity (capacitated facility location, HiGHS); the objective is the yearly cost (the top-up of small schools "
        "funded as 100 pupils, the boarder subsidy, travel); non-small schools stay open and take the communities' "
        "other pupils; a small school's pupils stay, walk to a school within the limit, or board."
    )
    return out


def consolidation(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int,
    *,
    persons: pd.DataFrame | None = None,
    max_km: float | None = None,
    boarding_km: float | None = None,
    small_below: int | None = None,
    scenarios: list[dict[str, Any]] | None = None,
    params: ConsolidationParams | None = None,
) -> ConsolidationPlan:
    """Which teaching points and rural small schools (PN: < 100 pupils; 第5条) to merge, decided by the
    optimiser (capacitated facility location in yuan a year, see docs/planning-optimisation.md).

    Demand: community_demand of `stage` in `year` on the observed population (or `persons` from a
    projection). A small school's own pupils (its enrolment in the census year × the growth of its
    community's demand) are one demand row at the school: they stay, walk (≤ max_km) to another open
    school, or board (≤ boarding_km) at a non-small school. The rest of each community's pupils go to
    the non-small schools (which stay open). Capacity is soft at `seat_short_yuan` a pupil. Without
    population for the year, the schools' current pupils at the school are the demand.

    A scenario is a dict with name, mode (keep | optimise | merge_all; `merge: False` = keep) and
    overrides of the parameters (max_km, boarding_km, small_below, …). Default: keep all, optimised,
    merge every small school. The candidates and the transition are those of the first optimised scenario.
    """
    from countyedu.planning.catchments import place_names

    base = params or ConsolidationParams()
    over: dict[str, Any] = {
        k: v
        for k, v in (("max_km", max_km), ("boarding_km", boarding_km), ("small_below", small_below))
        if v is not None
    }
    base = replace(base, **over)
    data = _consolidation_data(frames, stage, year, persons)
    runs = scenarios or [
        {"name": "全部保留 / keep all", "mode": KEEP},
        {"name": "优化撤并 / optimised", "mode": OPTIMISE},
        {"name": "撤并全部小规模学校 / merge every small school", "mode": MERGE_ALL},
    ]
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}

    def run(mode: str, p: ConsolidationParams) -> dict[str, Any]:
        key = (mode, *p.__dict__.values())
        if key not in cache:
            cache[key] = _consolidation_run(data, mode, p)
        return cache[key]

    rows, chosen = [], None
    for sc in runs:
        mode = str(sc.get("mode", OPTIMISE if sc.get("merge", True) else KEEP))
        p = replace(base, **{k: v for k, v in sc.items() if k in base.__dataclass_fields__})
        res = run(mode, p)
        keep = run(KEEP, p)
        rows.append({"name": str(sc.get("name", mode)), "mode": mode, **_consolidation_figures(data, res, keep, p)})
        if mode == OPTIMISE and chosen is None and res["feasible"]:
            chosen = (res, keep, p)
    if chosen is None:  # no optimised scenario asked for: describe the base optimisation
        res, keep = run(OPTIMISE, base), run(KEEP, base)
        chosen = (res, keep, base)
    res, keep, p = chosen
    cand = _consolidation_candidates(data, res, p, year)
    names = place_names(frames)
    return ConsolidationPlan(
        candidates=cand,
        scenarios=pd.DataFrame(rows),
        schedule=_consolidation_schedule(data, cand, p, year + 1),
        params=base,
        names=names,
        basis=data["basis"],
        notes=list(res.get("notes", [])),
        status=str(res.get("status", "optimal")),
        gap=float(res.get("gap", 0.0)),
    )


def _consolidation_data(
    frames: Mapping[str, pd.DataFrame], stage: str, year: int, persons: pd.DataFrame | None
) -> dict[str, Any]:
    """The stage's schools (with kind and grades taught), the community demand and its basis."""
    from countyedu.planning.demand import community_demand, supply_year
    from countyedu.planning.seats import stage_supply

    last = supply_year(frames, 10_000)  # the latest census year (an error when there is none)
    base_year = min(year, last)
    sup = stage_supply(frames, base_year)
    sup = sup[sup["stage"] == stage].reset_index(drop=True)
    if sup.empty:
        raise CountyEduError(f"no open school teaches {stage} in {year}", f"{year} 年没有开办的{stage}学校")
    schools = frames["schools"].set_index("school_id")
    sup["kind"] = sup["school_id"].map(schools["stage"]).astype(str)
    cl = frames.get("classes")
    grades = pd.Series(dtype=float)
    if cl is not None and not cl.empty:
        cy = cl[cl["year"] == base_year]
        grades = cy.groupby("school_id")["grade"].nunique()
    sup["grades"] = sup["school_id"].map(grades).fillna(6).clip(lower=1).astype(int)
    pop = persons if persons is not None else frames.get("population")
    demand = None
    basis = "enrolment"
    growth: dict[str, float] = {}
    if pop is not None and not pop.empty and (pop["year"] == year).any():
        demand = community_demand(pop, stage, year)
        demand["community_id"] = demand["community_id"].astype(str)
        basis = "population" if persons is None else "projection"
        observed = frames.get("population")
        if year != base_year and observed is not None and (observed["year"] == base_year).any():
            then = community_demand(observed, stage, base_year).set_index("community_id")["demand"]
            now = demand.set_index("community_id")["demand"]
            ratio = now / then.reindex(now.index)
            growth = {str(k): float(v) for k, v in ratio.items() if np.isfinite(v)}
        comm = frames["communities"][["community_id", "lat", "lon"]].copy()
        comm["community_id"] = comm["community_id"].astype(str)
        demand = demand.merge(comm, on="community_id", how="left")
    return {"sup": sup, "demand": demand, "basis": basis, "growth": growth, "stage": stage, "year": year}


def _small_mask(sup: pd.DataFrame, p: ConsolidationParams) -> np.ndarray:
    return np.asarray(
        (~sup["urban"].fillna(False).astype(bool))
        & ((sup["kind"] == "teaching_point") | (sup["pupils"] < p.small_below)),
        dtype=bool,
    )


def _half_up(v: Any) -> np.ndarray:
    return np.floor(np.asarray(v, dtype=float) + 0.5).astype(np.int64)


def _consolidation_run(data: dict[str, Any], mode: str, p: ConsolidationParams) -> dict[str, Any]:
    """One scenario solved: demand rows, their sites, boarders, loads, shortages, open sites."""
    sup: pd.DataFrame = data["sup"]
    small = _small_mask(sup, p)
    m = len(sup)
    # demand rows: each small school's own pupils at the school; the rest per community (or per school)
    comm_of = sup["community_id"].astype(str)
    g = comm_of.map(data["growth"]).fillna(1.0).to_numpy(float)
    own = _half_up(sup["pupils"].to_numpy(float) * g)
    srows = pd.DataFrame(
        {
            "row_id": sup["school_id"].astype(str).to_numpy()[small],
            "kind": "small",
            "site": np.flatnonzero(small),
            "community_id": comm_of.to_numpy()[small],
            "pupils": own[small],
            "lat": sup["lat"].to_numpy(float)[small],
            "lon": sup["lon"].to_numpy(float)[small],
        }
    )
    dem = data["demand"]
    if dem is not None:
        at = srows.groupby("community_id")["pupils"].sum()
        rest = _half_up((dem["demand"] - dem["community_id"].map(at).fillna(0)).clip(lower=0))
        rrows = pd.DataFrame(
            {
                "row_id": dem["community_id"].to_numpy(),
                "kind": "rest",
                "site": -1,
                "community_id": dem["community_id"].to_numpy(),
                "pupils": rest,
                "lat": dem["lat"].to_numpy(float),
                "lon": dem["lon"].to_numpy(float),
            }
        )
    else:
        big = ~small
        rrows = pd.DataFrame(
            {
                "row_id": sup["school_id"].astype(str).to_numpy()[big],
                "kind": "rest",
                "site": np.flatnonzero(big),
                "community_id": comm_of.to_numpy()[big],
                "pupils": sup["pupils"].to_numpy(np.int64)[big],
                "lat": sup["lat"].to_numpy(float)[big],
                "lon": sup["lon"].to_numpy(float)[big],
            }
        )
    rows = pd.concat([srows, rrows], ignore_index=True)
    rows = rows[rows["pupils"] > 0].reset_index(drop=True)
    d = rows["pupils"].to_numpy(np.int64)
    km = distance_matrix(rows, sup)
    is_small_row = (rows["kind"] == "small").to_numpy()
    walk = km <= p.max_km
    reach = km <= max(p.boarding_km, p.max_km)
    # small rows: walk to any school, board at a non-small school
    allowed = np.where(is_small_row[:, None], walk | (reach & ~small[None, :]), False)
    # the rest: the non-small schools within reach, and always the nearest one
    rest_ok = reach & ~small[None, :]
    if (~small).any():
        nearest = np.argmin(np.where(~small[None, :], km, np.inf), axis=1)
        rest_ok[np.arange(len(rows)), nearest] = True
    allowed = np.where(is_small_row[:, None], allowed, rest_ok)
    if mode == MERGE_ALL:
        allowed &= ~small[None, :]
    board = allowed & ~walk
    cost = np.where(
        board, d[:, None] * (p.boarder_yuan + p.boarder_yuan_per_km * km), d[:, None] * p.yuan_per_pupil_km * km
    )
    cost = np.where(allowed, cost, np.inf)
    lonely = np.flatnonzero(~allowed.any(axis=1))
    if lonely.size:
        ids = rows["row_id"].iloc[lonely].tolist()
        return {
            "feasible": False,
            "rows": rows,
            "unreachable": ids,
            "note_en": f"not possible: {', '.join(ids[:10])} have no non-small school within {p.max_km:g} km "
            f"walking or {p.boarding_km:g} km boarding",
            "note_zh": f"不可行：{'、'.join(ids[:10])} 在步行 {p.max_km:g} 公里、寄宿 {p.boarding_km:g} 公里内没有非小规模学校",
        }
    must = np.ones(m, dtype=bool) if mode == KEEP else ~small
    floor = np.where(small, float(p.funded_as), 0.0)
    cap = np.floor(sup["capacity"].fillna(0).to_numpy(float) + 1e-9).astype(np.int64)
    inst = _Inst(
        d,
        km,
        cost,
        board,
        cap,
        np.zeros(m),
        must,
        None,
        floor,
        float(p.per_pupil_yuan),
        float(p.seat_short_yuan),
        is_small_row,
    )
    r = _solve(inst, p.time_limit_s)
    arcs, share = r["flows"]
    fi, fj = arcs[:, 0], arcs[:, 1]
    flows = pd.DataFrame(
        {
            "row_id": rows["row_id"].to_numpy()[fi],
            "kind": rows["kind"].to_numpy()[fi],
            "to": sup["school_id"].astype(str).to_numpy()[fj],
            "pupils": d[fi] * share,
            "km": km[fi, fj],
            "boarder": board[fi, fj],
            "cost": cost[fi, fj] * share,
        }
    )
    load = np.bincount(fj, weights=d[fi] * share, minlength=m)
    gap = 0.0 if r["objective"] <= 0 else max(0.0, (r["objective"] - r["bound"]) / abs(r["objective"]))
    return {
        "feasible": True,
        "rows": rows,
        "flows": flows,
        "allowed": allowed,
        "costs": cost,
        "small": small,
        "opened": r["opened"] | must,
        "load": load,
        "short": np.ceil(r["short"] - 1e-6).clip(min=0).astype(int),
        "objective": r["objective"],
        "status": "optimal" if r["proven"] else "feasible",
        "gap": gap,
        "notes": [
            f"HiGHS MIP on {r['arcs']:,} of {r['all_arcs']:,} arcs, {len(rows)} demand rows × {m} schools; "
            f"objective {r['objective']:,.0f} yuan, bound {r['bound']:,.0f}"
        ],
    }


def _big_classes(load: float, classes: int, big: int) -> int:
    """Classes of ≥ `big` pupils when `load` pupils are spread evenly over `classes` classes (CS)."""
    if classes <= 0:
        return 0
    q, r = divmod(round(load), classes)
    return classes if q >= big else (r if q == big - 1 else 0)


def _consolidation_figures(
    data: dict[str, Any], res: dict[str, Any], keep: dict[str, Any], p: ConsolidationParams
) -> dict[str, Any]:
    if not res["feasible"]:
        return {
            "feasible": False,
            "merged": None,
            "pupil_km": None,
            "added_pupil_km": None,
            "seats_used": None,
            "seats_short": None,
            "big_classes": None,
            "boarders": None,
            "funds_yuan": None,
            "travel_yuan": None,
            "cost_yuan": None,
            "note_en": res["note_en"],
            "note_zh": res["note_zh"],
        }
    sup: pd.DataFrame = data["sup"]
    small, opened, load = res["small"], res["opened"], res["load"]
    rows = res["flows"]
    pupil_km = float((rows["pupils"] * rows["km"]).sum())
    boarders = round(float(rows.loc[rows["boarder"], "pupils"].sum()))
    funded = np.where(small & opened, np.maximum(load, p.funded_as), load)
    funds = float(funded.sum() * p.per_pupil_yuan + boarders * p.boarder_yuan)
    travel = float(rows["cost"].sum()) - boarders * p.boarder_yuan
    big = 0
    if keep["feasible"]:
        kl = keep["load"]
        classes = np.maximum(sup["classes"].to_numpy(int), np.ceil(kl / p.class_size).astype(int))
        classes = np.maximum(classes, 1)
        for j in np.flatnonzero(load > kl):
            big += max(0, _big_classes(load[j], classes[j], p.big_class) - _big_classes(kl[j], classes[j], p.big_class))
    kf: pd.DataFrame = keep.get("flows", pd.DataFrame())
    added = pupil_km - float((kf["pupils"] * kf["km"]).sum()) if keep["feasible"] else None
    return {
        "feasible": True,
        "merged": int((small & ~opened).sum()),
        "pupil_km": pupil_km,
        "added_pupil_km": added,
        "seats_used": int(load.sum()),
        "seats_short": int(res["short"].sum()),
        "big_classes": int(big),
        "boarders": boarders,
        "funds_yuan": funds,
        "travel_yuan": travel,
        "cost_yuan": funds + travel,
        "note_en": res["status"],
        "note_zh": "最优" if res["status"] == "optimal" else "可行",
    }


def _consolidation_candidates(
    data: dict[str, Any], res: dict[str, Any], p: ConsolidationParams, year: int
) -> pd.DataFrame:
    """Every small school: kept or merged (where to, how far, boarders), the money either way, and why."""
    sup: pd.DataFrame = data["sup"]
    small = _small_mask(sup, p)
    out = sup.loc[small, ["school_id", "kind", "pupils", "classes"]].reset_index(drop=True)
    cols = ["demand", "receiving_id", "km", "boarders", "merge", "start_year", "keep_yuan", "move_yuan", "reason"]
    if out.empty or not res["feasible"]:
        for c in cols:
            out[c] = None
        return out
    rows = res["flows"][res["flows"]["kind"] == "small"].set_index("row_id")
    ids = sup["school_id"].astype(str).to_numpy()
    opened = res["opened"]
    recs = []
    for sid, j in zip(out["school_id"].astype(str), np.flatnonzero(small), strict=True):
        merged = not bool(opened[j])
        n = round(float(rows.at[sid, "pupils"])) if sid in rows.index else 0
        keep_yuan = max(0, p.funded_as - n) * p.per_pupil_yuan
        rec: dict[str, Any] = {"demand": n, "keep_yuan": float(keep_yuan), "merge": merged}
        if n and sid in rows.index:
            r = rows.loc[sid]
            i = int(res["rows"].index[res["rows"]["row_id"] == sid][0])
            alt = np.where(np.arange(len(ids)) == j, np.inf, res["costs"][i])
            if merged:
                rec.update(receiving_id=r["to"], km=float(r["km"]), boarders=n if bool(r["boarder"]) else 0)
                rec.update(move_yuan=float(r["cost"]), reason="saves", start_year=year + 1)
            else:
                best = float(alt.min())
                rec.update(receiving_id=None, km=np.nan, boarders=0, start_year=None)
                rec.update(move_yuan=best if np.isfinite(best) else np.nan)
                rec["reason"] = "reach" if not np.isfinite(best) else ("cost" if best >= keep_yuan else "seats")
        else:  # no pupils left: nothing to move, closing saves the floor
            rec.update(receiving_id=None, km=np.nan, boarders=0, move_yuan=0.0, reason="saves" if merged else "cost")
            rec["start_year"] = year + 1 if merged else None
        recs.append(rec)
    extra = pd.DataFrame(recs, columns=cols)
    return pd.concat([out, extra], axis=1)


def _consolidation_schedule(
    data: dict[str, Any], cand: pd.DataFrame, p: ConsolidationParams, start_year: int
) -> list[dict[str, Any]]:
    """The transition of the merged schools by year: grade 1 enrols at the receiving school in year 1
    (≈ pupils / grades taught), the other grades move in year 2, the school closes in the last year."""
    steps = transition_schedule(p.transition_years, start_year)
    merged = cand[cand["merge"].fillna(False).astype(bool)] if len(cand) else cand
    grades = data["sup"].set_index("school_id")["grades"]
    pupils = merged["demand"].fillna(0).astype(int) if len(merged) else pd.Series(dtype=int)
    intake = [round(n / max(1, int(grades.get(s, 6)))) for s, n in zip(merged["school_id"], pupils, strict=True)]
    total = int(pupils.sum()) if len(merged) else 0
    for k, s in enumerate(steps):
        s["schools"] = [str(v) for v in merged["school_id"]]
        s["receiving"] = sorted({str(v) for v in merged["receiving_id"].dropna()}) if len(merged) else []
        if len(steps) == 1:
            s["pupils"] = total
        elif k == 0:
            s["pupils"] = sum(intake)
        elif k == 1:
            s["pupils"] = total - sum(intake)
        else:
            s["pupils"] = 0
    return steps

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
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.planning.catchments import new_highs
from countyedu.planning.geo import distance_matrix, k_nearest
from countyedu.reports.blocks import Block, BlockColumn, BlockTable, Finding

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


def _build(inst: _Inst, sel: np.ndarray, integer: bool) -> tuple[highspy.Highs, np.ndarray]:
    ai, aj = np.nonzero(sel)
    na, n, m = len(ai), len(inst.d), len(inst.cap)
    h = new_highs()
    inf = highspy.kHighsInf
    lower = np.concatenate([np.zeros(na), inst.must.astype(float)])
    h.addVars(na + m, lower, np.ones(na + m))
    cols = np.arange(na + m, dtype=np.int32)
    h.changeColsCost(na + m, cols, np.concatenate([inst.cost[ai, aj], inst.fixed]))
    if integer:
        h.changeColsIntegrality(na + m, cols, np.full(na + m, highspy.HighsVarType.kInteger))
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
        u, v = duals[:n], duals[n : n + m]
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
    opened = x[na:] > 0.5
    proven = status == highspy.HighsModelStatus.kOptimal
    bound = max(z_lp, float(info.mip_dual_bound)) if proven else z_lp
    return {
        "chosen": chosen,
        "opened": opened,
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
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        zh = lang == "zh"
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
                [r.site_id, bool(r.existing), bool(r.open), int(r.pupils), int(r.capacity), _num(r.utilisation)]
                for r in s.itertuples()
            ],
            clause=CLAUSE,
        )
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
                tables=[table],
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


@dataclass(frozen=True)
class ConsolidationPlan:
    """Small schools that may merge, where they go, the transition by year, scenarios side by side."""

    candidates: pd.DataFrame  # school_id, kind, pupils, classes, receiving_id, km, boarders, merge, start_year
    scenarios: pd.DataFrame  # name, merged, pupil_km, seats_used, seats_short, big_classes, cost_yuan, boarders
    schedule: list[dict[str, Any]]
    params: ConsolidationParams
    names: dict[str, str] = field(default_factory=dict)  # school id → name

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": "第5条; 第22条; PN; CS; FD",
            "params": dict(self.params.__dict__),
            "candidates": _records(self.candidates),
            "scenarios": _records(self.scenarios),
            "schedule": list(self.schedule),
        }

    def blocks(self, lang: str = "zh") -> list[Block]:
        zh = lang == "zh"
        p = self.params
        cand = BlockTable(
            title="可撤并的教学点和农村小规模学校" if zh else "Teaching points and small rural schools that may merge",
            columns=[
                BlockColumn("school_id", "学校" if zh else "school"),
                BlockColumn("pupils", "学生数" if zh else "pupils", "count"),
                BlockColumn("receiving_id", "接收学校" if zh else "receiving school"),
                BlockColumn("km", "距离（公里）" if zh else "distance (km)", "km"),
                BlockColumn("boarders", "转为寄宿" if zh else "boarders", "count"),
                BlockColumn("merge", "撤并" if zh else "merge"),
            ],
            rows=[
                [
                    self.names.get(r.school_id, r.school_id),
                    int(r.pupils),
                    self.names.get(r.receiving_id, r.receiving_id),
                    _num(r.km),
                    int(r.boarders),
                    bool(r.merge),
                ]
                for r in self.candidates.itertuples()
            ],
            note=(
                f"小规模：农村学校不足 {p.small_below} 人或教学点（PN；第5条）；步行上限 {p.max_km} 公里，超过者寄宿（≤ {p.boarding_km} 公里）"
                if zh
                else f"small: rural schools under {p.small_below} pupils or teaching points (PN; 第5条); walking limit "
                f"{p.max_km} km, beyond it boarding (≤ {p.boarding_km} km)"
            ),
            clause="第5条; PN",
        )
        sc = BlockTable(
            title="方案比较" if zh else "Scenarios compared",
            columns=[
                BlockColumn("name", "方案" if zh else "scenario"),
                BlockColumn("merged", "撤并校数" if zh else "schools merged", "count"),
                BlockColumn("pupil_km", "增加出行（人·公里）" if zh else "added travel (pupil-km)", "km"),
                BlockColumn("seats_short", "学位缺口" if zh else "seats short", "count"),
                BlockColumn("big_classes", "新增大班额（≥56）" if zh else "big classes created (≥ 56)", "count"),
                BlockColumn("boarders", "寄宿生" if zh else "boarders", "count"),
                BlockColumn("cost_yuan", "公用经费（元/年）" if zh else "operating funds (yuan/year)", "yuan"),
            ],
            rows=[
                [
                    r.name,
                    int(r.merged),
                    float(r.pupil_km),
                    int(r.seats_short),
                    int(r.big_classes),
                    int(r.boarders),
                    float(r.cost_yuan),
                ]
                for r in self.scenarios.itertuples()
            ],
            note=(
                f"经费：小规模学校按 {p.funded_as} 人拨付（第5条、第22条），生均 {p.per_pupil_yuan:g} 元（FD），寄宿生每人每年另加 {p.boarder_yuan:g} 元（第5条）"
                if zh
                else f"funds: small schools funded as {p.funded_as} pupils (第5/22条) at {p.per_pupil_yuan:g} yuan each (FD); "
                f"+{p.boarder_yuan:g} yuan per boarder a year (第5条)"
            ),
            clause="第5条; 第22条; CS; FD",
        )
        steps = BlockTable(
            title="过渡期安排" if zh else "Transition by year",
            columns=[
                BlockColumn("year", "年份" if zh else "year", "year"),
                BlockColumn("step", "安排" if zh else "step"),
            ],
            rows=[[s["year"], s["step_zh"] if zh else s["step_en"]] for s in self.schedule],
            note=f"第5条：{p.transition_years} 年过渡期（默认，参数）"
            if zh
            else f"第5条: {p.transition_years}-year transition (default, a parameter)",
            clause="第5条",
        )
        return [
            Block(
                id="planning.consolidation",
                title="农村学校布局调整（撤并与寄宿）" if zh else "Rural school consolidation and boarding",
                clause="第5条; 第22条; PN; CS; FD",
                tables=[cand, sc, steps],
            )
        ]


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
    """Teaching points and rural small schools (PN: < 100 pupils; 第5条) that may merge into the
    nearest other school of the stage with seats to spare; pupils beyond the walking limit board.

    Travel is measured school to school (the merged school's pupils live around it). A scenario is a
    dict overriding name, max_km, boarding_km, small_below; default: keep all vs merge. `persons` is
    accepted for symmetry with census_catchments; the pupils merged are those enrolled in `year`.
    """
    from countyedu.planning.seats import stage_supply

    base = params or ConsolidationParams()
    over = {
        k: v
        for k, v in (("max_km", max_km), ("boarding_km", boarding_km), ("small_below", small_below))
        if v is not None
    }
    base = ConsolidationParams(**{**base.__dict__, **over})
    last = int(frames["school_years"]["year"].max())
    sup = stage_supply(frames, min(year, last))
    sup = sup[sup["stage"] == stage].reset_index(drop=True)
    kind = frames["schools"].set_index("school_id")["stage"]
    sup["kind"] = sup["school_id"].map(kind).astype(str)
    runs = scenarios or [
        {"name": "不撤并 / keep all", "merge": False},
        {"name": "撤并小规模学校 / merge small schools"},
    ]
    rows, chosen = [], None
    for sc in runs:
        p = ConsolidationParams(**{**base.__dict__, **{k: v for k, v in sc.items() if k in base.__dataclass_fields__}})
        cand = _merge_candidates(sup, p, bool(sc.get("merge", True)))
        rows.append({"name": str(sc.get("name", "")), **_scenario_figures(sup, cand, p)})
        if chosen is None or sc.get("merge", True):
            chosen = cand if sc.get("merge", True) or chosen is None else chosen
    assert chosen is not None
    from countyedu.planning.catchments import place_names

    return ConsolidationPlan(
        chosen, pd.DataFrame(rows), transition_schedule(base.transition_years, year + 1), base, place_names(frames)
    )


def _merge_candidates(sup: pd.DataFrame, p: ConsolidationParams, merge: bool) -> pd.DataFrame:
    small = (~sup["urban"].fillna(False).astype(bool)) & (
        (sup["kind"] == "teaching_point") | (sup["pupils"] < p.small_below)
    )
    s, r = sup[small].reset_index(drop=True), sup[~small].reset_index(drop=True)
    out = s[["school_id", "kind", "pupils", "classes"]].copy()
    out["receiving_id"], out["km"], out["boarders"], out["merge"] = None, np.nan, 0, False
    if s.empty or r.empty or not merge:
        return out
    km = distance_matrix(s, r)
    spare = (r["capacity"] - r["pupils"]).to_numpy(float)
    for i in np.argsort(km.min(axis=1)):
        ok = (km[i] <= p.boarding_km) & (spare >= s.at[i, "pupils"])
        if not ok.any():
            continue
        j = int(np.argmin(np.where(ok, km[i], np.inf)))
        spare[j] -= s.at[i, "pupils"]
        out.loc[i, ["receiving_id", "km", "merge"]] = [r.at[j, "school_id"], float(km[i, j]), True]
        out.loc[i, "boarders"] = int(s.at[i, "pupils"]) if km[i, j] > p.max_km else 0
    return out


def _scenario_figures(sup: pd.DataFrame, cand: pd.DataFrame, p: ConsolidationParams) -> dict[str, Any]:
    m = cand[cand["merge"]]
    moved = m.groupby("receiving_id")["pupils"].sum()
    recv = sup.set_index("school_id").loc[list(moved.index)] if len(moved) else sup.iloc[:0].set_index("school_id")
    after = recv["pupils"] + moved.reindex(recv.index).fillna(0)
    short = (after - recv["capacity"]).clip(lower=0).sum()
    classes = recv["classes"].clip(lower=1)
    big_before = (recv["pupils"] / classes >= p.big_class) * recv["classes"]
    big_after = (after / classes >= p.big_class) * recv["classes"]
    funded_small = cand.loc[~cand["merge"], "pupils"].clip(lower=p.funded_as).sum()
    others = sup.loc[~sup["school_id"].isin(cand["school_id"]), "pupils"].sum() + m["pupils"].sum()
    boarders = int(m["boarders"].sum())
    return {
        "merged": len(m),
        "pupil_km": float((m["pupils"] * m["km"]).sum()),
        "seats_used": int(sup["pupils"].sum()),
        "seats_short": math.ceil(short),
        "big_classes": int((big_after - big_before).clip(lower=0).sum()),
        "boarders": boarders,
        "cost_yuan": float((funded_small + others) * p.per_pupil_yuan + boarders * p.boarder_yuan),
    }

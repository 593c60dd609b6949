"""The siting model (第4、5条; PN): which sites to open and where each community goes, on plain tables
(`solve_siting`) or on a census with candidate sites (`census_siting`). The formulation and the solver
are in `countyedu.planning.siting.solver`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg, Num, Text, encode
from countyedu.planning.geo import distance_matrix
from countyedu.planning.siting.solver import K_SITES, SitingInfeasible, _Inst, _solve
from countyedu.planning.siting.terms import CLAUSE
from countyedu.runs.blocks import Block


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
    notes: list[Text] = field(default_factory=list)
    distance_basis: dict[str, Any] = field(default_factory=dict)  # roads.travel.Basis.as_dict() (census_siting)
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
            "distance_basis": self.distance_basis,
            "opened": list(self.opened),
            "closed": list(self.closed),
            "notes": [encode(n) for n in self.notes],
            "assignments": _records(self.assignments),
            "sites": _records(self.sites),
            "names": dict(self.names),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        from countyedu.planning.siting.blocks import siting_blocks

        return siting_blocks(self, lang)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            k: (
                encode(v)
                if isinstance(v, Msg)
                else None
                if isinstance(v, float) and math.isnan(v)
                else (v.item() if hasattr(v, "item") else v)
            )
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
    km: np.ndarray | None = None,
) -> SitingPlan:
    """Which sites to open and where each community goes (第4、5条): capacitated p-median when p is
    given, capacitated facility location in yuan otherwise (see the module docstring).

    demand: community_id, demand, lat, lon. sites: site_id, lat, lon, capacity, open_cost (optional,
    yuan a year), existing (bool), must_stay_open (bool), boarding (optional bool, default true).
    `yuan_per_pupil_km` (assumed: 190 school days × 2 trips × 1 yuan/km) and `boarder_yuan` (第5条:
    +200 per boarder a year) only enter the facility-location objective. `km`: demand × sites distances
    to use instead of the straight line (road km, roads.travel; NaN: no route, not allowed).
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
    km = distance_matrix(comm, st) if km is None else np.asarray(km, dtype=float)
    routed = ~np.isnan(km)
    km = np.where(routed, km, np.inf)
    daily = km <= (max_km if max_km is not None else np.inf)
    daily &= routed
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
    notes: list[Text] = [
        Msg(
            "HiGHS MIP on {arcs} of {all_arcs} arcs (k = {k} nearest + column generation, {lp_rounds} LP round(s), "
            "{mip_rounds} MIP round(s)); LP bound {bound}; the left-out arcs are excluded by reduced-cost fixing",
            arcs=Num(r["arcs"], "count"),
            all_arcs=Num(r["all_arcs"], "count"),
            k=K_SITES,
            lp_rounds=r["lp_rounds"],
            mip_rounds=r["mip_rounds"],
            bound=Num(r["z_lp"], "", 1),
        )
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
                Msg(
                    "p = {p} must be between 1 (and the {must} sites that must stay open) and {sites} sites",
                    p=p,
                    must=int(must.sum()),
                    sites=len(st),
                ),
                p=p,
                must_stay_open=int(must.sum()),
                sites=len(st),
            )
        best = int(cap[must].sum() + np.sort(cap[~must])[::-1][: p - int(must.sum())].sum())
        if best < total:
            raise SitingInfeasible(
                Msg(
                    "demand {demand} pupils is above the {capacity} seats of the {p} largest sites that may open",
                    demand=Num(total, "count"),
                    capacity=Num(best, "count"),
                    p=p,
                ),
                demand=total,
                capacity=best,
                p=p,
            )
    elif int(cap.sum()) < total:
        raise SitingInfeasible(
            Msg(
                "demand {demand} pupils is above the {capacity} seats of all sites",
                demand=Num(total, "count"),
                capacity=Num(int(cap.sum()), "count"),
            ),
            demand=total,
            capacity=int(cap.sum()),
        )
    lonely = np.flatnonzero(~allowed.any(axis=1) & (d > 0))
    if lonely.size:
        ids = comm["community_id"].astype(str).iloc[lonely].tolist()
        raise SitingInfeasible(
            Msg(
                "{count} communities have no site within reach: {communities}",
                count=len(ids),
                communities=tuple(ids[:20]),
            ),
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
            Msg("candidate site ids are already school ids: {ids}", ids=tuple(clash[:10])),
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
            Msg("p = {p} candidate sites to open, but {given} are given", p=p, given=len(new)),
            p=p,
            candidates=len(new),
        )
    total = None if p is None else len(existing) + p
    sites_all = pd.concat([existing, new], ignore_index=True)
    from countyedu.roads.travel import distances  # the census's roads when it has them (issue 17)

    km, basis = distances(frames, dem[["community_id", "lat", "lon"]], sites_all[["site_id", "lat", "lon"]])
    plan = solve_siting(dem, sites_all, p=total, max_km=max_km, boarding_km=boarding_km, km=km)
    names = place_names(frames)
    if "name" in cand:
        names.update(zip(cand["site_id"], cand["name"].astype(str), strict=True))
    notes = [basis.words(), *plan.notes]
    if p is not None:
        notes.insert(
            0,
            Msg(
                "p-median over the {existing} existing schools of the stage (all stay open) and {p} of the "
                "{candidates} candidate sites (p = {total})",
                existing=len(existing),
                p=p,
                candidates=len(new),
                total=total,
            ),
        )
    return replace(plan, names=names, notes=notes, distance_basis=basis.as_dict())

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
from countyedu.messages import Msg, Text, encode
from countyedu.planning.geo import distance_matrix
from countyedu.planning.siting.location import capacitated_p_median, facility_location
from countyedu.planning.siting.solver import SitingInfeasible
from countyedu.planning.siting.terms import CLAUSE
from countyedu.roads.params import RoadParams
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
    round_demand: bool = True,
    fill_must_stay_open: bool = False,
) -> SitingPlan:
    """Which sites to open and where each community goes (第4、5条): capacitated p-median when p is
    given, capacitated facility location in yuan otherwise — the coordinates turned into a km matrix and
    solved by `planning.siting.location` (`capacitated_p_median`, `facility_location`).

    demand: community_id, demand, lat, lon. sites: site_id, lat, lon, capacity, open_cost (optional,
    yuan a year), existing (bool), must_stay_open (bool), boarding (optional bool, default true).
    `yuan_per_pupil_km` (assumed: 190 school days × 2 trips × 1 yuan/km) and `boarder_yuan` (第5条:
    +200 per boarder a year) only enter the facility-location objective. `km`: demand × sites distances
    to use instead of the straight line (road km, roads.travel; NaN: no route, not allowed).
    `round_demand`: pupils are whole — demand half up, capacity down to whole seats (say False for
    fractional demand, e.g. a projection's expected pupils). `fill_must_stay_open`: the sites that
    must stay open are also filled to their capacity (spopt's `fulfill_predefined_fac`).
    """
    comm = demand.reset_index(drop=True)
    st = sites.reset_index(drop=True).copy()
    st["site_id"] = st["site_id"].astype(str)
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
    unit = km if p is not None else yuan_per_pupil_km * km + boarder_yuan * board
    cost = pd.DataFrame(np.where(allowed, unit, np.inf), index=comm["community_id"].astype(str), columns=st["site_id"])
    options: dict[str, Any] = {
        "capacity": pd.to_numeric(st["capacity"]).fillna(0).to_numpy(float),
        "preselected": must,
        "fill_preselected": fill_must_stay_open,
        "round_demand": round_demand,
        "near": np.where(allowed, km, np.inf),
        "time_limit_s": time_limit_s,
    }
    raw = pd.to_numeric(comm["demand"]).fillna(0).to_numpy(float)
    if p is None:
        r = facility_location(cost, raw, open_cost=pd.to_numeric(st["open_cost"]).fillna(0).to_numpy(float), **options)
    else:
        r = capacitated_p_median(cost, raw, p=p, **options)
    d = np.floor(raw + 0.5) if round_demand else raw
    cap = np.floor(options["capacity"] + 1e-9) if round_demand else options["capacity"]
    ci, sj = r.pairs[:, 0], r.pairs[:, 1]
    whole = (lambda v: v.astype(int)) if round_demand else (lambda v: v)
    a = pd.DataFrame(
        {
            "community_id": comm["community_id"].astype(str).to_numpy()[ci],
            "site_id": st["site_id"].to_numpy()[sj],
            "pupils": whole(d[ci]),
            "km": km[ci, sj],
            "boarder": board[ci, sj],
        }
    ).sort_values("community_id", ignore_index=True)
    table = pd.DataFrame(
        {
            "site_id": st["site_id"],
            "existing": st["existing"].fillna(False).astype(bool),
            "open": r.opened.to_numpy(),
            "pupils": whole(r.load.to_numpy()),
            "capacity": whole(cap),
        }
    )
    table["utilisation"] = np.where(
        table["open"] & (table["capacity"] > 0), table["pupils"] / table["capacity"].clip(lower=1), np.nan
    )
    return SitingPlan(
        opened=table.loc[table["open"], "site_id"].tolist(),
        closed=table.loc[~table["open"] & table["existing"], "site_id"].tolist(),
        assignments=a,
        sites=table,
        objective=r.objective,
        pupil_km=float((a["pupils"] * a["km"]).sum()),
        bound=r.bound,
        gap=r.gap,
        status=r.status,
        solver="HiGHS (highspy) MIP + LP column generation + reduced-cost fixing",
        p=p,
        notes=list(r.notes),
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
    roads: RoadParams | None = None,
) -> SitingPlan:
    """Which candidate sites to open (第4、5条), on a census: demand of `stage` in `year` per community
    (community_demand on the observed population, or `persons` from a projection), the stage's existing
    schools (seats.stage_supply; `existing`, they stay open) plus the candidate `sites` (read_sites:
    site_id, name, lat, lon, capacity, open_cost optional, boarding optional).

    `p` is how many of the candidates to open (a capacitated p-median over existing + p sites, in
    pupil-km); None weighs each candidate's `open_cost` (yuan a year) against travel (facility location).
    Road km with the road parameters `roads` (the packs', roads.travel.params_of; None: the defaults).
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

    km, basis = distances(frames, dem[["community_id", "lat", "lon"]], sites_all[["site_id", "lat", "lon"]], roads)
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

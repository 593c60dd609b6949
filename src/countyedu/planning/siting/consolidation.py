"""Consolidation (第5条; 第22条; PN; CS; FD): which teaching points and small rural schools to merge,
decided by the siting solver (`countyedu.planning.siting.solver`) in yuan a year, with scenarios side
by side and the transition by year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num, Text, encode
from countyedu.planning.siting.location import facility_location
from countyedu.planning.siting.model import _records
from countyedu.planning.siting.terms import CONSOLIDATION_CLAUSE, KEEP, MERGE_ALL, OPTIMISE
from countyedu.roads.params import RoadParams
from countyedu.roads.travel import distances
from countyedu.runs.blocks import Block


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
    big_class: int = 56  # CS: 大班额 ≥ 56; the run takes the planning parameter big_class_at_least
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
    steps = ["no_intake", "move", "closed"]  # worded by planning.siting.blocks.STEPS
    out = []
    for k in range(max(1, years)):
        idx = 0 if k == 0 else (2 if k == years - 1 else 1)
        out.append({"year": start_year + k, "step": steps[idx]})
    return out


@dataclass(frozen=True)
class ConsolidationPlan:
    """Small schools that may merge, where they go, the transition by year, scenarios side by side."""

    candidates: pd.DataFrame  # school_id, kind, pupils, demand, classes, receiving_id, km, boarders, merge, …
    scenarios: pd.DataFrame  # name, mode, feasible, merged, pupil_km, added_pupil_km, seats_short, big_classes, …
    schedule: list[dict[str, Any]]
    params: ConsolidationParams
    names: dict[str, str] = field(default_factory=dict)  # school id → name
    basis: str = "population"  # population | projection | enrolment (the fallback)
    notes: list[Text] = field(default_factory=list)
    status: str = "optimal"  # of the optimised scenario
    gap: float = 0.0
    distance_basis: dict[str, Any] = field(default_factory=dict)  # roads.travel.Basis.as_dict()

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": CONSOLIDATION_CLAUSE,
            "params": dict(self.params.__dict__),
            "basis": self.basis,
            "status": self.status,
            "gap": self.gap,
            "distance_basis": self.distance_basis,
            "notes": [encode(n) for n in self.notes],
            "candidates": _records(self.candidates),
            "scenarios": _records(self.scenarios),
            "schedule": list(self.schedule),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        from countyedu.planning.siting.blocks import consolidation_blocks

        return consolidation_blocks(self, lang)


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
    roads: RoadParams | None = None,
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
    Road km with the road parameters `roads` (the packs', roads.travel.params_of; None: the defaults).
    """
    from countyedu.planning.catchments import place_names

    base = params or ConsolidationParams()
    over: dict[str, Any] = {
        k: v
        for k, v in (("max_km", max_km), ("boarding_km", boarding_km), ("small_below", small_below))
        if v is not None
    }
    base = replace(base, **over)
    data = _consolidation_data(frames, stage, year, persons, roads)
    runs = scenarios or [
        {"mode": KEEP},  # a scenario without a name is named by its mode (planning.siting.blocks.SCENARIOS)
        {"mode": OPTIMISE},
        {"mode": MERGE_ALL},
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
        notes=[res["distance_basis"].words(), *res.get("notes", [])],
        distance_basis=res["distance_basis"].as_dict(),
        status=str(res.get("status", "optimal")),
        gap=float(res.get("gap", 0.0)),
    )


def _consolidation_data(
    frames: Mapping[str, pd.DataFrame],
    stage: str,
    year: int,
    persons: pd.DataFrame | None,
    roads: RoadParams | None = None,
) -> dict[str, Any]:
    """The stage's schools (with kind and grades taught), the community demand and its basis."""
    from countyedu.planning.catchments import place_names
    from countyedu.planning.demand import community_demand, supply_year
    from countyedu.planning.seats import stage_supply

    last = supply_year(frames, 10_000)  # the latest census year (an error when there is none)
    base_year = min(year, last)
    sup = stage_supply(frames, base_year)
    sup = sup[sup["stage"] == stage].reset_index(drop=True)
    if sup.empty:
        raise CountyEduError(
            Msg(
                "no open school teaches {stage} in {year}", stage=Code("education_stage", stage), year=Num(year, "year")
            )
        )
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
    names = place_names(frames)
    return {
        "sup": sup,
        "demand": demand,
        "basis": basis,
        "growth": growth,
        "stage": stage,
        "year": year,
        "names": names,
        "frames": frames,  # the census's roads, when it has them (roads.travel)
        "roads": roads,  # the road parameters its km are measured with (None: the defaults)
    }


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
    km, distance_basis = distances(data["frames"], rows, sup, data["roads"])
    km = np.where(np.isnan(km), np.inf, km)  # no road route: neither walked nor boarded
    is_small_row = (rows["kind"] == "small").to_numpy()
    walk = km <= p.max_km
    reach = km <= max(p.boarding_km, p.max_km)
    # small rows: walk to any school, board at a non-small school
    allowed = np.where(is_small_row[:, None], walk | (reach & ~small[None, :]), False)
    # the rest: the non-small schools within reach, and always the nearest one
    rest_ok = reach & ~small[None, :]
    if (~small).any():
        nearest = np.argmin(np.where(~small[None, :], km, np.inf), axis=1)
        routed = np.isfinite(km[np.arange(len(rows)), nearest])  # by road a place may have no route at all
        rest_ok[np.flatnonzero(routed), nearest[routed]] = True
    allowed = np.where(is_small_row[:, None], allowed, rest_ok)
    if mode == MERGE_ALL:
        allowed &= ~small[None, :]
    board = allowed & ~walk
    unit = np.where(board, p.boarder_yuan + p.boarder_yuan_per_km * km, p.yuan_per_pupil_km * km)  # yuan a pupil
    unit = np.where(allowed, unit, np.inf)
    cost = d[:, None] * unit
    lonely = np.flatnonzero(~allowed.any(axis=1))
    if lonely.size:
        ids = rows["row_id"].iloc[lonely].tolist()
        return {
            "feasible": False,
            "rows": rows,
            "unreachable": ids,
            "distance_basis": distance_basis,
            "note": Msg(
                "not possible: {places} have no non-small school within {walk} km walking or {board} km boarding",
                places=tuple(data["names"].get(str(i), str(i)) for i in ids[:10]),
                walk=f"{p.max_km:g}",
                board=f"{p.boarding_km:g}",
            ),
        }
    must = np.ones(m, dtype=bool) if mode == KEEP else ~small
    cap = np.floor(sup["capacity"].fillna(0).to_numpy(float) + 1e-9).astype(np.int64)
    r = facility_location(
        unit,
        d,
        capacity=cap,
        preselected=must,
        split=~is_small_row,  # small schools' pupils move whole, the communities' other pupils may split
        funded_floor=np.where(small, float(p.funded_as), 0.0),
        floor_cost=float(p.per_pupil_yuan),
        shortage_cost=float(p.seat_short_yuan),
        near=km,
        time_limit_s=p.time_limit_s,
    )
    fi, fj = r.pairs[:, 0], r.pairs[:, 1]
    share = r.assignment["share"].to_numpy(float)
    flows = pd.DataFrame(
        {
            "row_id": rows["row_id"].to_numpy()[fi],
            "kind": rows["kind"].to_numpy()[fi],
            "to": sup["school_id"].astype(str).to_numpy()[fj],
            "pupils": d[fi] * share,
            "km": km[fi, fj],
            "boarder": board[fi, fj],
            "cost": r.assignment["cost"].to_numpy(float),
        }
    )
    load = np.bincount(fj, weights=d[fi] * share, minlength=m)
    return {
        "feasible": True,
        "distance_basis": distance_basis,
        "rows": rows,
        "flows": flows,
        "allowed": allowed,
        "costs": cost,
        "small": small,
        "opened": r.opened.to_numpy(),
        "load": load,
        "short": np.ceil(np.asarray(r.shortage, dtype=float) - 1e-6).clip(min=0).astype(int),
        "objective": r.objective,
        "status": r.status,
        "gap": r.gap,
        "notes": [
            Msg(
                "HiGHS MIP on {arcs} of {all_arcs} arcs, {rows} demand rows × {schools} schools; objective {objective} "
                "yuan, bound {bound}",
                arcs=Num(r.solver["arcs"], "count"),
                all_arcs=Num(r.solver["all_arcs"], "count"),
                rows=len(rows),
                schools=m,
                objective=Num(r.objective, "", 0),
                bound=Num(r.bound, "", 0),
            )
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
            "note": res["note"],
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
        "note": Msg("{status}", status=Code("solver_status", res["status"])),
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

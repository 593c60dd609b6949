"""Responsible inspectors (责任督学, SV; 第34条): every open school — public, private, kindergartens,
teaching points — assigned to one serving inspector, and the reassignment when one leaves.

Formulation (a binary programme solved by HiGHS). For each serving inspector i and open school s
that i may take (s is not i's former school: 回避), x[i, s] ∈ {0, 1}; u[s] ∈ [0, 1] marks a school
left without an inspector; d⁺_i, d⁻_i ≥ 0 measure how far i's load is from the target:

    Σ_i x[i, s] + u[s] = 1                      every school one inspector (or unassigned)
    Σ_s x[i, s] ≤ max_i                         an inspector's most schools
    Σ_s x[i, s] − d⁺_i + d⁻_i = target          about `schools_per_inspector` each
    Σ_{i ∈ zone z} Σ_s x[i, s] ≤ zone_max       an inspection zone holds ≤ 20 schools

    minimise  w_km · Σ km(i, s) x[i, s] + w_balance · Σ (d⁺ + d⁻)   (each school beyond the first
              off the target at w_beyond: a convex penalty keeps loads within one of the target)
              + w_keep · Σ_{s kept before} (1 − x[prev(s), s]) + w_unassigned · Σ u[s]

km(i, s) is the road km (the census's road network, countyedu.roads; a school no road joins to the
base is not that inspector's) or, without a road network, the great-circle distance from the inspector's base (their coordinates; else the centre
of their township's schools; else of their former school; else of the county's schools) to the
school: the travel a visit makes one way. The reassignment term keeps every school whose inspector
stays with them where the rules allow (w_keep far above any distance), so only the leaver's schools
move unless room must be made. The optimum is proven (mip_rel_gap 0) within the time limit; the
result says when it is not.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse import coo_matrix

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num, translate
from countyedu.planning.geo import haversine_km
from countyedu.planning.highs import new_highs
from countyedu.roads.params import RoadParams
from countyedu.roads.travel import STRAIGHT, basis_from, located_distances, network, params_of
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding


class AssignParams(BaseModel):
    """The assignment's parameters (pack key `parameters.supervision.assign`); clauses in CLAUSES."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schools_per_inspector: int = Field(default=5, ge=1)
    max_schools: int = Field(default=7, ge=1)
    max_schools_part_time: int = Field(default=6, ge=1)
    zone_max_schools: int = Field(default=20, ge=1)
    stages: list[str] | None = None  # None: every stage (kindergartens and teaching points too)
    km_weight: float = Field(default=1.0, ge=0)
    balance_weight: float = Field(default=10.0, ge=0)
    balance_weight_beyond_one: float = Field(default=60.0, ge=0)
    keep_weight: float = Field(default=1000.0, ge=0)
    unassigned_weight: float = Field(default=100000.0, ge=0)
    time_limit_s: float = Field(default=20.0, gt=0)


CLAUSES: dict[str, str] = {
    "schools_per_inspector": "SV 责任督学挂牌督导办法 (about one per 5 schools)",
    "max_schools": "SV (assumed)",
    "max_schools_part_time": "SV (assumed)",
    "zone_max_schools": "SV 责任督学挂牌督导办法 (zone ≤ 20 schools)",
    "stages": "第34条 full coverage (assumed: every stage)",
    "km_weight": "SV (assumed: least travel)",
    "balance_weight": "SV (assumed)",
    "balance_weight_beyond_one": "SV (assumed: loads within one school of the target where possible)",
    "keep_weight": "SV (assumed: reassignment keeps others' schools)",
    "unassigned_weight": "第34条 full coverage",
    "time_limit_s": "(assumed)",
}


def assign_params(packs: Sequence[Any] | Mapping[str, Any] | None = None) -> AssignParams:
    """The assign parameters of the packs (`parameters.supervision.assign`) or of a mapping (the
    sub-section itself); defaults for what they omit, a bad field a CountyEduError naming it."""
    from countyedu.supervision.params import section, supervision_params

    given = supervision_params({"assign": dict(packs)} if isinstance(packs, Mapping) else packs)
    return section(given, "assign", AssignParams)


@dataclass(frozen=True)
class Check:
    """One rule of the assignment, whether it holds, and the numbers behind it."""

    rule: str  # coverage | load | zone_size | conflict | travel | balance | kept
    ok: bool
    detail: Msg

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """rule, ok, detail: the Msg as data, or worded in `lang` when given (the CLI's JSON)."""
        detail = translate(self.detail, lang) if lang else self.detail.as_dict()
        return {"rule": self.rule, "ok": self.ok, "detail": detail}


@dataclass(frozen=True)
class Assignment:
    """Who is responsible for which school: `schools` (one row per open school: school_id, name,
    stage, ownership, township_id, inspector_id or None, km, previous_inspector_id), `inspectors` (one
    row per serving inspector: inspector_id, name, employment, phone, zone, former_school_id, base_lat,
    base_lon, load, max, km) and the checks."""

    year: int
    schools: pd.DataFrame
    inspectors: pd.DataFrame
    checks: tuple[Check, ...]
    status: str  # optimal | feasible
    objective: float
    bound: float
    seconds: float
    leaving: tuple[str, ...] = ()
    params: AssignParams = field(default_factory=AssignParams)
    distance_basis: dict[str, Any] = field(default_factory=dict)  # roads.travel.Basis.as_dict()

    @property
    def unassigned(self) -> list[str]:
        return [str(s) for s in self.schools.loc[self.schools["inspector_id"].isna(), "school_id"]]

    def mapping(self) -> dict[str, str]:
        """school_id → inspector_id of the assigned schools."""
        done = self.schools[self.schools["inspector_id"].notna()]
        return dict(zip(done["school_id"].astype(str), done["inspector_id"].astype(str), strict=True))

    def moved(self) -> list[dict[str, Any]]:
        """Schools whose inspector changed from the previous assignment: school_id, from, to."""
        s = self.schools
        had = s[s["previous_inspector_id"].notna() & (s["previous_inspector_id"] != s["inspector_id"])]
        return [
            {"school_id": r.school_id, "from": r.previous_inspector_id, "to": r.inspector_id}
            for r in had.itertuples(index=False)
        ]

    def plaque(self) -> list[dict[str, Any]]:
        """The plaque list (挂牌督导公示): one row per school — school, township, its responsible inspector,
        their telephone and the supervision items — in township then school order."""
        ins = self.inspectors.set_index("inspector_id")
        out = []
        for r in self.schools.sort_values(["township_id", "school_id"], kind="stable").itertuples(index=False):
            who = ins.loc[r.inspector_id] if r.inspector_id is not None and r.inspector_id in ins.index else None
            out.append(
                {
                    "school_id": r.school_id,
                    "school": r.name,
                    "stage": r.stage,
                    "township": r.township,
                    "inspector_id": r.inspector_id,
                    "inspector": None if who is None else str(who["name"]),
                    "employment": None if who is None else who["employment"],
                    "phone": None if who is None else str(who["phone"]),
                }
            )
        return out

    def blocks(self) -> list[Block]:
        """The assignment's report blocks: its checks, the inspectors' schools and the plaque list."""
        findings = [
            Finding(
                "SV; 第34条",
                _RULES[c.rule],
                c.detail,
                "met" if c.ok else "not_met",
            )
            for c in self.checks
        ]
        names = dict(zip(self.schools["school_id"], self.schools["name"], strict=True))
        by = self.schools.groupby("inspector_id")["school_id"].apply(list).to_dict()
        ins_table = BlockTable(
            Msg("Responsible inspectors and their schools"),
            [
                BlockColumn("inspector", Msg("Inspector")),
                BlockColumn("employment", Msg("Full or part time")),
                BlockColumn("zone", Msg("Inspection zone")),
                BlockColumn("load", Msg("Schools"), "count"),
                BlockColumn("schools", Msg("Schools responsible for")),
                BlockColumn("km", Msg("Travel (one way, total)"), "km"),
            ],
            [
                [
                    r.name,
                    Code("inspector_employment", str(r.employment)),
                    r.zone,
                    int(r.load),
                    "、".join(str(names[s]) for s in sorted(by.get(r.inspector_id, []))),
                    round(float(r.km), 2),
                ]
                for r in self.inspectors.itertuples(index=False)
            ],
            clause="SV",
        )
        plaque = BlockTable(
            Msg("Plaque list: school, responsible inspector, contact, supervision items"),
            [
                BlockColumn("township", Msg("Township")),
                BlockColumn("school", Msg("School")),
                BlockColumn("inspector", Msg("Responsible inspector")),
                BlockColumn("phone", Msg("Contact")),
            ],
            [[r["township"], r["school"], r["inspector"] or Msg("none"), r["phone"] or ""] for r in self.plaque()],
            note=PLAQUE_ITEMS,
            clause="SV",
        )
        return [
            Block(
                "supervision.assign",
                Msg("Responsible inspectors"),
                "SV; 第34条",
                paragraphs=[
                    Msg(
                        "{schools} open schools, {inspectors} serving inspectors; {unassigned} schools without one",
                        schools=len(self.schools),
                        inspectors=len(self.inspectors),
                        unassigned=len(self.unassigned),
                    ),
                    basis_from(self.distance_basis).words(),
                ],
                findings=findings,
                tables=[ins_table, plaque],
            )
        ]

    def summary(self) -> dict[str, Any]:
        """Headline numbers (keys prefixed assign_)."""
        return {
            "assign_schools": len(self.schools),
            "assign_inspectors": len(self.inspectors),
            "assign_unassigned": len(self.unassigned),
            "assign_km": round(float(self.inspectors["km"].sum()), 2),
        }

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The JSON contract of `countyedu supervise assign --format json` (README): inspectors (id,
        their school_ids, km), unassigned school ids and the checks (details worded in `lang` when
        given); then the details."""
        by = self.schools.groupby("inspector_id")["school_id"].apply(lambda v: sorted(map(str, v))).to_dict()
        return {
            "year": self.year,
            "inspectors": [
                {
                    "inspector_id": r.inspector_id,
                    "name": r.name,
                    "employment": r.employment,
                    "zone": r.zone,
                    "school_ids": by.get(r.inspector_id, []),
                    "km": round(float(r.km), 2),
                }
                for r in self.inspectors.itertuples(index=False)
            ],
            "unassigned": self.unassigned,
            "distance_basis": basis_from(self.distance_basis).as_dict(),
            "checks": [c.as_dict(lang) for c in self.checks],
            "moved": self.moved(),
            "leaving": list(self.leaving),
            "solver": {
                "status": self.status,
                "objective": round(self.objective, 4),
                "bound": round(self.bound, 4),
                "seconds": round(self.seconds, 3),
            },
        }


# What a plaque says the inspector looks at (the eight routine items of SV, as the plaque prints them).
PLAQUE_ITEMS = Msg(
    "Supervision items: school management; admission, fees and school choice; curriculum and teaching; "
    "pupils' workload and exercise; teacher ethics and development; campus and traffic safety; canteen, "
    "food, water and dormitory hygiene; school ethos"
)

# rule → what the check says (a finding's rule)
_RULES: dict[str, Msg] = {
    "coverage": Msg("Every school has one responsible inspector"),
    "load": Msg("No inspector over their most schools"),
    "zone_size": Msg("Inspection zones of at most the zone size"),
    "conflict": Msg("No inspector on their former school"),
    "travel": Msg("Least travel"),
    "balance": Msg("About the target number of schools each"),
    "kept": Msg("Schools of inspectors who stay keep their inspector"),
}


# ---------------------------------------------------------------------- inputs
def open_schools(frames: Mapping[str, pd.DataFrame], year: int, stages: Collection[str] | None = None) -> pd.DataFrame:
    """The schools open in `year` (opened by then, not closed), of `stages` when given, by school_id."""
    s = frames["schools"]
    opened = s["opened_year"].isna() | (s["opened_year"].astype("Float64") <= year)
    closed = s["closed_year"].notna() & (s["closed_year"].astype("Float64") <= year)
    out = s[(opened & ~closed).fillna(False).astype(bool)]
    if stages is not None:
        out = out[out["stage"].isin(set(stages))]
    return out.sort_values("school_id", kind="stable").reset_index(drop=True)


def latest_year(frames: Mapping[str, pd.DataFrame]) -> int:
    """The latest school year the census holds (school_years, then classes); schools' opening years else."""
    for sheet in ("school_years", "classes"):
        f = frames.get(sheet)
        if f is not None and len(f):
            return int(f["year"].max())
    s = frames["schools"]
    return int(s["opened_year"].max()) if s["opened_year"].notna().any() else 0


def serving_inspectors(frames: Mapping[str, pd.DataFrame], leaving: Collection[str] = ()) -> pd.DataFrame:
    """The register's inspectors who serve (active not false) and are not `leaving`."""
    ins = frames.get("inspectors")
    if ins is None or ins.empty:
        raise CountyEduError(Msg("the census has no inspectors: import the inspectors sheet to assign schools"))
    unknown = sorted(set(leaving) - set(ins["inspector_id"].astype(str)))
    if unknown:
        raise CountyEduError(Msg("no inspector {ids} in the inspectors sheet", ids=tuple(unknown)), ids=unknown)
    active = ins["active"].astype("boolean").fillna(True).astype(bool) if "active" in ins else True
    out = ins[active & ~ins["inspector_id"].astype(str).isin(set(leaving))]
    return out.sort_values("inspector_id", kind="stable").reset_index(drop=True)


def _bases(ins: pd.DataFrame, frames: Mapping[str, pd.DataFrame]) -> np.ndarray:
    """(n, 2) lat/lon where each inspector's travel starts (see the module's docstring)."""
    schools = frames["schools"].dropna(subset=["lat", "lon"])
    centre = schools.groupby("township_id")[["lat", "lon"]].mean()
    coords = schools.set_index("school_id")[["lat", "lon"]]
    county = schools[["lat", "lon"]].mean()
    out = np.empty((len(ins), 2))
    for n, r in enumerate(ins.itertuples(index=False)):
        lat, lon = getattr(r, "lat", None), getattr(r, "lon", None)
        tid, former = getattr(r, "township_id", None), getattr(r, "former_school_id", None)
        if lat is not None and lon is not None and not (pd.isna(lat) or pd.isna(lon)):
            out[n] = (float(lat), float(lon))
        elif tid is not None and not pd.isna(tid) and tid in centre.index:
            out[n] = centre.loc[tid].to_numpy(float)
        elif former is not None and not pd.isna(former) and former in coords.index:
            out[n] = coords.loc[former].to_numpy(float)
        else:
            out[n] = county.to_numpy(float)
    return out


def _zone_of(ins: pd.DataFrame) -> list[str]:
    """Each inspector's zone: the zone column, else their township, else the inspector alone."""
    out = []
    for r in ins.itertuples(index=False):
        z, t = getattr(r, "zone", None), getattr(r, "township_id", None)
        if z is not None and not pd.isna(z) and str(z).strip():
            out.append(str(z))
        elif t is not None and not pd.isna(t):
            out.append(str(t))
        else:
            out.append(f"({r.inspector_id})")
    return out


def _most(ins: pd.DataFrame, p: AssignParams) -> list[int]:
    """Each inspector's most schools: their max_schools, else the parameter of their employment."""
    out = []
    for r in ins.itertuples(index=False):
        own = getattr(r, "max_schools", None)
        if own is not None and not pd.isna(own):
            out.append(int(own))
        else:
            out.append(p.max_schools_part_time if getattr(r, "employment", "") == "part_time" else p.max_schools)
    return out


# ---------------------------------------------------------------------- the programme
def assign_inspectors(
    frames: Mapping[str, pd.DataFrame],
    params: AssignParams | None = None,
    year: int | None = None,
    previous: Mapping[str, str] | None = None,
    leaving: Collection[str] = (),
    roads: RoadParams | None = None,
) -> Assignment:
    """Every school open in `year` (default the census's latest) to one serving inspector (see the
    module's docstring); `previous` (school_id → inspector_id, the decided assignment) is kept where
    its inspector still serves, `leaving` inspectors are left out; road km with the road parameters
    `roads` (the packs', roads.travel.params_of; None: the defaults)."""
    p = params or AssignParams()
    year = latest_year(frames) if year is None else int(year)
    leaving = tuple(sorted({str(i) for i in leaving}))
    schools = open_schools(frames, year, p.stages)
    ins = serving_inspectors(frames, leaving)
    prev = {str(k): str(v) for k, v in (previous or {}).items() if v is not None and not pd.isna(v)}
    start = time.perf_counter()

    n_i, n_s = len(ins), len(schools)
    base = _bases(ins, frames)
    slat = schools["lat"].astype(float).fillna(schools["lat"].astype(float).mean()).to_numpy()
    slon = schools["lon"].astype(float).fillna(schools["lon"].astype(float).mean()).to_numpy()
    km = haversine_km(base[:, :1], base[:, 1:], slat[None, :], slon[None, :]) if n_i and n_s else np.zeros((n_i, n_s))
    km = np.nan_to_num(km, nan=0.0)
    basis = STRAIGHT
    if n_i and n_s and network(frames, roads) is not None:  # by road: a pair no road joins is not allowed
        road, basis = located_distances(
            frames,
            # named by their names: the basis lists the places far from any road by them
            pd.DataFrame({"inspector": ins["name"].astype(str), "lat": base[:, 0], "lon": base[:, 1]}),
            pd.DataFrame({"school": schools["name"].astype(str), "lat": slat, "lon": slon}),
            roads,
        )
        no_route = np.isnan(road)
        km = np.where(no_route, 0.0, road)
    ids = ins["inspector_id"].astype(str).tolist()
    sids = schools["school_id"].astype(str).tolist()
    former = [None if pd.isna(f) else str(f) for f in ins.get("former_school_id", pd.Series([None] * n_i))]
    allowed = np.ones((n_i, n_s), dtype=bool)
    if basis.kind == "road":
        allowed &= ~no_route
    col_of = {sid: j for j, sid in enumerate(sids)}
    for i, f in enumerate(former):
        if f in col_of:
            allowed[i, col_of[f]] = False
    row_of = {iid: i for i, iid in enumerate(ids)}
    kept_pairs = {(row_of[v], col_of[k]) for k, v in prev.items() if v in row_of and k in col_of}
    most = _most(ins, p)
    zones = _zone_of(ins)

    pi, ps = np.nonzero(allowed)
    n_x = len(pi)
    cost = p.km_weight * km[pi, ps]
    keep = np.array([(i, s) in kept_pairs for i, s in zip(pi, ps, strict=True)], dtype=bool)
    cost = cost - p.keep_weight * keep
    constant = p.keep_weight * len(kept_pairs)
    # columns: x (n_x, binary) | u (n_s) | d+, d- (n_i each: the first school off the target) | the same
    # beyond the first school (dearer: the penalty is convex, loads stay within one of the target)
    obj = np.concatenate(
        [
            cost,
            np.full(n_s, p.unassigned_weight),
            np.full(2 * n_i, p.balance_weight),
            np.full(2 * n_i, p.balance_weight_beyond_one),
        ]
    )
    lb = np.zeros(len(obj))
    ub = np.concatenate([np.ones(n_x + n_s + 2 * n_i), np.full(2 * n_i, np.inf)])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    by_school: list[list[int]] = [[] for _ in range(n_s)]
    by_ins: list[list[int]] = [[] for _ in range(n_i)]
    for e, (i, s) in enumerate(zip(pi, ps, strict=True)):
        by_school[s].append(e)
        by_ins[i].append(e)
    for s in range(n_s):
        row([(e, 1.0) for e in by_school[s]] + [(n_x + s, 1.0)], 1.0, 1.0)
    for i in range(n_i):
        row([(e, 1.0) for e in by_ins[i]], 0.0, float(most[i]))
        dev = [(n_x + n_s + k * n_i + i, -1.0 if k % 2 == 0 else 1.0) for k in range(4)]  # d+1, d-1, d+2, d-2
        row([(e, 1.0) for e in by_ins[i]] + dev, p.schools_per_inspector, p.schools_per_inspector)
    for z in sorted(set(zones)):
        members = [e for i in range(n_i) if zones[i] == z for e in by_ins[i]]
        row([(e, 1.0) for e in members], 0.0, float(p.zone_max_schools))

    x, status, objective, bound = _solve(obj, lb, ub, n_x, rows, cols, vals, lo, hi, p.time_limit_s)
    seconds = time.perf_counter() - start
    chosen = np.zeros(n_s, dtype=int) - 1
    for e in np.nonzero(x[:n_x] > 0.5)[0]:
        chosen[ps[e]] = pi[e]
    school_rows = schools[["school_id", "name", "stage", "ownership", "township_id"]].copy()
    school_rows["school_id"] = school_rows["school_id"].astype(str)
    towns = frames.get("townships")
    names = dict(zip(towns["township_id"], towns["name"], strict=True)) if towns is not None else {}
    school_rows["township"] = [names.get(t, t) for t in school_rows["township_id"]]
    school_rows["inspector_id"] = [ids[c] if c >= 0 else None for c in chosen]
    school_rows["km"] = [float(km[c, s]) if c >= 0 else None for s, c in enumerate(chosen)]
    school_rows["previous_inspector_id"] = [prev.get(sid) for sid in sids]
    load = np.bincount(chosen[chosen >= 0], minlength=n_i) if n_i else np.zeros(0, dtype=int)
    travel = np.zeros(n_i)
    for s, c in enumerate(chosen):
        if c >= 0:
            travel[c] += km[c, s]
    ins_rows = pd.DataFrame(
        {
            "inspector_id": ids,
            "name": ins["name"].astype(str).tolist(),
            "employment": ins["employment"].tolist(),
            "phone": ins["phone"].tolist(),
            "zone": zones,
            "former_school_id": former,
            "base_lat": base[:, 0] if n_i else [],
            "base_lon": base[:, 1] if n_i else [],
            "load": load.astype(int),
            "max": most,
            "km": travel,
        }
    )
    result = Assignment(
        year,
        school_rows,
        ins_rows,
        (),
        status,
        objective + constant,
        bound + constant,
        seconds,
        leaving,
        p,
        basis.as_dict(),
    )
    return Assignment(**{**result.__dict__, "checks": tuple(check_assignment(result, prev))})


def _solve(
    obj: np.ndarray,
    lb: np.ndarray,
    ub: np.ndarray,
    n_int: int,
    rows: list[int],
    cols: list[int],
    vals: list[float],
    lo: list[float],
    hi: list[float],
    time_limit: float,
) -> tuple[np.ndarray, str, float, float]:
    """HiGHS on the programme: the solution, its status (optimal | feasible), objective and bound."""
    a = coo_matrix((vals, (rows, cols)), shape=(len(lo), len(obj))).tocsc()
    h = new_highs(time_limit)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("random_seed", 0)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(obj), len(lo)
    lp.col_cost_ = np.asarray(obj, dtype=float)
    lp.col_lower_ = np.asarray(lb, dtype=float)
    lp.col_upper_ = np.asarray(ub, dtype=float)
    lp.row_lower_ = np.asarray(lo, dtype=float)
    lp.row_upper_ = np.asarray(hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_int + [highspy.HighsVarType.kContinuous] * (len(obj) - n_int)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # u = 1 everywhere is always feasible: this is a solver failure
        raise CountyEduError(
            Msg("the inspector assignment found no solution in {seconds} s", seconds=time_limit), status=str(status)
        )
    x = np.asarray(h.getSolution().col_value, dtype=float)
    objective = float(info.objective_function_value)
    optimal = status == highspy.HighsModelStatus.kOptimal
    bound = objective if optimal else float(info.mip_dual_bound)
    return x, "optimal" if optimal else "feasible", objective, bound


# ---------------------------------------------------------------------- checks
def check_assignment(a: Assignment, previous: Mapping[str, str] | None = None) -> list[Check]:
    """The rules an assignment keeps, each with its numbers (what the JSON's checks list)."""
    p = a.params
    s, ins = a.schools, a.inspectors
    n = len(s)
    done = s[s["inspector_id"].notna()]
    known = set(ins["inspector_id"])
    stray = done[~done["inspector_id"].isin(known)]
    checks = [
        Check(
            "coverage",
            len(done) == n and stray.empty and not s["school_id"].duplicated().any(),
            Msg(
                "{done} of {n} open schools have one responsible inspector; {left} without",
                done=len(done),
                n=n,
                left=n - len(done),
            ),
        )
    ]
    load = done.groupby("inspector_id").size().reindex(ins["inspector_id"], fill_value=0).to_numpy()
    over = [
        (i, int(load_), int(m)) for i, load_, m in zip(ins["inspector_id"], load, ins["max"], strict=True) if load_ > m
    ]
    checks.append(
        Check(
            "load",
            not over,
            Msg(
                "every inspector within their most schools ({most}; part-time {part}); loads {lo}–{hi}, {over} over",
                most=p.max_schools,
                part=p.max_schools_part_time,
                lo=int(load.min()) if len(load) else 0,
                hi=int(load.max()) if len(load) else 0,
                over=len(over),
            ),
        )
    )
    zone_of = dict(zip(ins["inspector_id"], ins["zone"], strict=True))
    zsize = done["inspector_id"].map(zone_of).value_counts()
    big = zsize[zsize > p.zone_max_schools]
    checks.append(
        Check(
            "zone_size",
            big.empty,
            Msg(
                "{zones} inspection zones of at most {most} schools; the largest holds {top}",
                zones=len(set(zone_of.values())),
                most=p.zone_max_schools,
                top=int(zsize.max()) if len(zsize) else 0,
            ),
        )
    )
    former = dict(zip(ins["inspector_id"], ins["former_school_id"], strict=True))
    own = [r.school_id for r in done.itertuples(index=False) if former.get(r.inspector_id) == r.school_id]
    with_former = sum(1 for v in former.values() if v is not None and not pd.isna(v))
    checks.append(
        Check(
            "conflict",
            not own,
            Msg(
                "no inspector is responsible for their former school ({n} inspectors have one; {bad} conflicts)",
                n=with_former,
                bad=len(own),
            ),
        )
    )
    km = done["km"].astype(float)
    far = done.loc[km.idxmax()] if len(done) else None
    checks.append(
        Check(
            "travel",
            a.status == "optimal",
            Msg(
                "travel {total} in all, {mean} a school on average, farthest {far} ({school}); solver: {status}",
                total=Num(float(km.sum()), "km"),
                mean=Num(float(km.mean()) if len(km) else 0.0, "km"),
                far=Num(float(km.max()) if len(km) else 0.0, "km"),
                school=str(far["name"]) if far is not None else "",
                status=Msg("proven optimal") if a.status == "optimal" else Msg("best found, not proven optimal"),
            ),
        )
    )
    off = int(np.sum(np.abs(load - p.schools_per_inspector) > 1)) if len(load) else 0
    checks.append(
        Check(
            "balance",
            off == 0,
            Msg(
                "about {target} schools each: {off} inspectors more than one school off it",
                target=p.schools_per_inspector,
                off=off,
            ),
        )
    )
    if previous:
        stayed = s[s["previous_inspector_id"].isin(known)]
        moved = stayed[stayed["previous_inspector_id"] != stayed["inspector_id"]]
        checks.append(
            Check(
                "kept",
                moved.empty,
                Msg(
                    "{kept} of {n} schools of inspectors who stay keep their inspector; {moved} reassigned",
                    kept=len(stayed) - len(moved),
                    n=len(stayed),
                    moved=int(
                        (s["previous_inspector_id"].notna() & (s["previous_inspector_id"] != s["inspector_id"])).sum()
                    ),
                ),
            )
        )
    return checks


# ---------------------------------------------------------------------- the supervision run's part
def current_assignment(assignments: pd.DataFrame | None, on: dt.date) -> dict[str, str]:
    """The decided assignment on a day from the records' `assignments` frame (school_id, inspector_id,
    since, until): school_id → inspector_id, the latest row in force for each school."""
    if assignments is None or assignments.empty:
        return {}
    day = pd.Timestamp(on)
    a = assignments[(assignments["since"] <= day) & (assignments["until"].isna() | (assignments["until"] >= day))]
    a = a.sort_values(["school_id", "since"], kind="stable")
    return {str(s): str(i) for s, i in zip(a["school_id"], a["inspector_id"], strict=True)}


def part(ctx: Any) -> Assignment | None:
    """The assignment as the supervision run computes it: every school open in the run's year, the
    decided assignment on the run's day kept where its inspectors still serve. None without inspectors."""
    if ctx.frame("inspectors") is None or ctx.frame("schools") is None:
        return None
    from countyedu.supervision.params import section

    p = section(ctx.params, "assign", AssignParams)
    previous = current_assignment(ctx.record("assignments"), ctx.as_of)
    return assign_inspectors(ctx.frames, p, ctx.year, previous or None, roads=params_of(ctx.packs))


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The assignment's headline, as `countyedu demo` prints it."""
    if "assign_schools" not in s:
        return []
    return [
        f"责任督学 / inspectors: {s['assign_inspectors']} 名负责 {s['assign_schools']} 所学校，"
        f"未分配 unassigned {s['assign_unassigned']}；路程 travel {s['assign_km']:.1f} km"
    ]

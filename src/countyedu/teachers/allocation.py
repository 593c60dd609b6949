"""县管校聘: posts per school and the reassignment of surplus teachers (issue 13 item 2; STANDARDS.md RT).

The county holds the 编制 and divides it among its public schools as posts: each school's norm when
the county's 编制 (less the kindergartens' caregivers) covers the norms, else each school's class floor
plus the rest in proportion to what its norm asks above its floor (largest remainders). A subject's
posts are the school's posts shared as in `teachers.staffing` (by weekly periods).

A teacher is surplus when the school has more full-time teachers of the subject than whole posts
(⌊teachers − posts⌋); a school is short of a subject by its posts less its teachers, rounded half up.
Surplus teachers go, in the order of RT: (1) in-school competition — to a subject of the own school
it is short of, among `switch_subjects`; (2) cross-school competition — to a school within
`cross_school_km` short of the teacher's subject; (3) assignment by the bureau — farther, or to a
switch subject of another school.

Formulation (an integer transportation problem with side constraints, solved by HiGHS through
scipy.optimize.milp): x_k ≥ 0 integer teachers on each allowed arc k = (school s, subject a) →
(school t, subject b);
  Σ_k out of (s, a) x_k ≤ surplus(s, a),   Σ_k into (t, b) x_k ≤ shortage(t, b),
  for each school: (out − in) of other schools ≤ ⌊staff − max(posts, floor)⌋⁺ (never below its posts
  nor its class floor) and (in − out) ≤ ⌊posts − staff⌉⁺ (never over its posts);
  minimise Σ_k (c_k − M) x_k with M ≫ c_k: as many shortages filled as can be (each move fills one:
  the fewest moves for that), then the earliest phase, then the least travel (c_k = phase penalty +
  km).
Arcs between schools: every one within `cross_school_km`; beyond it, each surplus's and each
shortage's NEAREST nearest partners of the subject, and SWITCH_NEAREST for another subject (the demo
county: 402 moves, the same as on every pair, in half a second instead of five).
The teachers who move from a (school, subject) are those longest at the school (ties by id).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num
from countyedu.planning.geo import haversine_km
from countyedu.roads.params import RoadParams
from countyedu.roads.travel import NO_ROUTE_KM, STRAIGHT, basis_from, located_distances, network, params_of
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value
from countyedu.teachers.params import TeachersParams
from countyedu.teachers.parts import Context
from countyedu.teachers.staffing import EPS, Staffing, _frame, _num

NEEDS = ("staffing",)  # the parts this one reads (teachers.parts)
PHASES = ("in_school", "cross_school", "assignment")
PHASE_WORDS = {
    "in_school": Msg("in-school competition"),
    "cross_school": Msg("cross-school competition"),
    "assignment": Msg("assignment by the bureau"),
}
PHASE_COST = {"in_school": 0.0, "cross_school": 1_000.0, "assignment": 10_000.0}
SWITCH_COST = 5_000.0  # another subject at another school: after the own subject at any distance
FILL_REWARD = 1_000_000.0


@dataclass(frozen=True)
class Move:
    teacher_id: str
    from_school_id: str
    to_school_id: str
    from_subject: str
    subject: str
    phase: str
    km: float
    why: Msg

    def as_dict(self) -> dict[str, Any]:
        return {
            "teacher_id": self.teacher_id,
            "from_school_id": self.from_school_id,
            "to_school_id": self.to_school_id,
            "from_subject": self.from_subject,
            "subject": self.subject,
            "phase": self.phase,
            "km": round(self.km, 2),
            "why": self.why.as_dict(),
        }


@dataclass
class Allocation:
    """Posts per school, the moves, and what is left short or over."""

    year: int
    posts: pd.DataFrame  # school_id, name, norm, floor, posts, actual, after
    moves: list[Move]
    unfilled: pd.DataFrame  # school_id, subject, shortage (teachers still short after the moves)
    status: str
    names: dict[str, str] = field(default_factory=dict)
    cross_km: float = 20.0
    distance_basis: dict[str, Any] = field(default_factory=dict)  # roads.travel.Basis.as_dict(): road or straight

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "status": self.status,
            "distance_basis": basis_from(self.distance_basis).as_dict(),
            "posts": [
                {k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.posts[["school_id", "norm", "floor", "posts", "actual", "after"]].to_dict("records")
            ],
            "moves": [m.as_dict() for m in self.moves],
            "unfilled": [
                {"school_id": r["school_id"], "subject": r["subject"], "shortage": int(r["shortage"])}
                for r in self.unfilled.to_dict("records")
            ],
        }

    def summary(self) -> dict[str, Any]:
        by = {p: sum(1 for m in self.moves if m.phase == p) for p in PHASES}
        return {"allocation.moves": len(self.moves), **{f"allocation.{p}": n for p, n in by.items()}}

    def blocks(self) -> list[Block]:
        n = self.names
        rows: list[list[Value]] = [
            [
                m.teacher_id,
                n.get(m.from_school_id, m.from_school_id),
                Code("subject", m.from_subject),
                n.get(m.to_school_id, m.to_school_id),
                Code("subject", m.subject),
                PHASE_WORDS[m.phase],
                round(m.km, 1),
                m.why,
            ]
            for m in self.moves
        ]
        posts: list[list[Value]] = [
            [r.name, _num(r.norm), _num(r.floor), _num(r.posts), _num(r.actual), _num(r.after)]
            for r in self.posts.itertuples()
        ]
        short: list[list[Value]] = [
            [n.get(r.school_id, r.school_id), Code("subject", r.subject), int(r.shortage)]
            for r in self.unfilled.itertuples()
        ]
        # schools a reassignment took below their class floor (a school short before any move is not)
        below = [r for r in self.posts.itertuples() if r.after < r.actual - EPS and r.after < r.floor - EPS]
        findings = [
            Finding(
                "RT",
                Msg("no school is left below its class floor by a reassignment"),
                Num(len(below), "count"),
                "not_met" if below else "met",
                Msg(
                    "{moves} reassignments: {in_school} in the school, {cross} across schools, {assigned} assigned"
                    " by the bureau; {left} subject posts still short",
                    moves=len(self.moves),
                    in_school=sum(1 for m in self.moves if m.phase == "in_school"),
                    cross=sum(1 for m in self.moves if m.phase == "cross_school"),
                    assigned=sum(1 for m in self.moves if m.phase == "assignment"),
                    left=int(self.unfilled["shortage"].sum()) if len(self.unfilled) else 0,
                ),
            )
        ]
        return [
            Block(
                "teachers.allocation",
                Msg("County-managed school hiring: posts and reassignments"),
                "RT",
                paragraphs=[
                    Msg(
                        "Surplus teachers go first to a subject their own school is short of, then to a school"
                        " within {km} short of their subject, then where the bureau assigns them; the fewest"
                        " moves and the least travel, no school below its class floor or over its posts.",
                        km=Num(self.cross_km, "km", 0),
                    ),
                    basis_from(self.distance_basis).words(),
                ],
                findings=findings,
                tables=[
                    BlockTable(
                        Msg("Reassignments"),
                        [
                            BlockColumn("teacher", Msg("teacher")),
                            BlockColumn("from", Msg("from")),
                            BlockColumn("from_subject", Msg("subject")),
                            BlockColumn("to", Msg("to")),
                            BlockColumn("subject", Msg("new subject")),
                            BlockColumn("phase", Msg("phase")),
                            BlockColumn("km", Msg("km"), "km"),
                            BlockColumn("why", Msg("why")),
                        ],
                        rows,
                        clause="RT",
                    ),
                    BlockTable(
                        Msg("Posts per school"),
                        [
                            BlockColumn("school", Msg("school")),
                            BlockColumn("norm", Msg("norm")),
                            BlockColumn("floor", Msg("class floor")),
                            BlockColumn("posts", Msg("posts")),
                            BlockColumn("actual", Msg("actual")),
                            BlockColumn("after", Msg("after the moves")),
                        ],
                        posts,
                    ),
                    BlockTable(
                        Msg("Still short after the moves"),
                        [
                            BlockColumn("school", Msg("school")),
                            BlockColumn("subject", Msg("subject")),
                            BlockColumn("shortage", Msg("shortage"), "count"),
                        ],
                        short,
                    ),
                ],
            )
        ]


def divide_posts(schools: pd.DataFrame, available: float | None) -> pd.Series:
    """Posts per school: the norms, or (when `available` is short of them) the floors plus the rest in
    proportion to each norm's part above its floor, by largest remainders."""
    norm = schools["norm"].astype(float)
    floor = np.minimum(schools["floor"].astype(float), norm)
    if available is None or available >= norm.sum() - EPS:
        return norm
    rest = max(0.0, available - floor.sum())
    above = norm - floor
    if above.sum() <= EPS or rest <= EPS:
        return floor
    quota = above * rest / above.sum()
    base = np.floor(quota + EPS)
    left = round(float(rest - base.sum()))
    order = sorted(
        range(len(quota)), key=lambda i: (-(quota.iloc[i] - base.iloc[i]), str(schools["school_id"].iloc[i]))
    )
    extra = pd.Series(0.0, index=quota.index)
    for i in order[:left]:
        extra.iloc[i] = 1.0
    return floor + base + extra


def allocate(
    staffing: Staffing,
    teachers: pd.DataFrame,
    p: TeachersParams,
    public_only: bool = True,
    frames: Mapping[str, pd.DataFrame] | None = None,
    roads: RoadParams | None = None,
) -> Allocation:
    """The 县管校聘 plan on a staffing result and the year's teachers (RT; see the module's docstring);
    km between schools by road when `frames` (the census) holds a road network (with the road
    parameters `roads`, the packs': roads.travel.params_of; None: the defaults), else in a straight line."""
    schools = staffing.schools
    if public_only and "ownership" in schools.columns:
        schools = schools[schools["ownership"].fillna("public") == "public"]
    schools = schools[schools["norm"] > 0].reset_index(drop=True)
    quota = staffing.county.get("quota")
    available = None if quota is None else float(quota) - float(staffing.county.get("caregivers", 0.0))
    posts = divide_posts(schools, available)
    schools = schools.assign(posts=posts.to_numpy())
    sids = list(schools["school_id"])
    index = {s: i for i, s in enumerate(sids)}
    teach = teachers[teachers["school_id"].isin(index)]
    full = teach[teach["full_time"].astype(bool)] if "full_time" in teach.columns else teach
    ft_count = full.groupby(["school_id", "subject"]).size().to_dict()
    scale = {
        r.school_id: (r.posts / r.norm if r.norm else 0.0) for r in schools.itertuples()
    }  # a school's posts below its norm shrink its subject posts alike
    surplus: dict[tuple[str, str], int] = {}
    shortage: dict[tuple[str, str], int] = {}
    for r in staffing.subjects.itertuples():
        if r.school_id not in index:
            continue
        sub_posts = r.posts * scale[r.school_id]
        over = math.floor(r.actual - sub_posts + EPS)
        if over > 0:
            movable = min(over, int(ft_count.get((r.school_id, r.subject), 0)))
            if movable > 0:
                surplus[(r.school_id, r.subject)] = movable
        short = math.floor(sub_posts - r.actual + 0.5 + EPS)
        if short > 0:
            shortage[(r.school_id, r.subject)] = short
    actual = schools["actual"].to_numpy(float)
    give = np.maximum(0, np.floor(actual - np.maximum(schools["posts"], schools["floor"]).to_numpy(float) + EPS))
    take = np.maximum(0, np.floor(schools["posts"].to_numpy(float) - actual + 0.5 + EPS))
    km = haversine_km(
        schools["lat"].to_numpy(float)[:, None],
        schools["lon"].to_numpy(float)[:, None],
        schools["lat"].to_numpy(float)[None, :],
        schools["lon"].to_numpy(float)[None, :],
    )
    basis = STRAIGHT
    if frames is not None and network(frames, roads) is not None:  # by road (a pair no road joins: 999 km)
        where = schools[["name", "lat", "lon"]].astype({"name": str})  # the basis names far schools by name
        km, basis = located_distances(frames, where, where, roads)
        np.fill_diagonal(km, 0.0)  # a move within the school travels nothing
    km = np.nan_to_num(km, nan=NO_ROUTE_KM)
    stages = [_stages_of(st) for st in schools["stage"]]
    arcs = _arcs(surplus, shortage, index, km, stages, set(p.switch_subjects), p.cross_school_km)
    flows, status = _solve(arcs, surplus, shortage, give, take, index)
    moves = _moves(arcs, flows, full, schools, surplus, shortage, p)
    after = actual.copy()
    for m in moves:
        if m.from_school_id != m.to_school_id:
            after[index[m.from_school_id]] -= 1
            after[index[m.to_school_id]] += 1
    schools = schools.assign(after=after)
    left = dict(shortage)
    for m in moves:
        left[(m.to_school_id, m.subject)] -= 1
    unfilled = pd.DataFrame(
        [{"school_id": s, "subject": b, "shortage": n} for (s, b), n in sorted(left.items()) if n > 0],
        columns=["school_id", "subject", "shortage"],
    )
    return Allocation(
        staffing.year,
        schools[["school_id", "name", "norm", "floor", "posts", "actual", "after"]],
        moves,
        unfilled,
        status,
        dict(zip(staffing.schools["school_id"], staffing.schools["name"], strict=True)),
        p.cross_school_km,
        basis.as_dict(),
    )


# Arcs kept between schools: every one within cross_school_km; beyond, each surplus cell's and each
# shortage cell's NEAREST nearest partners (a teacher is not sent across the county past nearer
# schools short of the subject); another subject at another school, the SWITCH_NEAREST nearest.
NEAREST = 8
SWITCH_NEAREST = 3


def _nearest(d: np.ndarray, k: int) -> np.ndarray:
    """A mask of each row's and each column's k smallest entries (ties by position)."""
    keep = np.zeros(d.shape, dtype=bool)
    if d.size == 0:
        return keep
    rows = np.argsort(d, axis=1, kind="stable")[:, :k]
    keep[np.arange(d.shape[0])[:, None], rows] = True
    cols = np.argsort(d, axis=0, kind="stable")[:k, :]
    keep[cols, np.arange(d.shape[1])[None, :]] = True
    return keep


def _arcs(
    surplus: dict[tuple[str, str], int],
    shortage: dict[tuple[str, str], int],
    index: dict[str, int],
    km: np.ndarray,
    stages: list[set[str]],
    switch: set[str],
    radius: float,
) -> list[tuple[str, str, str, str, str, float, float]]:
    """The allowed moves (s, a, t, b, phase, km, cost) of the model (see the module's docstring)."""
    arcs: list[tuple[str, str, str, str, str, float, float]] = []
    for s, a in surplus:
        for b in sorted(switch - {a}):
            if (s, b) in shortage:
                arcs.append((s, a, s, b, "in_school", 0.0, PHASE_COST["in_school"]))
    src = list(surplus)
    for b in sorted({b for _t, b in shortage}):
        dst = [t for t, bb in shortage if bb == b]
        for same in (True, False):
            if not same and b not in switch:
                continue
            cells = [(s, a) for s, a in src if (a == b) == same]
            if not cells or not dst:
                continue
            i = np.array([index[s] for s, _a in cells])
            j = np.array([index[t] for t in dst])
            d = km[np.ix_(i, j)]
            ok = np.array([[bool(stages[x] & stages[y]) and x != y for y in j] for x in i])
            far = np.where(ok, d, np.inf)
            keep = ok & (((d <= radius + EPS) & same) | _nearest(far, NEAREST if same else SWITCH_NEAREST))
            for x, y in zip(*np.nonzero(keep), strict=True):
                (s, a), t, dist = cells[x], dst[y], float(d[x, y])
                if same:
                    phase = "cross_school" if dist <= radius + EPS else "assignment"
                    arcs.append((s, a, t, b, phase, dist, PHASE_COST[phase] + dist))
                else:
                    arcs.append((s, a, t, b, "assignment", dist, PHASE_COST["assignment"] + SWITCH_COST + dist))
    return arcs


def _stages_of(stage: str) -> set[str]:
    """The education stages a school of this type teaches (who may teach there)."""
    from countyedu.census.schema import GRADES_BY_STAGE
    from countyedu.census.vocabulary import stage_of_grade

    return {stage_of_grade(g) for g in GRADES_BY_STAGE.get(stage, ())} - {"kindergarten"} or {"kindergarten"}


def _solve(
    arcs: list[tuple[str, str, str, str, str, float, float]],
    surplus: dict[tuple[str, str], int],
    shortage: dict[tuple[str, str], int],
    give: np.ndarray,
    take: np.ndarray,
    index: dict[str, int],
) -> tuple[np.ndarray, str]:
    """Integer flows on the arcs (see the module's docstring), HiGHS through scipy.optimize.milp."""
    if not arcs:
        return np.zeros(0), "optimal"
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    out_rows = {k: i for i, k in enumerate(surplus)}
    in_rows = {k: len(out_rows) + i for i, k in enumerate(shortage)}
    base = len(out_rows) + len(in_rows)
    n_rows = base + 2 * len(index)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for k, (s, a, t, b, _phase, _d, _c) in enumerate(arcs):
        entries = [(out_rows[(s, a)], 1.0), (in_rows[(t, b)], 1.0)]
        if s != t:
            n = len(index)
            entries += [(base + index[s], 1.0), (base + index[t], -1.0)]  # gives
            entries += [(base + n + index[t], 1.0), (base + n + index[s], -1.0)]  # takes
        for r, v in entries:
            rows.append(r)
            cols.append(k)
            vals.append(v)
    a_mat = coo_matrix((vals, (rows, cols)), shape=(n_rows, len(arcs))).tocsr()
    upper = np.concatenate(
        [
            np.array([surplus[k] for k in out_rows], float),
            np.array([shortage[k] for k in in_rows], float),
            give.astype(float),
            take.astype(float),
        ]
    )
    cost = np.array([c - FILL_REWARD for *_x, c in arcs])
    res = milp(
        cost,
        constraints=LinearConstraint(a_mat, -np.inf, upper),
        integrality=np.ones(len(arcs)),
        bounds=Bounds(0, np.inf),
        options={"time_limit": 60},
    )
    if res.x is None:
        raise CountyEduError(Msg("the county-managed hiring allocation found no solution: {why}", why=str(res.message)))
    return np.round(res.x).astype(int), "optimal" if res.status == 0 else "time_limit"


def _moves(
    arcs: list[tuple[str, str, str, str, str, float, float]],
    flows: np.ndarray,
    full: pd.DataFrame,
    schools: pd.DataFrame,
    surplus: dict[tuple[str, str], int],
    shortage: dict[tuple[str, str], int],
    p: TeachersParams,
) -> list[Move]:
    """The teachers on the arcs' flows, longest at the school first, each with its reason."""
    names = dict(zip(schools["school_id"], schools["name"], strict=True))
    years = full["years_at_school"] if "years_at_school" in full.columns else pd.Series(0, index=full.index)
    ranked = full.assign(_y=pd.to_numeric(years).fillna(0)).sort_values(["_y", "teacher_id"], ascending=[False, True])
    queue: dict[tuple[str, str], list[str]] = {}
    for (sid, subject), g in ranked.groupby(["school_id", "subject"], sort=False):
        queue[(sid, subject)] = list(g["teacher_id"])
    order = sorted(range(len(arcs)), key=lambda k: (PHASES.index(arcs[k][4]), arcs[k][6], arcs[k][:4]))
    moves: list[Move] = []
    for k in order:
        s, a, t, b, phase, d, _c = arcs[k]
        for _ in range(int(flows[k]) if len(flows) else 0):
            teacher = queue[(s, a)].pop(0)
            facts = {
                "phase": PHASE_WORDS[phase],
                "from_school": names.get(s, s),
                "over": surplus[(s, a)],
                "subject": Code("subject", a),
                "short": shortage[(t, b)],
                "to_subject": Code("subject", b),
            }
            why = (
                Msg(
                    "{phase}: {from_school} has {over} more {subject} teachers than posts and is short of {short}"
                    " {to_subject} teachers",
                    **facts,
                )
                if s == t
                else Msg(
                    "{phase}: {from_school} has {over} more {subject} teachers than posts; {to_school} is short of"
                    " {short} {to_subject} teachers ({km} away)",
                    **facts,
                    to_school=names.get(t, t),
                    km=Num(d, "km", 1),
                )
            )
            moves.append(Move(teacher, s, t, a, b, phase, d, why))
    return moves


def part(ctx: Context) -> Allocation | None:
    """The run's allocation part, on its staffing part."""
    staffing = ctx.parts.get("staffing")
    if staffing is None:
        return None
    teachers = _frame(dict(ctx.frames), "teachers", staffing.year)
    if not len(teachers):
        return None
    return allocate(staffing, teachers, ctx.params, frames=ctx.frames, roads=params_of(ctx.packs))


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The allocation headline: moves by phase."""
    if "allocation.moves" not in s:
        return []
    return [
        f"县管校聘 / county-managed posts: 调配 {s['allocation.moves']} 人 moves "
        f"（校内 in-school {s['allocation.in_school']}，跨校 cross-school {s['allocation.cross_school']}，"
        f"统筹调剂 assigned {s['allocation.assignment']}）"
    ]

"""The independent checker of a responsible-inspector assignment (issue 15 item 2, 第34条, SV).

Written from the issue's rules alone, never from countyedu.supervision.assign: it reads the result
only through its JSON contract (item 8: ``{"inspectors": [{"inspector_id", "school_ids": [...],
"km"}], "unassigned": [...], "checks": [{"rule", "ok", "detail"}]}``), the schools and inspectors
registers as plain frames, and the distances (one way, inspector's base → school, km).

The rules checked (each violation names its rule, so a test can ask for the one it tampered with):

- ``register``: every inspector named is in the register (and not one who left), every school named
  is a school of the universe, no inspector is listed twice;
- ``coverage``: every school of the universe — public, private, kindergartens — has exactly one
  inspector; a school listed unassigned is a breach unless the result reports its coverage check as
  not ok; no school is both assigned and unassigned;
- ``load``: no inspector has more than ``max_load`` schools (about 5 each: the default is
  max(``per_inspector``, ⌈schools / inspectors⌉), a test may pass its own);
- ``zone``: no zone (the inspectors' ``zone`` column, or the ``zones`` mapping given) holds more than
  ``zone_max`` (20) schools;
- ``conflict``: no inspector is responsible for their own former school (``former_school_id``);
- ``travel``: each inspector's reported ``km`` is the sum of the distances from their base to their
  schools (within ``km_tolerance``), and the total is not below the least travel any assignment
  meeting the load, zone and conflict rules can reach (a min-cost flow solved here as a linear
  programme: schools → inspectors (≤ load) → zones (≤ zone_max), integral because the constraint
  matrix is a network matrix); with ``optimal=True`` the total must equal that least travel;
- ``honest``: a check the result reports ok is not one the checker finds broken (result rule names
  are matched to the checker's by the words above, e.g. "load", "zone", "conflict").

Distances: a ``distance`` frame (inspector_id, school_id, km) or callable (inspector_id, school_id) →
km when given; else great-circle km from the inspector's ``lat``/``lon`` (or ``base_lat``/``base_lon``)
to the school's ``lat``/``lon``.

Reassignment (``check_reassignment``): after inspectors leave, the leavers have no school, the result
passes every rule above, and no school of a staying inspector moves when the leavers' schools (and
any school without an inspector before) could all be placed in the others' free places (checked here
by a max flow) — "others' schools kept where possible".
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

EARTH_KM = 6371.0088
RULES = ("register", "coverage", "load", "zone", "conflict", "travel", "honest")
# words a result's own check may use for each rule (its rule names are its own)
RULE_WORDS = {
    "coverage": ("coverage", "cover", "every", "unassigned", "each_school", "one_inspector"),
    "load": ("load", "capacity", "per_inspector", "max_schools"),
    "zone": ("zone",),
    "conflict": ("conflict", "former", "own_school"),
    "travel": ("travel", "km", "distance"),
}


@dataclass(frozen=True)
class Violation:
    rule: str
    subject: str | None
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.subject or ''} {self.detail}".replace("  ", " ")


@dataclass(frozen=True)
class Report:
    """What the checker found: the violations, the travel it recomputed and the least travel."""

    violations: tuple[Violation, ...]
    total_km: float
    least_km: float | None

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


def _km_haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _distance_fn(
    distance: pd.DataFrame | Callable[[str, str], float] | None, schools: pd.DataFrame, inspectors: pd.DataFrame
) -> Callable[[str, str], float]:
    if callable(distance):
        return distance
    if distance is not None:
        table = {(str(r.inspector_id), str(r.school_id)): float(r.km) for r in distance.itertuples()}
        return lambda i, s: table[(i, s)]
    where = {str(r.school_id): (float(r.lat), float(r.lon)) for r in schools.itertuples()}
    lat_col, lon_col = ("lat", "lon") if "lat" in inspectors.columns else ("base_lat", "base_lon")
    base = {str(r["inspector_id"]): (float(r[lat_col]), float(r[lon_col])) for _, r in inspectors.iterrows()}
    return lambda i, s: _km_haversine(*base[i], *where[s])


def _zones(inspectors: pd.DataFrame, zones: Mapping[str, str] | None) -> dict[str, str]:
    if zones is not None:
        return {str(k): str(v) for k, v in zones.items()}
    col = next((c for c in ("zone", "zone_id") if c in inspectors.columns), None)
    if col is None:
        return {}
    return {str(r["inspector_id"]): str(r[col]) for _, r in inspectors.iterrows() if pd.notna(r[col])}


def _former(inspectors: pd.DataFrame) -> dict[str, str]:
    if "former_school_id" not in inspectors.columns:
        return {}
    return {
        str(r["inspector_id"]): str(r["former_school_id"])
        for _, r in inspectors.iterrows()
        if pd.notna(r["former_school_id"]) and str(r["former_school_id"])
    }


def _reported_not_ok(result: Mapping[str, Any], rule: str) -> bool:
    words = RULE_WORDS.get(rule, (rule,))
    return any(
        not c.get("ok") and any(w in str(c.get("rule", "")).lower() for w in words) for c in result.get("checks") or ()
    )


def _reported_ok(result: Mapping[str, Any], rule: str) -> bool:
    words = RULE_WORDS.get(rule, (rule,))
    return any(
        c.get("ok") and any(w in str(c.get("rule", "")).lower() for w in words) for c in result.get("checks") or ()
    )


def least_travel(
    school_ids: list[str],
    inspector_ids: list[str],
    km: Callable[[str, str], float],
    max_load: int | Mapping[str, int],
    zone_of: Mapping[str, str],
    zone_max: int,
    former: Mapping[str, str],
) -> float | None:
    """The least total km over assignments of every school to one inspector within the load, zone and
    conflict rules (a network LP, integral at its optimum); None when no such assignment exists."""
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    pairs = [(s, i) for s in school_ids for i in inspector_ids if former.get(i) != s]
    if not pairs:
        return None if school_ids else 0.0
    cost = np.array([km(i, s) for s, i in pairs])
    s_row = {s: k for k, s in enumerate(school_ids)}
    a_eq = lil_matrix((len(school_ids), len(pairs)))
    zone_list = sorted(set(zone_of.get(i) for i in inspector_ids if zone_of.get(i) is not None))
    i_row = {i: k for k, i in enumerate(inspector_ids)}
    z_row = {z: len(inspector_ids) + k for k, z in enumerate(zone_list)}
    a_ub = lil_matrix((len(inspector_ids) + len(zone_list), len(pairs)))
    for k, (s, i) in enumerate(pairs):
        a_eq[s_row[s], k] = 1
        a_ub[i_row[i], k] = 1
        if zone_of.get(i) is not None:
            a_ub[z_row[zone_of[i]], k] = 1
    caps = [max_load[i] if isinstance(max_load, Mapping) else max_load for i in inspector_ids]
    b_ub = np.array(caps + [zone_max] * len(zone_list), dtype=float)
    res = linprog(cost, A_ub=a_ub.tocsr(), b_ub=b_ub, A_eq=a_eq.tocsr(), b_eq=np.ones(len(school_ids)), method="highs")
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"the checker's own LP did not solve: {res.message}")
    return float(res.fun)


def check(
    result: Mapping[str, Any],
    schools: pd.DataFrame,
    inspectors: pd.DataFrame,
    *,
    distance: pd.DataFrame | Callable[[str, str], float] | None = None,
    per_inspector: int = 5,
    max_load: int | Mapping[str, int] | None = None,
    zone_max: int = 20,
    zones: Mapping[str, str] | None = None,
    left: Iterable[str] = (),
    optimal: bool = False,
    km_tolerance: float = 0.05,
) -> Report:
    """Every rule of the module docstring on one assignment result (its JSON contract)."""
    out: list[Violation] = []
    universe = [str(s) for s in schools["school_id"]]
    known_schools = set(universe)
    gone = {str(x) for x in left}
    register = [str(i) for i in inspectors["inspector_id"] if str(i) not in gone]
    known_insp = set(register)
    rows = list(result.get("inspectors") or [])
    names = Counter(str(r.get("inspector_id")) for r in rows)
    for iid, n in names.items():
        if n > 1:
            out.append(Violation("register", iid, f"listed {n} times"))
        if iid not in known_insp:
            why = "has left" if iid in gone else "is not in the inspectors register"
            out.append(Violation("register", iid, why))
    held: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        for s in r.get("school_ids") or ():
            held[str(s)].append(str(r.get("inspector_id")))
    unassigned = {str(s) for s in result.get("unassigned") or ()}
    for s in sorted(set(held) | unassigned):
        if s not in known_schools:
            out.append(Violation("register", s, "is not a school of the register"))
    for s in universe:
        n = len(held.get(s, ()))
        if n > 1:
            out.append(Violation("coverage", s, f"has {n} inspectors: {', '.join(held[s])}"))
        elif n == 1 and s in unassigned:
            out.append(Violation("coverage", s, "is both assigned and listed unassigned"))
        elif n == 0 and s not in unassigned:
            out.append(Violation("coverage", s, "has no inspector and is not listed unassigned"))
        elif n == 0 and not _reported_not_ok(result, "coverage"):
            out.append(Violation("coverage", s, "is unassigned while the result reports coverage ok"))
    n_insp = max(1, len(register))
    cap: int | Mapping[str, int] = (
        max_load if max_load is not None else max(per_inspector, math.ceil(len(universe) / n_insp))
    )
    loads = {str(r.get("inspector_id")): len(r.get("school_ids") or ()) for r in rows}
    for iid, n in loads.items():
        limit = cap.get(iid, per_inspector) if isinstance(cap, Mapping) else cap
        if n > limit:
            out.append(Violation("load", iid, f"{n} schools, more than {limit}"))
    zone_of = _zones(inspectors, zones)
    per_zone: Counter[str] = Counter()
    for iid, n in loads.items():
        if iid in zone_of:
            per_zone[zone_of[iid]] += n
    for z, n in sorted(per_zone.items()):
        if n > zone_max:
            out.append(Violation("zone", z, f"{n} schools, more than {zone_max}"))
    former = _former(inspectors)
    for r in rows:
        iid = str(r.get("inspector_id"))
        if former.get(iid) in {str(s) for s in r.get("school_ids") or ()}:
            out.append(Violation("conflict", iid, f"is responsible for their former school {former[iid]}"))
    km = _distance_fn(distance, schools, inspectors)
    total = 0.0
    for r in rows:
        iid = str(r.get("inspector_id"))
        if iid not in known_insp:
            continue
        mine = [str(s) for s in r.get("school_ids") or () if str(s) in known_schools]
        real = sum(km(iid, s) for s in mine)
        total += real
        said = r.get("km")
        if said is None or abs(float(said) - real) > km_tolerance + 1e-6 * real:
            out.append(Violation("travel", iid, f"reports {said} km, its schools are {real:.3f} km away"))
    least = None
    if not {"coverage", "register"} & {v.rule for v in out}:
        # the least travel of the schools it assigned (an unassigned school, reported, costs nothing)
        placed = [s for s in universe if s not in unassigned]
        least = least_travel(placed, register, km, cap, zone_of, zone_max, former)
        if least is not None and total < least - km_tolerance:
            out.append(Violation("travel", None, f"total {total:.3f} km is below the least possible {least:.3f}"))
        if optimal and least is not None and total > least + km_tolerance:
            out.append(Violation("travel", None, f"total {total:.3f} km, the least possible is {least:.3f}"))
    for rule in ("coverage", "load", "zone", "conflict", "travel"):
        if any(v.rule == rule for v in out) and _reported_ok(result, rule) and not _reported_not_ok(result, rule):
            out.append(Violation("honest", rule, "the result reports this rule ok"))
    return Report(tuple(out), total, least)


def check_reassignment(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    leavers: str | Iterable[str],
    schools: pd.DataFrame,
    inspectors: pd.DataFrame,
    **kw: Any,
) -> Report:
    """The rules on `after` with the `leavers` gone, and others' schools kept where the leavers' schools
    (and any school without an inspector before) fit in the others' free places (load, zone, conflict)."""
    gone = {str(leavers)} if isinstance(leavers, str) else {str(x) for x in leavers}
    left = {str(x) for x in kw.pop("left", ())} | gone
    rep = check(after, schools, inspectors, left=left, **kw)
    out = list(rep.violations)
    old = {str(s): str(r["inspector_id"]) for r in before.get("inspectors") or () for s in r.get("school_ids") or ()}
    new = {str(s): str(r["inspector_id"]) for r in after.get("inspectors") or () for s in r.get("school_ids") or ()}
    stay_old = {s: i for s, i in old.items() if i not in left}
    orphans = [str(s) for s in schools["school_id"] if str(s) not in stay_old]
    moved = sorted(s for s, i in stay_old.items() if new.get(s) not in (None, i))
    if moved and _fits(orphans, stay_old, schools, inspectors, left, kw):
        out.append(
            Violation("kept", None, f"schools {', '.join(moved)} changed inspector though the leavers' schools fit")
        )
    return Report(tuple(out), rep.total_km, rep.least_km)


def _fits(
    orphans: list[str],
    old: Mapping[str, str],
    schools: pd.DataFrame,
    inspectors: pd.DataFrame,
    left: set[str],
    kw: Mapping[str, Any],
) -> bool:
    """Whether every orphan school fits a staying inspector's free places without moving anyone (max
    flow: orphan → inspector (free load) → zone (free zone places))."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    stay = [str(i) for i in inspectors["inspector_id"] if str(i) not in left]
    n_univ = len(schools)
    cap = kw.get("max_load")
    if cap is None:
        cap = max(kw.get("per_inspector", 5), math.ceil(n_univ / max(1, len(stay))))
    load = Counter(old.values())
    zone_of = _zones(inspectors, kw.get("zones"))
    zone_max = kw.get("zone_max", 20)
    zone_load: Counter[str] = Counter()
    for i, n in load.items():
        if i in zone_of:
            zone_load[zone_of[i]] += n
    former = _former(inspectors)
    zlist = sorted({zone_of.get(i, f"_{i}") for i in stay})
    # nodes: 0 source, orphans, inspectors, zones, sink
    o0, i0 = 1, 1 + len(orphans)
    z0 = i0 + len(stay)
    sink = z0 + len(zlist)
    edges: dict[tuple[int, int], int] = {}
    for k, s in enumerate(orphans):
        edges[(0, o0 + k)] = 1
        for j, i in enumerate(stay):
            if former.get(i) != s:
                edges[(o0 + k, i0 + j)] = 1
    for j, i in enumerate(stay):
        limit = cap.get(i, kw.get("per_inspector", 5)) if isinstance(cap, Mapping) else cap
        edges[(i0 + j, z0 + zlist.index(zone_of.get(i, f"_{i}")))] = max(0, int(limit) - load.get(i, 0))
    for k, z in enumerate(zlist):
        free = zone_max - zone_load.get(z, 0) if not z.startswith("_") else len(orphans)
        edges[(z0 + k, sink)] = max(0, int(free))
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    graph = csr_matrix((np.array(list(edges.values()), dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return bool(maximum_flow(graph, 0, sink).flow_value == len(orphans))


def assert_passes(result: Mapping[str, Any], schools: pd.DataFrame, inspectors: pd.DataFrame, **kw: Any) -> Report:
    """Fail with every violation listed unless the assignment passes the checker."""
    rep = check(result, schools, inspectors, **kw)
    assert not rep.violations, "assignment fails the independent checker:\n" + "\n".join(map(str, rep.violations))
    return rep

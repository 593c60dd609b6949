"""The demo county's road network (synthetic, issue 17): what `countyedu roads import` would store for
a hilly county, so that planning's road distances differ from the straight line where they should.

- G206 (national road, 国道) runs north–south through 白舍、琴城、太和 and 洽湾 along the 盱江 valley;
- county roads (县道) join the other township seats to the nearest seat already on the network (a
  shortest-link tree of the seats): a village across a ridge reaches the next township's school only
  through the seats;
- in each township, township and village roads (乡道、村道) join every village to the seat or to the
  village nearest to it (a tree grown from the seat), streets (街巷) join 琴城镇's urban communities;
- each school joins the nearest community of its township by a short street or village road.

A segment is longer than the straight line between its ends by a winding factor drawn per class
(valley roads 1.1–1.3, village roads 1.2–1.8, and one village road in six crosses a hill at 2–3×,
as the issue's "4 km in a straight line, 12 km by road"). Drawn from its own generator (seed +
ROADS_SEED_OFFSET), after everything else: the other sheets stay as they were.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from countyedu.census.demo.county import TOWNSHIPS, URBAN_TOWNSHIP
from countyedu.planning.geo import haversine_km

ROADS_SEED_OFFSET = 1700
TRUNK = ("NF03", "NF01", "NF02", "NF05")  # G206 north → south
WINDING = {
    "trunk": (1.10, 1.25),
    "secondary": (1.30, 1.70),
    "tertiary": (1.20, 1.60),
    "unclassified": (1.20, 1.80),
    "residential": (1.05, 1.30),
}
HILL_SHARE, HILL_WINDING = 1 / 6, (2.0, 3.0)


def _road_rows(seed: int, communities: list[dict[str, Any]], schools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the `roads` sheet for the demo county (see the module's docstring)."""
    rng = np.random.default_rng(seed + ROADS_SEED_OFFSET)
    rows: list[dict[str, Any]] = []

    def road(a: tuple[float, float], b: tuple[float, float], cls: str, name: str | None = None) -> None:
        if a == b:
            return
        lo, hi = WINDING[cls]
        factor = lo + (hi - lo) * rng.random()
        if cls in ("unclassified", "tertiary") and rng.random() < HILL_SHARE:
            factor = HILL_WINDING[0] + (HILL_WINDING[1] - HILL_WINDING[0]) * rng.random()
        straight = float(haversine_km(a[0], a[1], b[0], b[1]))
        rows.append(
            {
                "road_id": f"R{len(rows) + 1:05d}",
                "from_lat": a[0],
                "from_lon": a[1],
                "to_lat": b[0],
                "to_lon": b[1],
                "km": round(max(straight * factor, 0.05), 3),
                "road_class": cls,
                "max_kmh": None,
                "name": name,
            }
        )

    seat = {t[0]: (t[4], t[5]) for t in TOWNSHIPS}
    for a, b in itertools.pairwise(TRUNK):
        road(seat[a], seat[b], "trunk", "G206")
    joined = list(TRUNK)
    rest = [t for t in seat if t not in joined]
    county_road = 1
    while rest:  # the seat nearest to the network joins it at its nearest seat
        best = min(((float(haversine_km(*seat[r], *seat[j])), r, j) for r in rest for j in joined), key=lambda x: x[0])
        _, r, j = best
        road(seat[j], seat[r], "secondary", f"X{county_road:03d}")
        county_road += 1
        joined.append(r)
        rest.remove(r)
    for tid in seat:
        places = [(float(c["lat"]), float(c["lon"]), str(c["kind"])) for c in communities if c["township_id"] == tid]
        tree = [seat[tid]]
        left = [(p[0], p[1]) for p in places]
        urban = {(p[0], p[1]) for p in places if p[2] == "urban_community" and tid == URBAN_TOWNSHIP}
        while left:
            d = haversine_km(
                np.array([p[0] for p in left])[:, None],
                np.array([p[1] for p in left])[:, None],
                np.array([t[0] for t in tree])[None, :],
                np.array([t[1] for t in tree])[None, :],
            )
            li, ti = np.unravel_index(int(np.argmin(d)), d.shape)
            p, q = left.pop(int(li)), tree[int(ti)]
            cls = "residential" if p in urban else ("tertiary" if q == seat[tid] else "unclassified")
            road(q, p, cls)
            tree.append(p)
    _loops(road, rng, communities)
    for s in schools:
        if s.get("lat") is None or s.get("lon") is None:
            continue
        at = (float(s["lat"]), float(s["lon"]))
        mine = [(float(c["lat"]), float(c["lon"])) for c in communities if c["township_id"] == s["township_id"]]
        mine = mine or [seat[str(s["township_id"])]]
        d = haversine_km(at[0], at[1], np.array([m[0] for m in mine]), np.array([m[1] for m in mine]))
        near = mine[int(np.argmin(d))]
        road(near, at, "residential" if str(s["township_id"]) == URBAN_TOWNSHIP else "unclassified")
    return rows


LOOP_SHARE = 0.5  # villages with a second road (to the nearest place other than the one they hang from)
CROSS_KM = 3.0  # villages this close to a village of another township share a road with it (one in two)


def _loops(road: Any, rng: np.random.Generator, communities: list[dict[str, Any]]) -> None:
    """Second roads: real village networks have loops, and roads across township borders."""
    lat = np.array([float(c["lat"]) for c in communities])
    lon = np.array([float(c["lon"]) for c in communities])
    town = np.array([str(c["township_id"]) for c in communities])
    d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(d, np.inf)
    done: set[tuple[int, int]] = set()
    for i in range(len(communities)):
        same = np.where(town == town[i], d[i], np.inf)
        other = np.where(town != town[i], d[i], np.inf)
        picks = []
        if rng.random() < LOOP_SHARE and np.isfinite(same).sum() >= 2:
            picks.append(int(np.argsort(same)[1]))  # the second nearest of its township
        j = int(np.argmin(other))
        if other[j] <= CROSS_KM and rng.random() < 0.5:
            picks.append(j)
        for j in picks:
            key = (min(i, j), max(i, j))
            if key not in done:
                done.add(key)
                road((lat[i], lon[i]), (lat[j], lon[j]), "unclassified")

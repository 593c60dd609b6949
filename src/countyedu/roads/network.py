"""The road graph: junctions and road segments of the census's `roads` sheet, points snapped to it, and
many-to-many shortest paths (scipy.sparse.csgraph's Dijkstra) in km and minutes per mode.

A segment joins two junctions given by their coordinates (rounded to 1e-6 degree, about 0.1 m, so
segments that meet share a junction). The graph is undirected: pupils and buses travel both ways.

A point (community, school, site) is snapped onto its nearest road *segment*: projected onto the
straight line between the segment's junctions (in a local plane around the network's mean latitude),
and the segment is split there, each part keeping its share of the segment's km (a road winding 1.4×
winds 1.4× on both sides of the point) and its class and speed limit. The leg from the point to the
road is a straight line walked at `access_kmh` and counted in both km and minutes. A point farther
than `snap_km` from every segment is reported (`Snap.far`) and still travels that leg.

Three searches give a pair's figures: the shortest route in km (`km`), the fastest route on the
roads a pupil may walk (`walk` minutes) and the fastest route on the roads a bus may drive (`bus`
minutes). A pair with no route (another component, or roads the mode may not use) is NaN: not
travelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.planning.geo import haversine_km
from countyedu.roads.params import Mode, RoadParams

EDGE_COLUMNS = ("road_id", "from_lat", "from_lon", "to_lat", "to_lon", "km", "road_class", "max_kmh", "name")
KM_PER_DEG_LAT = 111.195  # on the IUGG mean sphere (planning.geo): for the snapping plane only
SAMPLE_KM = 1.0  # the snapping index holds a point at least every this many km along each segment
END_KM = 1e-6  # a projection within a millimetre of a junction is the junction


@dataclass(frozen=True)
class Snap:
    """Where each point joins the network: the segment it is projected on, the fraction of the way
    from the segment's first junction, its node in the split graph (a junction's index when it lands
    on one, else one past the junctions) and the straight leg to the road (km)."""

    node: np.ndarray  # node per point in the graph split at the points (`RoadNetwork.split`)
    leg_km: np.ndarray  # straight-line km from the point to the road
    far: np.ndarray  # bool: farther than the snapping limit
    edge: np.ndarray  # segment index per point (-1: none, no point)
    at: np.ndarray  # fraction along that segment from its `from` junction (0 or 1: on a junction)


@dataclass(frozen=True)
class Travel:
    """Origins × destinations: km of the shortest route and minutes per mode (NaN: no route)."""

    km: np.ndarray
    minutes: dict[str, np.ndarray]
    origin_snap: Snap
    destination_snap: Snap


@dataclass(frozen=True)
class Split:
    """The segments after cutting them at snapped points: ends, km and the original segment of each."""

    a: np.ndarray
    b: np.ndarray
    km: np.ndarray
    parent: np.ndarray
    n_nodes: int


@dataclass
class RoadNetwork:
    """The road graph of an edges table (the `roads` sheet's columns)."""

    edges: pd.DataFrame
    params: RoadParams = field(default_factory=lambda: RoadParams())

    def __post_init__(self) -> None:
        missing = [c for c in EDGE_COLUMNS[:7] if c not in self.edges.columns]
        if missing:
            raise CountyEduError(Msg("the road network lacks column(s) {columns}", columns=tuple(missing)))
        if self.edges.empty:
            raise CountyEduError(Msg("the road network has no road segments"))
        e = self.edges
        lat = np.concatenate([e["from_lat"].to_numpy(float), e["to_lat"].to_numpy(float)])
        lon = np.concatenate([e["from_lon"].to_numpy(float), e["to_lon"].to_numpy(float)])
        # one int64 per junction (micro-degrees, lat above lon): a 1-D unique, not a row-wise one
        key = (np.round(lat * 1e6).astype(np.int64) + 90_000_000) << 30 | (
            np.round(lon * 1e6).astype(np.int64) + 180_000_000
        )
        uniq, inverse = np.unique(key, return_inverse=True)
        self.node_latlon = np.column_stack(
            [((uniq >> 30) - 90_000_000) / 1e6, ((uniq & ((1 << 30) - 1)) - 180_000_000) / 1e6]
        )
        m = len(e)
        self.edge_from = inverse.reshape(-1)[:m]
        self.edge_to = inverse.reshape(-1)[m:]
        self.edge_km = e["km"].to_numpy(float)
        self.edge_class = e["road_class"].astype(str).to_numpy()
        limit = pd.to_numeric(e["max_kmh"], errors="coerce") if "max_kmh" in e.columns else None
        self.edge_limit = limit.to_numpy(float) if limit is not None else np.full(m, np.nan)

    @property
    def n_nodes(self) -> int:
        return len(self.node_latlon)

    @property
    def n_edges(self) -> int:
        return len(self.edges)

    @cached_property
    def components(self) -> tuple[int, np.ndarray]:
        """(number of connected parts, the part of each junction)."""
        whole = Split(self.edge_from, self.edge_to, self.edge_km, np.arange(self.n_edges), self.n_nodes)
        n, labels = connected_components(self._graph(whole, self.edge_km), directed=False)
        return int(n), labels

    def speed(self, mode: Mode) -> np.ndarray:
        """km/h on each segment for a mode (NaN: the mode may not use it); a speed limit caps the class's."""
        table = self.params.speeds(mode)
        classes, inverse = np.unique(self.edge_class, return_inverse=True)
        v = np.array([table.get(c, np.nan) for c in classes], dtype=float)[inverse.reshape(-1)]
        return np.where(np.isnan(self.edge_limit), v, np.fmin(v, self.edge_limit))

    def _graph(self, split: Split, per_km: np.ndarray) -> csr_matrix:
        """The symmetric sparse graph of the usable parts (finite weight: km × the parent's `per_km`),
        the lightest of parallel ones."""
        w = split.km * per_km[split.parent]
        ok = np.isfinite(w) & (split.a != split.b)
        a, b = np.minimum(split.a, split.b)[ok], np.maximum(split.a, split.b)[ok]
        # csgraph reads an explicit 0 as "no edge": a zero-length segment weighs a millimetre
        w = np.maximum(w[ok], 1e-6)
        n = split.n_nodes
        key = a.astype(np.int64) * n + b
        order = np.lexsort((w, key))
        first = np.ones(len(order), bool)
        first[1:] = key[order][1:] != key[order][:-1]
        keep = order[first]
        a, b, w = a[keep], b[keep], w[keep]
        # both directions stored: a directed search on it is the undirected one, and faster
        return csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))

    def _plane(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Local equirectangular km around the network's mean latitude (for snapping)."""
        c = np.cos(np.radians(float(self.node_latlon[:, 0].mean())))
        return np.column_stack([np.asarray(lat, float) * KM_PER_DEG_LAT, np.asarray(lon, float) * KM_PER_DEG_LAT * c])

    def _unplane(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = np.cos(np.radians(float(self.node_latlon[:, 0].mean())))
        return xy[:, 0] / KM_PER_DEG_LAT, xy[:, 1] / (KM_PER_DEG_LAT * c)

    @cached_property
    def _chords(self) -> tuple[np.ndarray, np.ndarray]:
        """Each segment's ends in the plane (the straight line a point is projected on)."""
        xy = self._plane(self.node_latlon[:, 0], self.node_latlon[:, 1])
        return xy[self.edge_from], xy[self.edge_to]

    @cached_property
    def _samples(self) -> tuple[cKDTree, np.ndarray]:
        """Points along every segment's line, at most SAMPLE_KM apart, and the segment of each: the
        segment nearest a point has a sample within (its distance + SAMPLE_KM / 2) of the point."""
        p, q = self._chords
        pieces = np.maximum(np.ceil(np.hypot(*(q - p).T) / SAMPLE_KM).astype(np.int64), 1)
        seg = np.repeat(np.arange(self.n_edges), pieces + 1)
        start = np.repeat(np.cumsum(pieces + 1) - (pieces + 1), pieces + 1)
        frac = (np.arange(len(seg)) - start) / pieces[seg]
        xy = p[seg] + (q[seg] - p[seg]) * frac[:, None]
        return cKDTree(xy), seg

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> Snap:
        """Each point projected onto its nearest segment, the straight leg to it and whether it is
        beyond `snap_km`; `node` numbers the points inside segments one past the junctions in order."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        n = len(lat)
        if n == 0:
            return Snap(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0))
        xy = self._plane(lat, lon)
        tree, seg = self._samples
        bound, _ = tree.query(xy)  # a sample lies on its segment: the nearest segment is no farther
        found = tree.query_ball_point(xy, np.asarray(bound) + SAMPLE_KM / 2 + 1e-9, return_sorted=False)
        sizes = np.fromiter((len(f) for f in found), np.int64, n)
        who = np.repeat(np.arange(n), sizes)
        cand = seg[np.concatenate([np.asarray(f, np.int64) for f in found])]
        pair = np.unique(who * self.n_edges + cand)  # each (point, segment) once
        who, cand = pair // self.n_edges, pair % self.n_edges
        p, q = self._chords
        d = q[cand] - p[cand]
        length2 = (d**2).sum(axis=1)
        t = np.where(length2 > 0, ((xy[who] - p[cand]) * d).sum(axis=1) / np.where(length2 > 0, length2, 1), 0.0)
        t = np.clip(t, 0.0, 1.0)
        foot = p[cand] + d * t[:, None]
        gap = np.hypot(*(xy[who] - foot).T)
        # the nearest segment of each point (ties: the lowest segment index, as the table's order)
        order = np.lexsort((cand, gap, who))
        first = order[np.r_[True, who[order][1:] != who[order][:-1]]]
        edge, at = cand[first], t[first]
        chord = np.sqrt(length2[first])
        at = np.where(at * chord < END_KM, 0.0, np.where((1 - at) * chord < END_KM, 1.0, at))
        flat, flon = self._unplane(foot[first])
        on_end = (at == 0.0) | (at == 1.0)
        end_node = np.where(at == 0.0, self.edge_from[edge], self.edge_to[edge])
        flat = np.where(on_end, self.node_latlon[end_node, 0], flat)
        flon = np.where(on_end, self.node_latlon[end_node, 1], flon)
        leg = haversine_km(lat, lon, flat, flon)
        node = np.where(on_end, end_node, -1)
        return Snap(node.astype(np.int64), leg, leg > self.params.snap_km, edge.astype(np.int64), at)

    def split(self, *snaps: Snap) -> tuple[Split, list[np.ndarray]]:
        """The segments cut at every point inside one (points at the same place share a node), and each
        snap's node in that graph."""
        edge = np.concatenate([s.edge for s in snaps])
        at = np.concatenate([s.at for s in snaps])
        node = np.concatenate([s.node for s in snaps])
        inside = node < 0
        whole = Split(self.edge_from, self.edge_to, self.edge_km, np.arange(self.n_edges), self.n_nodes)
        if not inside.any():
            return whole, [s.node for s in snaps]
        cut = pd.DataFrame({"edge": edge[inside], "at": at[inside]})
        places = cut.drop_duplicates().sort_values(["edge", "at"]).reset_index(drop=True)
        places["node"] = self.n_nodes + np.arange(len(places))
        node = node.copy()
        node[inside] = cut.merge(places, on=["edge", "at"], how="left")["node"].to_numpy()
        e, t, v = places["edge"].to_numpy(), places["at"].to_numpy(float), places["node"].to_numpy()
        start = np.r_[True, e[1:] != e[:-1]]
        last = np.r_[e[1:] != e[:-1], True]
        prev_node = np.where(start, self.edge_from[e], np.r_[0, v[:-1]])
        prev_t = np.where(start, 0.0, np.r_[0.0, t[:-1]])
        kept = np.ones(self.n_edges, bool)
        kept[e] = False
        km = self.edge_km
        a = np.concatenate([self.edge_from[kept], prev_node, v[last]])
        b = np.concatenate([self.edge_to[kept], v, self.edge_to[e[last]]])
        parts = np.concatenate([km[kept], (t - prev_t) * km[e], (1 - t[last]) * km[e[last]]])
        parent = np.concatenate([np.nonzero(kept)[0], e, e[last]])
        out, k = [], 0
        for s in snaps:
            out.append(node[k : k + len(s.node)])
            k += len(s.node)
        return Split(a, b, parts, parent, self.n_nodes + len(places)), out

    def travel(self, origins: pd.DataFrame, destinations: pd.DataFrame) -> Travel:
        """km and minutes (walk, bus) from every origin row to every destination row (both with lat, lon)."""
        so = self.snap(origins["lat"].to_numpy(float), origins["lon"].to_numpy(float))
        sd = self.snap(destinations["lat"].to_numpy(float), destinations["lon"].to_numpy(float))
        split, (on, dn) = self.split(so, sd)
        leg = so.leg_km[:, None] + sd.leg_km[None, :]
        road_km = self._between(split, np.ones(self.n_edges), on, dn)
        minutes: dict[str, np.ndarray] = {}
        for mode in ("walk", "bus"):
            v = self.speed(mode)  # type: ignore[arg-type]
            if np.isfinite(v).all() and np.ptp(v) == 0:  # one speed on every road: the shortest route is the fastest
                hours = road_km / float(v[0])
            else:
                hours = self._between(split, 1.0 / v, on, dn)
            minutes[mode] = (hours + leg / self.params.access_kmh) * 60.0
        return Travel(road_km + leg, minutes, so, sd)

    def _between(self, split: Split, per_km: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Shortest path weights between nodes a[i] and b[j] (NaN where no path), searching from the
        smaller side (the graph is undirected)."""
        if len(a) == 0 or len(b) == 0:
            return np.zeros((len(a), len(b)))
        g = self._graph(split, per_km)
        ua, ia = np.unique(a, return_inverse=True)
        ub, ib = np.unique(b, return_inverse=True)
        if len(ua) <= len(ub):
            d = dijkstra(g, directed=True, indices=ua)[:, ub]
        else:
            d = dijkstra(g, directed=True, indices=ub)[:, ua].T
        out = d[ia.reshape(-1)][:, ib.reshape(-1)]
        return np.where(np.isinf(out), np.nan, out)

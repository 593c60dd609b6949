"""The road graph: junctions and road segments of the census's `roads` sheet, points snapped to it, and
many-to-many shortest paths (scipy.sparse.csgraph's Dijkstra) in km and minutes per mode.

A segment joins two junctions given by their coordinates (rounded to 1e-6 degree, about 0.1 m, so
segments that meet share a junction). The graph is undirected: pupils and buses travel both ways.
A point (community, school, site) is snapped to its nearest junction; the leg from the point to it
is a straight line walked at `access_kmh` and counted in both km and minutes. A point farther than
`snap_km` from every junction is reported (`RoadNetwork.snap`) and still travels that leg.

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
KM_PER_DEG_LAT = 111.195  # on the IUGG mean sphere (planning.geo): for the snapping index only


@dataclass(frozen=True)
class Snap:
    """Where each point joins the network: its junction and the straight leg to it (km)."""

    node: np.ndarray  # junction index per point
    leg_km: np.ndarray  # straight-line km from the point to that junction
    far: np.ndarray  # bool: farther than the snapping limit


@dataclass(frozen=True)
class Travel:
    """Origins × destinations: km of the shortest route and minutes per mode (NaN: no route)."""

    km: np.ndarray
    minutes: dict[str, np.ndarray]
    origin_snap: Snap
    destination_snap: Snap


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
        ends = np.vstack(
            [
                e[["from_lat", "from_lon"]].to_numpy(float),
                e[["to_lat", "to_lon"]].to_numpy(float),
            ]
        )
        keys = np.round(ends * 1e6).astype(np.int64)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        self.node_latlon = uniq.astype(float) / 1e6
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
        n, labels = connected_components(self._graph(self.edge_km), directed=False)
        return int(n), labels

    def speed(self, mode: Mode) -> np.ndarray:
        """km/h on each segment for a mode (NaN: the mode may not use it); a speed limit caps the class's."""
        table = self.params.speeds(mode)
        v = np.array([table.get(c, np.nan) for c in self.edge_class], dtype=float)
        return np.where(np.isnan(self.edge_limit), v, np.fmin(v, self.edge_limit))

    def _graph(self, weight: np.ndarray) -> csr_matrix:
        """Undirected sparse graph of the usable segments (finite weight), the lightest of parallel ones."""
        ok = np.isfinite(weight)
        frame = pd.DataFrame(
            {
                "a": np.minimum(self.edge_from, self.edge_to)[ok],
                "b": np.maximum(self.edge_from, self.edge_to)[ok],
                "w": weight[ok],
            }
        )
        frame = frame[frame["a"] != frame["b"]].groupby(["a", "b"], sort=False, as_index=False)["w"].min()
        # csgraph reads an explicit 0 as "no edge": a zero-length segment weighs a millimetre
        w = np.maximum(frame["w"].to_numpy(float), 1e-6)
        n = self.n_nodes
        return csr_matrix((w, (frame["a"].to_numpy(), frame["b"].to_numpy())), shape=(n, n))

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(self._plane(self.node_latlon[:, 0], self.node_latlon[:, 1]))

    def _plane(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Local equirectangular km around the network's mean latitude (for the nearest-junction search)."""
        c = np.cos(np.radians(float(self.node_latlon[:, 0].mean())))
        return np.column_stack([np.asarray(lat, float) * KM_PER_DEG_LAT, np.asarray(lon, float) * KM_PER_DEG_LAT * c])

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> Snap:
        """Each point's nearest junction, the straight leg to it and whether it is beyond `snap_km`."""
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        if len(lat) == 0:
            return Snap(np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
        _, node = self._tree.query(self._plane(lat, lon))
        node = np.asarray(node, dtype=np.int64)
        leg = haversine_km(lat, lon, self.node_latlon[node, 0], self.node_latlon[node, 1])
        return Snap(node, leg, leg > self.params.snap_km)

    def travel(self, origins: pd.DataFrame, destinations: pd.DataFrame) -> Travel:
        """km and minutes (walk, bus) from every origin row to every destination row (both with lat, lon)."""
        so = self.snap(origins["lat"].to_numpy(float), origins["lon"].to_numpy(float))
        sd = self.snap(destinations["lat"].to_numpy(float), destinations["lon"].to_numpy(float))
        leg = so.leg_km[:, None] + sd.leg_km[None, :]
        road_km = self._between(self.edge_km, so.node, sd.node)
        minutes: dict[str, np.ndarray] = {}
        for mode in ("walk", "bus"):
            v = self.speed(mode)  # type: ignore[arg-type]
            if np.isfinite(v).all() and np.ptp(v) == 0:  # one speed on every road: the shortest route is the fastest
                hours = road_km / float(v[0])
            else:
                hours = self._between(self.edge_km / v, so.node, sd.node)
            minutes[mode] = (hours + leg / self.params.access_kmh) * 60.0
        return Travel(road_km + leg, minutes, so, sd)

    def _between(self, weight: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Shortest path weights between junctions a[i] and b[j] (NaN where no path), searching from
        the smaller side (the graph is undirected)."""
        if len(a) == 0 or len(b) == 0:
            return np.zeros((len(a), len(b)))
        g = self._graph(weight)
        ua, ia = np.unique(a, return_inverse=True)
        ub, ib = np.unique(b, return_inverse=True)
        if len(ua) <= len(ub):
            d = dijkstra(g, directed=False, indices=ua)[:, ub]
        else:
            d = dijkstra(g, directed=False, indices=ub)[:, ua].T
        out = d[ia.reshape(-1)][:, ib.reshape(-1)]
        return np.where(np.isinf(out), np.nan, out)

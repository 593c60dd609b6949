"""The distances planning uses: by road when the census holds a road network (its `roads` sheet), in a
straight line (haversine) otherwise, with the basis said in words wherever a distance is shown.

`distances(frames, origins, destinations, params)` is what catchments, siting, consolidation and the
inspectors' zones call in place of `planning.geo.distance_matrix`; `travel_matrix(frames, …)` is the
community × school table in km and minutes per mode (`countyedu roads matrix`, the roads page).
`params` is the road parameters of the packs in force (`params_of(packs)`; None: the defaults): every
caller passes its packs' so that its snapping limit, its stored matrix and what it records follow
the county's pack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from countyedu.messages import Msg, Num
from countyedu.planning.geo import distance_matrix, haversine_km
from countyedu.roads.network import RoadNetwork, Snap, Travel
from countyedu.roads.params import RoadParams, road_params

ROADS_SHEET = "roads"
_CACHE: dict[tuple[int, int], tuple[pd.DataFrame, RoadNetwork]] = {}


@dataclass(frozen=True)
class Basis:
    """What a distance was measured on: `road` (the census's road network) or `straight` (haversine)."""

    kind: str  # road | straight
    segments: int = 0
    road_km: float = 0.0
    far: tuple[str, ...] = ()  # points farther than the snapping limit from every road
    params: Mapping[str, Any] | None = None  # the road parameters measured with (RoadParams; road only)

    def words(self) -> Msg:
        if self.kind == "straight":
            return Msg("Distances are straight-line km (the census has no road network)")
        if self.far:
            return Msg(
                "Distances are road km on the county's road network ({segments} segments, {km} km); "
                "{far} place(s) lie more than the snapping limit from any road: {ids}",
                segments=Num(self.segments),
                km=Num(self.road_km, "", 0),
                far=Num(len(self.far)),
                ids=", ".join(self.far[:8]),
            )
        return Msg(
            "Distances are road km on the county's road network ({segments} segments, {km} km)",
            segments=Num(self.segments),
            km=Num(self.road_km, "", 0),
        )

    def as_dict(self) -> dict[str, Any]:
        out = {"basis": self.kind, "segments": self.segments, "road_km": self.road_km, "far": list(self.far)}
        return out if self.params is None else {**out, "road_params": dict(self.params)}


STRAIGHT = Basis("straight")
NO_ROUTE_KM = 999.0  # a pair no road joins, where a computation needs a number (as a school without coordinates)


def basis_from(doc: Mapping[str, Any] | None) -> Basis:
    """The Basis of its `as_dict()` (a result's `distance_basis`); straight when empty."""
    if not doc or doc.get("basis") != "road":
        return STRAIGHT
    return Basis(
        "road",
        int(doc.get("segments", 0)),
        float(doc.get("road_km", 0.0)),
        tuple(doc.get("far", ())),
        doc.get("road_params"),
    )


def located_distances(
    frames: Mapping[str, pd.DataFrame],
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    params: RoadParams | None = None,
) -> tuple[np.ndarray, Basis]:
    """`distances` for rows that may lack coordinates: NaN for a pair with a row without them, and
    for a pair no road joins (by road)."""
    o_ok = (origins["lat"].notna() & origins["lon"].notna()).to_numpy()
    d_ok = (destinations["lat"].notna() & destinations["lon"].notna()).to_numpy()
    out = np.full((len(origins), len(destinations)), np.nan)
    if not o_ok.any() or not d_ok.any():
        return out, basis_of_network(frames, params)
    o, d = origins[o_ok].reset_index(drop=True), destinations[d_ok].reset_index(drop=True)
    km, basis = distances(frames, o, d, params)
    out[np.ix_(o_ok, d_ok)] = km
    return out, basis


def basis_of_network(frames: Mapping[str, pd.DataFrame], params: RoadParams | None = None) -> Basis:
    net = network(frames, params)
    return STRAIGHT if net is None else Basis("road", net.n_edges, float(net.edge_km.sum()), (), _recorded(net))


def point_distance(
    frames: Mapping[str, pd.DataFrame], places: pd.DataFrame, params: RoadParams | None = None
) -> tuple[Callable[..., Any], Basis]:
    """A distance function like planning.geo.haversine_km for pairs among `places` (id, lat, lon): the
    road km between them when the census has roads (a pair no road joins: NO_ROUTE_KM; coordinates not
    among the places: the straight line), else haversine_km itself; and the basis."""
    if network(frames, params) is None:
        return haversine_km, STRAIGHT
    located = places[places["lat"].notna() & places["lon"].notna()].drop_duplicates(["lat", "lon"])
    located = located.reset_index(drop=True)
    km, basis = distances(frames, located, located, params)
    km = np.where(np.isnan(km), NO_ROUTE_KM, km)
    np.fill_diagonal(km, 0.0)
    where = {(float(a), float(b)): i for i, (a, b) in enumerate(zip(located["lat"], located["lon"], strict=True))}

    def road_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
        i, j = where.get((float(lat1), float(lon1))), where.get((float(lat2), float(lon2)))
        if i is None or j is None:
            return haversine_km(lat1, lon1, lat2, lon2)
        return km[i, j]

    return road_km, basis


def network(frames: Mapping[str, pd.DataFrame], params: RoadParams | None = None) -> RoadNetwork | None:
    """The census's road network, or None when it has no `roads` rows (built once per frame)."""
    edges = frames.get(ROADS_SHEET)
    if edges is None or edges.empty:
        return None
    p = params or RoadParams()
    key = (id(edges), hash(p.model_dump_json()))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is edges:
        return hit[1]
    net = RoadNetwork(edges, p)
    if len(_CACHE) >= 4:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (edges, net)
    return net


def distances(
    frames: Mapping[str, pd.DataFrame],
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    params: RoadParams | None = None,
) -> tuple[np.ndarray, Basis]:
    """km from each origin row to each destination row (both with lat, lon; the first column their id)
    by road when the census has roads (NaN: no route), else in a straight line; and the basis."""
    net = network(frames, params)
    if net is None:
        return distance_matrix(origins, destinations), STRAIGHT
    distance_matrix(origins.head(0), destinations.head(0))  # the same checks of the coordinates
    hit = stored_travel(frames, net, origins, destinations)
    if hit is not None:
        return hit.km, basis_of(net, hit, origins, destinations)
    t = net.travel(origins, destinations)
    return t.km, basis_of(net, t, origins, destinations)


def stored_travel(
    frames: Mapping[str, pd.DataFrame], net: RoadNetwork, origins: pd.DataFrame, destinations: pd.DataFrame
) -> Travel | None:
    """The pairs read from the census version's stored matrix (roads.stored) when every origin is
    among its places and every destination among its schools; None otherwise (then searched)."""
    from countyedu.roads import stored

    st = stored.for_frames(frames, net.params)
    if st is None:
        return None
    rows = st.rows_of(origins["lat"].to_numpy(float), origins["lon"].to_numpy(float))
    cols = st.columns_of(destinations["lat"].to_numpy(float), destinations["lon"].to_numpy(float))
    if rows is None or cols is None:
        return None
    pick = np.ix_(rows, cols)
    crow = st.columns[cols]

    def snap(r: np.ndarray) -> Snap:
        n = len(r)
        return Snap(np.full(n, -1, np.int64), st.leg_km[r], st.far[r], np.full(n, -1, np.int64), np.zeros(n))

    return Travel(st.km[pick], {"walk": st.walk[pick], "bus": st.bus[pick]}, snap(rows), snap(crow))


def basis_of(net: RoadNetwork, t: Travel, origins: pd.DataFrame, destinations: pd.DataFrame) -> Basis:
    far = [str(v) for v in origins.iloc[:, 0][t.origin_snap.far]]
    far += [str(v) for v in destinations.iloc[:, 0][t.destination_snap.far]]
    return Basis("road", net.n_edges, float(net.edge_km.sum()), tuple(dict.fromkeys(far)), _recorded(net))


def _recorded(net: RoadNetwork) -> dict[str, Any]:
    """The road parameters a result records with its road km (what its snapping limit and minutes were)."""
    return net.params.model_dump()


def travel_matrix(frames: Mapping[str, pd.DataFrame], params: RoadParams | None = None) -> tuple[pd.DataFrame, Basis]:
    """Community × school: straight km, road km and walking and school-bus minutes (NaN: no route);
    the communities and schools with coordinates, schools open in the census."""
    comm = _located(frames.get("communities"), "community_id")
    sch = _located(frames.get("schools"), "school_id")
    net = network(frames, params)
    straight = distance_matrix(comm, sch)
    if net is None:
        km = straight
        walk = bus = np.full(straight.shape, np.nan)
        basis = STRAIGHT
    else:
        t = stored_travel(frames, net, comm, sch) or net.travel(comm, sch)
        km, walk, bus = t.km, t.minutes["walk"], t.minutes["bus"]
        basis = basis_of(net, t, comm, sch)
    n, m = straight.shape
    out = pd.DataFrame(
        {
            "community_id": np.repeat(comm["community_id"].astype(str).to_numpy(), m),
            "school_id": np.tile(sch["school_id"].astype(str).to_numpy(), n),
            "straight_km": straight.reshape(-1).round(3),
            "km": km.reshape(-1).round(3),
            "walk_minutes": walk.reshape(-1).round(1),
            "bus_minutes": bus.reshape(-1).round(1),
        }
    )
    return out, basis


def _located(frame: pd.DataFrame | None, key: str) -> pd.DataFrame:
    if frame is None or frame.empty or "lat" not in frame.columns:
        return pd.DataFrame({key: pd.Series(dtype=str), "lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float)})
    ok = frame["lat"].notna() & frame["lon"].notna()
    if "closed_year" in frame.columns:
        ok &= frame["closed_year"].isna()
    return frame.loc[ok, [key, "lat", "lon"]].reset_index(drop=True)


def params_of(packs: Any) -> RoadParams:
    """The road parameters of the packs (`parameters.roads`), defaults for what they omit."""
    from countyedu.runs.store import parameters

    return road_params(parameters(packs, "roads"))


def road_pairs(
    frames: Mapping[str, pd.DataFrame],
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    params: RoadParams | None = None,
) -> tuple[pd.DataFrame | None, Basis]:
    """A travel table (first column of each as ids, `km`) of the pairs with a road route, for
    planning.geo.read_travel; (None, STRAIGHT) when the census has no roads. Rows without
    coordinates have no pairs."""
    if network(frames, params) is None:
        return None, STRAIGHT
    o = origins[origins["lat"].notna() & origins["lon"].notna()].reset_index(drop=True)
    d = destinations[destinations["lat"].notna() & destinations["lon"].notna()].reset_index(drop=True)
    km, basis = distances(frames, o, d, params)
    i, j = np.nonzero(np.isfinite(km))
    table = pd.DataFrame(
        {
            str(origins.columns[0]): o.iloc[:, 0].astype(str).to_numpy()[i],
            str(destinations.columns[0]): d.iloc[:, 0].astype(str).to_numpy()[j],
            "km": km[i, j],
        }
    )
    return table, basis

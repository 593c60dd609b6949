"""The road graph against hand answers and an independent checker (networkx's Dijkstra on the same
segments, written apart from countyedu.roads: it shares nothing but the segment table it reads)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from countyedu.roads.network import RoadNetwork
from countyedu.roads.params import RoadParams

CLASSES = ["trunk", "secondary", "tertiary", "unclassified", "track", "path", "motorway"]


def edges_table(rows: list[tuple[float, float, float, float, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["from_lat", "from_lon", "to_lat", "to_lon", "km", "road_class"])
    frame.insert(0, "road_id", [f"R{i}" for i in range(len(frame))])
    frame["max_kmh"] = np.nan
    frame["name"] = None
    return frame


def points(coords: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": [f"P{i}" for i in range(len(coords))], "lat": [c[0] for c in coords], "lon": [c[1] for c in coords]}
    )


def test_it_goes_round_the_hill_on_a_hand_network() -> None:
    # A at (27.0, 116.0), B north-east; the direct road A–B is a 12 km track over the hill, the
    # valley road A–C–B is 5 + 6 = 11 km of county road: shortest km by the valley, and the bus
    # (35 km/h county road, 10 km/h track) too; walking (4 km/h everywhere) takes the shorter, 11 km.
    a, b, c = (27.0, 116.0), (27.03, 116.02), (27.0, 116.04)
    net = RoadNetwork(edges_table([(*a, *b, 12.0, "track"), (*a, *c, 5.0, "secondary"), (*c, *b, 6.0, "secondary")]))
    t = net.travel(points([a]), points([b, c]))
    assert t.km[0].tolist() == pytest.approx([11.0, 5.0])
    assert t.minutes["walk"][0].tolist() == pytest.approx([11 / 4 * 60, 5 / 4 * 60])
    assert t.minutes["bus"][0].tolist() == pytest.approx([11 / 35 * 60, 5 / 35 * 60])


def test_a_speed_limit_caps_the_class_and_a_footpath_is_no_bus_road() -> None:
    a, b, c = (27.0, 116.0), (27.0, 116.05), (27.0, 116.1)
    rows = edges_table([(*a, *b, 5.0, "trunk"), (*b, *c, 5.0, "path")])
    rows.loc[0, "max_kmh"] = 30.0
    t = RoadNetwork(rows).travel(points([a]), points([b, c]))
    assert t.minutes["bus"][0, 0] == pytest.approx(10.0)  # 5 km at min(50, 30) km/h
    assert math.isnan(t.minutes["bus"][0, 1])  # no bus on a footpath: not travelled
    assert t.minutes["walk"][0, 1] == pytest.approx(150.0)  # 10 km on foot at 4 km/h


def test_a_point_off_the_road_walks_its_leg_and_is_reported_far() -> None:
    a, b = (27.0, 116.0), (27.0, 116.1)
    net = RoadNetwork(edges_table([(*a, *b, 10.0, "tertiary")]), RoadParams(snap_km=1.0))
    off = (27.02, 116.1)  # 2.22 km north of B
    t = net.travel(points([a]), points([off]))
    leg = 6371.0088 * math.radians(0.02)
    assert t.km[0, 0] == pytest.approx(10.0 + leg, rel=1e-6)
    assert t.destination_snap.far.tolist() == [True]
    assert t.minutes["bus"][0, 0] == pytest.approx(10 / 30 * 60 + leg / 4 * 60, rel=1e-6)


def _random_county(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nodes = np.column_stack([27 + rng.random(40) * 0.3, 116.3 + rng.random(40) * 0.3]).round(6)
    rows = []
    for i in range(40):
        for j in rng.choice(40, size=3, replace=False):
            if i == j:
                continue
            straight = 111.195 * math.hypot(nodes[i, 0] - nodes[j, 0], (nodes[i, 1] - nodes[j, 1]) * 0.89)
            rows.append((*nodes[i], *nodes[j], round(straight * (1 + rng.random()), 3), str(rng.choice(CLASSES))))
    island = [(28.0, 117.0), (28.01, 117.0)]  # a separate part: no route to the rest
    rows.append((*island[0], *island[1], 1.5, "tertiary"))
    return edges_table(rows)


@pytest.mark.parametrize("seed", [1, 2])
def test_it_agrees_with_networkx_dijkstra(seed: int) -> None:
    edges = _random_county(seed)
    speeds_bus = RoadParams().bus_kmh
    g_km, g_bus = nx.Graph(), nx.Graph()
    for r in edges.itertuples():
        u, v = (r.from_lat, r.from_lon), (r.to_lat, r.to_lon)
        for g, w in (
            (g_km, r.km),
            (g_bus, r.km / speeds_bus[r.road_class] * 60 if r.road_class in speeds_bus else None),
        ):
            if w is None or u == v:
                continue
            if not g.has_edge(u, v) or g[u][v]["w"] > w:
                g.add_edge(u, v, w=w)
    junctions = sorted(set(zip(edges["from_lat"], edges["from_lon"], strict=True)))
    origins, dests = junctions[:9], [*junctions[9:20], (28.0, 117.0)]
    t = RoadNetwork(edges).travel(points(origins), points(dests))
    for g, got in ((g_km, t.km), (g_bus, t.minutes["bus"])):
        for i, o in enumerate(origins):
            lengths = nx.single_source_dijkstra_path_length(g, o, weight="w") if o in g else {o: 0.0}
            for j, d in enumerate(dests):
                want = lengths.get(d, math.nan)
                if math.isnan(want):
                    assert math.isnan(got[i, j]), (o, d)
                else:
                    assert got[i, j] == pytest.approx(want, rel=1e-9, abs=1e-6), (o, d)


def test_a_point_is_snapped_onto_the_nearest_segment_not_its_nearest_junction() -> None:
    # A (27.0, 116.0) – B (27.0, 116.1): a 10 km county road along a parallel; B – C a 4 km track north.
    # P 0.003° north of the road at 116.03 is 0.33 km from it but 3 km from A: it joins the road 3/10
    # of the way along (3 km of its 10 to A, 7 to B); Q 0.002° south at 116.08 joins it at 8/10.
    a, b, c = (27.0, 116.0), (27.0, 116.1), (27.036, 116.1)
    net = RoadNetwork(edges_table([(*a, *b, 10.0, "secondary"), (*b, *c, 4.0, "track")]), RoadParams(snap_km=1.0))
    p, q = (27.003, 116.03), (26.998, 116.08)
    leg_p, leg_q = 6371.0088 * math.radians(0.003), 6371.0088 * math.radians(0.002)
    t = net.travel(points([p, q]), points([a, b, c, q]))
    assert t.origin_snap.leg_km.tolist() == pytest.approx([leg_p, leg_q], rel=1e-6)
    assert t.origin_snap.at.tolist() == pytest.approx([0.3, 0.8], abs=1e-9)
    assert not t.origin_snap.far.any()  # a junction snap would have put P 3 km off the road
    assert t.km[0].tolist() == pytest.approx([3 + leg_p, 7 + leg_p, 11 + leg_p, 5 + leg_p + leg_q], rel=1e-6)
    assert t.km[1, 3] == pytest.approx(2 * leg_q, rel=1e-6)  # Q to itself by road: its leg there and back
    # the bus: 35 km/h on the county road, 10 on the track, the legs walked at 4 km/h
    assert t.minutes["bus"][0, 2] == pytest.approx((7 / 35 + 4 / 10 + leg_p / 4) * 60, rel=1e-6)
    assert t.minutes["walk"][0, 3] == pytest.approx((5 + leg_p + leg_q) / 4 * 60, rel=1e-6)


def _nearest_segment(edges: pd.DataFrame, lat: float, lon: float, c: float) -> tuple[int, float, float, float]:
    """By brute force over every segment (plain arithmetic, apart from countyedu.roads): the segment
    nearest a point in the local plane of cos(mean latitude) = c, the fraction along it and the foot."""
    best = (math.inf, -1, 0.0, 0.0, 0.0)
    for i, r in enumerate(edges.itertuples()):
        ax, ay, bx, by = r.from_lat, r.from_lon * c, r.to_lat, r.to_lon * c
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else min(1.0, max(0.0, ((lat - ax) * dx + (lon * c - ay) * dy) / (dx * dx + dy * dy)))
        fx, fy = ax + t * dx, ay + t * dy
        gap = math.hypot(lat - fx, lon * c - fy)
        if gap < best[0]:
            best = (gap, i, t, fx, fy / c)
    return best[1], best[2], best[3], best[4]


def test_segment_snapping_agrees_with_networkx_on_a_split_graph() -> None:
    edges = _random_county(3)
    g = nx.Graph()
    for r in edges.itertuples():
        u, v = (r.from_lat, r.from_lon), (r.to_lat, r.to_lon)
        if u != v and (not g.has_edge(u, v) or g[u][v]["w"] > r.km):
            g.add_edge(u, v, w=r.km)
    junctions = sorted(set(zip(edges["from_lat"], edges["from_lon"], strict=True)))
    rng = np.random.default_rng(5)
    pts = [(27 + rng.random() * 0.3, 116.3 + rng.random() * 0.3) for _ in range(6)]
    lats = np.concatenate([edges["from_lat"], edges["to_lat"]])
    c = math.cos(
        math.radians(
            float(np.unique(np.column_stack([lats, np.r_[edges["from_lon"], edges["to_lon"]]]), axis=0)[:, 0].mean())
        )
    )
    t = RoadNetwork(edges).travel(points(pts), points(junctions[:8]))
    for i, (plat, plon) in enumerate(pts):
        k, frac, flat, flon = _nearest_segment(edges, plat, plon, c)
        r = edges.iloc[k]
        u, v = (r.from_lat, r.from_lon), (r.to_lat, r.to_lon)
        leg = (
            6371.0088
            * 2
            * math.asin(
                math.sqrt(
                    math.sin(math.radians(flat - plat) / 2) ** 2
                    + math.cos(math.radians(plat))
                    * math.cos(math.radians(flat))
                    * math.sin(math.radians(flon - plon) / 2) ** 2
                )
            )
        )
        h = g.copy()
        h.add_edge("P", u, w=frac * r.km)
        h.add_edge("P", v, w=(1 - frac) * r.km)
        lengths = nx.single_source_dijkstra_path_length(h, "P", weight="w")
        for j, d in enumerate(junctions[:8]):
            assert t.km[i, j] == pytest.approx(lengths[d] + leg, rel=1e-9, abs=1e-6), (i, j)

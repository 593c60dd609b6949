"""Road travel (issue 17 item 3's road matrix): 2,000 communities × 200 schools on a county-size road
graph (a jittered 224 × 224 grid of junctions, ≈ 100,000 segments of mixed classes, over a county of
about 60 × 60 km), the three searches of `countyedu.roads` (shortest km, walking and school-bus
minutes) with the snapping. Goal < 5 s. CPU time of this process and the load are given beside it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

Row = tuple[str, str, str]
SIDE = 224
CLASSES = ("secondary", "tertiary", "unclassified", "unclassified", "residential", "track", "path")


def county_graph(seed: int = 17) -> pd.DataFrame:
    """A jittered grid: junction (i, j) joined to (i+1, j) and (i, j+1), each segment winding 1.1–1.6×."""
    rng = np.random.default_rng(seed)
    step = 0.0025  # degrees (≈ 0.27 km)
    lat = 27.0 + np.arange(SIDE)[:, None] * step + rng.normal(0, step / 6, (SIDE, SIDE))
    lon = 116.3 + np.arange(SIDE)[None, :] * step + rng.normal(0, step / 6, (SIDE, SIDE))
    lat, lon = lat.round(6), lon.round(6)
    a = np.arange(SIDE * SIDE).reshape(SIDE, SIDE)
    pairs = np.vstack(
        [np.column_stack([a[:-1].ravel(), a[1:].ravel()]), np.column_stack([a[:, :-1].ravel(), a[:, 1:].ravel()])]
    )
    flat_lat, flat_lon = lat.ravel(), lon.ravel()
    from countyedu.planning.geo import haversine_km

    crow = haversine_km(flat_lat[pairs[:, 0]], flat_lon[pairs[:, 0]], flat_lat[pairs[:, 1]], flat_lon[pairs[:, 1]])
    return pd.DataFrame(
        {
            "road_id": np.arange(len(pairs)).astype(str),
            "from_lat": flat_lat[pairs[:, 0]],
            "from_lon": flat_lon[pairs[:, 0]],
            "to_lat": flat_lat[pairs[:, 1]],
            "to_lon": flat_lon[pairs[:, 1]],
            "km": crow * rng.uniform(1.1, 1.6, len(pairs)),
            "road_class": rng.choice(CLASSES, len(pairs)),
            "max_kmh": np.nan,
            "name": None,
        }
    )


def bench_roads(work: Path) -> list[Row]:
    from countyedu.roads.network import RoadNetwork

    edges = county_graph()
    rng = np.random.default_rng(1)
    span = SIDE * 0.0025

    def places(n: int, key: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                key: [f"{key[0]}{i}" for i in range(n)],
                "lat": 27.0 + rng.random(n) * span,
                "lon": 116.3 + rng.random(n) * span,
            }
        )

    comm, sch = places(2000, "community_id"), places(200, "school_id")
    t0, c0 = time.perf_counter(), time.process_time()
    t = RoadNetwork(edges).travel(comm, sch)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert t.km.shape == (2000, 200)
    return [
        (
            f"road matrix: 2,000 communities × 200 schools on {len(edges):,} road segments (km, walking and "
            f"school-bus minutes; load {os.getloadavg()[0]:.0f})",
            f"{wall:.1f} s ({cpu:.1f} s CPU)",
            "goal < 5 s",
        )
    ]


if __name__ == "__main__":  # python -m benchmarks.roads
    for row in bench_roads(Path(".")):
        print(" | ".join(row))

"""What `countyedu roads check` and the import report: the network's size by class, its connected parts,
and the communities and schools that lie farther than the snapping limit from any road."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from countyedu.census.schema import CODES, CODES_EN
from countyedu.roads.params import RoadParams
from countyedu.roads.travel import network


def network_report(frames: Mapping[str, pd.DataFrame], params: RoadParams | None = None) -> dict[str, Any]:
    """Segments, junctions, km, connected parts, km by class and the far places (JSON-ready)."""
    p = params or RoadParams()
    net = network(frames, p)
    doc: dict[str, Any] = {"segments": 0, "snap_km": p.snap_km, "far": []}
    if net is None:
        return doc
    parts, _labels = net.components
    by = pd.DataFrame({"road_class": net.edge_class, "km": net.edge_km}).groupby("road_class", sort=False)["km"]
    order = list(CODES["road_class"])
    rows = [
        {
            "road_class": c,
            "label": f"{CODES['road_class'].get(c, c)} / {CODES_EN['road_class'].get(c, c)}",
            "segments": int(by.size()[c]),
            "km": round(float(by.sum()[c]), 3),
        }
        for c in sorted(by.size().index, key=lambda c: order.index(c) if c in order else len(order))
    ]
    far: list[dict[str, Any]] = []
    for kind, sheet, key in (("community", "communities", "community_id"), ("school", "schools", "school_id")):
        frame = frames.get(sheet)
        if frame is None or frame.empty:
            continue
        located = frame[frame["lat"].notna() & frame["lon"].notna()]
        snap = net.snap(located["lat"].to_numpy(float), located["lon"].to_numpy(float))
        for (_, r), km in zip(located[snap.far].iterrows(), snap.leg_km[snap.far], strict=True):
            far.append({"kind": kind, "id": str(r[key]), "name": str(r.get("name") or ""), "km": round(float(km), 3)})
    doc.update(
        segments=net.n_edges,
        junctions=net.n_nodes,
        road_km=round(float(net.edge_km.sum()), 3),
        parts=parts,
        by_class=rows,
        far=far,
    )
    return doc

"""Hand road networks and a pack with road parameters, for the tests of every caller of the road
distances (planning, supervision, teachers): the pack's `parameters.roads` must reach each of them.

The road parameters do not move a road km (the shortest route is searched on every road whatever
the speeds); what they change in a km-based result is which places the basis reports as farther than
the snapping limit from any road (`snap_km`), and the parameters the result records. SLOW sets a
slower bus and walk and a snapping limit of 0.5 km: a place 0.7 km off the road is reported under it
and not under the default 1 km.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from countyedu.policy.pack import Pack

DEG = 2 * math.pi * 6371.0088 / 360  # km per degree of latitude (haversine's sphere): a meridian's km
SLOW: dict[str, Any] = {"snap_km": 0.5, "bus_kmh": {"tertiary": 10.0}, "walk_kmh": {"tertiary": 3.0}}


def roads(*segments: tuple[tuple[float, float], tuple[float, float], float]) -> pd.DataFrame:
    """A `roads` sheet of tertiary segments ((lat, lon), (lat, lon), km), without speed limits."""
    return pd.DataFrame(
        {
            "road_id": [f"R{n + 1}" for n in range(len(segments))],
            "from_lat": [a[0] for a, _b, _km in segments],
            "from_lon": [a[1] for a, _b, _km in segments],
            "to_lat": [b[0] for _a, b, _km in segments],
            "to_lon": [b[1] for _a, b, _km in segments],
            "km": [km for _a, _b, km in segments],
            "road_class": "tertiary",
            "max_kmh": np.nan,
            "name": None,
        }
    )


def pack(**parameters: Any) -> Pack:
    """A pack of no items setting only the parameters given (e.g. roads=SLOW)."""
    return Pack(
        id="roads-test", name_zh="道路参数", name_en="road parameters", source="test", parameters=parameters, items=[]
    )


def recorded(basis: dict[str, Any]) -> dict[str, Any]:
    """The road parameters a result's distance basis records, as SLOW writes them."""
    p = basis["road_params"]
    return {"snap_km": p["snap_km"], "bus_kmh": p["bus_kmh"], "walk_kmh": p["walk_kmh"]}

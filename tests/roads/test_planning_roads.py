"""Planning on the demo county's roads (issue 17 item 1): catchments, consolidation and siting use road
km when the census has a road network, differ from the straight line where the roads say so, and say
which basis they used."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from countyedu.census import demo
from countyedu.messages import translate
from countyedu.planning.catchments import census_catchments
from countyedu.planning.geo import haversine_km
from countyedu.planning.siting import consolidation


@functools.cache
def roads() -> dict[str, pd.DataFrame]:
    return demo.generate(2019)


@functools.cache
def straight() -> dict[str, pd.DataFrame]:
    return {k: v for k, v in roads().items() if k != "roads"}


def test_the_demo_roads_wind_more_than_the_straight_line() -> None:
    r = roads()["roads"]
    assert {"trunk", "secondary", "tertiary", "unclassified", "residential"} <= set(r["road_class"])
    crow = haversine_km(r["from_lat"], r["from_lon"], r["to_lat"], r["to_lon"])
    ratio = r["km"].to_numpy() / np.maximum(crow, 1e-9)
    assert ((ratio >= 1.05 - 1e-9) | (r["km"].to_numpy() <= 0.05 + 1e-9)).all()
    assert (ratio >= 2).sum() > 10  # the hills: roads of two to three times the straight line


@functools.cache
def catchments(basis: str):
    return census_catchments(roads() if basis == "road" else straight(), "primary", 2021)


def test_catchments_use_road_km_and_say_so() -> None:
    road, line = catchments("road"), catchments("straight")
    assert road.distance_basis["basis"] == "road" and line.distance_basis["basis"] == "straight"
    assert road.distance_basis["segments"] == len(roads()["roads"])
    # every road km is at least the straight km of the same pair, and the plans differ
    both = road.assignments.merge(line.assignments, on=["community_id", "school_id"], suffixes=("_r", "_s"))
    assert (both["km_r"] >= both["km_s"] - 1e-9).all()
    changed = road.assignments[["community_id", "school_id"]].merge(
        line.assignments[["community_id", "school_id"]], how="left", indicator=True
    )
    assert (changed["_merge"] == "left_only").any()
    assert road.objective > line.objective
    zh = road.blocks("zh")[0].paragraphs[1]
    assert "道路" in zh and "路网" in zh
    en = line.blocks("en")[0].paragraphs[1]
    assert "straight-line" in en


def test_consolidation_by_road_keeps_what_the_hills_cut_off() -> None:
    road = consolidation(roads(), "primary", 2021)
    line = consolidation(straight(), "primary", 2021)
    sc_r, sc_s = road.scenarios.set_index("mode"), line.scenarios.set_index("mode")
    assert sc_s.at["merge_all", "feasible"] and not sc_r.at["merge_all", "feasible"]
    assert road.distance_basis["basis"] == "road"
    merged = road.candidates[road.candidates["merge"]]
    assert (merged["km"] <= 15.0).all()
    assert "道路" in translate(road.notes[0], "zh")

"""Planning on the demo county's roads (issue 17 item 1): catchments, consolidation, siting, the
inspectors' zones and the teachers' rotation and allocation use road km when the census has a road network, differ from
the straight line where the roads say so, and say which basis they used."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from countyedu.census import demo
from countyedu.messages import translate
from countyedu.planning.catchments import census_catchments
from countyedu.planning.geo import haversine_km
from countyedu.planning.siting import consolidation
from countyedu.roads.travel import distances
from countyedu.supervision.assign import assign_inspectors
from countyedu.teachers.allocation import allocate
from countyedu.teachers.params import teachers_params
from countyedu.teachers.rotation import plan_rotation
from countyedu.teachers.staffing import compute_staffing


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


def _road_km(frames: dict[str, pd.DataFrame], pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Road and straight km between the schools of each pair, from the census's roads (roads.travel)."""
    s = frames["schools"].set_index("school_id")
    a = s.loc[[p[0] for p in pairs], ["lat", "lon"]].reset_index()
    b = s.loc[[p[1] for p in pairs], ["lat", "lon"]].reset_index()
    km, _ = distances(frames, a, b)
    return np.diag(km), haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])


def test_inspector_zones_use_road_km_and_say_so() -> None:
    road = assign_inspectors(roads())
    doc = road.as_dict("zh")
    assert doc["distance_basis"]["basis"] == "road" and road.distance_basis["segments"] == len(roads()["roads"])
    assert "道路" in translate(road.blocks()[0].paragraphs[1], "zh")
    # each school's km is the road km from its inspector's base, never shorter than the straight line
    done = road.schools.merge(road.inspectors[["inspector_id", "base_lat", "base_lon"]], on="inspector_id")
    school = roads()["schools"].set_index("school_id").loc[done["school_id"], ["lat", "lon"]]
    straight_km = haversine_km(done["base_lat"], done["base_lon"], school["lat"], school["lon"])
    assert (done["km"].to_numpy() >= straight_km - 1e-9).all() and (done["km"].to_numpy() > straight_km * 1.3).any()
    km, _ = distances(
        roads(),
        done[["inspector_id", "base_lat", "base_lon"]].set_axis(["id", "lat", "lon"], axis=1),
        school.reset_index(),
    )
    assert done["km"].to_numpy() == pytest.approx(np.diag(km))
    line = assign_inspectors(straight())
    assert line.as_dict()["distance_basis"]["basis"] == "straight"
    assert road.summary()["assign_km"] > line.summary()["assign_km"]


def test_rotation_and_allocation_use_road_km_and_say_so() -> None:
    plan = plan_rotation(roads())
    assert plan.contract(None)["distance_basis"]["basis"] == "road"
    assert "道路" in translate(plan.blocks()[0].paragraphs[-1], "zh")
    moves = [(m.from_school_id, m.to_school_id) for m in plan.moves]
    assert moves
    road_km, crow = _road_km(roads(), moves)
    assert [m.km for m in plan.moves] == pytest.approx(road_km.tolist())
    assert (road_km >= crow - 1e-9).all()
    frames = roads()
    staffing = compute_staffing(dict(frames), teachers_params([]), None)
    teachers = frames["teachers"][frames["teachers"]["year"] == staffing.year]
    alloc = allocate(staffing, teachers, teachers_params([]), frames=frames)
    assert alloc.as_dict()["distance_basis"]["basis"] == "road"
    assert "道路" in translate(alloc.blocks()[0].paragraphs[1], "zh")
    across = [m for m in alloc.moves if m.from_school_id != m.to_school_id]
    road_km, _ = _road_km(frames, [(m.from_school_id, m.to_school_id) for m in across])
    assert [m.km for m in across] == pytest.approx(road_km.tolist())
    # without the census (no frames) it stays the straight line and says so
    assert allocate(staffing, teachers, teachers_params([])).as_dict()["distance_basis"]["basis"] == "straight"

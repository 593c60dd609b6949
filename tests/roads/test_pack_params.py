"""The road parameters of the packs in force (`parameters.roads`) are part of what a run is kept under
and of what its result records, so a run made under other road parameters is another run and says
which it used."""

from __future__ import annotations

from countyedu.census.years import Years
from countyedu.roads.travel import STRAIGHT, Basis, basis_from
from countyedu.runs.store import run_key
from road_support import SLOW, pack


def test_other_road_parameters_key_another_run() -> None:
    years = Years()
    plain = run_key("planning", "v1", [pack()], years, {"horizon": 2030})
    slow = run_key("planning", "v1", [pack(roads=SLOW)], years, {"horizon": 2030})
    assert plain.name != slow.name and plain.packs != slow.packs


def test_a_basis_keeps_its_road_parameters_and_reads_one_kept_without_them() -> None:
    road = Basis("road", 3, 12.5, ("V2",), {"snap_km": 0.5})
    doc = road.as_dict()
    assert doc["road_params"] == {"snap_km": 0.5}
    assert basis_from(doc) == road
    # a result kept before the basis recorded its parameters still reads, without them
    old = {"basis": "road", "segments": 3, "road_km": 12.5, "far": ["V2"]}
    assert basis_from(old) == Basis("road", 3, 12.5, ("V2",))
    assert "road_params" not in STRAIGHT.as_dict()

"""Road files as a planner has them: an OpenStreetMap extract (.osm, read by osmium) and road lines in a
GeoPackage (pyogrio), cut at junctions; and `countyedu roads import / check / matrix` on the hand county."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import CountyEduError
from countyedu.planning.geo import haversine_km
from countyedu.roads import stored
from countyedu.roads.network import RoadNetwork
from countyedu.roads.params import RoadParams
from countyedu.roads.sources import read_roads
from countyedu.roads.travel import distances

HAND = Path(__file__).parents[1] / "fixtures" / "hand"
# C1 人民路社区, X a junction north of it, C2 水北村, N a node past X, C3 太源村 (tests/fixtures/hand)
C1, X, C2, N, C3 = (27.218, 116.532), (27.23, 116.532), (27.23, 116.51), (27.24, 116.532), (27.05, 116.62)
OSM = f"""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="{C1[0]}" lon="{C1[1]}"/>
  <node id="2" version="1" lat="{X[0]}" lon="{X[1]}"/>
  <node id="3" version="1" lat="{C2[0]}" lon="{C2[1]}"/>
  <node id="4" version="1" lat="{N[0]}" lon="{N[1]}"/>
  <node id="5" version="1" lat="{C3[0]}" lon="{C3[1]}"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="secondary"/><tag k="maxspeed" v="30"/><tag k="ref" v="X123"/></way>
  <way id="11" version="1"><nd ref="2"/><nd ref="4"/><tag k="highway" v="footway"/></way>
  <way id="12" version="1"><nd ref="1"/><nd ref="5"/><tag k="highway" v="tertiary_link"/></way>
  <way id="13" version="1"><nd ref="3"/><nd ref="4"/><tag k="building" v="yes"/></way>
</osm>
"""


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(haversine_km(a[0], a[1], b[0], b[1]))


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roads") / "hand.osm"
    path.write_text(OSM, encoding="utf-8")
    return path


def test_it_reads_osm_ways_cut_at_their_junctions(osm_file: Path) -> None:
    r = read_roads(osm_file)
    # way 10 is cut at node 2 (way 11 starts there): 2 segments; 11 and 12 one each; the building is no road
    assert len(r) == 4
    assert sorted(r["road_class"]) == ["path", "secondary", "secondary", "tertiary"]
    sec = r[r["road_class"] == "secondary"].sort_values("km")
    assert sec["km"].tolist() == pytest.approx(sorted([km(C1, X), km(X, C2)]), abs=1e-4)
    assert set(sec["max_kmh"]) == {30.0} and set(sec["name"]) == {"X123"}


def _wkb_line(points: list[tuple[float, float]]) -> bytes:
    return struct.pack("<BII", 1, 2, len(points)) + b"".join(struct.pack("<dd", lon, lat) for lat, lon in points)


def test_it_reads_road_lines_of_a_geopackage_with_a_class_or_a_speed(tmp_path: Path) -> None:
    path = tmp_path / "roads.gpkg"
    geometry = np.array([_wkb_line([C1, X, C2]), _wkb_line([X, N]), _wkb_line([C1, C3])], dtype=object)
    fclass = np.array(["secondary", None, "bus_guideway"], dtype=object)
    speed = np.array([None, 30.0, None], dtype=object)
    from pyogrio.raw import write

    write(
        path,
        geometry,
        [fclass, speed],
        ["fclass", "maxspeed"],
        crs="EPSG:4326",
        geometry_type="LineString",
        driver="GPKG",
    )
    r = read_roads(path)
    # line 1 cut at X (line 2 starts there); line 2 has only a speed: 30 km/h is a township road; line 3
    # is neither a road class nor has a speed: left out
    assert sorted(r["road_class"]) == ["secondary", "secondary", "tertiary"]
    assert r["km"].sum() == pytest.approx(km(C1, X) + km(X, C2) + km(X, N), abs=1e-3)


def test_a_file_of_another_kind_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "roads.txt"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(CountyEduError, match="not a road file"):
        read_roads(bad)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300)


def test_roads_import_then_matrix_as_a_planner_runs_them(osm_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_census(HAND, CensusStore(data))
    proc = run("roads", "import", str(osm_file), "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["census_version"] == "v2" and doc["segments"] == 4 and doc["parts"] == 1
    assert doc["far"] == []  # every community and school of the hand county is within 1 km of a road
    assert CensusStore(data).frames("v2", ["communities"])["communities"].shape[0] == 3  # the rest kept
    proc = run("roads", "matrix", "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    pairs = {(p["community_id"], p["school_id"]): p for p in json.loads(proc.stdout)["pairs"]}
    # C1 → K3: C1 is on node 1; K3 (27.229, 116.511) is projected onto the road X–C2 (along latitude
    # 27.23 from 116.532 to 116.51) at 116.511, 21/22 of the way, and walks the 0.001° leg north to it
    k3, foot = (27.229, 116.511), (27.23, 116.511)
    road = km(C1, X) + km(X, C2) * 21 / 22
    want = road + km(k3, foot)
    got = pairs[("C1", "K3")]
    assert got["km"] == pytest.approx(want, abs=2e-3) and got["straight_km"] == pytest.approx(km(C1, k3), abs=2e-3)
    # the bus: the county road's 35 km/h capped at its 30 km/h limit, the leg walked at 4 km/h
    assert got["bus_minutes"] == pytest.approx(road / 30 * 60 + km(k3, foot) / 4 * 60, abs=0.1)
    proc = run("roads", "import", str(osm_file.with_suffix(".shp")), "--data-dir", str(data))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_the_matrix_is_stored_with_the_version_and_read_instead_of_searched(
    osm_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    import_census(HAND, CensusStore(data))
    assert run("roads", "import", str(osm_file), "--data-dir", str(data)).returncode == 0
    assert (data / "roads" / "travel-v2.npz").exists()  # computed at import, for v2
    frames = CensusStore(data).frames("v2", ["communities", "schools", "roads"])
    comm, sch = frames["communities"][["community_id", "lat", "lon"]], frames["schools"][["school_id", "lat", "lon"]]
    untagged = {**frames, "roads": frames["roads"].copy()}
    untagged["roads"].attrs = {}  # read from elsewhere: searched
    searched, _ = distances(untagged, comm, sch)
    with monkeypatch.context() as m:
        m.setattr(RoadNetwork, "travel", lambda *a: pytest.fail("searched the graph again"))
        read, basis = distances(frames, comm, sch)  # planning on v2: the stored matrix
        pairs, _ = distances(frames, sch, sch)  # school × school too
    assert basis.kind == "road" and np.allclose(read, searched, rtol=1e-9, atol=1e-9, equal_nan=True)
    assert pairs.shape == (len(sch), len(sch)) and np.allclose(pairs, pairs.T, equal_nan=True)  # both ways alike
    # other roads (a segment twice as long): the stored matrix is stale, searched again and stored anew
    longer = {**frames, "roads": frames["roads"].assign(km=frames["roads"]["km"] * 2)}
    longer["roads"].attrs = dict(frames["roads"].attrs)
    again, _ = distances(longer, comm, sch)
    assert (again > read).any() and stored.load(data, "v2").digest == stored.digest(longer["roads"], RoadParams())

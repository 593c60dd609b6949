"""`countyedu roads …` (issue 17 item 1): the county's road network — import it from OpenStreetMap or a
road-line file as a new census version, see how communities and schools join it, and the community ×
school travel matrix (road km, walking and school-bus minutes) that planning uses."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from countyedu.cli.common import DataDir, Fmt, Format, PackOpt, VersionOpt, _json, err, out, table
from countyedu.errors import CountyEduError
from countyedu.messages import Msg

roads_app = typer.Typer(help="道路 / roads: the county's road network and the travel matrix planning uses")

RoadFile = Annotated[
    Path, typer.Argument(help="an OpenStreetMap extract (.osm.pbf, .osm) or road lines (.gpkg, .shp, .geojson)")
]


def _census(data_dir: Path | None, version: str | None) -> tuple[str, dict[str, Any]]:
    from countyedu.census.store import CensusStore

    store = CensusStore(data_dir)
    if not store.exists():
        raise CountyEduError(Msg("no census stored yet: run countyedu import or countyedu demo first"))
    v = store.resolve(version)
    return v.version_id, store.frames(v.version_id, ["communities", "schools", "roads"])


@roads_app.command("import")
def import_(path: RoadFile, data_dir: DataDir = None, fmt: Format = Fmt.table, pack: PackOpt = None) -> None:
    """Read the road file, cut its lines at junctions and store the network as a new census version
    (the `roads` sheet, replacing any earlier network) with its community and school × school travel
    matrix (what planning then reads); then report how communities and schools join it."""
    from countyedu.census.importer import import_census
    from countyedu.census.store import CensusStore
    from countyedu.roads.sources import read_roads

    with err.status("读取道路 / reading roads…"):
        edges = read_roads(path)
    store = CensusStore(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / f"roads-{path.name}"
        folder.mkdir()
        edges.to_csv(folder / "roads.csv", index=False)
        with err.status("导入中 / importing…"):
            version = import_census(folder, store).version
    with err.status("计算出行矩阵 / computing the travel matrix…"):
        _store_matrix(store, version.version_id, pack)
    _report(data_dir, version.version_id, fmt, pack, imported=len(edges))


def _store_matrix(store: Any, version_id: str, pack: list[str] | None) -> None:
    """The version's community and school × school travel matrix, stored with it (roads.stored):
    what planning reads on this version instead of searching the road graph again."""
    from countyedu.roads import stored
    from countyedu.roads.travel import params_of
    from countyedu.runs.store import load_packs

    frames = store.frames(version_id, ["communities", "schools", "roads"])
    stored.save(store.data_dir, version_id, frames, params_of(load_packs(pack)))


@roads_app.command("check")
def check(data_dir: DataDir = None, version: VersionOpt = None, fmt: Format = Fmt.table, pack: PackOpt = None) -> None:
    """The census's road network: segments, km by class, connected parts, and the communities and schools
    farther than the snapping limit from any road."""
    _report(data_dir, version, fmt, pack)


def _report(data_dir: Path | None, version: str | None, fmt: Fmt, pack: list[str] | None, imported: int = 0) -> None:
    from countyedu.roads.report import network_report
    from countyedu.roads.travel import params_of
    from countyedu.runs.store import load_packs

    v, frames = _census(data_dir, version)
    doc = {"census_version": v, **network_report(frames, params_of(load_packs(pack)))}
    if fmt is Fmt.json:
        _json(doc)
        return
    if imported:
        out.print(f"[green]已导入为普查版本 {v} / imported as census version {v}[/]: 路段 road segments {imported}")
    if not doc["segments"]:
        out.print("本普查没有路网（countyedu roads import）/ the census has no road network")
        return
    out.print(
        f"路段 segments {doc['segments']}，路口 junctions {doc['junctions']}，总里程 {doc['road_km']:.1f} km，"
        f"连通片 connected parts {doc['parts']}"
    )
    t = table("道路等级 / class", "路段 / segments", "km")
    for row in doc["by_class"]:
        t.add_row(row["label"], str(row["segments"]), f"{row['km']:.1f}")
    out.print(t)
    far = doc["far"]
    out.print(
        f"距道路超过 {doc['snap_km']:g} km 的地点 / places farther than {doc['snap_km']:g} km from any road: {len(far)}"
    )
    if far:
        t = table("类型 / kind", "编号 / id", "名称 / name", "km")
        for row in far:
            t.add_row(row["kind"], row["id"], row["name"], f"{row['km']:.2f}")
        out.print(t)


@roads_app.command("matrix")
def matrix(
    data_dir: DataDir = None,
    version: VersionOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, csv or xlsx")] = "table",
    out_path: Annotated[Path | None, typer.Option("--out", help="file to write (.csv or .xlsx)")] = None,
    rows: Annotated[int, typer.Option("--rows", help="rows shown in the table")] = 30,
    pack: PackOpt = None,
) -> None:
    """Community × school: straight-line km, road km, walking and school-bus minutes (empty: no route).
    Without a road network the road columns are empty and planning uses the straight line."""
    from countyedu.roads.travel import params_of, travel_matrix
    from countyedu.runs.store import load_packs

    if fmt not in ("table", "json", "csv", "xlsx"):
        raise CountyEduError(Msg("--format must be table, json, csv or xlsx"))
    v, frames = _census(data_dir, version)
    frame, basis = travel_matrix(frames, params_of(load_packs(pack)))
    if fmt in ("csv", "xlsx") or out_path is not None:
        target = out_path or Path(f"travel-{v}.{fmt if fmt in ('csv', 'xlsx') else 'csv'}")
        if target.suffix.lower() == ".xlsx":
            frame.to_excel(target, index=False, sheet_name="travel")
        else:
            frame.to_csv(target, index=False)
        err.print(f"已写出 / written: {target}")
    if fmt == "json":
        doc = {"census_version": v, **basis.as_dict(), "pairs": json.loads(frame.to_json(orient="records"))}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    elif fmt == "table":
        from countyedu.messages import translate

        out.print(translate(basis.words(), "zh"))
        t = table("社区 / community", "学校 / school", "直线 km", "道路 km", "步行 min", "校车 min")
        shown = frame.sort_values(["community_id", "km"]).head(rows)
        for r in shown.itertuples():
            t.add_row(
                r.community_id,
                r.school_id,
                f"{r.straight_km:.2f}",
                "" if r.km != r.km else f"{r.km:.2f}",
                "" if r.walk_minutes != r.walk_minutes else f"{r.walk_minutes:.0f}",
                "" if r.bus_minutes != r.bus_minutes else f"{r.bus_minutes:.0f}",
            )
        out.print(t)

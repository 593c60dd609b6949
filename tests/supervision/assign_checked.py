"""Every inspector assignment a test makes, checked by the independent checker (assign_checker.py).

The checker's inputs come from the census frames the assignment was made from, read by the exchange
format's rules for the `inspectors` sheet (never by the solver's code): the schools open in the
assignment's year (opened by it, not closed by it; the stages asked for), the serving inspectors
(`active` not false, not leaving), each inspector's base (their coordinates, else the centre of
their township's schools), zone (`zone`, else their township), most schools (`max_schools`, else the
parameters' full- or part-time figure) and former school. Used by tests/supervision/conftest.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd
from assign_checker import Report, _km_haversine, check, check_reassignment


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(f) else f


def _flag(v: Any) -> bool | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, str):
        return v.strip().lower() not in ("false", "否", "0", "no")
    return bool(v)


def universe(frames: Mapping[str, pd.DataFrame], year: int, stages: Collection[str] | None) -> pd.DataFrame:
    """The schools open in `year` (every stage, or those of `stages`)."""
    s = frames["schools"].copy()
    opened = pd.to_numeric(s.get("opened_year"), errors="coerce") if "opened_year" in s.columns else None
    closed = pd.to_numeric(s.get("closed_year"), errors="coerce") if "closed_year" in s.columns else None
    keep = pd.Series(True, index=s.index)
    if opened is not None:
        keep &= opened.isna() | (opened <= year)
    if closed is not None:
        keep &= closed.isna() | (closed > year)
    if stages:
        keep &= s["stage"].astype(str).isin([str(x) for x in stages])
    s = s[keep]
    return s.assign(school_id=s["school_id"].astype(str))


def register(
    frames: Mapping[str, pd.DataFrame], schools: pd.DataFrame, params: Any, leaving: Collection[str]
) -> tuple[pd.DataFrame, set[str], dict[str, int]]:
    """(inspectors with base_lat/base_lon and zone, those not serving, each one's most schools)."""
    ins = frames["inspectors"].copy()
    ins["inspector_id"] = ins["inspector_id"].astype(str)
    gone = {str(x) for x in leaving}
    if "active" in ins.columns:
        gone |= {i for i, a in zip(ins["inspector_id"], ins["active"], strict=True) if _flag(a) is False}
    town_col = "township_id" if "township_id" in ins.columns else None
    every = frames["schools"]  # the centre of the township's schools: every school of the sheet
    centre = every.groupby(every["township_id"].astype(str))[["lat", "lon"]].mean() if len(every) else None
    lats, lons, zones, most = [], [], [], {}
    for _, r in ins.iterrows():
        town = str(r[town_col]) if town_col and pd.notna(r[town_col]) else None
        lat, lon = _num(r.get("lat")), _num(r.get("lon"))
        if (lat is None or lon is None) and centre is not None and town in centre.index:
            lat, lon = float(centre.loc[town, "lat"]), float(centre.loc[town, "lon"])
        lats.append(lat)
        lons.append(lon)
        zone = r.get("zone")
        zones.append(str(zone) if isinstance(zone, str) and zone.strip() else town)
        cap = _num(r.get("max_schools"))
        part = "part" in str(r.get("employment", "")).lower() or str(r.get("employment", "")) == "兼职"
        default = getattr(params, "max_schools_part_time" if part else "max_schools", None)
        most[r["inspector_id"]] = int(cap) if cap is not None else int(default if default is not None else 7)
    ins["base_lat"], ins["base_lon"], ins["zone"] = lats, lons, zones
    return ins, gone, most


def doc_of(mapping: Mapping[str, str]) -> dict[str, Any]:
    """A school → inspector mapping as the JSON contract's inspectors list."""
    by: dict[str, list[str]] = {}
    for s, i in mapping.items():
        by.setdefault(str(i), []).append(str(s))
    return {"inspectors": [{"inspector_id": i, "school_ids": sorted(v)} for i, v in by.items()], "unassigned": []}


def check_result(
    result: Any,
    frames: Mapping[str, pd.DataFrame],
    params: Any = None,
    previous: Mapping[str, str] | None = None,
    leaving: Collection[str] = (),
) -> Report:
    """Fail unless the assignment passes the checker (and keeps others' schools on a reassignment)."""
    doc = result.as_dict()
    year = int(doc.get("year", getattr(result, "year", 0)))
    params = params if params is not None else getattr(result, "params", None)
    schools = universe(frames, year, getattr(params, "stages", None))
    ins, gone, most = register(frames, schools, params, leaving)
    base = {i: (la, lo) for i, la, lo in zip(ins["inspector_id"], ins["base_lat"], ins["base_lon"], strict=True)}
    where = {
        s: (float(la), float(lo))
        for s, la, lo in zip(schools["school_id"], schools["lat"], schools["lon"], strict=True)
    }

    def km(i: str, s: str) -> float:
        return _km_haversine(*base[i], *where[s])

    if (doc.get("distance_basis") or {}).get("basis") == "road":  # by the census's road km (roads2)
        km = _road_km(frames, base, where)

    kw: dict[str, Any] = {
        "distance": km,
        "max_load": most,
        "zone_max": int(getattr(params, "zone_max_schools", 20) or 20),
        "zones": dict(zip(ins["inspector_id"], ins["zone"], strict=True)),
        "km_tolerance": 0.1,
    }
    if previous:
        rep = check_reassignment(doc_of(previous), doc, gone, schools, ins, **kw)
    else:
        rep = check(doc, schools, ins, left=gone, **kw)
    assert not rep.violations, "assignment fails the independent checker:\n" + "\n".join(map(str, rep.violations))
    return rep


def _road_km(
    frames: Mapping[str, pd.DataFrame], base: Mapping[str, tuple[Any, Any]], where: Mapping[str, tuple[float, float]]
) -> Any:
    """Base → school road km of the census's road network (countyedu.roads, itself checked against
    networkx in tests/roads): the distances the assignment is checked on, not the assignment."""
    from countyedu.roads.travel import located_distances

    iids, sids = list(base), list(where)
    o = pd.DataFrame({"i": iids, "lat": [base[i][0] for i in iids], "lon": [base[i][1] for i in iids]}, dtype=object)
    o[["lat", "lon"]] = o[["lat", "lon"]].astype(float)
    d = pd.DataFrame({"s": sids, "lat": [where[s][0] for s in sids], "lon": [where[s][1] for s in sids]})
    table, _ = located_distances(frames, o, d)
    road = {(i, s): float(table[a, b]) for a, i in enumerate(iids) for b, s in enumerate(sids)}
    return lambda i, s: road[(i, s)]

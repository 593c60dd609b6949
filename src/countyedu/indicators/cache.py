"""Assessments kept beside the census: computed once per census version, pack list and school years
in collection, read many times (dashboards, the API). A stored assessment is the engine's own result
objects, as JSON. Opening or closing a school year (census.years) changes the years in collection,
so it names another stored assessment: a page never shows one made under the other state."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from countyedu.census.store import CensusStore
from countyedu.census.years import Years, census_years
from countyedu.indicators.engine import Assessment, Result, SchoolGap, assess
from countyedu.policy.pack import Pack, Target, load_pack

DEFAULT_PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")


def _key(version: str, packs: list[Pack], years: Years) -> str:
    digest = hashlib.sha256(json.dumps([p.model_dump(mode="json") for p in packs], sort_keys=True).encode())
    partial = years.key()
    return f"{version}-{partial + '-' if partial else ''}{digest.hexdigest()[:12]}"


def _path(store: CensusStore, version: str, packs: list[Pack], years: Years) -> Path:
    return store.data_dir / "assessments" / f"{_key(version, packs, years)}.json"


def _result_dict(r: Result) -> dict[str, Any]:
    return {**r.as_dict(), "pack": r.pack, "num": r.num, "den": r.den, "trend_at_deadline": r.trend_at_deadline}


def _result(d: dict[str, Any]) -> Result:
    t = Target.model_validate(d["target"]) if d["target"] else None
    return Result(
        d["pack"],
        d["indicator"],
        d["level"],
        d["unit"],
        d["stage"],
        d["year"],
        d["value"],
        t,
        d["status"],
        d["num"],
        d["den"],
        d["trend_at_deadline"],
    )


def save(store: CensusStore, a: Assessment) -> Path:
    """Write an assessment atomically (a reader never sees half a file)."""
    path = _path(store, a.census_version, a.packs, a.years)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "census_version": a.census_version,
        "county_id": a.county_id,
        "packs": [p.id for p in a.packs],
        "results": [_result_dict(r) for r in a.results],
        "school_gaps": [[g.school_id, g.stage, g.year, g.additions] for g in a.school_gaps],
        "years": a.years.as_list(),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
    os.replace(tmp, path)
    return path


def load(store: CensusStore, version: str, packs: list[Pack], years: Years | None = None) -> Assessment | None:
    """The stored assessment under the years' states (default: the store's now), or None when it
    was not computed yet."""
    years = years if years is not None else census_years(store, version)
    path = _path(store, version, packs, years)
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    a = Assessment(doc["census_version"], packs, doc["county_id"], years=years)
    a.results = [_result(d) for d in doc["results"]]
    a.school_gaps = [SchoolGap(s, st, y, [tuple(x) for x in adds]) for s, st, y, adds in doc["school_gaps"]]
    return a


def get_or_compute(
    store: CensusStore,
    version: str | None = None,
    pack_ids: tuple[str, ...] = DEFAULT_PACKS,
) -> Assessment:
    """The assessment of a version (default latest), computed and stored if missing."""
    from countyedu.indicators.backends import open_tables

    v = store.resolve(version).version_id
    packs = [load_pack(p) for p in pack_ids]
    found = load(store, v, packs)
    if found is not None:
        return found
    with open_tables(store, packs, version=v) as ct:
        a = assess(ct, packs)
    save(store, a)
    return a

"""The kept assessment altered by hand (tests of readers that must show what is kept, not compute it)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from countyedu.indicators import cache


def alter_a_kept_status(data_dir: Path, version: str = "v1") -> dict[str, Any]:
    """One county result of the kept assessment of `version` turned from met to not_met: a results file
    of its own and the document naming it, as indicators.cache.save writes them. Returns that result."""
    [path] = (data_dir / cache.KIND).glob(f"{version}-*.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    results = pq.read_table(path.with_name(doc["results_file"])).to_pandas()
    i = results.index[(results["level"] == "county") & (results["status"] == "met")][0]
    results.loc[i, "status"] = "not_met"
    data = cache._results_bytes(results)  # named by its digest, as save names it (load checks it)
    name = f"{path.name.removesuffix('.json')}.{hashlib.sha256(data).hexdigest()[:16]}{cache.RESULTS}"
    path.with_name(name).write_bytes(data)
    doc["results_file"] = name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return results.loc[i].to_dict()

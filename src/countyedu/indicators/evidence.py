"""Checklist evidence (issue 15 item 3): an inspector's visit resolves a `needs_evidence` checklist item
for a school and a school year, and every assessment, report and explanation shows it.

The web writes the evidence as a snapshot file in the data dir after each change (`SNAPSHOT`, plain
JSON, readable without Django); `apply` lays it over an assessment in one place (indicators.cache on
every load and compute, and `countyedu assess`). The rule:
- each school with evidence for an item and year gets a school row of the item: met or not_met, as
  the latest visit found;
- the county row of that year becomes not_met when any school's evidence says not_met, met when every
  school assessed that year (a school row of any item) has met evidence, and otherwise stays
  needs_evidence (some schools not yet checked).
Evidence for an item that is not a checklist item, or for a year without its county row, changes
nothing (an indicator computed from the census is never overridden by a visit).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countyedu.indicators.engine import TABLE_COLUMNS, Assessment

SNAPSHOT = Path("supervision") / "checklist_evidence.json"
ROW_KEYS = ("school_id", "year", "indicator", "status", "date", "visit_id", "inspector_id")


@dataclass(frozen=True)
class Evidence:
    """The evidence rows (dicts with ROW_KEYS: one per school, year and item, the latest visit's) and
    the digest of the snapshot they came from ("" when there is none)."""

    rows: tuple[dict[str, Any], ...] = ()
    digest: str = ""

    def of(self, indicator: str, school_id: str, year: int) -> dict[str, Any] | None:
        """The evidence behind a school's result of an item in a year, if any."""
        for r in self.rows:
            if r["indicator"] == indicator and r["school_id"] == school_id and int(r["year"]) == year:
                return r
        return None


def path(data_dir: Path) -> Path:
    return Path(data_dir) / SNAPSHOT


@dataclass(frozen=True)
class Snapshot:
    """The snapshot file's bytes as read once, and their digest: equal (and hashed, as a cache key)
    by the digest alone. Its evidence is parsed only when asked for (a page whose stored
    assessment is cached needs the digest, not the rows)."""

    digest: str = ""
    raw: bytes | None = field(default=None, compare=False, repr=False)

    def evidence(self) -> Evidence:
        """The evidence rows of these bytes (empty when there was no file)."""
        if self.raw is None:
            return Evidence()
        return Evidence(tuple(json.loads(self.raw).get("rows", [])), self.digest)


def snapshot(data_dir: Path) -> Snapshot:
    """The data dir's snapshot file, read (not parsed): its digest is that of its bytes."""
    try:
        raw = path(data_dir).read_bytes()
    except FileNotFoundError:
        return Snapshot()
    return Snapshot(hashlib.sha256(raw).hexdigest()[:12], raw)


def read(data_dir: Path) -> Evidence:
    """The snapshot of a data dir (empty when no visit resolved an item yet)."""
    return snapshot(data_dir).evidence()


def dumps(rows: list[dict[str, Any]]) -> bytes:
    """The snapshot's bytes for evidence rows (sorted, so equal evidence is an equal digest)."""
    clean = [{k: r[k] for k in ROW_KEYS} for r in rows]
    clean.sort(key=lambda r: (r["indicator"], r["school_id"], int(r["year"])))
    return json.dumps({"rows": clean}, ensure_ascii=False, sort_keys=True, indent=1).encode()


class EvidencedAssessment(Assessment):
    """An assessment with checklist evidence laid over it, keeping the evidence for explanations."""

    evidence: Evidence = Evidence()


def contributions(a: Assessment, item_id: str, level: str, unit: str, year: int) -> pd.DataFrame | None:
    """The evidence behind a checklist result (an explanation's contributing rows: each school's word,
    the visit's date), or None when the assessment has none for it."""
    if not isinstance(a, EvidencedAssessment):
        return None
    rows = [
        {"unit": r["school_id"], "year": int(r["year"]), "status": r["status"], "date": r["date"]}
        for r in a.evidence.rows
        if r["indicator"] == item_id and int(r["year"]) == year and (level != "school" or r["school_id"] == unit)
    ]
    return pd.DataFrame(rows) if rows else None


def apply(a: Assessment, ev: Evidence) -> Assessment:
    """The assessment with the evidence laid over its checklist rows (see the module's rule)."""
    if not ev.rows:
        return a
    t = a.table()
    county = t[(t["level"] == "county") & (t["status"] == "needs_evidence")]
    if county.empty:
        return a
    e = pd.DataFrame(list(ev.rows))
    e["year"] = e["year"].astype(int)
    keys = county[["pack", "indicator", "year"]]
    e = e.merge(keys, on=["indicator", "year"], how="inner")
    if e.empty:
        return a
    schools = t[t["level"] == "school"].groupby("year")["unit"].agg(lambda u: set(u))
    status = t["status"].copy()
    for (pack, ind, year), g in e.groupby(["pack", "indicator", "year"]):
        at = county.index[(county["pack"] == pack) & (county["indicator"] == ind) & (county["year"] == year)]
        met = set(g.loc[g["status"] == "met", "school_id"])
        if (g["status"] == "not_met").any():
            status[at] = "not_met"
        elif schools.get(year) and schools[year] <= met:
            status[at] = "met"
    added = pd.DataFrame(
        {
            "pack": e["pack"],
            "indicator": e["indicator"],
            "level": "school",
            "unit": e["school_id"].astype(str),
            "stage": None,
            "year": e["year"],
            "value": np.nan,
            "num": np.nan,
            "den": np.nan,
            "trend_at_deadline": np.nan,
            "status": e["status"],
        }
    )
    with warnings.catch_warnings():  # all-NA columns keep the columns' dtypes
        warnings.simplefilter("ignore", FutureWarning)
        table = pd.concat([t.assign(status=status), added[TABLE_COLUMNS]], ignore_index=True)
    out = EvidencedAssessment(a.census_version, a.packs, a.county_id, school_gaps=a.school_gaps, years=a.years)
    out.evidence = ev
    out.no_data_reasons = dict(a.no_data_reasons)
    out.add(table)
    return out

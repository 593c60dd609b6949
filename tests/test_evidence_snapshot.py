"""The checklist evidence snapshot read once (issue 12 item 1's leftover): a page's request takes the
snapshot's digest from the file's bytes without parsing them, and a load lays over the stored
assessment the rows of the very bytes whose digest keyed it (the file is not read again)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from countyedu.census.store import CensusStore
from countyedu.census.years import census_years
from countyedu.indicators import cache, evidence
from countyedu.indicators.engine import TABLE_COLUMNS, Assessment
from countyedu.runs.store import load_packs

SCHOOLS = ("S1", "S2", "S3", "S4")  # the small county's schools assessed in 2024


def _rows(status: str) -> list[dict[str, Any]]:
    return [
        {"school_id": s, "year": 2024, "indicator": "QB-G1", "status": status, "date": "2024-10-08",
         "visit_id": i, "inspector_id": "I1"}
        for i, s in enumerate(SCHOOLS, 1)
    ]  # fmt: skip


def _write(data_dir: Any, rows: list[dict[str, Any]]) -> bytes:
    raw = evidence.dumps(rows)
    evidence.path(data_dir).parent.mkdir(parents=True, exist_ok=True)
    evidence.path(data_dir).write_bytes(raw)
    return raw


def test_it_takes_the_digest_from_the_bytes_and_parses_only_when_asked(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _write(tmp_path, _rows("met"))
    parsed: list[bytes] = []
    real = json.loads
    monkeypatch.setattr(evidence.json, "loads", lambda b: parsed.append(b) or real(b))
    snap = evidence.snapshot(tmp_path)
    assert snap.digest == hashlib.sha256(raw).hexdigest()[:12]
    assert parsed == []
    # a cache key by the digest alone
    assert snap == evidence.Snapshot(snap.digest) and hash(snap) == hash(evidence.Snapshot(snap.digest))
    ev = snap.evidence()
    assert parsed == [raw]
    assert ev.digest == snap.digest and [r["school_id"] for r in ev.rows] == list(SCHOOLS)


def test_no_file_is_the_empty_snapshot(tmp_path: Any) -> None:
    assert evidence.snapshot(tmp_path) == evidence.Snapshot()
    assert evidence.snapshot(tmp_path).evidence() == evidence.Evidence()


def _row(level: str, unit: str, status: str) -> dict[str, Any]:
    return dict(pack="national-qb-2017", indicator="QB-G1", level=level, unit=unit, stage=None, year=2024,
                value=np.nan, num=np.nan, den=np.nan, trend_at_deadline=np.nan, status=status)  # fmt: skip


def test_a_load_lays_the_snapshot_it_was_given(small_store: CensusStore) -> None:
    """A stored assessment whose county row of QB-G1 (2024) awaits evidence, schools S1–S4 assessed:
    loaded with a snapshot where every school met it, the county row is met; the file is gone by then
    (the load used the bytes read for the digest), and the default still reads the data dir's."""
    packs = load_packs()
    a = Assessment("v1", packs, "C", years=census_years(small_store, "v1"))
    a.add(pd.DataFrame([_row("county", "C", "needs_evidence"), *(_row("school", s, "met") for s in SCHOOLS)],
                       columns=TABLE_COLUMNS))  # fmt: skip
    cache.save(small_store, a)
    _write(small_store.data_dir, _rows("met"))
    snap = evidence.snapshot(small_store.data_dir)
    evidence.path(small_store.data_dir).unlink()

    def county(loaded: Assessment | None) -> str:
        assert loaded is not None
        t = loaded.table()
        return str(t.loc[(t["level"] == "county") & (t["indicator"] == "QB-G1"), "status"].item())

    assert county(cache.load(small_store, "v1", packs, snapshot=snap)) == "met"
    assert county(cache.load(small_store, "v1", packs)) == "needs_evidence"  # no file now: nothing laid over
    _write(small_store.data_dir, [*_rows("met")[:3], *_rows("not_met")[3:]])
    assert county(cache.load(small_store, "v1", packs)) == "not_met"

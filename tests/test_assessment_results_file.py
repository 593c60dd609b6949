"""A kept assessment's results are a Parquet file beside its document (indicators.cache): read back they
are the frame the JSON of result objects gave (every value's bits, every None), a document kept before
(its results inside it) is still read, and a document without its file is computed again."""

from __future__ import annotations

import json

import pandas as pd

from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.indicators.engine import Assessment
from countyedu.runs.store import load_packs


def test_the_results_file_reads_back_as_the_json_of_results_did(small_store: CensusStore) -> None:
    packs = load_packs()
    computed = cache.get_or_compute(small_store, "v1", packs)
    [doc_path] = (small_store.data_dir / cache.KIND).glob("v1-*.json")
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    assert "results" not in doc and (doc_path.parent / doc["results_file"]).exists()
    loaded = cache.load(small_store, "v1", packs)
    assert loaded is not None
    as_json = cache._table(computed._result_dicts(full=True))  # what the document of result objects gave
    pd.testing.assert_frame_equal(loaded.table(), as_json, check_exact=True)
    assert loaded.to_json() == computed.to_json()

    # a document kept before the file: its results inside it, read as they are
    old = {k: v for k, v in doc.items() if k != "results_file"} | {"results": computed._result_dicts(full=True)}
    doc_path.write_text(json.dumps(old, ensure_ascii=False, default=str), encoding="utf-8")
    (doc_path.parent / doc["results_file"]).unlink()
    before = cache.load(small_store, "v1", packs)
    assert before is not None and before.to_json() == computed.to_json()

    # saved again: one results file for the key, the document naming it
    cache.save(small_store, computed)
    assert [p.name for p in doc_path.parent.glob(f"v1-*{cache.RESULTS}")] == [
        json.loads(doc_path.read_text(encoding="utf-8"))["results_file"]
    ]

    # the document without its results file (a data dir copied in part): not read, computed again
    for p in doc_path.parent.glob(f"v1-*{cache.RESULTS}"):
        p.unlink()
    assert cache.load(small_store, "v1", packs) is None
    again = cache.get_or_compute(small_store, "v1", packs)
    assert again.to_json() == computed.to_json()
    assert len(list(doc_path.parent.glob(f"v1-*{cache.RESULTS}"))) == 1


def test_the_results_file_is_made_from_the_columns_as_from_the_result_objects() -> None:
    """cache._stored_frame (from the columns) is the frame of the result objects' JSON, bit for bit:
    a missing value None (NaN of any sign read back as NaN), -0.0 kept, a column of None only of
    objects, a missing stage None; and so the Parquet file's bytes are the same."""
    packs = load_packs()
    items = [it.id for it in packs[0].items[:2]]
    nan, neg_nan = float("nan"), -float("nan")
    t = pd.DataFrame(
        {
            "pack": packs[0].id,
            "indicator": [items[0], items[0], items[1], items[1]],
            "level": ["school", "school", "county", "county"],
            "unit": ["S1", "S2", "C1", "C1"],
            "stage": ["primary", None, float("nan"), "junior"],
            "year": [2023, 2023, 2024, 2024],
            "value": [0.5, -0.0, nan, neg_nan],
            "num": [1.0, 0.0, neg_nan, 3.0],
            "den": [2.0, 4.0, 0.0, nan],
            "trend_at_deadline": [nan, nan, neg_nan, nan],  # missing throughout: a column of None
            "status": ["met", "not_met", "no_data", "no_data"],
        }
    )
    a = Assessment("v1", packs, "C1")
    a.add(t)
    as_json = cache._table(a._result_dicts(full=True))
    made = cache._stored_frame(a)
    pd.testing.assert_frame_equal(made, as_json, check_exact=True)
    for c in ("value", "num", "den"):
        assert made[c].to_numpy().tobytes() == as_json[c].to_numpy().tobytes()
    assert made["trend_at_deadline"].dtype == object and made["trend_at_deadline"].isna().all()
    assert cache._results_bytes(made) == cache._results_bytes(as_json)

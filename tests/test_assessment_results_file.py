"""A kept assessment's results are a Parquet file beside its document (indicators.cache): read back they
are the frame the JSON of result objects gave (every value's bits, every None), a document kept before
(its results inside it) is still read, and a document without its file is computed again."""

from __future__ import annotations

import json

import pandas as pd

from countyedu.census.store import CensusStore
from countyedu.indicators import cache
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

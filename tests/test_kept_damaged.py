"""A kept result damaged on disk (truncated, replaced, not JSON) is a cache that no longer holds: the
assessment is computed again and written over, with a warning in the log — never an internal error
(before, `countyedu assess` and every page answered "内部错误 / internal error: ArrowInvalid(…)")."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from countyedu.census.store import CensusStore
from countyedu.cli import app
from countyedu.indicators import cache

Statuses = dict[tuple[str, str, str, int], str]


def _assess(store: CensusStore, out: Path) -> Statuses:
    args = ["assess", "--data-dir", str(store.data_dir), "--format", "json", "--out", str(out)]
    result = CliRunner().invoke(app, args, env={"COUNTYEDU_KEEP_OUTPUT": "off"})
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    return {(r["indicator"], r["level"], r["unit"], r["year"]): r["status"] for r in doc["results"]}


def _kept(store: CensusStore) -> tuple[Path, Path]:
    [doc] = (store.data_dir / cache.KIND).glob("v1-*.json")
    [results] = (store.data_dir / cache.KIND).glob(f"v1-*{cache.RESULTS}")
    return doc, results


def _damage_results_by_truncation(doc: Path, results: Path) -> None:
    results.write_bytes(results.read_bytes()[:2000])


def _damage_results_by_replacing(doc: Path, results: Path) -> None:
    import pandas as pd

    other = pd.read_parquet(results)
    other.loc[other["status"] == "met", "status"] = "not_met"  # a valid file, not the one kept
    other.to_parquet(results, index=False)


def _damage_document(doc: Path, results: Path) -> None:
    doc.write_bytes(b'{"census_version": "v1", "results_fi')


def _document_of_another_shape(doc: Path, results: Path) -> None:
    doc.write_text(json.dumps({"census_version": "v1"}), encoding="utf-8")


@pytest.mark.parametrize(
    "damage",
    [_damage_results_by_truncation, _damage_results_by_replacing, _damage_document, _document_of_another_shape],
)
def test_a_damaged_kept_assessment_is_computed_again(
    damage: object, small_store: CensusStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = _assess(small_store, tmp_path / "a.json")  # computed and kept
    for stale in (small_store.data_dir / cache.KIND).glob("*.as-json"):
        stale.unlink()  # the JSON kept beside it would answer first (it is checked against the document)
    damage(*_kept(small_store))  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="countyedu.runs"):
        again = _assess(small_store, tmp_path / "b.json")
    assert again == first
    assert "computed again" in caplog.text
    doc, results = _kept(small_store)  # written over: whole and readable
    assert cache._read_results(results) is not None
    assert json.loads(doc.read_text(encoding="utf-8"))["results_file"] == results.name
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="countyedu.runs"):
        assert _assess(small_store, tmp_path / "c.json") == first
    assert "computed again" not in caplog.text  # read from what was written

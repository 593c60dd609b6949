"""`countyedu assess` reads the assessment kept for the version (made by import, else made now and
kept), the one every page shows; --fresh computes it again (issue 12 item 1: the time of
`assess --format json` was the engine's every time)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assess_support import alter_a_kept_status
from countyedu.census.store import CensusStore
from countyedu.cli import app


def _statuses(path: Path) -> dict[tuple[str, str, str, int], str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {(r["indicator"], r["level"], r["unit"], r["year"]): r["status"] for r in doc["results"]}


def test_it_reads_the_kept_assessment_and_fresh_computes_it_again(small_store: CensusStore, tmp_path: Path) -> None:
    data = str(small_store.data_dir)

    def assess(*flags: str) -> dict[tuple[str, str, str, int], str]:
        out = tmp_path / "a.json"
        result = CliRunner().invoke(app, ["assess", "--data-dir", data, "--format", "json", "--out", str(out), *flags])
        assert result.exit_code == 0, result.output
        return _statuses(out)

    first = assess()  # none kept yet: computed and kept
    r = alter_a_kept_status(small_store.data_dir)  # the kept assessment altered: what assess shows comes from it
    key = (r["indicator"], "county", r["unit"], r["year"])
    assert assess()[key] == "not_met"
    fresh = assess("--fresh")
    assert fresh[key] == "met" and fresh == first

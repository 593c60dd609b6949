"""The registry's stored supervision run (issue 15): it reads, besides the census, the web's records
snapshot (supervision.snapshot) and the assessment, so it says what `countyedu tasks list` and the
pages say — one task status, from the indicators — and it carries the evaluation and its report
chapter. A change of the records is another run (the snapshot's digest is part of the key).

The hand county with six tasks (tests/fixtures/supervision/tasks.csv); K6 is linked to B-34-FUNDS."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.cache import get_or_compute
from countyedu.runs import pipeline
from countyedu.runs.registry import get
from countyedu.runs.store import load_packs
from countyedu.supervision import snapshot
from countyedu.supervision.kind import run_supervision
from countyedu.supervision.parts import county_statuses
from countyedu.supervision.records import Records

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CensusStore:
    tmp = tmp_path_factory.mktemp("stored-run")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    shutil.copy(FIXTURES / "supervision" / "tasks.csv", county / "tasks.csv")
    s = CensusStore(tmp / "data")
    import_census(county, s)
    return s


def test_the_stored_run_has_the_pages_task_statuses_and_the_evaluation(store: CensusStore) -> None:
    packs = load_packs()
    kind = get("supervision")
    version = store.latest().version_id
    run = pipeline.stored(store, kind, version, packs, compute_missing=True)
    assert run is not None
    table = get_or_compute(store, version, packs).table()
    live = run_supervision(store.census(version), packs, None, indicators=county_statuses(table), only=["tasks"])
    stored_tasks = {t["task_id"]: (t["status"], t["source"]) for t in run.data["tasks"]["tasks"]}
    live_tasks = {t.task_id: (t.status, t.source) for t in live.part("tasks").tasks}
    assert stored_tasks == live_tasks
    assert stored_tasks["K6"][1] == "indicators"
    assert run.summary["tasks_overdue"] == live.summary()["tasks_overdue"]
    # the evaluation and its chapter: the county's annual supervision report
    assert {u["township_id"] for u in run.data["evaluation"]["townships"]} == {"T1", "T2"}
    ids = [b.id for b in run.blocks["zh"]]
    assert "supervision.tasks" in ids[0] and any(i.startswith("supervision.evaluation") for i in ids)
    assert run.summary["evaluation_year"] == run.data["evaluation"]["year"]

    # the web records a veto on 琴城镇 (T1): another snapshot, another run, the veto in its evaluation
    year = run.data["evaluation"]["year"]
    vetoed = Records.from_rows(vetoes=[{"year": year, "unit_id": "T1", "veto": "pay_arrears", "note": "拖欠"}])
    snapshot.path(store.data_dir).parent.mkdir(parents=True, exist_ok=True)
    snapshot.path(store.data_dir).write_bytes(snapshot.dumps(vetoed))
    try:
        assert pipeline.stored(store, kind, version, packs) is None
        again = pipeline.stored(store, kind, version, packs, compute_missing=True)
        assert again is not None
        t1 = next(u for u in again.data["evaluation"]["townships"] if u["township_id"] == "T1")
        assert t1["vetoes"] == ["pay_arrears"] and t1["grade"] == "fail"
        assert pipeline.stored(store, kind, version, packs) is not None
    finally:
        snapshot.path(store.data_dir).unlink()
    assert pipeline.stored(store, kind, version, packs) is not None  # the first run's key again

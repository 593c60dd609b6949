"""The one run store (runs.store): a stored run reads back as it was written, and its key — census
version, packs, parameters, years in collection — names another file when any of them changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.years import CLOSED, COLLECTING, Years, census_years
from countyedu.indicators import cache
from countyedu.policy.pack import load_pack
from countyedu.runs.store import RunStore, StoredRun, load_packs, packs_digest, run_key, write_atomic
from test_report_blocks import _blocks

HAND = Path(__file__).parent / "fixtures" / "hand"


@pytest.fixture
def store(tmp_path: Path) -> CensusStore:
    s = CensusStore(tmp_path / "data")
    import_census(HAND, s)
    return s


def test_it_reads_back_a_stored_run_as_written(tmp_path: Path) -> None:
    packs = load_packs()
    key = run_key("planning", "v1", packs, census_years_none(), {"year": 2025, "horizon": 2030})
    run = StoredRun(key, {"year": 2025, "horizon": 2030}, {"x": 1}, {"zh": _blocks()}, {"failed": []})
    path = RunStore(tmp_path).save(run)
    assert path == tmp_path / "planning" / f"v1-{packs_digest(packs)}-{key.params}.json"
    back = RunStore(tmp_path).load(key)
    assert back is not None and back.data == {"x": 1} and back.summary == {"failed": []}
    assert back.kind == "planning" and back.census_version == "v1" and back.params == run.params
    assert [b.as_dict() for b in back.blocks["zh"]] == [b.as_dict() for b in _blocks()]
    other_version = run_key("planning", "v2", packs, census_years_none(), {"year": 2025, "horizon": 2030})
    other_params = run_key("planning", "v1", packs, census_years_none(), {"year": 2024, "horizon": 2030})
    other_packs = run_key("planning", "v1", packs[:1], census_years_none(), {"year": 2025, "horizon": 2030})
    assert len({other_version.name, other_params.name, other_packs.name, key.name}) == 4
    assert RunStore(tmp_path).load(other_version) is None and RunStore(tmp_path).load(other_params) is None


def census_years_none() -> Years:
    return Years()  # every year closed


def test_a_year_in_collection_keys_another_run(store: CensusStore) -> None:
    packs = load_packs()
    closed = census_years(store, "v1")
    key = run_key("funding", "v1", packs, closed, {"year": None})
    RunStore(store.data_dir).save(StoredRun(key, {"year": None}, {"year": 2024}, {"zh": []}))
    store.set_year_state(2024, COLLECTING, "round opened")
    collecting = census_years(store, "v1")
    assert collecting.key() == "p2024"
    open_key = run_key("funding", "v1", packs, collecting, {"year": None})
    assert open_key.name == f"v1-p2024-{key.packs}-{key.params}" and RunStore(store.data_dir).load(open_key) is None
    store.set_year_state(2024, CLOSED, "round closed")
    back = RunStore(store.data_dir).load(run_key("funding", "v1", packs, census_years(store, "v1"), {"year": None}))
    assert back is not None and back.data == {"year": 2024}


def test_an_assessment_is_kept_under_the_same_key_scheme(store: CensusStore) -> None:
    a = cache.get_or_compute(store, "v1")
    key = cache.key("v1", a.packs, a.years)
    assert key.kind == "assessments" and key.params == ""
    assert (store.data_dir / "assessments" / f"v1-{packs_digest(a.packs)}.json").exists()
    again = cache.load(store, "v1", load_packs())
    assert again is not None
    assert [r.as_dict() for r in again.results] == [r.as_dict() for r in a.results] and len(a.results) > 100
    assert cache.load(store, "v1", [load_pack("nanfeng-2019")]) is None  # other packs: another run


def test_the_writer_leaves_the_old_file_when_a_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "r.html"
    write_atomic(target, lambda p: p.write_text("old", encoding="utf-8"))

    def broken(p: Path) -> None:
        p.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, broken)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in target.parent.iterdir()] == ["r.html"]


def test_a_report_file_is_written_once_under_its_key(tmp_path: Path) -> None:
    packs = load_packs()
    key = run_key("reports", "v1", packs, census_years_none(), {"scope": "county", "unit": "361023", "lang": "zh"})
    calls: list[Path] = []

    def write(p: Path) -> None:
        calls.append(p)
        p.write_text("<html></html>", encoding="utf-8")

    first = RunStore(tmp_path).file(key, ".html", write)
    second = RunStore(tmp_path).file(key, ".html", write)
    assert first == second == tmp_path / "reports" / f"{key.name}.html" and len(calls) == 1

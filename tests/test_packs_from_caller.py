"""Planning and funding take the packs the census is assessed with (issue 11 item 3): another county's
pack — here a copy of nanfeng-2019 under another id with a higher primary baseline and a lower
households threshold for a community kindergarten — drives both, through the pipeline and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.funding.service import pack_params
from countyedu.planning.service import planning_params_of
from countyedu.policy.pack import PACK_DIR, load_pack
from countyedu.runs import pipeline
from countyedu.runs.store import DEFAULT_PACKS, load_packs

HAND = Path(__file__).parent / "fixtures" / "hand"


@pytest.fixture(scope="module")
def other_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    doc = yaml.safe_load((PACK_DIR / "nanfeng-2019.yaml").read_text(encoding="utf-8"))
    doc["id"] = "othercounty-2024"
    doc["parameters"]["funding"]["baseline"]["primary"] = {2019: 900}  # nanfeng: 600
    doc["parameters"]["planning"]["kg_households"] = 300  # nanfeng: 1200
    path = tmp_path_factory.mktemp("packs") / "othercounty-2024.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CensusStore:
    s = CensusStore(tmp_path_factory.mktemp("caller-packs") / "data")
    import_census(HAND, s)
    return s


def test_the_parameters_are_the_callers_packs(other_pack: Path) -> None:
    other = [load_pack(str(other_pack)), *load_packs(DEFAULT_PACKS[1:])]
    assert pack_params(load_packs()).baseline["primary"] == {2019: 600.0}
    assert pack_params(other).baseline["primary"] == {2019: 900.0}
    assert planning_params_of(load_packs()).kg_households == 1200
    assert planning_params_of(other).kg_households == 300


def test_planning_and_funding_follow_another_countys_pack(store: CensusStore, other_pack: Path) -> None:
    nanfeng = load_packs()
    other = [load_pack(str(other_pack)), *load_packs(DEFAULT_PACKS[1:])]
    ours = pipeline.after_census(store, "v1", nanfeng).runs
    theirs = pipeline.after_census(store, "v1", other).runs
    assert ours["funding"].key != theirs["funding"].key  # kept apart: another pack is another run
    assert theirs["funding"].data["per_pupil"]["total"] > ours["funding"].data["per_pupil"]["total"]
    assert ours["planning"].data["facility_needs"] != theirs["planning"].data["facility_needs"]


def test_the_cli_takes_the_pack(store: CensusStore, other_pack: Path) -> None:
    def funding(*packs: str) -> dict[str, object]:
        args = [a for p in packs for a in ("--pack", p)]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "countyedu",
                "run",
                "funding",
                "--data-dir",
                str(store.data_dir),
                *args,
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    theirs = funding(str(other_pack), *DEFAULT_PACKS[1:])
    ours = funding(*DEFAULT_PACKS)
    assert theirs["per_pupil"]["total"] > ours["per_pupil"]["total"]  # type: ignore[index]

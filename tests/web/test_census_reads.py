"""The web app's cached reads of the census (web/census.py) belong to one data dir: two counties whose
versions have the same id (every data dir starts at v1) are each read as themselves, with no
`forget()` between them — the words walk once read another county's census this way, and a school page
another county's pupils."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.web import census as census_data
from countyedu.web.dashboard_parts import pupils

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"


def test_two_data_dirs_with_the_same_version_id_are_read_apart(settings: Any, tmp_path: Path) -> None:
    folder = shutil.copytree(HAND, tmp_path / "renamed")
    schools_csv = folder / "schools.csv"
    schools = pd.read_csv(schools_csv, dtype=str, keep_default_na=False)
    first = schools.loc[0, "school_id"]
    schools.loc[0, "name"] = "改名后的学校"
    schools.to_csv(schools_csv, index=False)
    classes = pd.read_csv(folder / "classes.csv", dtype=str, keep_default_na=False)
    classes.loc[0, "pupils"] = str(int(classes.loc[0, "pupils"]) + 1)  # one pupil more in the renamed county
    classes.to_csv(folder / "classes.csv", index=False)
    dirs = {}
    for name, source in (("hand", HAND), ("renamed", folder)):
        store = CensusStore(tmp_path / name / "data")
        import_census(source, store)
        assert store.latest().version_id == "v1"  # type: ignore[union-attr]
        dirs[name] = store.data_dir

    census_data.forget()
    seen = []
    for name in ("hand", "renamed", "hand", "renamed"):
        settings.DATA_DIR = dirs[name]
        version = census_data.latest_version()
        seen.append(
            (
                census_data.schools_by_id(version)[first]["name"],
                census_data.census(version)["schools"].set_index("school_id").loc[first, "name"],
                sum(pupils(version).values()),  # a page's own cache of the version (census_data.per_version)
            )
        )
    original = pd.read_csv(HAND / "schools.csv", dtype=str).set_index("school_id").loc[first, "name"]
    total = int(pd.to_numeric(pd.read_csv(HAND / "classes.csv")["pupils"]).sum())
    assert seen == [(original, original, total), ("改名后的学校", "改名后的学校", total + 1)] * 2

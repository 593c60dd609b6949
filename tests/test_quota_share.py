"""QB-G14 (≥ 50% of quality high schools' places to junior schools, 指标到校) computed from
programmes.quota_to_schools (issue 12, item 2), by hand on the threshold county plus two high
schools."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators.engine import assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import load_pack
from threshold_census import YEARS, threshold_frames


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> CensusStore:
    """H1 declares 指标到校: G01 300 places × 0.6 + G02 60 places (none declared); H2 declares none
    (general 200); the vocational programme V01 is of another track."""
    f = threshold_frames()
    high = f["schools"].iloc[[0, 0]].assign(school_id=["H1", "H2"], name=["南丰一中", "南丰二中"], stage="high")
    f["schools"] = pd.concat([f["schools"], high], ignore_index=True)
    classes = [
        {"school_id": s, "year": y, "grade": "H1", "class_no": 1, "pupils": 50} for s in ("H1", "H2") for y in YEARS
    ]
    f["classes"] = pd.concat([f["classes"], pd.DataFrame(classes)], ignore_index=True)
    t = f["teachers"][f["teachers"]["school_id"] == "K2"].head(4)
    for s in ("H1", "H2"):
        f["teachers"] = pd.concat(
            [f["teachers"], t.assign(school_id=s, teacher_id=s + t["teacher_id"])], ignore_index=True
        )
    rows = [
        ("G01", "H1", "general", 300, 0.6),
        ("G02", "H1", "general", 60, np.nan),
        ("G03", "H2", "general", 200, np.nan),
    ]
    rows.append(("V01", "N1", "vocational", 200, 0.9))
    f["programmes"] = pd.DataFrame(
        [
            {"programme_id": p, "year": y, "school_id": s, "track": tr, "quota": q, "quota_to_schools": share}
            for y in YEARS
            for p, s, tr, q, share in rows
        ]
    ).reindex(columns=f["programmes"].columns)  # the admission columns left empty
    root = tmp_path_factory.mktemp("quota")
    st = CensusStore(root / "data")
    import_census(write_folder(root / "src", f, "parquet"), st)
    return st


def _g14(store: CensusStore, **params: object) -> pd.DataFrame:
    pack = load_pack("national-qb-2017")
    item = pack.item("QB-G14")
    item = item.model_copy(update={"params": {**item.params, **params}})
    with duckdb_tables(store) as ct:
        return assess(ct, [pack.model_copy(update={"items": [item]})]).table()


def test_quality_schools_are_those_declaring_a_share(store: CensusStore) -> None:
    # H1 only: (300 × 0.6 + 60 × 0) / (300 + 60) = 180 / 360 = 0.5 → met (≥ 0.5), on the threshold
    t = _g14(store)
    assert t["value"].tolist() == [0.5, 0.5] and t["status"].tolist() == ["met", "met"]
    assert t["num"].tolist() == [180.0, 180.0] and t["den"].tolist() == [360.0, 360.0]


def test_a_pack_may_name_the_quality_schools(store: CensusStore) -> None:
    # H1 and H2: 180 / (360 + 200) = 0.3214… → not met
    t = _g14(store, quality_schools=["H1", "H2"])
    assert t["value"].tolist() == [pytest.approx(180 / 560)] * 2
    assert t["status"].tolist() == ["not_met", "at_risk"]  # 2024: flat at 0.32, short of 0.5 by 2025

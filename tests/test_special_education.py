"""Special-education schools (特殊教育学校) in the exchange format (issue 12, item 2): a school kind,
the stage 特殊教育 (listed last) and the grades the school declares (S1–S12); QB-Q2 counts their
pupils and the funding rule pays them 6000 yuan a year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.vocabulary import STAGES, label
from countyedu.census.writers import write_folder
from countyedu.indicators.engine import assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import load_pack
from threshold_census import threshold_frames


def test_the_vocabulary_has_the_stage_last_and_the_school_kind() -> None:
    assert STAGES == ("kindergarten", "primary", "junior", "high", "vocational", "special")
    assert label("education_stage", "special") == "特殊教育"
    assert label("education_stage", "special", "en") == "special education"
    assert label("stage", "special_education") == "特殊教育学校"
    assert label("grade", "S1") == "特教一年级" and label("grade", "S12") == "特教十二年级"


def _with_special_school(grades: dict[str, int], stage: str = "special_education") -> dict[str, pd.DataFrame]:
    """The threshold county plus school X1 with the given classes (grade → pupils), every pupil
    disabled, and 26 school-age disabled children in the finance sheet."""
    f = threshold_frames()
    row = f["schools"].iloc[[0]].assign(school_id="X1", name="南丰县特殊教育学校", stage=stage)
    f["schools"] = pd.concat([f["schools"], row], ignore_index=True)
    years = sorted(f["classes"]["year"].unique())
    classes = [
        {"school_id": "X1", "year": y, "grade": g, "class_no": 1, "pupils": n} for y in years for g, n in grades.items()
    ]
    f["classes"] = pd.concat([f["classes"], pd.DataFrame(classes)], ignore_index=True)
    sy = f["school_years"][f["school_years"]["school_id"] == "N1"].assign(
        school_id="X1", disabled_pupils=sum(grades.values())
    )
    f["school_years"] = pd.concat([f["school_years"], sy], ignore_index=True)
    t = f["teachers"][f["teachers"]["school_id"] == "K2"].assign(school_id="X1")
    f["teachers"] = pd.concat([f["teachers"], t.assign(teacher_id="x" + t["teacher_id"])], ignore_index=True)
    fin = pd.DataFrame([{"year": y, "item": "disabled_children_school_age", "amount": 26.0} for y in years])
    f["finance"] = pd.concat([f["finance"], fin], ignore_index=True)
    return f


def test_a_special_school_imports_with_its_own_grades_and_qb_q2_counts_it(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(write_folder(tmp_path / "src", _with_special_school({"S1": 8, "S2": 10, "S3": 7}), "parquet"), store)
    with duckdb_tables(store) as ct:
        parts = ct.parts().to_pandas()
        assert set(parts[parts["school_id"] == "X1"]["part"]) == {"special"}
        a = assess(ct, [load_pack("national-qb-2017")])
    t = a.table()
    # QB-Q2: 25 disabled pupils enrolled (all at X1) / 26 school-age disabled children = 0.9615… ≥ 0.95
    q2 = t[(t["indicator"] == "QB-Q2") & (t["year"] == 2024)]
    assert q2["value"].tolist() == [pytest.approx(25 / 26)] and q2["status"].tolist() == ["met"]
    # special-education schools are left out of the QB-R resources (STANDARDS QB, schools in scope)
    assert not (t["unit"] == "X1").any()


def test_a_primary_school_cannot_declare_special_grades(tmp_path: Path) -> None:
    from countyedu.errors import ValidationFailed

    bad = _with_special_school({"S1": 8}, stage="primary")
    with pytest.raises(ValidationFailed) as e:
        import_census(write_folder(tmp_path / "src", bad, "parquet"), CensusStore(tmp_path / "data"))
    assert any(p.rule == "grade_stage" and p.column == "grade" and p.value == "S1" for p in e.value.problems)

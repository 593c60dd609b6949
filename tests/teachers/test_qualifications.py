"""Qualifications to 2025 (第26条) on a hand-made county whose plan is worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from countyedu.runs.store import load_packs
from countyedu.teachers.qualifications import QualificationsError, plan, qualification_params, stage_weights

PACKS = load_packs(["nanfeng-2019"])


def _teacher(tid: str, school: str, birth: int, gender: str, education: str, normal: bool, year: int = 2024) -> dict:
    return {
        "teacher_id": tid,
        "school_id": school,
        "year": year,
        "birth_year": birth,
        "gender": gender,
        "education": education,
        "normal_major": normal,
        "full_time": True,
    }


def _county() -> dict[str, pd.DataFrame]:
    schools = pd.DataFrame({"school_id": ["P", "N"], "stage": ["primary", "nine_year"]})
    classes = pd.DataFrame(
        {"school_id": ["P", "N", "N"], "year": [2024] * 3, "grade": ["P1", "P1", "J1"], "pupils": [100, 60, 40]}
    )
    teachers = pd.DataFrame(
        [
            _teacher("p1", "P", 1970, "female", "associate", True),  # 55 in 2025: retires
            _teacher("p2", "P", 1990, "male", "bachelor", False),
            _teacher("p3", "P", 1990, "male", "associate", False),  # not a normal major: not qualified
            _teacher("p4", "P", 1990, "female", "master", True),
        ]
    )
    return {"schools": schools, "classes": classes, "teachers": teachers}


PRM = qualification_params(
    PACKS,
    upgrade_rates={"below_associate": 0.0, "associate": 0.5, "bachelor": 0.0},
    hire_mix={"primary": {"master": 1.0}},
    horizon_years=1,
)


def _outcome(p, target_id):
    return next(o for o in p.outcomes if o.target.id == target_id)


def test_it_retires_upgrades_and_hires_as_worked_out_by_hand():
    p = plan(_county(), PACKS, 2024, PRM)
    assert p.years == [2024, 2025]
    # 2025: p1 retires (female, 55); half of p3 takes a bachelor; p1 is replaced by a master
    assert p.retirements[["year", "stage", "teachers"]].to_dict("records") == [
        {"year": 2025, "stage": "primary", "teachers": 1.0}
    ]
    assert p.upgrades[["year", "from_level", "to_level", "teachers"]].to_dict("records") == [
        {"year": 2025, "from_level": "associate", "to_level": "bachelor", "teachers": 0.5}
    ]
    assert p.hires[["year", "stage", "education", "teachers"]].to_dict("records") == [
        {"year": 2025, "stage": "primary", "education": "master", "teachers": 1.0}
    ]
    qual = _outcome(p, "TQ-PRI-QUAL")
    # 2024: p1 (normal associate), p2, p4 of 4; 2025: p2, ½ p3, p4, the hire of 4
    assert qual.shares == {2024: pytest.approx(0.75), 2025: pytest.approx(0.875)}
    assert (qual.reached_year, qual.shortfall, qual.status()) == (None, 1, "not_met")
    post = _outcome(p, "TQ-PRI-POSTGRAD")
    assert post.shares == {2024: pytest.approx(0.25), 2025: pytest.approx(0.5)}
    assert (post.reached_year, post.shortfall, post.status()) == (2024, 0, "met")
    assert _outcome(p, "TQ-HIGH-BACH").status() == "no_data"  # no high-school teachers


def test_it_reaches_a_target_later_when_the_plan_runs_longer():
    prm = qualification_params(PACKS, upgrade_rates={"associate": 1.0}, hire_mix={"primary": {"bachelor": 1.0}})
    p = plan(_county(), PACKS, 2024, prm)
    qual = _outcome(p, "TQ-PRI-QUAL")
    assert qual.reached_year == 2025 and qual.shortfall == 0
    assert p.years == [2024, 2025, 2026, 2027, 2028, 2029]  # five years past the census year


def test_it_counts_a_combined_schools_teachers_by_pupil_share():
    w = stage_weights(_county()["schools"], _county()["classes"], 2024)
    n = w[w["school_id"] == "N"].set_index("stage")["weight"].to_dict()
    assert n == {"primary": pytest.approx(0.6), "junior": pytest.approx(0.4)}


def test_it_refuses_a_year_without_teachers_and_a_bad_parameter():
    with pytest.raises(QualificationsError):
        plan(_county(), PACKS, 2019, PRM)
    with pytest.raises(QualificationsError):
        qualification_params(PACKS, upgrade_rates={"associate": 1.5})
    with pytest.raises(QualificationsError):
        qualification_params(PACKS, hire_mix={"primary": {"master": 0.5}})


def test_its_blocks_and_json_carry_every_target():
    p = plan(_county(), PACKS, 2024, PRM)
    d = p.as_dict()
    assert {t["target_id"] for t in d["targets"]} >= {"TQ-PRI-QUAL", "TQ-PRI-POSTGRAD"}
    blocks = p.blocks("zh")
    assert [b.id for b in blocks] == ["teachers.qualifications", "teachers.qualification_flows"]
    assert all(b.id.startswith("teachers.") for b in blocks)

"""Staffing norms (编制) on a hand-made county whose answers were worked out by hand (staffing_county)."""

from __future__ import annotations

import pytest
from staffing_county import YEAR, frames

from countyedu.errors import CountyEduError
from countyedu.teachers.params import TeachersParams, teachers_params
from countyedu.teachers.staffing import Staffing, compute_staffing


@pytest.fixture(scope="module")
def staffing() -> Staffing:
    return compute_staffing(frames(), TeachersParams())


def by_school(s: Staffing) -> dict[str, dict]:
    return {r["school_id"]: r for r in s.contract()}


def test_norms_follow_the_ratios_floors_kindergarten_classes_and_boarding(staffing: Staffing) -> None:
    rows = by_school(staffing)
    assert staffing.year == YEAR
    # U 228/19 = 12; V 90/19 = 4.7 below its floor 6 classes + PE, music, art = 9; C 456/19 = 24 + 100
    # boarders/100 = 25; TP floor 2 + 3 × ½ = 3.5 → 4; J 270/13.5 = 20; H 300/12.5 = 24; KG 3 classes × 2 = 6
    assert {k: r["norm"] for k, r in rows.items()} == {
        "U": 12,
        "V": 9,
        "C": 25,
        "TP": 4,
        "J": 20,
        "H": 24,
        "KG": 6,
    }
    assert rows["U"]["pupils"] == 228 and rows["U"]["classes"] == 6


def test_surplus_and_shortage_count_part_time_teachers_as_half(staffing: Staffing) -> None:
    rows = by_school(staffing)
    assert rows["U"]["actual"] == 14 and rows["U"]["surplus"] == 2 and rows["U"]["shortage"] == 0
    assert rows["V"]["actual"] == 7 and rows["V"]["shortage"] == 2
    assert rows["TP"]["shortage"] == 1 and rows["J"]["shortage"] == 3 and rows["H"]["shortage"] == 3
    assert rows["C"]["surplus"] == rows["C"]["shortage"] == 0
    full = compute_staffing(frames(), TeachersParams(part_time_fraction=1.0))
    assert by_school(full)["U"]["actual"] == 15


def test_subject_posts_follow_the_weekly_periods(staffing: Staffing) -> None:
    s = staffing.subjects.set_index(["school_id", "subject"])
    # U's 12 teaching posts over 148 weekly periods of P1–P6: Chinese 42 → 3.41, PE 20 → 1.62
    assert s.loc[("U", "chinese"), "posts"] == pytest.approx(12 * 42 / 148, abs=1e-3)
    assert s.loc[("U", "chinese"), "surplus"] == pytest.approx(6 - 12 * 42 / 148, abs=1e-3)
    assert s.loc[("U", "pe"), "shortage"] == pytest.approx(12 * 20 / 148 - 1, abs=1e-3)
    # the village school has no music teacher: its 9 posts give music 12/148 of them
    assert s.loc[("V", "music"), "shortage"] == pytest.approx(9 * 12 / 148, abs=1e-3)
    assert s.loc[("KG", "preschool"), "posts"] == 6
    # the posts of a school add up to its teaching norm
    assert s.loc["C", "posts"].sum() == pytest.approx(24, abs=1e-3)


def test_county_totals_against_the_quota(staffing: Staffing) -> None:
    c = staffing.county
    assert c["norm"] == 100 and c["caregivers"] == 3 and c["need"] == 103
    assert c["quota"] == 100 and c["balance"] == -3
    [finding] = staffing.blocks()[0].findings
    assert finding.status == "not_met"
    unknown = compute_staffing(frames(quota=None), TeachersParams())
    assert unknown.county["quota"] is None and unknown.blocks()[0].findings[0].status == "no_data"
    held = compute_staffing(frames(quota=None), TeachersParams(county_quota=110))
    assert held.county["balance"] == 7 and held.blocks()[0].findings[0].status == "met"


def test_the_pack_section_sets_the_parameters_and_a_bad_one_is_named() -> None:
    p = teachers_params({"pupils_per_teacher": {"primary": 20.0}, "rotation": {"eligible_years": 5}})
    assert p.ratio("primary") == 20.0 and p.section("rotation") == {"eligible_years": 5}
    assert teachers_params(None).ratio("junior") == 13.5
    with pytest.raises(CountyEduError) as e:
        teachers_params({"part_time_fraction": "half"})
    assert "part_time_fraction" in e.value.text("en")

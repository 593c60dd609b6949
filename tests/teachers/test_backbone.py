"""Backbone teachers and titles (第24、25条, QB-R2, Jiangxi 2018's rural-service rule) on a hand-made
county of three years whose answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from countyedu.runs.store import load_packs
from countyedu.teachers.backbone import BackboneError, backbone_params, compute, title_code

PACKS = load_packs(["nanfeng-2019"])


def _row(tid, school, year, title, backbone="none", years=5, full_time=True):
    return {
        "teacher_id": tid,
        "school_id": school,
        "year": year,
        "subject": "math",
        "title": title,
        "backbone": backbone,
        "years_at_school": years,
        "full_time": full_time,
    }


def _county() -> dict[str, pd.DataFrame]:
    schools = pd.DataFrame(
        {
            "school_id": ["U", "R"],
            "name": ["城区小学", "乡村小学"],
            "stage": ["primary", "primary"],
            "township_id": ["T1", "T2"],
            "urban": [True, False],
        }
    )
    classes = pd.DataFrame({"school_id": ["U", "R"], "year": [2024, 2024], "grade": ["P1", "P1"], "pupils": [100, 40]})
    rows = []
    for y in (2022, 2023, 2024):
        rows.append(_row("a", "U", y, "小学高级教师", "county"))  # county backbone since the first year
        rows.append(_row("b", "U", y, "一级教师", "none" if y == 2022 else "city"))  # named 2023
        rows.append(_row("c", "R", y, "二级"))
        rows.append(_row("d", "R" if y == 2022 else "U", y, "一级", years=3 if y == 2022 else 1))
        rows.append(_row("e", "U", y, "二级教师"))
    rows.append(_row("f", "U", 2024, "", full_time=False))  # part-time: not counted
    return {"schools": schools, "classes": classes, "teachers": pd.DataFrame(rows)}


def test_it_reads_titles_as_codes_or_labels():
    assert [
        title_code(v) for v in ("高级", "中学高级教师", "一级教师", "小学二级", "first", "正高级教师", None, "", "助教")
    ] == [
        "senior",
        "senior",
        "first",
        "second",
        "first",
        "senior_full",
        "unrated",
        "unrated",
        "unrated",
    ]


def test_it_keeps_the_register_with_the_year_named_and_who_is_due():
    r = compute(_county(), PACKS, 2024, backbone_params(PACKS, review_years=2))
    reg = r.register.set_index("teacher_id")
    assert reg.loc["a", ["level", "year_named", "named_in_first_year", "due"]].tolist() == ["county", 2022, True, True]
    assert reg.loc["b", ["level", "year_named", "named_in_first_year", "due"]].tolist() == ["city", 2023, False, False]
    assert r.due["teacher_id"].tolist() == ["a"]
    r3 = compute(_county(), PACKS, 2024)  # the default cycle of 3 years: nobody is due yet
    assert r3.due.empty


def test_it_counts_backbone_teachers_per_school_and_names_the_schools_without():
    r = compute(_county(), PACKS, 2024)
    s = r.schools.set_index("school_id")
    assert s.loc["U", ["full_time", "backbone", "pupils"]].tolist() == [4, 2, 100]
    assert s.loc["U", "share"] == pytest.approx(0.5) and s.loc["U", "per_100"] == pytest.approx(2.0)
    assert r.without_backbone == ["R"]


def test_it_counts_titles_against_the_post_structure():
    r = compute(_county(), PACKS, 2024)
    u = r.titles.set_index("school_id").loc["U"]
    # U: 4 full-time teachers (a 高级, b and d 一级, e 二级); primary posts: 10% senior → 0, 50% 一级 → 2
    assert [u["senior"], u["first"], u["second"], u["senior_posts"], u["first_posts"]] == [1, 2, 1, 0, 2]
    assert (u["unappointed_senior"], u["unappointed_first"]) == (1, 0)


def test_it_applies_the_rural_service_rule_to_first_grade_teachers():
    r = compute(_county(), PACKS, 2024)
    rural = r.rural.set_index("teacher_id")
    # b: always at the urban school; d: 2022 at R (and 2 years there before the census)
    assert rural.loc["b", ["rural_years", "meets"]].tolist() == [0, False]
    assert rural.loc["d", ["rural_years", "meets"]].tolist() == [3, True]
    weak = compute(_county(), PACKS, 2024, backbone_params(PACKS, weak_schools=["U"]))
    # a weak school counts too: 3 census years and the 4 years at U before 2022 (5 years at school then)
    assert weak.rural.set_index("teacher_id").loc["b", "rural_years"] == 7


def test_it_refuses_a_year_without_teachers_and_a_bad_cycle():
    with pytest.raises(BackboneError):
        compute(_county(), PACKS, 2019)
    with pytest.raises(BackboneError):
        backbone_params(PACKS, review_years=0)


def test_its_blocks_and_json():
    r = compute(_county(), PACKS, 2024)
    assert [b.id for b in r.blocks("zh")] == ["teachers.backbone", "teachers.titles"]
    d = r.as_dict()
    assert d["schools_without_backbone"] == ["R"] and d["year"] == 2024


def test_it_believes_the_year_named_the_census_records():
    frames = _county()
    t = frames["teachers"]
    frames["teachers"] = t.assign(backbone_year=[2019 if tid == "a" else None for tid in t["teacher_id"]])
    reg = compute(frames, PACKS, 2024).register.set_index("teacher_id")
    assert reg.loc["a", ["year_named", "named_in_first_year", "due"]].tolist() == [2019, False, True]
    assert reg.loc["b", "year_named"] == 2023  # none recorded: from the census's years

"""Per-pupil operating funds (第22条, 第5条, FD, QB-G6, QB-G7): hand-computed cases and the demo county."""

from __future__ import annotations

import pandas as pd
import pytest
from funding_support import census, demo, school

from countyedu.funding.params import FundingParams, FundingParamsError, funding_params
from countyedu.funding.perpupil import school_funds
from countyedu.policy.pack import load_pack

P = FundingParams()  # defaults: primary 600, junior 800, +10% every 2 years from 2019, compound


def amounts(frames: dict[str, pd.DataFrame], year: int, params: FundingParams = P) -> dict[tuple[str, str, str], float]:
    rows = school_funds(frames, year, params).rows
    return {(r.school_id, r.stage, r.component): r.amount for r in rows.itertuples()}


def total(frames: dict[str, pd.DataFrame], year: int, params: FundingParams = P) -> float:
    return school_funds(frames, year, params).total


def test_raise_factor_readings() -> None:
    # default: compound, first raise 2019 → 2019–20 ×1.10, 2021–22 ×1.21, 2023–24 ×1.331, 2025 ×1.4641
    assert [round(P.raise_factor(y), 6) for y in range(2018, 2026)] == [1.0, 1.1, 1.1, 1.21, 1.21, 1.331, 1.331, 1.4641]
    simple = FundingParams(compound=False)  # 1 + 0.1·n
    assert [round(simple.raise_factor(y), 6) for y in (2019, 2021, 2023, 2025)] == [1.1, 1.2, 1.3, 1.4]
    later = FundingParams(first_raise_year=2021)  # 2019 is the base year
    assert [round(later.raise_factor(y), 6) for y in (2019, 2020, 2021, 2023)] == [1.0, 1.0, 1.1, 1.21]


def test_the_issue_example_rural_junior_320_pupils_40_boarders_2023() -> None:
    f = census(school("A", "junior", {"J": 320}, boarders=40))
    got = amounts(f, 2023)
    # 500 × 800 × 1.331 + 40 × 200 = 532,400 + 8,000 = 540,400
    assert got[("A", "junior", "standard")] == pytest.approx(320 * 1064.8)  # 340,736
    assert got[("A", "junior", "small_school_floor")] == pytest.approx(180 * 1064.8)  # 191,664
    assert got[("A", "junior", "boarding")] == pytest.approx(8_000)
    assert total(f, 2023) == pytest.approx(540_400)


def test_small_rural_primary_and_teaching_point_are_funded_as_100() -> None:
    f = census(school("A", "primary", {"P": 60}), school("B", "teaching_point", {"P": 12}), years=(2019, 2025))
    # 2019: 100 × 600 × 1.1 = 66,000 each
    assert total(f, 2019) == pytest.approx(2 * 66_000)
    # 2025: 100 × 600 × 1.4641 = 87,846 each
    assert total(f, 2025) == pytest.approx(2 * 87_846)


def test_urban_and_private_schools_get_no_floor() -> None:
    f = census(
        school("U", "primary", {"P": 60}, urban=True),  # 60 × 660 = 39,600
        school("R", "primary", {"P": 50}, ownership="private"),  # 50 × 660 = 33,000
        years=(2019,),
    )
    assert total(f, 2019) == pytest.approx(39_600 + 33_000)
    assert not any(c == "small_school_floor" for (_s, _st, c) in amounts(f, 2019))
    # a private compulsory school without the standard (parameter): 0
    assert total(f, 2019, FundingParams(private_compulsory_funded=False)) == pytest.approx(39_600)


def test_at_the_floor_no_top_up() -> None:
    # "不足100人": 100 pupils are not under 100 → 100 × 660 = 66,000, no floor component
    f = census(school("A", "primary", {"P": 100}), years=(2019,))
    assert amounts(f, 2019) == {("A", "primary", "standard"): pytest.approx(66_000)}


def test_nine_year_school_is_split_by_grade() -> None:
    f = census(school("N", "nine_year", {"P": 150, "J": 90}), years=(2021,))
    # primary 150 × 600 × 1.21 = 108,900 (≥ 100: no floor); junior floor 500 × 800 × 1.21 = 484,000
    assert total(f, 2021) == pytest.approx(108_900 + 484_000)
    # floors only for single-stage schools: junior 90 × 968 = 87,120
    assert total(f, 2021, FundingParams(floors_apply_to_parts=False)) == pytest.approx(108_900 + 87_120)


def test_special_education_replace_and_add() -> None:
    f = census(school("A", "primary", {"P": 200}, urban=True, disabled=2), years=(2019,))
    # replace: 200 × 660 + 2 × (6000 − 660) = 132,000 + 10,680
    assert total(f, 2019) == pytest.approx(142_680)
    # add: 132,000 + 2 × 6000
    assert total(f, 2019, FundingParams(special_ed_mode="add")) == pytest.approx(144_000)


def test_kindergartens_high_and_vocational_follow_the_provincial_baseline() -> None:
    f = census(
        school("K1", "kindergarten", {"K": 100}),  # 100 × 500 = 50,000 (no 第22条 raise)
        school("K2", "kindergarten", {"K": 100}, ownership="private"),  # inclusive private: 100 × 300
        school("K3", "kindergarten", {"K": 100}, ownership="private", inclusive=False),  # 0
        school("H", "high", {"H": 1000}, boarders=500),  # 1000 × 1000, boarders not compulsory
        years=(2023,),
    )
    got = school_funds(f, 2023, P).totals.set_index("school_id")["total"]
    assert got.to_dict() == pytest.approx({"K1": 50_000, "K2": 30_000, "K3": 0, "H": 1_000_000})


def test_the_inclusive_rate_follows_the_register_of_the_funded_year() -> None:
    """第3条 with the private-school register (issue 16): K1 (schools sheet: not 普惠) is recognised in
    2023 only — its 2024 row says no; K2 (schools sheet: 普惠) has no register row: the sheet decides."""
    f = census(
        school("K1", "kindergarten", {"K": 100}, ownership="private", inclusive=False),
        school("K2", "kindergarten", {"K": 50}, ownership="private"),
        years=(2022, 2023, 2024),
    )
    f["private_schools"] = pd.DataFrame(
        {"school_id": ["K1", "K1"], "year": [2023, 2024], "inclusive": pd.array([True, False], dtype="boolean")}
    )
    # 2022: K1 no row → sheet, none; K2 50 × 300. 2023: K1 100 × 300 (register). 2024: K1 none (register).
    by_year = {y: school_funds(f, y, P).totals.set_index("school_id")["total"].to_dict() for y in (2022, 2023, 2024)}
    assert by_year == {
        2022: pytest.approx({"K1": 0, "K2": 15_000}),
        2023: pytest.approx({"K1": 30_000, "K2": 15_000}),
        2024: pytest.approx({"K1": 0, "K2": 15_000}),
    }
    funds = school_funds(f, 2023, P)
    rules = funds.rows.set_index("school_id")["rule_zh"]
    assert "2023 学年民办学校登记表" in rules["K1"] and "学校表" in rules["K2"]
    assert "登记表" in school_funds(f, 2024, P).rows.set_index("school_id")["rule_zh"]["K1"]
    pk = funds.as_dict()["private_kindergartens"]
    assert [(r["school_id"], r["inclusive"], r["inclusive_source"]) for r in pk] == [
        ("K1", True, "register"),
        ("K2", True, "schools"),
    ]
    para = [str(t) for t in funds.blocks("en")[0].paragraphs]
    assert any("2 of 2 inclusive" in t and "register for 1" in t and "schools sheet" in t for t in para), para


def test_boarders_of_a_complete_secondary_school_are_shared_by_pupils() -> None:
    f = census(school("C", "complete_secondary", {"J": 300, "H": 700}, urban=True, boarders=100), years=(2019,))
    got = amounts(f, 2019)
    # junior part: 100 × 300/1000 = 30 boarders × 200 = 6,000; high school boarders get nothing
    assert got[("C", "junior", "boarding")] == pytest.approx(6_000)
    assert ("C", "high", "boarding") not in got


def test_a_baseline_table_by_year_and_overrides() -> None:
    p = funding_params(None, baseline={"junior": {2019: 800, 2022: 850}}, step_rate=0.15)
    f = census(school("A", "junior", {"J": 600}, urban=True), years=(2021, 2022))
    # 2021: 600 × 800 × 1.15² = 634,800; 2022: 600 × 850 × 1.3225 = 674,475
    assert total(f, 2021, p) == pytest.approx(634_800)
    assert total(f, 2022, p) == pytest.approx(674_475)
    assert p.baseline_for("primary", 2022) == 600  # other stages keep their defaults


def test_bad_parameters_are_named_in_both_languages() -> None:
    with pytest.raises(FundingParamsError) as e:
        funding_params(None, community_education_yuan=3)
    assert "community_education_yuan" in e.value.message_en and "经费参数" in e.value.message_zh
    with pytest.raises(FundingParamsError):
        funding_params(None, no_such_rule=1)


def test_the_pack_holds_the_defaults() -> None:
    assert funding_params(load_pack("nanfeng-2019")) == FundingParams()


# ------------------------------------------------------------------------------ demo county


@pytest.fixture(scope="module")
def demo_funds():  # type: ignore[no-untyped-def]
    d = demo()
    return d, {y: school_funds(d, y, P) for y in (2019, 2023)}


def test_demo_rows_explain_every_yuan(demo_funds) -> None:  # type: ignore[no-untyped-def]
    d, funds = demo_funds
    for y, f in funds.items():
        r = f.rows
        assert (r["amount"] - r["funded_pupils"] * r["rate"]).abs().max() < 1e-6
        assert r["clause"].str.len().gt(0).all() and r["rule_zh"].str.len().gt(0).all()
        assert f.totals["total"].sum() == pytest.approx(f.total)
        assert f.by_stage()["total"].sum() == pytest.approx(f.total)
        assert f.by_township()["total"].sum() == pytest.approx(f.total)
        floors = r[r["component"] == "small_school_floor"]
        assert not floors["urban"].any() and (floors["ownership"] == "public").all()
        assert (floors["pupils"] + floors["funded_pupils"]).isin([100, 500]).all()
        c = d["classes"]
        assert set(f.totals["school_id"]) == set(c.loc[(c["year"] == y) & (c["pupils"] > 0), "school_id"])


def test_demo_single_stage_schools_match_the_generators_own_funding(demo_funds) -> None:  # type: ignore[no-untyped-def]
    """The demo generator funds 2019 with the same rules, written separately: for public primary,
    junior and teaching-point schools without disabled pupils the two must agree to the yuan."""
    d, funds = demo_funds
    t = funds[2019].totals.merge(d["schools"][["school_id", "ownership"]], on="school_id")
    sy = d["school_years"]
    no_disabled = set(sy.loc[(sy["year"] == 2019) & (sy["disabled_pupils"] == 0), "school_id"])
    same = t[
        t["school_stage"].isin(["primary", "junior", "teaching_point"])
        & (t["ownership"] == "public")
        & t["school_id"].isin(no_disabled)
    ]
    assert len(same) > 20
    assert (same["total"] - same["received"]).abs().max() < 0.01

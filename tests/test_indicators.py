"""The indicator engine on a county small enough to compute by hand (tests/fixtures/hand), and the
official worked example of the between-school CV.

Every expected value below was computed by hand from POLICY.md / STANDARDS.md and the fixture's
CSV files; the arithmetic is written next to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import Assessment, _gaps, assess, weighted_cv
from countyedu.indicators.explain import explain
from countyedu.policy.pack import load_pack

HAND = Path(__file__).parent / "fixtures" / "hand"
PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> tuple[CensusStore, Assessment]:
    store = CensusStore(tmp_path_factory.mktemp("hand"))
    import_census(HAND, store)
    packs = [load_pack(p) for p in PACKS]
    ct = open_tables(store, packs)
    return store, assess(ct, packs)


def value(
    a: Assessment,
    indicator: str,
    level: str = "county",
    unit: str = "361023",
    stage: str | None = None,
    year: int = 2024,
) -> float | None:
    hits = [
        r for r in a.results if (r.indicator, r.level, r.unit, r.stage, r.year) == (indicator, level, unit, stage, year)
    ]
    assert len(hits) == 1, (
        indicator,
        level,
        unit,
        stage,
        [(r.unit, r.stage) for r in a.results if r.indicator == indicator],
    )
    return hits[0].value


def status(a: Assessment, indicator: str, stage: str | None = None) -> str:
    return next(
        r.status
        for r in a.results
        if r.indicator == indicator and r.level == "county" and r.stage == stage and r.year == 2024
    )


# ----------------------------------------------------------------------------- the CV


def test_the_official_cv_example_gives_0_515() -> None:
    pupils = np.array([45, 37, 89, 76, 55], dtype=float)
    books = np.array([279, 137, 935, 160, 402], dtype=float)
    per_pupil = books / pupils
    assert (pupils * per_pupil).sum() / pupils.sum() == pytest.approx(6.33, abs=0.005)  # X̄ = county total / pupils
    assert weighted_cv(per_pupil, pupils) == pytest.approx(0.515, abs=0.0005)


def test_an_unweighted_cv_gets_the_example_wrong() -> None:
    pupils = np.array([45, 37, 89, 76, 55], dtype=float)
    per_pupil = np.array([279, 137, 935, 160, 402], dtype=float) / pupils
    unweighted = per_pupil.std() / per_pupil.mean()
    assert unweighted == pytest.approx(0.489, abs=0.0005)
    assert abs(unweighted - 0.515) > 0.02  # the common mistake is not the official number
    # and on a threshold between the two it flips the verdict
    assert (unweighted <= 0.50) != (weighted_cv(per_pupil, pupils) <= 0.50)


# ---------------------------------------------------------------------- preschool (T-PRE, PP)


def test_preschool_enrolment_ratio(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    # kindergarten children 90 + 60 + 40 = 190; population aged 3–5: C1 120 + C2 60 + C3 30 = 210
    assert value(a, "T-PRE-5", stage="kindergarten") == pytest.approx(190 / 210)
    assert status(a, "T-PRE-5", "kindergarten") == "met"  # 0.905 ≥ 0.90
    # by township: every kindergarten is in T1 (180 children aged 3–5 there); T2 has none (30)
    assert value(a, "T-PRE-5", "township", "T1", "kindergarten") == pytest.approx(190 / 180)
    assert value(a, "T-PRE-5", "township", "T2", "kindergarten") == 0.0
    assert value(a, "PP-1", stage="kindergarten") == pytest.approx(190 / 210)


def test_preschool_shares(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    assert value(a, "T-PRE-6", stage="kindergarten") == pytest.approx(150 / 190)  # K1 public 90 + K2 inclusive 60
    assert value(a, "T-PRE-7", stage="kindergarten") == pytest.approx(90 / 190)  # public K1 only
    assert value(a, "T-PRE-8", stage="kindergarten") == 0.0  # community-supporting K2 (80) + K3 (50): none public
    assert value(a, "T-PRE-1", stage="kindergarten") == 1.0  # public kindergartens in the urban core: K1
    assert value(a, "T-PRE-2", stage="kindergarten") == 1.0  # C1 (1200 households) has K1 and K2
    assert value(a, "T-PRE-3", stage="kindergarten") == 1.0  # T2 has no public kindergarten
    assert value(a, "T-PRE-3", "township", "T1", "kindergarten") == 0.0
    # PP-4 limits 25/30/35: K1@K1 30 ✗, K2@K1 30 ✓, K3@K1 30 ✓, K1@K2 25 ✓, K2@K2 35 ✗, K3@K3 40 ✗ → 3/6
    assert value(a, "PP-4", stage="kindergarten") == pytest.approx(0.5)
    assert value(a, "PP-5", stage="kindergarten") == pytest.approx(95.0)  # 190 children / 2 full-time (t13 part-time)
    assert value(a, "TQ-PRE-ASSOC", stage="kindergarten") == pytest.approx(0.5)  # t11 associate, t12 below


# ------------------------------------------------------------------------- compulsory (T-CMP)


def test_big_classes(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    # compulsory classes: P1 7 + N1 9 + J1 4 + TP1 2 = 22; of 56 or more: P1's 58 and J1's 57
    assert value(a, "T-CMP-2") == pytest.approx(2 / 22)
    assert value(a, "T-CMP-2", "school", "P1") == pytest.approx(1 / 7)
    assert value(a, "T-CMP-2", "school", "J1") == pytest.approx(1 / 4)
    assert value(a, "T-CMP-2", "township", "T1") == pytest.approx(2 / 11)
    assert value(a, "T-CMP-2", "township", "T2") == 0.0
    assert value(a, "B-4-BIGCLASS") == pytest.approx(2 / 22)
    # QB-G5: primary ≤ 45 → 14 of 15 (the 58); junior ≤ 50 → 6 of 7 (the 57)
    assert value(a, "QB-G5", stage="primary") == pytest.approx(14 / 15)
    assert value(a, "QB-G5", stage="junior") == pytest.approx(6 / 7)


def test_township_network(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    assert value(a, "T-CMP-3", stage="primary") == 1.0  # T1 has no boarding or nine-year school; T2 has N1
    assert value(a, "B-6-PARTNER", stage="primary") == pytest.approx(0.5)  # rural N1 has P1; TP1 has none


def test_qb_resources_with_a_nine_year_school_split(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    # P1: teachers above associate t1, t2, t3 → 3 × 100 / 310
    assert value(a, "QB-R1", "school", "P1", "primary") == pytest.approx(300 / 310)
    # N1 primary: 3 teachers × pupil share 120/210 → 12/7 × 100 / 120
    assert value(a, "QB-R1", "school", "N1", "primary") == pytest.approx(12 / 7 * 100 / 120)
    # N1 junior: t5, t7 are ≥ bachelor, × 90/210 → 6/7 × 100 / 90
    assert value(a, "QB-R1", "school", "N1", "junior") == pytest.approx(6 / 7 * 100 / 90)
    # county primary: (3 + 12/7) × 100 / (310 + 120); TP1 (20 pupils) is outside QB
    assert value(a, "QB-R1", stage="primary") == pytest.approx((3 + 12 / 7) * 100 / 430)
    assert not [r for r in a.results if r.indicator == "QB-R1" and r.unit == "TP1"]
    # floor area of N1 shared by weighted pupils 120 × 1 : 90 × 1.1
    assert value(a, "QB-R4", "school", "N1", "primary") == pytest.approx(1000 * 120 / 219 / 120)
    assert value(a, "QB-R4", "school", "N1", "junior") == pytest.approx(1000 * 99 / 219 / 90)
    assert value(a, "QB-R4", "school", "P1", "primary") == pytest.approx(4.5)
    # CV of QB-R4 (primary) over P1 (4.5, 310 pupils) and N1 (4.566210, 120 pupils), pupil-weighted: 0.006573
    assert value(a, "QB-R4-CV", stage="primary") == pytest.approx(0.006573, abs=1e-5)


def test_qb_school_pass_and_what_a_school_needs(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    # P1 meets R4–R7 only (4 of 7): fails
    assert value(a, "QB-R-SCHOOL", "school", "P1", "primary") == 0.0
    gap = next(g for g in a.school_gaps if (g.school_id, g.stage, g.year) == ("P1", "primary", 2024))
    # R1 (ratio 0.23) is the one left below standard, raised to 85%: 0.85×4.2×3.1 − 3 = 8.07 → 9;
    # R2: 1.0 × 3.1 − 1 = 2.1 → 3; R3: 0.9 × 3.1 − 2 = 0.79 → 1
    assert [(i, n) for i, n, _u in gap.additions] == [("QB-R1", 9.0), ("QB-R2", 3.0), ("QB-R3", 1.0)]


def test_a_gap_between_two_indicators_as_far_below_goes_by_their_ids() -> None:
    # S012217 (primary, 2021) of the province census: 21 teachers above the degree and 5 backbone
    # teachers, each × the part's share s, for 244 pupils: QB-R1 / 4.2 = QB-R2 / 1.0 on paper. The one
    # let off to the 85% floor is QB-R1 (the first id) whichever ratio the last bits make smaller;
    # QB-R2 is raised to 1.0 × 2.44 teachers: 2.44 − 5s = 0.107 → 1
    s = 0.46653919694072661
    rows = pd.DataFrame(
        {
            "unit": "S012217",
            "stage": "primary",
            "year": 2021,
            "indicator": ["QB-R1", "QB-R2"],
            "num": [21 * s, 5 * s],
            "den": 244.0,
            "standard": [4.2, 1.0],
            "scale": 100.0,
            "at_floor": 1,
            "gap_unit": "teachers",
        }
    )
    on_paper = 100 * 5 * s / 244
    for r1, r2 in [(on_paper, np.nextafter(on_paper, 0)), (np.nextafter(on_paper, 0), on_paper)]:
        (gap,) = _gaps(rows.assign(ratio=[r1, r2]), 0.85, 1)
        assert gap.additions == [("QB-R2", 1.0, "teachers")]


def test_teacher_qualifications(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    # junior parts: N1 (t5 ✓ t6 ✗ t7 ✓) × 3/7 and J1 (t8 ✓ t9 ✓ t10 ✗) → (6/7 + 2) / (9/7 + 3)
    assert value(a, "TQ-JUN-BACH", stage="junior") == pytest.approx((6 / 7 + 2) / (9 / 7 + 3))
    # primary parts: P1 4 teachers (t3 master), N1 3 × 4/7, TP1 1 → 1 / (47/7)
    assert value(a, "TQ-PRI-POSTGRAD", stage="primary") == pytest.approx(7 / 47)
    # normal associate or ≥ bachelor: P1 3 of 4, N1 all, TP1 t19 (normal associate) → (40/7) / (47/7)
    assert value(a, "TQ-PRI-QUAL", stage="primary") == pytest.approx(40 / 47)
    assert value(a, "TQ-HIGH-POSTGRAD", stage="high") == pytest.approx(1 / 3)
    assert value(a, "TQ-HIGH-BACH", stage="high") == 1.0
    assert value(a, "QB-G12", stage="primary") == pytest.approx(40 / 47)  # t4 uncertified
    assert value(a, "QB-G9", stage="primary") == pytest.approx(33 / 47)  # t3, t4 under 360 hours


def test_high_school_and_vocational(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    assert value(a, "T-HS-1", stage="high") == pytest.approx(220 / 150)  # (150 + 70) / 15–17-year-olds
    assert value(a, "T-HS-2", stage="high") == pytest.approx(70 / 220)
    assert status(a, "T-HS-2", "high") == "not_met"  # 0.318 is not 0.40 ± 0.05
    assert value(a, "T-VOC-1", stage="vocational") == 70.0
    assert value(a, "T-VOC-2", stage="vocational") == pytest.approx(0.5)  # t17 dual, t18 not
    assert status(a, "T-VOC-2", "vocational") == "met"


def test_funding_rules(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    assert value(a, "B-23-FOUNDATION") == pytest.approx(1_000_000 / 2_000_000_000)  # over 2023 revenue
    assert status(a, "B-23-FOUNDATION") == "met"  # exactly 0.05%: 不低于 includes the number
    assert status(a, "B-34-FUNDS") == "not_met"  # 380,000 < 400,000
    assert value(a, "B-21-PAY") == pytest.approx(86000 / 85000)
    # QB-G8 from the teachers sheet: 18 full-time teachers earn 1,508,000 → 83,777.8 / 85,000
    assert value(a, "QB-G8") == pytest.approx(1_508_000 / 18 / 85_000)


def test_checklist_items_need_evidence(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    assert {r.status for r in a.results if r.indicator in ("QB-G3", "T-VOC-3", "PP-8")} == {"needs_evidence"}


def test_the_json_contract(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand
    doc = json.loads(json.dumps(a.as_dict()))
    assert doc["census_version"] == "v1"
    assert doc["packs"] == list(PACKS)
    statuses = {"met", "not_met", "at_risk", "no_data", "needs_evidence"}
    for r in doc["results"]:
        assert set(r) == {"indicator", "level", "unit", "stage", "year", "value", "target", "status"}
        assert r["level"] in ("county", "township", "school") and r["status"] in statuses
        assert r["stage"] in (None, "kindergarten", "primary", "junior", "high", "vocational")
        assert r["target"] is None or {"op", "value", "by"} <= set(r["target"])
    t = next(r for r in doc["results"] if r["indicator"] == "T-PRE-5" and r["level"] == "county")
    assert t["target"] == {"op": ">=", "value": 0.9, "by": 2025} and 0 < t["value"] < 1  # a fraction


def test_explain_names_formula_clause_numbers_and_rows(hand: tuple[CensusStore, Assessment]) -> None:
    store, a = hand
    ct = open_tables(store, a.packs)
    e = explain(ct, a, "T-CMP-2", "P1", 2024)
    text = e.text("zh")
    assert "T-CMP-2" in text and "56" in text and "v1" in text
    assert e.result.num == 2 - 1 and e.result.den == 7  # one big class of seven
    n, rows = e.sources["classes"]
    assert n == 7 and set(rows["pupils"]) >= {58, 45}
    d = e.as_dict()
    assert d["clause"] == "T-CMP-2" and d["census_version"] == "v1" and d["numerator"] == 1


def test_explain_tables_show_names_labelled_codes_and_numbers_in_each_language(
    hand: tuple[CensusStore, Assessment],
) -> None:
    from countyedu.indicators.explain_tables import tables, worded

    store, a = hand
    ct = open_tables(store, a.packs)
    e = explain(ct, a, "T-CMP-2", "P1", 2024)
    made_of, *sources = tables(e)
    zh, en = worded(made_of, "zh"), worded(made_of, "en")
    # T-CMP-2 pools primary and junior: no stage column
    assert zh["columns"] == ["学校", "乡镇", "学年", "符合条件的班级数", "班级"]
    assert en["columns"] == ["School", "Township", "School year", "Classes meeting the condition", "Classes"]
    row = zh["rows"][0]
    assert [c["text"] for c in row] == ["琴城第一小学", "琴城镇", "2024", "1", "7"]  # not P1, T1, 1.0, 7.0
    assert row[0]["title"] == "P1" and row[1]["title"] == "T1"  # the ids stay as tooltips
    staged = worded(tables(explain(ct, a, "T-PRE-5", a.county_id, 2024, "kindergarten"))[0], "en")
    assert "Stage" in staged["columns"] and "Pupils enrolled" in staged["columns"]
    assert {r[staged["columns"].index("Stage")]["text"] for r in staged["rows"]} == {"preschool"}
    classes = next(worded(t, "zh") for t in sources if t.key == "classes")
    assert classes["sheet"] == "班级" and classes["columns"] == ["学校", "学年", "年级", "班号", "学生数"]
    assert {r[2]["text"] for r in classes["rows"]} >= {"一年级"} and classes["total"] == 7
    text = e.text("zh")
    assert "学校=琴城第一小学" in text and "school_id" not in text and "num=" not in text
    assert "单位: 学校 琴城第一小学" in text
    assert "School=琴城第一小学" in e.text("en") and "Grade=" in e.text("en")


def test_at_risk_follows_the_least_squares_trend_to_the_deadline() -> None:
    import pandas as pd

    from countyedu.indicators.engine import _with_status

    item = load_pack("nanfeng-2019").item("T-PRE-5")  # ≥ 0.90 by 2025
    df = pd.DataFrame(
        {
            "level": "county",
            "unit": "c",
            "stage": "kindergarten",
            "year": [2019, 2020, 2021, 2022],
            "value": [0.80, 0.82, 0.84, 0.91],
            "num": [80.0, 82.0, 84.0, 91.0],  # statuses are decided on num and den (indicators.compare)
            "den": 100.0,
        }
    )
    r = _with_status("p", item, df, None).set_index("year")
    assert r.loc[2019, "status"] == "not_met" and pd.isna(r.loc[2019, "trend_at_deadline"])  # one point: no trend
    # 2020: line through (2019, .80), (2020, .82) → .80 + .02 × 6 = .92 at 2025: on track, not met yet
    assert r.loc[2020, "status"] == "not_met" and r.loc[2020, "trend_at_deadline"] == pytest.approx(0.92)
    # 2022: met now; the line through the four points (slope .035) gives 1.0 at 2025 → met
    assert r.loc[2022, "status"] == "met"
    falling = df.assign(
        value=[0.95, 0.94, 0.93, 0.92], num=[95.0, 94.0, 93.0, 92.0]
    )  # met every year, but heading below 0.90
    s = _with_status("p", item, falling, None).set_index("year")["status"]
    assert s[2019] == "met" and s[2020] == "at_risk" and s[2022] == "at_risk"
    assert s[2022] == "at_risk"  # .95 −.01/yr → .89 in 2025


def test_t_hs_3_is_computed_no_longer_a_checklist_item(hand: tuple[CensusStore, Assessment]) -> None:
    _, a = hand  # the hand county has no results sheet: no data, the reason naming it (tests/quality/test_t_hs_3.py)
    assert {r.status for r in a.results if r.indicator == "T-HS-3"} == {"no_data"}
    assert all(
        m.key == "the results sheet has no gaokao results for {year}"
        for k, m in a.no_data_reasons.items()
        if k[1] == "T-HS-3"
    )

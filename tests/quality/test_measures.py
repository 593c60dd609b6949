"""The quality measures, the between-school spread, value added and T-HS-3 on hand counties whose
answers are worked out in the comments (issue 16 item 1)."""

from __future__ import annotations

from math import sqrt

import pandas as pd
import pytest

from countyedu.quality.measures import measures, spread
from countyedu.quality.params import QualityParams
from countyedu.quality.run import run_quality
from countyedu.quality.school import school_report
from countyedu.quality.top100 import top_candidates
from countyedu.quality.value_added import rank_ranges, value_added

SCHOOLS = pd.DataFrame(
    {
        "school_id": ["A", "B", "C"],
        "name": ["甲中学", "乙中学", "丙中学"],
        "township_id": ["T1", "T1", "T2"],
    }
)
TOWNSHIPS = pd.DataFrame({"township_id": ["T1", "T2"], "name": ["琴城镇", "太源乡"]})
COLUMNS = ["year", "exam", "grade", "person_id", "school_id", "subject", "score", "full_marks", "province_rank"]


def results(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["province_rank"] = df["province_rank"].astype("Int64")
    return df


# One exam (2023 monitoring test, 七年级, mathematics out of 100): A 90 70 50, B 30 60, C 100 80 40.
MATH = results(
    [
        (2023, "monitoring", "J1", f"{sid}{i}", sid, "math", float(score), 100.0, None)
        for sid, scores in (("A", (90, 70, 50)), ("B", (30, 60)), ("C", (100, 80, 40)))
        for i, score in enumerate(scores)
    ]
)


def row(df: pd.DataFrame, level: str, unit: str) -> pd.Series:
    return df[(df["level"] == level) & (df["unit"] == unit)].iloc[0]


def test_it_computes_the_rates_and_means_at_every_level() -> None:
    m = measures(MATH, SCHOOLS, QualityParams())
    # county: 8 scores summing to 520 → mean 65; ≥ 60: 90 70 60 100 80 → 5/8; ≥ 85: 90 100 → 2/8; < 40: 30 → 1/8
    c = row(m, "county", "")
    assert (c["n"], c["mean"], c["pass_rate"], c["excellent_rate"], c["low_rate"]) == (8, 65.0, 5 / 8, 2 / 8, 1 / 8)
    # A: mean 70, pass 2/3, excellent 1/3, low 0; B: mean 45, pass 1/2, low 1/2 (30); C: 40 is not below 40
    a, b, cc = row(m, "school", "A"), row(m, "school", "B"), row(m, "school", "C")
    assert (a["mean"], a["pass_rate"], a["excellent_rate"], a["low_rate"]) == (70.0, 2 / 3, 1 / 3, 0.0)
    assert (b["mean"], b["pass_rate"], b["excellent_rate"], b["low_rate"]) == (45.0, 0.5, 0.0, 0.5)
    assert cc["low_rate"] == 0.0 and cc["mean"] == pytest.approx(220 / 3)
    # township T1 = A + B: 90 70 50 30 60 → mean 60, pass 3/5, excellent 1/5, low 1/5
    t1 = row(m, "township", "T1")
    assert (t1["n"], t1["mean"], t1["pass_rate"], t1["excellent_rate"], t1["low_rate"]) == (5, 60.0, 0.6, 0.2, 0.2)


def test_the_standardised_score_is_in_county_standard_deviations() -> None:
    m = measures(MATH, SCHOOLS, QualityParams())
    # deviations from 65: 25 5 −15 −35 −5 35 15 −25 → squares sum to 4200, SD = √(4200/8) = √525
    sd = sqrt(525)
    assert row(m, "school", "A")["z"] == pytest.approx(5 / sd)  # (70 − 65) / √525 = 0.2182
    assert row(m, "school", "B")["z"] == pytest.approx(-20 / sd)
    assert row(m, "school", "C")["z"] == pytest.approx((220 / 3 - 65) / sd)
    assert row(m, "county", "")["z"] == 0.0


def test_the_thresholds_are_parameters() -> None:
    m = measures(MATH, SCHOOLS, QualityParams(pass_share=0.7, excellent_share=0.95, low_share=0.5))
    c = row(m, "county", "")
    # ≥ 70: 90 70 100 80 → 4/8; ≥ 95: 100 → 1/8; < 50: 30 40 → 2/8
    assert (c["pass_rate"], c["excellent_rate"], c["low_rate"]) == (0.5, 1 / 8, 2 / 8)


def test_the_between_school_spread() -> None:
    s = spread(MATH, QualityParams()).iloc[0]
    # Σ nᵢ(mᵢ − 65)² = 3·5² + 2·20² + 3·(220/3 − 65)² = 75 + 800 + 208.33 = 1083.33
    between = 75 + 800 + 3 * (220 / 3 - 65) ** 2
    assert s["cv"] == pytest.approx(sqrt(between / 8) / 65)  # 0.1790
    assert s["between_share"] == pytest.approx(between / 4200)  # 0.2579
    assert s["schools"] == 3 and not s["met"]  # 0.179 is not below 0.15 (QB-Q9)


# Value added: intake (monitoring 2023, 七年级, maths) and exit (中考 2025, 九年级, maths) of ten pupils.
# Intake scores 50 or 70: mean 60, SD 10, so every intake z is −1 or +1.
# Exit scores 60 90 70 80 | 50 70 40 80 | 60 70: mean 67, deviations −7 23 3 13 −17 3 −27 13 −7 3,
# squares sum to 2010, SD √201; exit z = deviation / √201.
# Line: b = Σ x·dev / (Σ x² · √201) = 110 / (10 √201) = 11/√201, a = 0 (x and y have mean 0).
# Residuals × √201: 4 12 14 2 | −6 −8 −16 2 | 4 −8 (dev − 11x); squares sum to 800,
# s = √(800 / 201 / 8) = 10/√201. A: mean residual 32/4 = 8/√201, SE 5/√201; B: −28/4 = −7/√201.
PUPILS = [
    ("A", 50, 60),
    ("A", 70, 90),
    ("A", 50, 70),
    ("A", 70, 80),
    ("B", 50, 50),
    ("B", 70, 70),
    ("B", 50, 40),
    ("B", 70, 80),
    ("C", 50, 60),
    ("C", 70, 70),
]
COHORT = results(
    [
        row_
        for i, (sid, intake, exit_) in enumerate(PUPILS)
        for row_ in (
            (2023, "monitoring", "J1", f"p{i}", sid, "math", float(intake), 100.0, None),
            (2025, "zhongkao", "J3", f"p{i}", sid, "math", float(exit_), 120.0, None),
        )
    ]
)
R201 = sqrt(201)


def test_value_added_by_hand() -> None:
    [c] = value_added(COHORT, QualityParams(min_pupils=3))
    assert (c.year, c.pupils) == (2025, 10)
    assert c.b == pytest.approx(11 / R201) and c.a == pytest.approx(0, abs=1e-12)
    assert c.s == pytest.approx(10 / R201)
    by = c.schools.set_index("school_id")
    q = 1.959964
    assert by.loc["A", "va"] == pytest.approx(8 / R201)  # 0.564
    assert by.loc["A", "se"] == pytest.approx(5 / R201)
    assert by.loc["A", "lo"] == pytest.approx((8 - q * 5) / R201, abs=1e-6)  # −0.127
    assert by.loc["A", "hi"] == pytest.approx((8 + q * 5) / R201, abs=1e-6)  # 1.256
    assert by.loc["B", "va"] == pytest.approx(-7 / R201)
    # both intervals hold 0 and overlap: neither is judged, and each may be first or second
    assert list(by.loc[["A", "B"], "judgement"]) == ["expected", "expected"]
    assert [(int(by.loc[s, "best"]), int(by.loc[s, "worst"])) for s in "AB"] == [(1, 2), (1, 2)]
    # C has 2 matched pupils, below min_pupils = 3: no estimate, no rank
    assert by.loc["C", "judgement"] == "too_few" and pd.isna(by.loc["C", "va"]) and pd.isna(by.loc["C", "best"])


def test_a_narrower_confidence_separates_the_schools() -> None:
    # at 60% confidence q = 0.8416: A from (8 − 4.21)/√201 = 0.267 > 0, B up to (−7 + 4.21)/√201 = −0.197 < 0
    [c] = value_added(COHORT, QualityParams(min_pupils=3, confidence=0.6))
    by = c.schools.set_index("school_id")
    assert by.loc["A", "lo"] == pytest.approx((8 - 0.841621 * 5) / R201, abs=1e-5)
    assert (by.loc["A", "judgement"], by.loc["B", "judgement"]) == ("above", "below")
    assert [(int(by.loc[s, "best"]), int(by.loc[s, "worst"])) for s in "AB"] == [(1, 1), (2, 2)]


def test_the_interval_narrows_with_the_square_root_of_the_pupils() -> None:
    # the same residual spread: 30 pupils against 600 gives an interval √20 ≈ 4.47 times as wide
    [c] = value_added(COHORT, QualityParams(min_pupils=3))
    assert c.s / sqrt(30) / (c.s / sqrt(600)) == pytest.approx(sqrt(20))
    by = c.schools.set_index("school_id")
    assert by.loc["A", "hi"] - by.loc["A", "lo"] == pytest.approx(2 * 1.959964 * c.s / sqrt(4), abs=1e-6)


def test_pupils_without_both_results_are_left_out() -> None:
    left = results([(2023, "monitoring", "J1", "gone", "A", "math", 70.0, 100.0, None)])
    arrived = results([(2025, "zhongkao", "J3", "new", "B", "math", 67.0, 120.0, None)])
    [c] = value_added(pd.concat([COHORT, left, arrived], ignore_index=True), QualityParams(min_pupils=3))
    assert c.pupils == 10  # neither the pupil who left nor the one who came in is matched


def test_rank_ranges() -> None:
    import numpy as np

    # intervals (0, 1), (0.5, 2), (3, 4): the third is wholly above both, the first two overlap
    best, worst = rank_ranges(np.array([0.0, 0.5, 3.0]), np.array([1.0, 2.0, 4.0]))
    assert (best, worst) == ([2, 2, 1], [3, 3, 1])


def gaokao(year: int, person: str, sid: str, rank: int | None, subject: str = "total") -> tuple:
    return (year, "gaokao", "H3", person, sid, subject, 600.0, 750.0, rank)


def test_t_hs_3_counts_the_province_top_100() -> None:
    rows = results(
        [
            gaokao(2025, "g1", "A", 57),
            gaokao(2025, "g1", "A", None, "chinese"),
            gaokao(2025, "g2", "B", 100),  # the 100th is in the top 100
            gaokao(2025, "g3", "B", 101),
            gaokao(2024, "g9", "A", 350),
        ]
    )
    by_year = {t["year"]: t for t in top_candidates(rows, QualityParams())}
    assert (by_year[2024]["count"], by_year[2024]["met"]) == (0, False)
    assert (by_year[2025]["count"], by_year[2025]["met"], by_year[2025]["candidates"]) == (2, True, 3)
    assert [c["person_id"] for c in by_year[2025]["top"]] == ["g1", "g2"]
    assert top_candidates(rows, QualityParams(top_n=60))[1]["count"] == 1  # 57 only


def test_a_school_report_holds_its_own_school_only() -> None:
    frames = {
        "results": pd.concat([MATH.assign(year=2022), COHORT], ignore_index=True),
        "schools": SCHOOLS,
        "townships": TOWNSHIPS,
    }
    run = run_quality(frames, QualityParams(min_pupils=3))
    rep = school_report(run, "A")
    assert rep["name"] == "甲中学" and rep["township"] == "琴城镇"
    first = rep["results"][0]
    assert (first["year"], first["exam"], first["mean"], first["county"]["mean"]) == (2022, "monitoring", 70.0, 65.0)
    assert first["township"]["mean"] == 60.0
    [va] = rep["value_added"]
    assert va["va"] == pytest.approx(8 / R201, abs=1e-6) and va["schools_estimated"] == 2
    text = repr(rep)
    assert "乙中学" not in text and "丙中学" not in text and "'B'" not in text
    blocks = run.blocks("zh")
    assert [b.id for b in blocks] == ["quality.county", "quality.townships", "quality.schools", "quality.value_added"]


def test_a_year_stands_on_the_results_up_to_it() -> None:
    frames = {"results": COHORT, "schools": SCHOOLS, "townships": TOWNSHIPS}
    before = run_quality(frames, QualityParams(min_pupils=3), 2024)
    assert set(before.measures["year"]) == {2023} and before.cohorts == []  # the exit is in 2025
    after = run_quality(frames, QualityParams(min_pupils=3), 2025)
    assert set(after.measures["year"]) == {2023, 2025} and [c.year for c in after.cohorts] == [2025]


def test_value_added_agrees_with_an_independent_computation() -> None:
    """A seeded county of three schools (two subjects each exam), checked against a computation written
    apart from the package: plain loops for the z-scores and numpy's polyfit for the line."""
    import numpy as np

    rng = np.random.default_rng(16)
    rows, pupils = [], []
    for sid, n, effect in (("A", 40, 0.3), ("B", 200, 0.0), ("C", 12, -0.2)):
        for i in range(n):
            ability = rng.normal()
            pid = f"{sid}{i:03d}"
            pupils.append((pid, sid))
            for subject in ("chinese", "math"):
                rows.append(
                    (
                        2023,
                        "monitoring",
                        "J1",
                        pid,
                        sid,
                        subject,
                        round(60 + 12 * ability + rng.normal(0, 4), 1),
                        100.0,
                        None,
                    )
                )
                rows.append(
                    (
                        2025,
                        "zhongkao",
                        "J3",
                        pid,
                        sid,
                        subject,
                        round(80 + 15 * (0.8 * ability + effect) + rng.normal(0, 6), 1),
                        120.0,
                        None,
                    )
                )
    df = results(rows)

    def zscores(exam: str) -> dict[str, float]:
        per: dict[str, list[float]] = {}
        for subject in ("chinese", "math"):
            sel = [(r[3], r[6]) for r in rows if r[1] == exam and r[5] == subject]
            xs = [s for _p, s in sel]
            mu = sum(xs) / len(xs)
            sd = sqrt(sum((x - mu) ** 2 for x in xs) / len(xs))
            for p, s in sel:
                per.setdefault(p, []).append((s - mu) / sd)
        return {p: sum(v) / len(v) for p, v in per.items()}

    zin, zout = zscores("monitoring"), zscores("zhongkao")
    ids = [p for p, _s in pupils]
    b, a = np.polyfit([zin[p] for p in ids], [zout[p] for p in ids], 1)
    res = {p: zout[p] - (a + b * zin[p]) for p in ids}
    s = sqrt(sum(r * r for r in res.values()) / (len(ids) - 2))
    [c] = value_added(df, QualityParams())
    assert c.b == pytest.approx(b) and c.a == pytest.approx(a, abs=1e-12) and c.s == pytest.approx(s)
    by = c.schools.set_index("school_id")
    for sid in "ABC":
        mine = [res[p] for p, school in pupils if school == sid]
        assert by.loc[sid, "va"] == pytest.approx(sum(mine) / len(mine))
        assert by.loc[sid, "hi"] - by.loc[sid, "lo"] == pytest.approx(2 * 1.959964 * s / sqrt(len(mine)), rel=1e-6)


def test_a_pack_sets_the_parameters_and_a_bad_one_is_named() -> None:
    from countyedu.errors import CountyEduError
    from countyedu.quality.params import quality_params

    p = quality_params({"pass_share": 0.5, "top_n": 50})
    assert (p.pass_share, p.top_n, p.excellent_share) == (0.5, 50, 0.85)  # the rest keep their defaults
    with pytest.raises(CountyEduError) as info:
        quality_params({"pass_share": 2})
    assert "parameters.quality.pass_share" in info.value.message_en
    assert quality_params([]).confidence == 0.95  # packs without the section: the defaults


def test_a_census_without_results_says_so() -> None:
    from countyedu.quality.kind import summary_lines

    run = run_quality({"schools": SCHOOLS, "townships": TOWNSHIPS}, QualityParams())
    [block] = run.blocks("zh")
    assert block.id == "quality.nothing" and "考试成绩" in block.paragraphs[0]
    assert run.as_dict()["measures"] == [] and run.as_dict()["value_added"] == []
    assert summary_lines(run.summary()) == ["质量监测 / quality: 无考试成绩 / no exam results"]

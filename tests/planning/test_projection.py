"""Hamilton–Perry projection: a hand-computed two-community case and the demo county's back-test."""

from __future__ import annotations

import functools
import json
import math

import pandas as pd
import pytest

from countyedu.errors import CountyEduError
from countyedu.planning.params import PlanningParams, planning_params
from countyedu.planning.projection import backtest, project
from countyedu.policy.pack import load_pack
from demo_support import demo_frames


@functools.cache
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


def tiny() -> dict[str, pd.DataFrame]:
    """Two communities, ages 0–2, years 2019–2021 (three years, two intervals).

    A: age0 10,10,10  age1 20,10,10  age2 20,18,11
    B: age0  5, 5, 5  age1 10,10,10  age2 10,10,10
    """
    values = {
        "A": {0: [10, 10, 10], 1: [20, 10, 10], 2: [20, 18, 11]},
        "B": {0: [5, 5, 5], 1: [10, 10, 10], 2: [10, 10, 10]},
    }
    rows = [
        {"community_id": c, "year": 2019 + i, "age": a, "persons": v[i]}
        for c, ages in values.items()
        for a, v in ages.items()
        for i in range(3)
    ]
    communities = pd.DataFrame({"community_id": ["A", "B"], "township_id": ["T1", "T1"], "residents": [1000, 4000]})
    return {"population": pd.DataFrame(rows), "communities": communities}


def test_it_projects_by_hand() -> None:
    # CCR pooled over 2019→20 and 2020→21, A: age0→1 (10+10)/(10+10) = 1.0; age1→2 (18+11)/(20+10) = 29/30.
    # Child–adult ratio with adults = age 2, over the base years 2020–2021: A (10+10)/(18+11) = 20/29.
    # 2022, A: age1 = 1.0 × 10 = 10; age2 = 29/30 × 10 = 9.6667; age0 = 20/29 × 9.6667 = 6.6667.
    # B: CCR age0→1 (10+10)/(5+5) = 2, age1→2 (10+10)/(10+10) = 1; ratio (5+5)/(10+10) = 0.5;
    # 2022 B: age1 = 2 × 5 = 10, age2 = 1 × 10 = 10, age0 = 0.5 × 10 = 5.
    p = PlanningParams(ccr_base_years=2, ccr_min_base=0, birth_adult_ages=(2, 2), stage_ages={"primary": (1, 2)})
    pr = project(tiny(), horizon=2022, params=p)
    got = pr.persons[pr.persons["year"] == 2022].set_index(["community_id", "age"])["persons"]
    assert got[("A", 1)] == pytest.approx(10.0)
    assert got[("A", 2)] == pytest.approx(29 / 30 * 10)
    assert got[("A", 0)] == pytest.approx(20 / 29 * 29 / 30 * 10)
    assert got[("B", 0)] == pytest.approx(5.0) and got[("B", 1)] == pytest.approx(10.0)
    assert got[("B", 2)] == pytest.approx(10.0)
    # observed rows are kept as observed
    assert not pr.persons[pr.persons["year"] <= 2021]["projected"].any()
    assert pr.persons[pr.persons["year"] == 2022]["projected"].all()
    assert pr.base_years == [2019, 2020, 2021]


def test_it_falls_back_to_the_township_ratio_for_a_small_base() -> None:
    # min base 25: A's age1→2 base is 30 (own ratio); B's is 20 → township ratio (18+11+10+10)/(20+10+10+10) = 49/50.
    p = PlanningParams(ccr_base_years=2, ccr_min_base=25, birth_adult_ages=(2, 2))
    pr = project(tiny(), horizon=2022, params=p)
    ccr = pr.ccr.set_index(["community_id", "age"])
    assert ccr.at[("B", 1), "ccr"] == pytest.approx(49 / 50)
    assert ccr.at[("B", 1), "level"] == "township"
    assert ccr.at[("A", 1), "level"] == "own"


def test_it_guards_zero_denominators() -> None:
    frames = tiny()
    pop = frames["population"]
    pop.loc[pop["community_id"] == "B", "persons"] = 0  # nobody in B: ratios fall back, projection is 0
    pr = project(frames, horizon=2023, params=PlanningParams(ccr_base_years=2, ccr_min_base=1, birth_adult_ages=(2, 2)))
    b = pr.persons[(pr.persons["community_id"] == "B") & pr.persons["projected"]]
    assert (b["persons"] == 0).all()
    assert all(math.isfinite(v) for v in pr.persons["persons"])


def test_it_uses_a_births_series() -> None:
    frames = tiny()
    frames["births"] = pd.DataFrame({"year": [2022], "births": [30.0]})
    p = PlanningParams(ccr_base_years=2, ccr_min_base=0, birth_adult_ages=(2, 2), birth_method="births")
    pr = project(frames, horizon=2022, params=p)
    got = pr.persons[(pr.persons["year"] == 2022) & (pr.persons["age"] == 0)].set_index("community_id")["persons"]
    # county births shared by age-0 shares over 2020–2021: A 20/30, B 10/30
    assert got["A"] == pytest.approx(20.0) and got["B"] == pytest.approx(10.0)


def test_it_says_when_years_are_missing() -> None:
    frames = tiny()
    frames["population"] = frames["population"][frames["population"]["year"] != 2020]
    with pytest.raises(CountyEduError) as e:
        project(frames)
    assert "2020" in e.value.message_en and "2020" in e.value.message_zh


def test_it_backtests_by_hand() -> None:
    # launch 2020 (one interval 2019→2020), compare with 2021. Stage ages 1–2.
    # A: CCR age0→1 = 10/10 = 1, age1→2 = 18/20 = 0.9; 2021: age1 = 10, age2 = 9 → 19 vs observed 21:
    #   ALPE = (19 − 21)/21 = −2/21. B: 10 + 10 = 20 vs 20 → 0. MAPE = (2/21)/2, MALPE = −(2/21)/2.
    p = PlanningParams(ccr_base_years=1, ccr_min_base=0, birth_adult_ages=(2, 2), stage_ages={"primary": (1, 2)})
    bt = backtest(tiny(), 2020, params=p)
    d = bt.as_dict()
    assert d["overall"]["mape"] == pytest.approx(round(1 / 21, 4))
    assert d["overall"]["malpe"] == pytest.approx(round(-1 / 21, 4))
    # A has 1000 residents, B 4000: one cell each per size class
    assert d["by_size"]["<1500"]["mape"] == pytest.approx(round(2 / 21, 4))
    assert d["by_size"][">=3000"]["mape"] == 0


def test_demo_projection_covers_every_year_to_the_horizon() -> None:
    f = demo()
    pr = project(f, params=planning_params(load_pack("nanfeng-2019")))
    years = sorted(pr.persons["year"].unique())
    assert years == list(range(2019, 2031))
    per_year = pr.persons.groupby("year").size()
    assert per_year.nunique() == 1  # every community × age in every year
    assert (pr.persons["persons"] >= 0).all()
    observed = pr.persons[~pr.persons["projected"]]
    pd.testing.assert_series_equal(
        observed.groupby("year")["persons"].sum(),
        f["population"].groupby("year")["persons"].sum().astype(float),
    )
    json.dumps(pr.as_dict())
    blocks = pr.blocks("zh") + pr.blocks("en")
    assert all(b.clause and b.charts for b in blocks)


def test_demo_backtest_error_is_reported_and_finite() -> None:
    bt = backtest(demo(), 2022)
    d = bt.as_dict()
    assert d["years"] == [2023, 2024, 2025]
    assert 0 <= d["overall"]["mape"] < 0.2 and math.isfinite(d["overall"]["malpe"])
    assert set(d["by_stage"]) == {"kindergarten", "primary", "junior", "high"}
    assert all(math.isfinite(s["mape"]) for s in d["by_size"].values())
    assert set(d["by_years_ahead"]) == {"1", "2", "3"}
    json.dumps(d)
    assert bt.blocks("en")[0].tables[0].rows

"""第4条 promises vs projects and the seat balance with and without them."""

from __future__ import annotations

import functools
import json

import pandas as pd
import pytest

from countyedu.planning.params import PlanningParams, Promise
from countyedu.planning.projection import project
from countyedu.planning.projects import project_balance, promise_status
from countyedu.planning.seats import seat_plan
from demo_support import demo_frames


@functools.cache
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


def projects(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["project_id", "name", "school_id", "stage", "seats_added", "start_year", "end_year", "status"]
    )


def test_it_judges_promises_by_hand() -> None:
    pr = Promise(label="A+B", names=["甲", "乙"], seats=1000, start_year=2019, end_year=2021)
    ok = projects(
        ("1", "甲学校", "S1", "primary", 600, 2019, 2020, "done"),
        ("2", "乙学校", "S2", "junior", 400, 2019, 2021, "done"),
    )
    assert promise_status(pr, ok, 2025)["status"] == "delivered"
    late = projects(
        ("1", "甲学校", "S1", "primary", 600, 2019, 2020, "done"),
        ("2", "乙学校", "S2", "junior", 400, 2019, 2023, "done"),
    )
    r = promise_status(pr, late, 2025)
    assert (r["status"], r["years_late"], r["finished"]) == ("late", 2, 2023)
    short = projects(("1", "甲学校", "S1", "primary", 600, 2019, 2020, "done"))
    r = promise_status(pr, short, 2025)
    assert (r["status"], r["seat_shortfall"]) == ("short", 400)
    assert (
        promise_status(pr, projects(("9", "丙", "S9", "primary", 5, 2019, 2019, "done")), 2025)["status"] == "missing"
    )
    building = projects(("1", "甲学校", "S1", "primary", 1000, 2019, 2022, "building"))
    assert promise_status(pr, building, 2020)["status"] == "pending"
    assert promise_status(pr, building, 2022)["status"] == "late"


def test_demo_promises_of_article_4() -> None:
    f = demo()
    pb = project_balance(f, project(f, horizon=2027))
    st = dict(zip(pb.promises["promise"], pb.promises["status"], strict=True))
    assert len(st) == 4
    # the demo's 桔都小学分校 finished in 2020, promised for 2019
    row = pb.promises[pb.promises["promise"].str.contains("桔都")].iloc[0]
    assert row["finished"] == 2020 and row["status"] == "late"
    assert pb.promises[pb.promises["promise"].str.contains("河东")]["seats"].tolist() == [9360]


def test_demo_balance_with_and_without_projects() -> None:
    f = demo()
    plan = seat_plan(f, project(f, horizon=2028))
    pb = project_balance(f, plan)
    b = pb.balance.set_index(["stage", "year"])
    # before any project the two balances agree; the difference in a year is the seats of the projects open by then
    assert b.loc[("primary", 2019), "balance_with"] == pytest.approx(b.loc[("primary", 2019), "balance_without"])
    # kindergarten: PJ16 and PJ17 (270 + 180 seats, building, finishing 2026) and PJ19 (180, 2027) open after the census
    kg = b.xs("kindergarten")
    assert kg.at[2026, "supply_with"] - kg.at[2025, "supply_with"] == pytest.approx(180 + 270)
    assert kg.at[2027, "supply_with"] - kg.at[2026, "supply_with"] == pytest.approx(180)
    all_kg = f["projects"][f["projects"]["stage"] == "kindergarten"]["seats_added"].sum()
    assert kg.at[2028, "supply_with"] - kg.at[2028, "supply_without"] == pytest.approx(all_kg)
    # compulsory seats added by the projects (all done in the census) make up the difference in 2025
    assert (b["balance_with"] - b["balance_without"] >= -1e-9).all()
    assert (b["balance_with"] == b["supply_with"] - b["demand"]).all()
    json.dumps(pb.as_dict())
    blocks = pb.blocks("zh") + pb.blocks("en")
    assert all(bl.findings and bl.charts and bl.clause for bl in blocks)


def test_promise_table_is_a_parameter() -> None:
    f = demo()
    p = PlanningParams(promises=[Promise(label="x", names=["不存在"], seats=10, start_year=2019, end_year=2019)])
    pb = project_balance(f, project(f, horizon=2026, params=p), p)
    assert pb.promises["status"].tolist() == ["missing"]

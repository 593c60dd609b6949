"""A value is never shown rounded to a number that contradicts its status (issue 10, item 11).

The rule (indicators/engine.py, reports/values.py, README): a status is decided on the exact value,
money to the fen; the value shown beside it gets as many more decimals as it takes to agree (up to
four), else it is shown as "<" or ">" the target. The two cases found: PP-6 446.59/446.73 = 99.969%
against ≥ 100% was shown "100.0%" and 未达标; B-23-FOUNDATION 994,306 yuan over last year's revenue
1,988,612,010 (0.05% of it is 994,306.005 yuan, half a fen more) was shown "0.05%" and 未达标: to the
fen it is met. Two fen short (revenue 1,988,612,040: 994,306.02 yuan) it is not met, shown "<0.05%"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.test import Client

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.policy.pack import Target
from countyedu.reports.values import value_text
from countyedu.web import census as census_data

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
AT_LEAST_ALL = Target(op=">=", value=1.0, by=2025)
FOUNDATION = Target(op=">=", value=0.0005, by=2019)


def test_a_share_just_under_100_percent_shows_the_decimals_that_decide() -> None:
    assert value_text(446.59 / 446.73, "share of teachers", AT_LEAST_ALL) == "99.97%"
    assert value_text(446.59 / 446.73, "share of teachers") == "100.0%"  # no target: the usual digits
    assert value_text(1.0, "share of teachers", AT_LEAST_ALL) == "100.0%"
    assert value_text(0.9, "share of teachers", AT_LEAST_ALL) == "90.0%"


def test_a_difference_below_four_more_decimals_is_shown_against_the_target() -> None:
    assert value_text(994_306 / 1_988_612_010, "share", FOUNDATION) == "<0.05%"
    assert value_text(994_307 / 1_988_612_010, "share", FOUNDATION) == "0.05%"  # met, and shown as met
    # one oversized class in 300,000 against none allowed: 0.0% would read as met
    assert value_text(1 / 300_000, "share of classes", Target(op="<=", value=0.0, by=2020)) == "0.0003%"
    # yuan: 999.996 against ≥ 1,000 is not 1,000
    assert value_text(999.996, "yuan", Target(op=">=", value=1000.0, by=2025)) == "999.996"


def test_money_is_compared_to_the_fen_and_shown_as_decided() -> None:
    value = 994_306 / 1_988_612_010
    assert value_text(value, "share", FOUNDATION) == "<0.05%"  # the exact comparison
    assert value_text(value, "share", FOUNDATION, meets=True) == "0.05%"  # as the engine decides, to the fen


@pytest.fixture(scope="module", params=[1_988_612_010, 1_988_612_040], ids=["half-a-fen-short", "two-fen-short"])
def foundation(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The hand county whose 2024 foundation budget is 994,306 yuan on the given 2023 revenue."""
    base = tmp_path_factory.mktemp("precision")
    shutil.copytree(HAND, base / "source")
    path = base / "source" / "finance.csv"
    f = pd.read_csv(path)
    f.loc[(f.year == 2023) & (f["item"] == "fiscal_revenue_total"), "amount"] = request.param
    f.loc[(f.year == 2024) & (f["item"] == "education_foundation"), "amount"] = 994_306
    f.to_csv(path, index=False)
    store = CensusStore(base / "data")
    import_census(base / "source", store)
    cache.get_or_compute(store)
    return store.data_dir, request.param


EXPECTED = {1_988_612_010: ("0.05%", "达标", "met"), 1_988_612_040: ("&lt;0.05%", "未达标", "not_met")}


def test_the_county_page_shows_the_foundation_budget_as_decided(
    client: Client, users: dict[str, User], settings: Any, foundation: tuple[Path, int]
) -> None:
    settings.DATA_DIR, revenue = foundation
    census_data.forget()
    try:
        client.force_login(users["leader"])
        html = client.get("/county/").content.decode()
    finally:
        census_data.forget()
    row = html.split("<code>B-23-FOUNDATION</code>")[1].split("</tr>")[0]
    text, status, _code = EXPECTED[revenue]
    assert f">{text}<" in row and f">{status}<" in row


def test_the_cli_table_shows_it_the_same_way(foundation: tuple[Path, int]) -> None:
    data, revenue = foundation
    proc = subprocess.run(
        [sys.executable, "-m", "countyedu", "assess", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "250"},
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "B-23-FOUNDATION" in x)
    text, _status, code = EXPECTED[revenue]
    assert f" {text.replace('&lt;', '<')} " in line and f" {code} " in line

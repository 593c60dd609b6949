"""In a real browser (Debian's Chromium driven by Playwright): the planning office computes the planning
and funding of the demo county, reads them, solves the primary catchments and sees the zones on the map;
the finance office compares a funding scenario. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import pytest
from browser_support import MARKS, PASSWORD, login, shot
from django.contrib.auth.models import User

from countyedu.census.demo import generate
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators import cache
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role

pytestmark = MARKS


@pytest.fixture
def demo_county(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    store = CensusStore(settings.DATA_DIR)
    import_census(write_folder(tmp_path / "demo", generate(), "parquet"), store)
    cache.get_or_compute(store)
    census_data.forget()
    yield store
    census_data.forget()


@pytest.mark.django_db(transaction=True)
def test_the_planner_plans_the_demo_county_and_reads_the_catchment_map(live_server, browser, demo_county):
    for name, role in (("planner", Role.PLANNING), ("finance", Role.FINANCE)):
        Membership.objects.create(user=User.objects.create_user(name, password=PASSWORD), role=role)
    base = live_server.url
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # the planner computes the planning and funding (a background job inline in tests) and reads them
    login(page, base, "planner")
    page.click("nav >> text=规划")
    page.click("button:has-text('立即计算')")
    page.wait_for_load_state()
    body = page.inner_text("main")
    assert "学龄人口预测" in body and "大班额" in body and "学区划分" in body and "教学点" in body
    page.wait_for_selector("#chart-0 canvas")  # the projection chart drawn by ECharts
    assert page.locator("div.map canvas").count() >= 2  # the primary and junior catchment maps
    shot(page, "plans-1-planning")

    # solves the primary catchments of 2025, each community whole to one school, and sees the map
    page.click("text=划片招生")
    page.select_option("select[name=stage]", "primary")
    page.select_option("select[name=year]", "2025")
    page.click("button:has-text('求解')")
    page.wait_for_load_state()
    page.wait_for_selector("div.map canvas")  # the zones on a map
    body = page.inner_text("main")
    assert "最优" in body and "琴城" in body
    shot(page, "plans-2-catchments")
    page.click("text=退出")

    # the finance office reads the funding and compares a scenario with a 300-yuan boarder subsidy
    login(page, base, "finance")
    page.click("nav >> text=经费")
    body = page.inner_text("main")
    assert "生均公用经费" in body and "第22条" in body and "预算" in body
    shot(page, "plans-3-funding")
    page.click("text=经费测算方案")
    page.fill("input[name=boarder_subsidy]", "300")
    page.click("button:has-text('比较')")
    page.wait_for_load_state()
    assert "下载 Excel" in page.inner_text("main")
    shot(page, "plans-4-scenario")
    assert not errors, errors

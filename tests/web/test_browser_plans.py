"""In a real browser (Debian's Chromium driven by Playwright): the planning office computes the planning
and funding of the demo county, reads them, solves the primary catchments and sees the zones on the map;
the finance office compares a funding scenario. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from countyedu.census.demo import generate
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder
from countyedu.indicators import cache
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is installed by `make test`"),
]


@pytest.fixture
def demo_county(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    store = CensusStore(settings.DATA_DIR)
    import_census(write_folder(tmp_path / "demo", generate(), "parquet"), store)
    cache.get_or_compute(store)
    census_data.forget()
    yield store
    census_data.forget()


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop and the live server share the process
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


def _login(page, base: str, name: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_planner_plans_the_demo_county_and_reads_the_catchment_map(live_server, browser, demo_county):
    for name, role in (("planner", Role.PLANNING), ("finance", Role.FINANCE)):
        Membership.objects.create(user=User.objects.create_user(name, password=PASSWORD), role=role)
    base = live_server.url
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # the planner computes the planning and funding (a background job inline in tests) and reads them
    _login(page, base, "planner")
    page.click("nav >> text=规划")
    page.click("button:has-text('立即计算')")
    page.wait_for_load_state()
    body = page.inner_text("main")
    assert "学龄人口预测" in body and "大班额" in body and "学区划分" in body and "教学点" in body
    page.wait_for_selector("#chart-0 canvas")  # the projection chart drawn by ECharts
    _shot(page, "plans-1-planning")

    # solves the primary catchments of 2025, each community whole to one school, and sees the map
    page.click("text=划片招生")
    page.select_option("select[name=stage]", "primary")
    page.select_option("select[name=year]", "2025")
    page.click("button:has-text('求解')")
    page.wait_for_load_state()
    page.wait_for_selector("#catchment-map canvas")
    body = page.inner_text("main")
    assert "最优" in body and "琴城" in body
    _shot(page, "plans-2-catchments")
    page.click("text=退出")

    # the finance office reads the funding and compares a scenario with a 300-yuan boarder subsidy
    _login(page, base, "finance")
    page.click("nav >> text=经费")
    body = page.inner_text("main")
    assert "生均公用经费" in body and "第22条" in body and "预算" in body
    _shot(page, "plans-3-funding")
    page.click("text=经费测算方案")
    page.fill("input[name=boarder_subsidy]", "300")
    page.click("button:has-text('比较')")
    page.wait_for_load_state()
    assert "下载 Excel" in page.inner_text("main")
    _shot(page, "plans-4-scenario")
    assert not errors, errors

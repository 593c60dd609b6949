"""In a real browser (Debian's Chromium driven by Playwright): the planning office computes the planning
and funding of the demo county, reads them, solves the primary catchments and sees the zones on the map;
the finance office compares a funding scenario. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import shutil

import pytest
from browser_support import MARKS, PASSWORD, login, shot
from django.contrib.auth.models import User

from countyedu.census.store import CensusStore
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role
from demo_support import demo_copy

pytestmark = MARKS

# elements past the right edge of the window (those in a box that scrolls sideways count by that box)
OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth, bad = [];
  if (document.documentElement.scrollWidth > vw) bad.push("page " + document.documentElement.scrollWidth);
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (!r.width) continue;
    const box = e.parentElement && e.parentElement.closest(".scroll");
    const right = box ? box.getBoundingClientRect().right : r.right;
    if (right > vw + 0.5) bad.push(e.tagName + "." + e.className + " " + Math.round(right));
  }
  return bad.slice(0, 5);
}"""


def open_tab(page, link) -> None:
    """Clicks a section link and waits until its panel shows: tabs.js switches panels on the
    asynchronous hashchange event, so the page's text right after the click can be the old panel's."""
    target = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_function(
        "id => { const e = document.getElementById(id); return !!e && e.checkVisibility(); }", arg=target
    )


@pytest.fixture
def demo_county(settings, tmp_path, tmp_path_factory):
    """The demo county as `countyedu demo` leaves it (the session's shared build, copied), but with its
    planning and funding not computed yet: the planner's "compute now" computes those two (the job
    computes each run kind not stored yet, runs.pipeline.after_census), the others stay as stored."""
    settings.DATA_DIR = demo_copy(tmp_path_factory, tmp_path / "data")
    for kind in ("planning", "funding"):
        shutil.rmtree(settings.DATA_DIR / kind)
    store = CensusStore(settings.DATA_DIR)
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

    # the planner computes the planning and funding (a background job inline in tests) and reads them:
    # the page opens on its summary (findings and key charts), the sections behind tabs
    login(page, base, "planner")
    page.click("nav >> text=规划")
    # the inline job computes the missing run kinds within the request: under -n 2 beside another worker that
    # can take longer than Playwright's default 30 s (a timing, not a figure this test judges)
    page.click("button:has-text('立即计算')", timeout=180_000)
    page.wait_for_load_state()
    tabs = page.locator("nav.page-index")
    for label in ("汇总", "学龄人口预测", "大班额", "学区划分", "农村学校布局调整"):
        assert tabs.get_by_text(label).count() >= 1, label
    page.wait_for_selector("#key-chart-0 canvas")  # the county seat gap, drawn by ECharts
    summary = page.inner_text("#summary")
    assert "未达标" in summary and "学位需求与供给" in summary  # the seat gap chart links to its section
    assert page.locator("section.block").first.is_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height  # 15,038 px before the summary (1280 px wide)
    shot(page, "plans-1-planning")
    # a finding links to its section, which opens in its tab
    open_tab(page, page.locator("#summary table.findings a").first)
    assert page.locator("#summary").is_hidden() and page.locator("section#planning\\.big_classes").is_visible()
    # the catchments tab draws its maps when shown
    open_tab(page, tabs.get_by_text("学区划分"))
    page.wait_for_selector("div.map canvas")
    assert page.locator("div.map canvas").count() >= 2  # the primary and junior catchment maps
    # every tab fits the window at 1280 and 1024 px; a table wider than its box scrolls inside it
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        for i in range(tabs.locator("a").count()):
            open_tab(page, tabs.locator("a").nth(i))
            assert page.evaluate(OVERFLOW) == [], (width, tabs.locator("a").nth(i).inner_text())
        # the 过渡期安排 table (long lists of schools) wraps within its box instead of running off it
        open_tab(page, tabs.get_by_text("农村学校布局调整"))
        box = page.locator(".scroll[aria-label^='过渡期安排']")
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), width
        shot(page, f"plans-1-consolidation-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})

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
    page.wait_for_selector("#key-chart-0 canvas")  # per-pupil funds by stage
    assert "生均公用经费" in page.inner_text("#summary")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height  # 14,282 px before the summary (1280 px wide)
    shot(page, "plans-3-funding")
    open_tab(page, page.locator("nav.page-index").get_by_text("生均公用经费"))
    body = page.inner_text("main")
    assert "第22条" in body and "琴城" in body
    page.click("text=经费测算方案")
    page.fill("input[name=boarder_subsidy]", "300")
    page.click("button:has-text('比较')")
    page.wait_for_load_state()
    assert "下载 Excel" in page.inner_text("main")
    shot(page, "plans-4-scenario")
    assert not errors, errors

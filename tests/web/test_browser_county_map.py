"""In a real browser: the planning office uploads the county's outline on the map page, and the county
page draws the school map over it (the hand county; tests/web/test_dash_county_outline.py checks the
outline against the schools). Screenshots are kept in test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import MARKS, PASSWORD, login, shot
from django.contrib.auth.models import User
from test_browser_pages import hand  # noqa: F401  (the hand county as the live server's data dir)

from countyedu.web.models import Membership, Role

pytestmark = MARKS
OUTLINE = Path(__file__).resolve().parents[1] / "fixtures" / "outline" / "nanfeng-361023.geojson"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("hand")
def test_the_county_page_draws_the_schools_over_the_county_outline(live_server, browser):
    Membership.objects.create(user=User.objects.create_user("planner", password=PASSWORD), role=Role.PLANNING)
    base = live_server.url
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    login(page, base, "planner")
    page.goto(f"{base}/map/")
    page.set_input_files("input[aria-label='县域轮廓']", str(OUTLINE))
    page.locator("form[action='/map/county-outline/'] button").click()
    page.wait_for_load_state()
    assert "县域轮廓已保存" in page.inner_text("main")
    page.click("nav >> text=全县")
    page.wait_for_selector("#map canvas")
    # the outline is the geo map under the points: ECharts reports one geo component and the scatter series
    drawn = page.evaluate(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('map')).getOption();"
        " return [c.geo.length, c.geo[0].map, c.series.map(s => s.coordinateSystem)]; }"
    )
    assert drawn == [1, "outlines", ["geo", "geo", "geo"]]
    assert "学校分布图" in page.inner_text("main")
    page.locator("#map").scroll_into_view_if_needed()
    shot(page, "county-map-outline")

"""Every kind of page in a real browser under the Content-Security-Policy (issue 10, item 11): the
dashboards with their charts, the map, an explanation, planning and funding, data collection with a
the online form, the language menu and the 404 page. The
`browser` fixture fails the test when the policy refused anything or a script failed
(browser_support.launch); here each page's own content is checked to have been drawn."""

from __future__ import annotations

import pytest
from browser_support import MARKS, PASSWORD, login, shot
from dash_support import hand_data_dir
from django.contrib.auth.models import User

from countyedu.web import census as census_data
from countyedu.web.actions import do_open_round
from countyedu.web.models import Membership, Role

pytestmark = MARKS

PAGES = [
    ("/county/", "canvas"),
    ("/stage/primary/", "table.results"),
    ("/township/T1/", "table.results"),
    ("/school/P1/", "table.results"),
    ("/map/", "canvas"),
    ("/explain/T-PRE-5/?unit=361023&year=2024&stage=kindergarten", "table.rows"),
    ("/planning/", "main h1"),
    ("/funding/", "main h1"),
    ("/funding/scenario/?run=1&step_rate=0.08", "main h1"),
    ("/collection/", "main h1"),
]


@pytest.fixture
def hand(settings):
    settings.DATA_DIR = hand_data_dir()
    census_data.forget()
    yield
    census_data.forget()


@pytest.mark.django_db(transaction=True)
def test_every_page_works_under_the_content_security_policy(live_server, browser, hand):
    admin = User.objects.create_user("admin", password=PASSWORD)
    Membership.objects.create(user=admin, role=Role.BUREAU_ADMIN)
    rnd = do_open_round(2025, "", acting_user=admin)
    base = live_server.url
    page = browser.new_page()
    login(page, base, "admin")
    for path, drawn in PAGES:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert "no-store" in response.headers["cache-control"], path
        assert page.wait_for_selector(drawn, timeout=10_000, state="attached"), path
    shot(page, "csp-scenario")
    # a chart's tooltip under the policy
    page.goto(f"{base}/county/")
    box = page.locator("#trend-chart canvas").first.bounding_box()
    for x in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * 0.5)
        page.wait_for_timeout(200)
    # a school's tooltip on the map (drawn in the canvas; a click opens the school)
    page.goto(f"{base}/map/")
    page.wait_for_selector("#map canvas", state="attached")
    page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("map"));
          const i = chart.getOption().series.findIndex((s) => s.data && s.data.length);
          chart.dispatchAction({type: "showTip", seriesIndex: i, dataIndex: 0});
        }"""
    )
    page.wait_for_timeout(300)
    # the online form: adding a row is done by form.js
    page.goto(f"{base}/collection/{rnd.pk}/schools/P1/form/")
    rows = page.locator("#rows-classes tr").count()
    page.click("button.add-row[data-sheet=classes]")
    assert page.locator("#rows-classes tr").count() == rows + 1
    # the language menu submits itself (app.js) and the page comes back in English
    page.goto(f"{base}/county/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    # the 404 page is the app's, in the user's language
    response = page.goto(f"{base}/school/NOPE/")
    assert response.status == 404 and page.locator("#not-found h1").inner_text() == "Page not found"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("#not-found h1").inner_text() == "页面不存在"
    shot(page, "csp-404")
    page.close()

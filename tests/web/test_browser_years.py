"""In a real browser (Debian's Chromium driven by Playwright): the bureau opens the 2025 round of the hand
county (2024 closed, 9 schools) and approves one school (P1); the county page still shows 2024 with its
numbers unchanged, and 2025 appears as partial with its coverage (1 of 9); chosen, it is labelled
partial. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import pytest
from browser_support import MARKS, login, shot
from collection_support import own_census, upload  # noqa: F401
from django.test import Client
from django.urls import reverse

from countyedu.web import actions
from countyedu.web import census as census_data
from countyedu.web.models import CollectionRound

pytestmark = MARKS


def _county(page, base: str) -> tuple[str, str]:
    """The county page's heading line and its status counts, as the reader sees them."""
    page.goto(f"{base}/county/")
    page.wait_for_load_state()
    return page.inner_text("main p.muted >> nth=0"), page.inner_text("main .counts")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("own_census")
def test_a_partial_year_does_not_take_over_the_county_page(live_server, browser, users):
    admin, clerk = users["admin"], users["clerk_p1"]
    base = live_server.url
    page = browser.new_page(locale="zh-CN")
    login(page, base, "admin")
    head_before, counts_before = _county(page, base)
    assert "2024 学年" in head_before and "已关闭的最新学年" in head_before

    # the bureau opens the 2025 round on the collection page
    page.goto(f"{base}/collection/")
    page.fill("#id_year", "2025")
    page.click("button:has-text('开放轮次')")
    page.wait_for_load_state()
    rnd = CollectionRound.objects.get(year=2025, status="open")

    # P1's clerk sends its pre-filled sheet as it is (the upload path is the browser flow's test)
    c = Client()
    c.force_login(admin)
    template = c.get(reverse("web:submission_template", args=[rnd.pk, "P1"])).content
    sub, _job = actions.do_upload_submission(rnd, "P1", upload(template), acting_user=clerk)
    actions.do_submit_submission(sub, acting_user=clerk)

    # the planning office approves it in the browser
    page.click("text=退出")
    login(page, base, "planner")
    page.goto(base + reverse("web:submission_review", args=[sub.pk]))
    page.click("button:has-text('审核通过')")
    page.wait_for_load_state()
    census_data.forget()

    # the county page: still 2024, the same counts; 2025 offered as partial with its coverage
    head_after, counts_after = _county(page, base)
    assert "2024 学年" in head_after and counts_after == counts_before
    options = page.locator("select[name=year] option").all_inner_texts()
    assert "2025（采集中，已报 1/9 所）" in options and "2024" in options
    assert page.locator(".partial").count() == 0
    shot(page, "years-1-county-after-one-approval")

    # chosen, 2025 is labelled partial with its coverage
    page.select_option("select[name=year]", "2025")
    page.click("form.year-select button")
    page.wait_for_load_state()
    assert page.url.endswith("/county/?year=2025")
    badge = page.inner_text(".partial")
    assert "数据不完整" in badge and "已报 1/9 所" in badge
    shot(page, "years-2-county-partial-2025")

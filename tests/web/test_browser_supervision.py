"""In a real browser on a phone-sized screen (Debian's Chromium driven by Playwright), issue 15's "Done
when": a responsible inspector records a visit to 琴城第一小学 (P1) with a problem, a photo and a
checklist item (QB-Q7 开齐开足课程) found met; the school's clerk answers the rectification; the
inspector closes it; the school's page then shows no open item and QB-Q7 met for that school year.
Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import pytest
from browser_support import MARKS, login, shot
from django.conf import settings
from sv_visits_support import PNG, add_inspectors

from countyedu.indicators import evidence
from countyedu.supervision import snapshot
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role
from countyedu.web.supervision_models import Rectification, Visit

pytestmark = MARKS
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def clean_evidence(census_store):
    census_data.forget()
    yield
    evidence.path(settings.DATA_DIR).unlink(missing_ok=True)
    snapshot.path(settings.DATA_DIR).unlink(missing_ok=True)  # the records snapshot the changes wrote
    census_data.forget()


@pytest.mark.django_db(transaction=True)
def test_an_inspector_records_a_visit_on_a_phone_and_the_school_answers(live_server, browser, clean_evidence):
    from django.contrib.auth.models import User
    from sv_visits_support import PASSWORD

    add_inspectors()
    Membership.objects.create(
        user=User.objects.create_user("clerk_p1", password=PASSWORD), role=Role.SCHOOL, school_id="P1"
    )
    year = census_data.assessment().default_year()
    base = live_server.url
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    login(page, base, "insp_a")
    page.goto(f"{base}/supervision/visits/")
    page.click("#schools >> text=琴城第一小学")  # the form, the school chosen
    page.wait_for_selector("#visit-form")
    assert page.locator("#school").input_value() == "P1"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.fill("input[name=date]", f"{year}-10-09")
    page.select_option("select[name=kind]", "routine")
    page.fill("textarea[name=teaching_finding]", "课表已公示")
    page.fill("textarea[name=teaching_problem]", "三年级体育课每周少一节")
    page.select_option("select[name=checklist_item]", "QB-Q7")
    page.select_option("select[name=checklist_status]", "met")
    page.fill("textarea[name=checklist_note]", "核对了课表和教案")
    page.fill("input[name=deadline]", f"{year}-11-09")
    page.fill("input[name=responsible]", "王校长")
    page.set_input_files("input[name=files]", {"name": "操场.png", "mimeType": "image/png", "buffer": PNG})
    shot(page, "supervision-1-form")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#findings")
    assert page.locator(".sv-files img").count() == 1  # the photo, served back
    assert "三年级体育课每周少一节" in page.inner_text("#visit-rects")
    shot(page, "supervision-2-visit")
    visit = Visit.objects.get()
    assert (visit.school_id, visit.inspector_id, str(visit.date)) == ("P1", "I1", f"{year}-10-09")

    # the school's clerk answers from the school's page
    school = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(school, base, "clerk_p1")
    school.goto(f"{base}/school/P1/?year={year}")
    school.click("#school-rects a")
    school.fill("#answer textarea[name=response]", "已按课程方案补开体育课，附新课表")
    school.click("#answer button[type=submit]")
    school.wait_for_selector("#steps")
    assert "学校反馈整改情况" in school.inner_text("#steps")

    # the inspector checks and closes it
    r = Rectification.objects.get()
    page.goto(f"{base}/supervision/rectifications/{r.pk}/")
    page.click("#close")
    page.wait_for_selector("#stage")
    assert "已销号" in page.inner_text("#stage")
    shot(page, "supervision-3-closed")

    # the school's page: nothing open, and the checklist item the visit resolved is met that year
    school.goto(f"{base}/school/P1/?year={year}")
    assert "没有未销号的整改事项" in school.inner_text("#school-rects")
    row = school.locator("#school-checklist tr[data-indicator='QB-Q7']")
    assert row.locator(".status.met").count() == 1, school.inner_text("#supervision")
    shot(school, "supervision-4-school")
    phone.close()

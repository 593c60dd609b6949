"""In a real browser (Debian's Chromium driven by Playwright; no browser download): a school clerk
logs in, uploads a workbook with an error, sees the located error, fixes it, submits; the bureau
approves; the county dashboard shows the new census. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from browser_support import MARKS, PASSWORD, login, shot
from django.contrib.auth.models import User

from countyedu.web import census as census_data
from countyedu.web.actions import do_open_round
from countyedu.web.models import Membership, Role

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"

pytestmark = MARKS


def _user(name: str, role: str, school: str = "") -> None:
    u = User.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(user=u, role=role, school_id=school)


def _with_pupils(workbook: bytes, row: int, pupils: int) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = wb["班级"]
    col = next(c.column for c in ws[1] if "(pupils)" in str(c.value))
    ws.cell(row=row, column=col, value=pupils)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_it_collects_checks_approves_and_shows_the_new_census(live_server, browser, own_census, tmp_path):
    _user("clerk", Role.SCHOOL, "P1")
    _user("planner", Role.PLANNING)
    admin = User.objects.create_user("admin", password=PASSWORD)
    Membership.objects.create(user=admin, role=Role.BUREAU_ADMIN)
    do_open_round(2025, "2025 年秋季报表", acting_user=admin)
    before = own_census.latest().version_id
    base = live_server.url

    # the clerk logs in, downloads the pre-filled sheet and uploads it with a negative pupils count
    page = browser.new_page(accept_downloads=True, locale="zh-CN")
    login(page, base, "clerk")
    page.goto(f"{base}/collection/")
    with page.expect_download() as dl:
        page.click("text=下载本校预填表")
    template = Path(dl.value.path()).read_bytes()
    bad = tmp_path / "p1-bad.xlsx"
    bad.write_bytes(_with_pupils(template, 4, -3))
    page.set_input_files("input[type=file]", str(bad))
    page.click("text=上传并检查")
    page.wait_for_load_state()
    body = page.inner_text("main")
    assert "班级" in body and "pupils" in body and "不能为负数" in body and "-3" in body
    shot(page, "1-located-error")

    # fixes it, uploads again, submits
    good = tmp_path / "p1-good.xlsx"
    good.write_bytes(_with_pupils(template, 4, 46))
    page.set_input_files("input[type=file]", str(good))
    page.click("button:has-text('上传')")
    page.wait_for_load_state()
    page.click("button:has-text('报送审核')")
    page.wait_for_load_state()
    shot(page, "2-submitted")
    page.click("text=退出")

    # the planning office reviews the differences and approves
    login(page, base, "planner")
    page.goto(f"{base}/collection/")
    page.click("a:has-text('2025')")
    page.wait_for_load_state()
    page.click("tr:has-text('P1') a[href$='/review/']")  # 与上年比较
    page.wait_for_load_state()
    shot(page, "3-review")
    page.click("button:has-text('审核通过')")
    page.wait_for_load_state()
    after = own_census.latest().version_id
    assert after != before
    census_data.forget()

    # the county dashboard now shows the new census version
    page.goto(f"{base}/county/")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert after in text and "2025" in text
    shot(page, "4-county-dashboard")


@pytest.mark.django_db(transaction=True)
def test_a_clerk_edits_the_submission_online_with_an_added_class(live_server, browser, own_census):
    """在线填报: the clerk changes a class's pupils, adds a class with the button (JavaScript) and saves; the
    submission page then shows the stored file. A negative count is refused by the browser itself (the
    schema's minimum is on the input), so it is never sent."""
    _user("clerk", Role.SCHOOL, "P1")
    admin = User.objects.create_user("admin", password=PASSWORD)
    Membership.objects.create(user=admin, role=Role.BUREAU_ADMIN)
    do_open_round(2025, "2025 年秋季报表", acting_user=admin)
    base = live_server.url
    page = browser.new_page(locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "clerk")
    page.goto(f"{base}/collection/")
    with page.expect_navigation():
        page.click("text=在线填报")
    assert page.input_value("input[name='classes-0-pupils']")  # pre-filled from last year
    page.fill("input[name='classes-0-pupils']", "-3")
    assert page.eval_on_selector("input[name='classes-0-pupils']", "el => !el.validity.valid")
    page.fill("input[name='classes-0-pupils']", "45")
    page.click("button.add-row[data-sheet='classes']")
    added = page.locator("#rows-classes select[name$='-grade']").last
    added.select_option("P3")
    page.locator("#rows-classes input[name$='-class_no']").last.fill("2")
    page.locator("#rows-classes input[name$='-pupils']").last.fill("38")
    shot(page, "5-form-filled")
    page.keyboard.press("Tab")  # leave the last number input first (its blur re-lays the wide table out)
    with page.expect_navigation():
        page.click("button:has-text('保存并检查')")
    assert "/submissions/" in page.url
    body = page.inner_text("main")
    assert "P1-2025-online.xlsx" in body
    shot(page, "6-form-saved")
    # the stored file holds the changed and the added class
    from countyedu.web.collection import _submission_frames
    from countyedu.web.models import Submission

    classes = _submission_frames(Submission.objects.get(school_id="P1", round__year=2025))["classes"]
    pupils = {
        (g, int(n)): int(p) for g, n, p in zip(classes["grade"], classes["class_no"], classes["pupils"], strict=True)
    }
    assert 45 in pupils.values() and pupils[("P3", 2)] == 38
    assert not errors, errors

"""In a real browser (Debian's Chromium driven by Playwright), issue 13's "Done when": the personnel
office solves the exchange rotation of the rotation county (teachers_support.py), locks one move, vetoes another, re-solves and
downloads the list; the re-solved plan keeps the lock, drops the veto and passes the independent
rotation checker. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest
from browser_support import MARKS, PASSWORD, login, shot
from django.contrib.auth.models import User
from teachers_support import rotation_store

from countyedu.web import census as census_data
from countyedu.web.models import Job, Membership, Role, RotationDecision

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "teachers"))
from rotation_checker import assert_passes  # (tests/teachers: the independent checker)

pytestmark = MARKS


@pytest.fixture
def rotation_county(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    rotation_store(settings.DATA_DIR, tmp_path / "county")
    census_data.forget()
    yield
    census_data.forget()


def _moves(page) -> list[tuple[str, str]]:
    rows = page.locator("#moves tbody tr[data-teacher]")
    return [(rows.nth(i).get_attribute("data-teacher") or "", rows.nth(i).inner_text()) for i in range(rows.count())]


@pytest.mark.django_db(transaction=True)
def test_the_personnel_office_reviews_the_rotation_and_downloads_the_list(
    live_server, browser, rotation_county, tmp_path
):
    Membership.objects.create(user=User.objects.create_user("personnel", password=PASSWORD), role=Role.PERSONNEL)
    base = live_server.url
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    login(page, base, "personnel")
    page.click("nav >> text=教师")
    page.click("p.links >> text=交流轮岗")
    # solve (a background job, inline in the tests): the move list appears
    page.click("#solve button")
    page.wait_for_selector("#moves")
    before = _moves(page)
    assert len(before) >= 2, before
    shot(page, "teachers-1-rotation")
    locked, vetoed = before[0][0], before[1][0]
    page.locator(f"#moves tr[data-teacher='{locked}'] button.lock").click()
    page.wait_for_load_state()
    page.locator(f"#moves tr[data-teacher='{vetoed}'] button.veto").click()
    page.wait_for_load_state()
    assert page.locator("#decisions tbody tr").count() == 2
    # re-solve with the decisions: the lock kept, the vetoed move gone
    page.click("#solve button")
    page.wait_for_selector("#moves")
    after = dict(_moves(page))
    assert locked in after and "已锁定" in after[locked]
    veto = RotationDecision.objects.get(kind="veto")
    to_name = census_data.names(census_data.latest_version())[veto.to_school_id]
    assert not any(t == vetoed and to_name in text for t, text in _moves(page))
    shot(page, "teachers-2-resolved")
    # the list as the bureau publishes it
    with page.expect_download() as d:
        page.click("#download")
    path = tmp_path / "list.xlsx"
    d.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    listed = {r[1] for r in rows[3:] if r and r[1]}
    assert locked in listed and rows[2][0] == "序号"
    # the re-solved plan passes the independent checker with the decisions it was given
    job = Job.objects.filter(kind="rotation", status="done").latest("pk")
    frames = census_data.census(census_data.latest_version())
    # (J1 has one eligible teacher and none to spare above its floor: the plan reports that rule unmet)
    assert_passes(
        job.result["rotation"], frames, locks=job.result["locks"], vetoes=job.result["vetoes"], declared_ok=True
    )
    page.close()

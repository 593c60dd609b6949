"""The admissions office in a real browser (issue 14, "Done when"): it uploads the year's programmes
(a workbook with an error first: the page names its sheet, row and column, and nothing is stored;
then the corrected one, a new census version), runs the demo's admission on it, reads a candidate's
explanation, changes the tie rule, compares the two runs and publishes; a junior-school clerk then
sees their own pupils' outcomes and no one else's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser_support import MARKS, PASSWORD, login
from django.contrib.auth.models import User

from countyedu.web import admissions as admissions_web
from countyedu.web import census as census_data
from countyedu.web.jobs import work_path
from countyedu.web.models import AdmissionRun, Job, Membership, Role
from demo_support import demo_copy, demo_frames

pytestmark = MARKS


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The demo county imported once for the module (the admission pages need no assessment)."""
    tmp = tmp_path_factory.mktemp("admissions")
    frames = demo_frames()
    demo_copy(tmp_path_factory, tmp / "data")  # the demo county as `countyedu demo` leaves it
    progs = frames["programmes"]
    progs = progs[progs["year"] == progs["year"].max()].reset_index(drop=True)
    wrong = progs.astype(object)
    wrong.loc[1, "quota"] = "很多"  # not a number: Excel row 3
    for name, sheet in (("wrong.xlsx", wrong), ("programmes.xlsx", progs)):
        with pd.ExcelWriter(tmp / name) as xl:
            sheet.to_excel(xl, sheet_name="programmes", index=False)
    return tmp / "data", frames["candidates"]


@pytest.fixture
def assessment_left_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    """The upload's assessment job queued for a worker, as in production, not run within the request
    (tests run jobs inline: it would compute every run kind of the demo county, which the admission
    pages do not read); the admission runs' own jobs still run."""
    start = admissions_web.start_job

    def start_job(kind: str, work: Any, arguments: dict[str, Any] | None = None, **kw: Any) -> Job:
        if kind != "assessment":
            return start(kind, work, arguments, **kw)
        return Job.objects.create(kind=kind, work=work_path(work), arguments=arguments or {})

    monkeypatch.setattr(admissions_web, "start_job", start_job)


@pytest.mark.django_db(transaction=True)
def test_the_office_runs_compares_and_publishes_and_a_clerk_sees_their_pupils(
    live_server: Any, browser: Any, settings: Any, demo: tuple[Path, Any], assessment_left_queued: None
) -> None:
    settings.DATA_DIR, candidates = demo
    census_data.forget()
    year = int(candidates["year"].max())
    pupils = candidates[candidates["year"] == year]
    school = str(pupils["junior_school_id"].value_counts().index[-1])  # the smallest junior school
    own = set(pupils.loc[pupils["junior_school_id"] == school, "candidate_id"])
    office = User.objects.create_user("office", password=PASSWORD)
    Membership.objects.create(user=office, role=Role.ADMISSIONS)
    clerk = User.objects.create_user("clerk", password=PASSWORD)
    Membership.objects.create(user=clerk, role=Role.SCHOOL, school_id=school)
    base = live_server.url
    page = browser.new_page(locale="zh-CN")

    # the office uploads the year's programmes: a wrong quota is named by sheet, row and column and
    # nothing is stored; the corrected workbook becomes a new census version
    login(page, base, "office")
    page.click("header nav >> text=招生")
    before = census_data.latest_version()
    page.click("text=上传考生和招生计划")
    page.set_input_files("#upload input[name=file]", str(settings.DATA_DIR.parent / "wrong.xlsx"))
    page.click("#upload button")
    page.wait_for_load_state()
    assert "未导入任何数据" in page.inner_text("main")
    assert page.locator("table.problems tbody tr", has_text="quota").first.inner_text().split("\t")[:2] == [
        "programmes",
        "3",
    ]
    assert census_data.latest_version() == before
    page.set_input_files("#upload input[name=file]", str(settings.DATA_DIR.parent / "programmes.xlsx"))
    page.click("#upload button")
    page.wait_for_selector("#rules")
    uploaded = census_data.latest_version()
    assert uploaded != before and "已导入为数据版本" in page.inner_text("main")
    # the new version's assessment is queued for a worker; the admission needs none
    assert Job.objects.filter(kind="assessment", arguments__version=uploaded, status=Job.Status.QUEUED).exists()

    # the office runs the admission with the pack's rules
    page.click("#rules button[type=submit]")
    page.wait_for_selector("#verifier")
    assert "独立校验 · 通过" in page.inner_text("#verifier h2")
    first = AdmissionRun.objects.get()
    assert first.census_version == uploaded

    # a candidate who did not get their first choice reads why
    refused = next(a["candidate_id"] for a in first.result["admitted"] if a["batch"] == "vocational" and a.get("rank"))
    page.fill("#lookup input[name=candidate]", refused)
    page.click("#lookup button")
    answer = page.inner_text("#answer")
    assert refused in answer and "未录取原因" in answer and "分" in answer

    # the tie rule changed: 同分同录 (admit all tied at the last place)
    page.click("header nav >> text=招生")
    page.select_option("#rules select[name=tie_rule]", "admit_all")
    page.click("#rules button[type=submit]")
    page.wait_for_selector("#verifier")
    assert "通过" in page.inner_text("#verifier h2")
    second = AdmissionRun.objects.exclude(pk=first.pk).get()
    page.select_option("#compare select[name=b]", str(first.pk))
    page.click("#compare button")
    assert "录取结果变化的考生" in page.inner_text("#changed")

    # publish the second run
    page.goto(f"{base}/admissions/runs/{second.pk}/")
    page.click("#publish button")
    page.wait_for_load_state()
    assert "录取结果已发布" in page.inner_text("main")
    second.refresh_from_db()
    assert second.status == "published"
    page.click("text=退出")

    # the clerk sees their pupils, all of them and no one else's
    login(page, base, "clerk")
    page.click("header nav >> text=招生")
    shown = set(page.locator("#pupils tbody tr td:first-child").all_inner_texts())
    assert shown == own
    mine, other = sorted(own)[0], sorted(set(pupils["candidate_id"]) - own)[0]
    response = page.goto(f"{base}/admissions/pupils/candidate/?candidate={mine}")
    assert response.status == 200 and mine in page.inner_text("#answer")
    assert page.goto(f"{base}/admissions/pupils/candidate/?candidate={other}").status == 404
    page.close()
    census_data.forget()

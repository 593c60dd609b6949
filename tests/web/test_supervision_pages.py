"""The supervision office's pages and the task register's (issue 15 items 1 and 7) on the hand county
with six tasks (tests/fixtures/supervision/tasks.csv): every role (and anonymous) × every endpoint of
`web/supervision.py` with the expected status written out, what a township and a school clerk see, an
owner's update with an evidence file accepted or returned by the office (audited), and the
leadership's progress report.

The tasks (the day is 2025-12-31, patched): K1 the bureau's, due 2025-06-30 → overdue 184 days; K2
琴城镇's (T1), K3 太源乡's (T2); K4 琴城第一小学's (P1, of T1), K5 太源学校's (N1, of T2), overdue 122
days; K6 the finance bureau's, due 2019 and the sheet says overdue (2192 days).

Reading the table: 200 page, 302 the action ran (then a redirect back), 403 the user may see but not
do this, 404 the user may not see it (or has no role), 405 wrong method, LOGIN redirect to the login
page (anonymous)."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.web import census as census_data
from countyedu.web import supervision
from countyedu.web.models import AuditLog, Membership, Role
from countyedu.web.task_models import TaskUpdate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LOGIN = "login"
PASSWORD = "correct horse battery staple"
USERS = ("admin", "inspector", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
COUNTY = (200, 200, 200, 200, 404, 404, 404, 404, 404, LOGIN)
EVERY_ROLE = (200, 200, 200, 200, 200, 200, 200, 200, 404, LOGIN)
ALL_405 = (405,) * 9 + (405,)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# fmt: off
EXPECTED = {
    #                                          admin inspector planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("supervision", "GET", ()):                  COUNTY,
    ("supervision_tasks", "GET", ()):            EVERY_ROLE,
    ("supervision_tasks_report", "GET", ("xlsx",)): COUNTY,
    ("supervision_task", "GET", ("K2",)):        (200, 200,     200,    200,   200, 404, 404,     404,     404,   LOGIN),
    ("supervision_task", "GET", ("K4",)):        (200, 200,     200,    200,   200, 404, 200,     404,     404,   LOGIN),
    ("supervision_task", "GET", ("K1",)):        COUNTY,
    ("supervision_task_update", "POST", ("K2",)): (403, 403,    403,    403,   302, 404, 404,     404,     404,   LOGIN),
    ("supervision_task_update", "POST", ("K4",)): (403, 403,    403,    403,   403, 404, 302,     404,     404,   LOGIN),
    ("supervision_task_update", "POST", ("K1",)): (302, 403,    403,    403,   404, 404, 404,     404,     404,   LOGIN),
    ("supervision_task_update", "GET", ("K2",)):  ALL_405,
    ("supervision_task_decide", "POST", "K2"):   (302, 302,     403,    403,   403, 404, 404,     404,     404,   LOGIN),
    ("supervision_task_decide", "GET", "K2"):    ALL_405,
    ("supervision_task_file", "GET", "K2"):      (200, 200,     200,    200,   200, 404, 404,     404,     404,   LOGIN),
}
# fmt: on


@pytest.fixture(scope="module")
def tasks_data(tmp_path_factory):
    """The hand county with the tasks sheet, imported once for the module."""
    tmp = tmp_path_factory.mktemp("supervision-pages")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    shutil.copy(FIXTURES / "supervision" / "tasks.csv", county / "tasks.csv")
    import_census(county, CensusStore(tmp / "data"))
    return tmp / "data"


@pytest.fixture
def people(users, settings, tasks_data, monkeypatch):
    settings.DATA_DIR = tasks_data
    settings.MEDIA_ROOT = tasks_data / "media"
    census_data.forget()
    monkeypatch.setattr(supervision, "today", lambda: date(2025, 12, 31))
    u = User.objects.create_user("inspector", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.INSPECTOR)
    yield {**users, "inspector": u}
    census_data.forget()


def _client(people, name):
    c = Client()
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


def _pending_update(people, task_id):
    """An update of the task waiting for the office (made by its owner or the bureau)."""
    t = supervision.live_run(["tasks"])[1].part("tasks").get(task_id)
    f = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    return supervision.do_update_task(
        t,
        status="in_progress",
        progress=40,
        note="主体施工",
        evidence="",
        file=f,
        day=date(2025, 12, 1),
        acting_user=people["admin"],
    )


def test_it_gives_every_role_the_expected_status_on_every_supervision_endpoint(people):
    found, expected = {}, {}
    for (name, method, args), statuses in EXPECTED.items():
        for user, want in zip(USERS, statuses, strict=True):
            sid = transaction.savepoint()
            if isinstance(args, str):  # an update of that task
                args_ = (_pending_update(people, args).pk,)
            else:
                args_ = args
            url = reverse(f"web:{name}", args=args_)
            data = {"status": "in_progress", "progress": "50", "note": "进展", "action": "accept"}
            c = _client(people, user)
            r = c.get(url) if method == "GET" else c.post(url, data)
            transaction.savepoint_rollback(sid)
            found[(name, method, args, user)] = outcome(r)
            expected[(name, method, args, user)] = want
    wrong = {k: (found[k], v) for k, v in expected.items() if found[k] != v}
    assert not wrong, f"(found, expected): {wrong}"


def test_a_township_sees_its_own_and_its_schools_tasks_and_a_clerk_the_schools_own(people):
    t1 = _client(people, "t1").get(reverse("web:supervision_tasks")).content.decode()
    assert "琴城镇中心幼儿园扩建" in t1 and "琴城第一小学与农村学校结对帮扶" in t1
    assert "太源" not in t1.split("</nav>")[1] and "城区新建小学一所" not in t1
    p1 = _client(people, "clerk_p1").get(reverse("web:supervision_tasks")).content.decode()
    assert "琴城第一小学与农村学校结对帮扶" in p1 and "琴城镇中心幼儿园扩建" not in p1
    county = _client(people, "leader").get(reverse("web:supervision_tasks") + "?by=township").content.decode()
    assert "琴城镇" in county and "太源乡" in county


def test_the_office_home_and_the_register_put_the_overdue_first_with_their_owners(people):
    home = _client(people, "leader").get(reverse("web:supervision")).content.decode()
    late = home.split('id="late"')[1].split("</section>")[0]
    assert late.index("K6") < late.index("K1") < late.index("K5")  # 2192, 184, 122 days
    assert "刘建华 股长" in late and "184" in late and "K2" not in late
    page = _client(people, "admin").get(reverse("web:supervision_tasks")).content.decode()
    assert page.index("K1") < page.index("K2")


def test_an_owner_reports_progress_with_a_file_and_the_office_returns_then_accepts_it(people):
    t1 = _client(people, "t1")
    f = SimpleUploadedFile("site.png", PNG, content_type="image/png")
    url = reverse("web:supervision_task_update", args=["K2"])
    r = t1.post(url, {"status": "done", "progress": "100", "note": "已投入使用", "file": f})
    assert r.status_code == 302
    u = TaskUpdate.objects.get(task_id="K2")
    assert (u.status, u.progress, u.accepted, u.owner_id, u.file_name) == ("done", 100, None, "T1", "site.png")
    assert AuditLog.objects.filter(action="task_update", object_id=str(u.pk)).count() == 1
    # waiting: the task is not done yet, and the office sees it on its home
    office = _client(people, "inspector")
    assert "K2" in office.get(reverse("web:supervision")).content.decode().split('id="pending"')[1]
    page = t1.get(reverse("web:supervision_task", args=["K2"])).content.decode()
    assert "待验收" in page and 'value="accept"' not in page  # the owner does not decide
    # returning needs a reason
    decide = reverse("web:supervision_task_decide", args=[u.pk])
    office.post(decide, {"action": "return", "note": ""})
    u.refresh_from_db()
    assert u.accepted is None
    office.post(decide, {"action": "return", "note": "请补充验收报告"})
    u.refresh_from_db()
    assert (u.accepted, u.decision_note) == (False, "请补充验收报告")
    # the owner answers again; the office accepts: the task is done
    t1.post(url, {"status": "done", "progress": "100", "note": "补充验收报告", "evidence": "验收报告"})
    second = TaskUpdate.objects.filter(task_id="K2").latest("pk")
    assert (
        office.post(reverse("web:supervision_task_decide", args=[second.pk]), {"action": "accept"}).status_code == 302
    )
    assert AuditLog.objects.filter(action="task_accept", object_id=str(second.pk)).count() == 1
    reg = supervision.live_run(["tasks"])[1].part("tasks")
    k2 = reg.get("K2")
    assert (k2.status, k2.source, k2.progress, k2.pending, k2.percent) == ("done", "updates", "补充验收报告", None, 100)
    # a decided update is not decided again
    office.post(reverse("web:supervision_task_decide", args=[second.pk]), {"action": "return", "note": "x"})
    second.refresh_from_db()
    assert second.accepted is True


def test_a_file_that_is_not_what_its_name_says_is_refused(people):
    f = SimpleUploadedFile("site.png", b"not a picture", content_type="image/png")
    r = _client(people, "clerk_p1").post(
        reverse("web:supervision_task_update", args=["K4"]), {"status": "in_progress", "note": "x", "file": f}
    )
    assert r.status_code == 302 and not TaskUpdate.objects.exists()


def test_the_leadership_downloads_the_progress_report_as_excel_and_pdf(people):
    c = _client(people, "leader")
    r = c.get(reverse("web:supervision_tasks_report", args=["xlsx"]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))
    late = wb["逾期任务及责任单位"]
    rows = [[c.value for c in row] for row in late.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["K6", "K1", "K5"] and rows[1][3] == "县教体局计划基建股" and rows[1][7] == 184
    pdf = c.get(reverse("web:supervision_tasks_report", args=["pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get("/supervision/tasks/progress.doc").status_code == 404


def test_the_nav_shows_supervision_to_the_inspector_and_the_leadership_and_tasks_to_a_township(people):
    for name in ("inspector", "leader", "admin"):
        page = _client(people, name).get(reverse("web:supervision_tasks")).content.decode()
        assert f'href="{reverse("web:supervision")}"' in page.split("</nav>")[0], name
    planner = _client(people, "planner").get(reverse("web:supervision_tasks")).content.decode()
    assert f'href="{reverse("web:supervision")}"' not in planner.split("</nav>")[0]
    t1 = _client(people, "t1").get(reverse("web:supervision_tasks")).content.decode()
    assert f'href="{reverse("web:supervision_tasks")}"' in t1.split("</nav>")[0]


def test_a_townships_page_panel_lists_its_own_and_its_schools_tasks_overdue_first(people):
    panel = supervision.township_panel("T2")
    assert [r["task"].task_id for r in panel["rows"]] == ["K5", "K3"] and panel["late"] == 1
    assert [r["task"].task_id for r in supervision.township_panel("T1")["rows"]] == ["K2", "K4"]


def test_the_demo_seeds_owners_updates_once(people):
    assert supervision.seed_demo_task_updates("T1", "P1", date(2025, 12, 31)) == 4
    got = {(u.task_id, u.accepted) for u in TaskUpdate.objects.all()}
    assert got == {("K2", True), ("K2", None), ("K4", False), ("K1", None)}  # K1: the bureau's late task
    assert supervision.seed_demo_task_updates("T1", "P1", date(2025, 12, 31)) == 0

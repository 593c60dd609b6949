"""The inspectors' visit pages (issue 15 items 3, 4, 7) through the Django test client: a visit with a
problem, a photo and a checklist item; the school's answer; the inspector's close; the checklist item
met on the school's page; the 重大 hazard banner; files refused by type; and every role × page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from sv_visits_support import PASSWORD, PNG, add_inspectors, visit_post

from countyedu.indicators import evidence
from countyedu.supervision import snapshot
from countyedu.web import census as census_data
from countyedu.web.supervision_models import EvidenceFile, Finding, Rectification, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sv_users(users):
    return {**users, **add_inspectors()}


@pytest.fixture
def no_evidence_left():
    """A test that records checklist evidence removes the snapshot from the session's data dir after."""
    yield
    evidence.path(settings.DATA_DIR).unlink(missing_ok=True)
    snapshot.path(settings.DATA_DIR).unlink(missing_ok=True)  # the records snapshot, written after commit too
    census_data.forget()


def _client(name: str) -> Client:
    c = Client()
    assert c.login(username=name, password=PASSWORD)
    return c


def test_it_records_a_visit_the_school_answers_and_the_inspector_closes(sv_users, no_evidence_left):
    insp = _client("insp_a")
    photo = SimpleUploadedFile("操场.png", PNG, content_type="image/png")
    resp = insp.post(reverse("web:sv_visit_new"), {**visit_post(), "files": [photo]})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    visit = Visit.objects.get()
    assert (visit.school_id, visit.inspector_id, visit.feedback_given) == ("P1", "I1", True)
    assert Finding.objects.filter(visit=visit).count() == 9  # eight routine items and the checklist item
    r = Rectification.objects.get()
    assert (r.school_id, r.status, r.responsible) == ("P1", "open", "王校长")
    f = EvidenceFile.objects.get()
    assert f.content_type == "image/png" and insp.get(reverse("web:sv_file", args=[f.pk])).status_code == 200
    page = insp.get(reverse("web:sv_visit", args=[visit.pk])).content.decode()
    assert "三年级体育课每周少一节" in page and "课程开设与教学" in page

    clerk = _client("clerk_p1")
    assert clerk.post(reverse("web:sv_answer", args=[r.pk]), {"response": "已按课表补开体育课"}).status_code == 302
    r.refresh_from_db()
    assert r.status == "answered" and r.answered_on == dt.date.today()
    assert insp.post(reverse("web:sv_check", args=[r.pk]), {"decision": "close", "note": "复查属实"}).status_code == 302
    r.refresh_from_db()
    assert r.status == "closed"
    assert [s.action for s in r.followups.all()] == ["answer", "close"]


def test_the_checklist_item_shows_met_on_the_school_page_in_its_school_year(
    sv_users, no_evidence_left, django_capture_on_commit_callbacks
):
    year = census_data.assessment().default_year()
    day = dt.date(year, 10, 9)
    insp = _client("insp_a")
    with django_capture_on_commit_callbacks(execute=True):  # the evidence snapshot is written after commit
        assert insp.post(reverse("web:sv_visit_new"), visit_post(date=day.isoformat())).status_code == 302
    page = _client("clerk_p1").get(reverse("web:school", args=["P1"]), {"year": year}).content.decode()
    assert 'data-indicator="QB-Q7"' in page
    row = page.split('data-indicator="QB-Q7"')[1].split("</tr>")[0]
    assert "status met" in row
    # its explanation names the school's evidence: the visit's date
    url = row.split('href="')[1].split('"')[0].replace("&amp;", "&")
    explained = _client("clerk_p1").get(url).content.decode()
    assert "督导日期" in explained and day.isoformat() in explained
    # the county's row waits for every school: still needs evidence
    a = census_data.assessment()
    county = [r for r in a.results if r.indicator == "QB-Q7" and r.level == "county" and r.year == year]
    assert [r.status for r in county] == ["needs_evidence"]


def test_a_grave_hazard_is_shown_to_the_bureau_at_once(sv_users):
    insp = _client("insp_b")
    post = visit_post("N1", safety_problem="教学楼外墙瓷砖松动", safety_severity="grave", checklist_item="")
    assert insp.post(reverse("web:sv_visit_new"), post).status_code == 302
    r = Rectification.objects.get(finding__item="safety")
    assert (r.deadline - dt.date.today()).days == 7  # a 重大 hazard's deadline (parameter)
    banner = _client("admin").get(reverse("web:county")).content.decode()
    assert 'id="grave-hazards"' in banner and "教学楼外墙瓷砖松动" in banner
    assert 'id="grave-hazards"' not in _client("clerk_n1").get(reverse("web:school", args=["N1"])).content.decode()
    assert insp.post(reverse("web:sv_hazard_check", args=[r.pk]), {"note": "已设警戒线"}).status_code == 302
    assert r.followups.get().action == "daily_check"


def test_a_file_of_another_type_or_not_what_its_name_says_is_refused(sv_users):
    insp = _client("insp_a")
    for f in (SimpleUploadedFile("a.exe", b"MZ..."), SimpleUploadedFile("fake.png", b"GIF89a....")):
        resp = insp.post(reverse("web:sv_visit_new"), {**visit_post(checklist_item=""), "files": [f]})
        assert resp.status_code == 200 and "督导" not in resp.content.decode()[:0]
        assert not Visit.objects.exists()


# every role × page: 200 page, 302 done (redirect), 403 may see but not do, 404 may not see, LOGIN
LOGIN = "login"
USERS = ("insp_a", "insp_b", "office", "admin", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
# fmt: off
EXPECTED = {
    #                       insp_a insp_b office admin leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("home", "GET"):        (200,  200,   200,   200,  200,   200, 200, 200,     200,     404,   LOGIN),
    ("form", "GET"):        (200,  404,   200,   200,  403,   404, 404, 404,     404,     404,   LOGIN),
    ("form", "POST"):       (302,  404,   302,   302,  403,   404, 404, 404,     404,     404,   LOGIN),
    ("visit", "GET"):       (200,  404,   200,   200,  200,   200, 404, 200,     404,     404,   LOGIN),
    ("rect", "GET"):        (200,  404,   200,   200,  200,   200, 404, 200,     404,     404,   LOGIN),
    ("answer", "POST"):     (403,  404,   403,   403,  403,   403, 404, 302,     404,     404,   LOGIN),
    ("check", "POST"):      (302,  404,   302,   302,  403,   403, 404, 403,     404,     404,   LOGIN),
    ("file", "GET"):        (200,  404,   200,   200,  200,   200, 404, 200,     404,     404,   LOGIN),
}
# fmt: on


def test_every_role_on_every_page(sv_users):
    insp = _client("insp_a")
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    assert (
        insp.post(reverse("web:sv_visit_new"), {**visit_post(checklist_item=""), "files": [photo]}).status_code == 302
    )
    v, r, f = Visit.objects.get(), Rectification.objects.get(), EvidenceFile.objects.get()
    urls = {
        "home": reverse("web:sv_visits"),
        "form": reverse("web:sv_visit_new") + "?school=P1",
        "visit": reverse("web:sv_visit", args=[v.pk]),
        "rect": reverse("web:sv_rectification", args=[r.pk]),
        "answer": reverse("web:sv_answer", args=[r.pk]),
        "check": reverse("web:sv_check", args=[r.pk]),
        "file": reverse("web:sv_file", args=[f.pk]),
    }
    data = {
        "form": visit_post(checklist_item="", inspector="I1"),  # the office names the inspector
        "answer": {"response": "已整改"},
        "check": {"decision": "return", "note": "再改"},
    }
    got = {}
    for page, method in EXPECTED:
        row = []
        for name in USERS:
            c = Client() if name == "anonymous" else _client(name)
            try:
                with transaction.atomic():
                    resp = c.get(urls[page]) if method == "GET" else c.post(urls[page], data.get(page, {}))
                    raise _Rollback(resp)
            except _Rollback as rb:
                resp = rb.resp
            code = resp.status_code
            if code == 302 and "/login/" in resp.get("Location", ""):
                code = LOGIN
            row.append(code)
        got[(page, method)] = tuple(row)
    assert got == EXPECTED


class _Rollback(Exception):
    def __init__(self, resp):
        self.resp = resp


def test_the_cli_says_where_each_rectification_stands_on_a_day(sv_users):
    import json

    from typer.testing import CliRunner

    from countyedu.cli import app

    post = visit_post(date="2026-09-01", checklist_item="", deadline="2026-10-01")
    assert _client("insp_a").post(reverse("web:sv_visit_new"), post).status_code == 302
    args = ["supervise", "rectifications", "--data-dir", str(settings.DATA_DIR), "--format", "json"]
    for day, stage in (("2026-09-30", "due"), ("2026-10-02", "escalated"), ("2026-10-17", "notice")):
        res = CliRunner().invoke(app, [*args, "--as-of", day])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert [r["stage"] for r in doc["rectifications"]] == [stage], day
    assert doc["summary"]["rectification_notice"] == 1 and doc["rectifications"][0]["school_id"] == "P1"


def test_a_second_overdue_issues_one_notice_by_date_shown_to_the_school_and_the_bureau(sv_users, monkeypatch):
    """A problem found at P1 on 1 September 2026 with the deadline 30 September, never answered: the
    bureau's second deadline is 15 days later (grace_days), 15 October. On the 15th nothing is issued
    yet; on the 16th one notice, 16 days overdue; the escalation run again that day or the next issues
    none. The command line's escalation and its JSON; the task workers' daily run."""
    import json

    from typer.testing import CliRunner

    from countyedu.cli import app
    from countyedu.web import jobs
    from countyedu.web.models import AuditLog
    from countyedu.web.supervision_models import Notice
    from countyedu.web.supervision_notices import do_issue_notices

    post = visit_post(date="2026-09-01", checklist_item="", deadline="2026-09-30")
    assert _client("insp_a").post(reverse("web:sv_visit_new"), post).status_code == 302
    r = Rectification.objects.get()
    args = ["supervise", "escalate", "--data-dir", str(settings.DATA_DIR), "--format", "json"]
    early = CliRunner().invoke(app, [*args, "--as-of", "2026-10-15"])
    assert early.exit_code == 0, early.output
    assert json.loads(early.stdout) == {"as_of": "2026-10-15", "issued": [], "notices_in_total": 0}
    res = CliRunner().invoke(app, [*args, "--as-of", "2026-10-16"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["issued"] == [
        {
            "notice_id": Notice.objects.get().pk,
            "rectification_id": str(r.pk),
            "school_id": "P1",
            "deadline": "2026-09-30",
            "second_deadline": "2026-10-15",
            "days_overdue": 16,
        }
    ]
    assert do_issue_notices(dt.date(2026, 10, 16)) == [] and do_issue_notices(dt.date(2026, 10, 17)) == []
    assert Notice.objects.count() == 1 and AuditLog.objects.filter(action="issue_notice").count() == 1
    # the task workers' daily run: J1's problem (deadline 5 October, second deadline 20 October) on the 21st
    later = visit_post("J1", date="2026-09-02", checklist_item="", deadline="2026-10-05")
    assert _client("insp_a").post(reverse("web:sv_visit_new"), later).status_code == 302
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: dt.date(2026, 10, 20))
    jobs.run_daily()
    assert Notice.objects.count() == 1
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: dt.date(2026, 10, 21))
    jobs.run_daily()
    jobs.run_daily()
    assert sorted(Notice.objects.values_list("school_id", "days_overdue")) == [("J1", 16), ("P1", 16)]
    assert [s.action for s in r.followups.all()] == ["notice"]
    # shown to the school (its panel, the rectification) and to the bureau; not to another school
    panel = _client("clerk_p1").get(reverse("web:school", args=["P1"])).content.decode()
    assert 'id="school-notices"' in panel and "三年级体育课每周少一节" in panel.split('id="school-notices"')[1]
    rect = _client("clerk_p1").get(reverse("web:sv_rectification", args=[r.pk])).content.decode()
    assert 'id="notice"' in rect and "2026-10-15" in rect.split('id="notice"')[1].split("</p>")[0]
    home = _client("admin").get(reverse("web:sv_visits")).content.decode()
    assert 'id="notices"' in home and "琴城第一小学" in home.split('id="notices"')[1].split("</section>")[0]
    assert 'id="notices"' not in _client("clerk_n1").get(reverse("web:sv_visits")).content.decode()
    assert 'id="notices"' in _client("clerk_p1").get(reverse("web:sv_visits")).content.decode()

"""The supervision office's manual scores and vetoes on the web (issue 15 item 5; 第34条) on the hand
county: every role (and anonymous) × every endpoint with the expected status written out; the office
enters 琴城第一小学's (P1) ethos score 4 of 5 (S-E1) and a pay-arrears veto on 琴城镇 (T1), each change
audited; the evaluation then reads them (P1's S-E1 row 4 points, entered; T1 vetoed, graded 不合格);
an out-of-range score is refused and changes nothing; emptying the box withdraws the score. The office
records two accountability measures against 太源乡 (T2) in the school year: the evaluation calls T2
in for a talk ("held to account 2 times"); one withdrawn, T2 is off the list; a measure dated in the
future, a date that is not one, an empty measure and an unknown unit are refused and store nothing.

Reading the table: 200 page, 302 the action ran (then a redirect back), 403 the user may see but not
do this, 404 the user may not see it (or has no role), 405 wrong method, LOGIN the login page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from countyedu.supervision import snapshot
from countyedu.web import census as census_data
from countyedu.web.models import AuditLog, Membership, Role
from countyedu.web.supervision_models import AccountabilityEntry, ManualScore, VetoEntry

pytestmark = pytest.mark.django_db
LOGIN = "login"
USERS = ("admin", "office", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
# fmt: off
EXPECTED = {
    #                          admin office planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("page", "GET"):           (200,  200,   200,    200,   404, 404, 404,     404,     404,   LOGIN),
    ("scores", "POST"):        (302,  302,   403,    403,   404, 404, 404,     404,     404,   LOGIN),
    ("scores", "GET"):         (405,) * 10,
    ("veto", "POST"):          (302,  302,   403,    403,   404, 404, 404,     404,     404,   LOGIN),
    ("withdraw", "POST"):      (302,  302,   403,    403,   404, 404, 404,     404,     404,   LOGIN),
    ("account", "POST"):       (302,  302,   403,    403,   404, 404, 404,     404,     404,   LOGIN),
    ("account_withdraw", "POST"): (302, 302, 403,    403,   404, 404, 404,     404,     404,   LOGIN),
    ("account", "GET"):        (405,) * 10,
}
# fmt: on


@pytest.fixture
def people(users):
    u = User.objects.create_user("office")
    Membership.objects.create(user=u, role=Role.INSPECTOR)
    census_data.forget()
    return {**users, "office": u}


def _client(people, name: str) -> Client:
    c = Client()
    if name != "anonymous":
        c.force_login(people[name])
    return c


class _Rollback(Exception):
    def __init__(self, resp):
        self.resp = resp


def test_every_role_on_every_entries_endpoint(people):
    e = VetoEntry.objects.create(year=2019, unit_id="N1", veto="misused_funds", note="挪用公用经费")
    m = AccountabilityEntry.objects.create(unit_id="N1", date=dt.date(2019, 10, 8), measure="约谈校长")
    urls = {
        "page": reverse("web:supervision_entries") + "?year=2019",
        "scores": reverse("web:supervision_entries_scores"),
        "veto": reverse("web:supervision_entries_veto"),
        "withdraw": reverse("web:supervision_entries_withdraw", args=[e.pk]),
        "account": reverse("web:supervision_entries_account"),
        "account_withdraw": reverse("web:supervision_entries_account_withdraw", args=[m.pk]),
    }
    data = {
        "scores": {"year": "2019", "score:P1:S-E1": "3"},
        "veto": {"year": "2019", "unit": "T2", "veto": "pay_arrears", "note": "拖欠两个月"},
        "account": {"year": "2019", "unit": "T2", "date": "2019-11-04", "measure": "通报批评"},
    }
    got = {}
    for page, method in EXPECTED:
        row = []
        for name in USERS:
            c = _client(people, name)
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


@pytest.fixture
def no_snapshot_left():
    """A test whose changes write the records snapshot removes it from the session's data dir after."""
    yield
    snapshot.path(settings.DATA_DIR).unlink(missing_ok=True)


def test_the_office_enters_a_score_and_a_veto_and_the_evaluation_reads_them(
    people, no_snapshot_left, django_capture_on_commit_callbacks
):
    from countyedu.web.plans import stored
    from countyedu.web.supervision_evaluate import _evaluated

    version = census_data.latest_version()
    year = census_data.years(version).default()
    c = _client(people, "office")
    page = c.get(reverse("web:supervision_entries")).content.decode()
    assert "评定分、一票否决与问责" in page and "校风与办学特色（评定）" in page and "组织领导（评定）" in page
    r = c.post(reverse("web:supervision_entries_scores"), {"year": year, "score:P1:S-E1": "4", "score:N1:S-E1": ""})
    assert r.status_code == 302
    assert [(s.unit_id, s.rubric_id, s.points) for s in ManualScore.objects.all()] == [("P1", "S-E1", 4.0)]
    note = {"year": year, "unit": "T1", "veto": "pay_arrears", "note": "拖欠教师绩效工资两个月"}
    # after the commit: the records snapshot rewritten and the stored supervision run recomputed on it
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(reverse("web:supervision_entries_veto"), note).status_code == 302
    assert AuditLog.objects.filter(action__in=("manual_score", "veto")).count() == 2
    written = snapshot.loads(snapshot.read_bytes(settings.DATA_DIR))
    assert list(written.vetoes["unit_id"]) == ["T1"] and list(written.manual_scores["points"]) == [4.0]
    run = stored("supervision", version)
    assert run is not None
    t1 = next(u for u in run.data["evaluation"]["townships"] if u["township_id"] == "T1")
    assert t1["vetoes"] == ["pay_arrears"] and t1["grade"] == "fail"

    _v, e, _i, _r = _evaluated()
    assert e is not None and e.year == year
    row = next(x for x in e.unit("P1").rows if x.rubric_id == "S-E1")
    assert (row.points, row.max) == (4.0, 5.0)
    t1 = e.unit("T1")
    assert t1.vetoes == ("pay_arrears",) and t1.grade == "fail"
    shown = c.get(reverse("web:supervision_entries")).content.decode()
    assert "拖欠教师绩效工资两个月" in shown and "拖欠教师工资" in shown

    # a score above the row's 5 points is refused, nothing changes; an emptied box withdraws the score
    bad = c.post(reverse("web:supervision_entries_scores"), {"year": year, "score:P1:S-E1": "6"}, follow=True)
    assert "评定分应在 0 至该项分值（5）之间" in bad.content.decode()
    assert ManualScore.objects.get().points == 4.0
    c.post(reverse("web:supervision_entries_scores"), {"year": year, "score:P1:S-E1": ""})
    assert not ManualScore.objects.exists()
    assert AuditLog.objects.filter(action="withdraw_manual_score").count() == 1


def test_the_office_records_accountability_measures_and_the_evaluation_counts_them(
    people, no_snapshot_left, django_capture_on_commit_callbacks
):
    from countyedu.web.supervision_evaluate import _evaluated

    version = census_data.latest_version()
    year = census_data.years(version).default()
    c = _client(people, "office")
    url = reverse("web:supervision_entries_account")
    page = c.get(reverse("web:supervision_entries")).content.decode()
    assert "问责记录" in page and "暂无问责记录。" in page and f"{year}-09-01 至 {year + 1}-08-31" in page
    for day, measure in ((f"{year}-10-08", "约谈校长"), (f"{year + 1}-03-02", "通报批评")):
        with django_capture_on_commit_callbacks(execute=True):
            r = c.post(url, {"year": year, "unit": "T2", "date": day, "measure": measure})
        assert r.status_code == 302
    assert AuditLog.objects.filter(action="accountability").count() == 2
    written = snapshot.loads(snapshot.read_bytes(settings.DATA_DIR))
    assert list(written.accountability["unit_id"]) == ["T2", "T2"]
    shown = c.get(reverse("web:supervision_entries")).content.decode()
    assert f"{year}-10-08 · " in shown and "约谈校长" in shown and "通报批评" in shown

    _v, e, _i, _r = _evaluated()
    assert e is not None and e.year == year
    talk = next(i for i in e.interviews if i.unit_id == "T2")
    assert "repeat_accountability" in talk.codes
    assert talk.as_dict()["reason_texts"][-1]["params"]["n"] == 2

    # refused, nothing stored: a future date, not a date, an empty measure, an unknown unit
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    for data, words in (
        ({"date": future, "measure": "x", "unit": "T2"}, "已采取的措施不能晚于今天。"),
        ({"date": "2019-13-40", "measure": "x", "unit": "T2"}, "2019-13-40 不是日期（YYYY-MM-DD）。"),
        ({"date": f"{year}-11-01", "measure": "  ", "unit": "T2"}, "请说明采取了什么问责措施。"),
        ({"date": f"{year}-11-01", "measure": "x", "unit": "X9"}, "X9"),
    ):
        r = c.post(url, {"year": year, **data}, follow=True)
        assert words in r.content.decode(), data
    assert AccountabilityEntry.objects.count() == 2

    first = AccountabilityEntry.objects.order_by("date").first()
    assert first is not None
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("web:supervision_entries_account_withdraw", args=[first.pk]))
    assert AuditLog.objects.filter(action="withdraw_accountability").count() == 1
    _v, e, _i, _r = _evaluated()
    assert e is not None and not any(i.unit_id == "T2" and "repeat_accountability" in i.codes for i in e.interviews)

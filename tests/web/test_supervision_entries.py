"""The supervision office's manual scores and vetoes on the web (issue 15 item 5; 第34条) on the hand
county: every role (and anonymous) × every endpoint with the expected status written out; the office
enters 琴城第一小学's (P1) ethos score 4 of 5 (S-E1) and a pay-arrears veto on 琴城镇 (T1), each change
audited; the evaluation then reads them (P1's S-E1 row 4 points, entered; T1 vetoed, graded 不合格);
an out-of-range score is refused and changes nothing; emptying the box withdraws the score.

Reading the table: 200 page, 302 the action ran (then a redirect back), 403 the user may see but not
do this, 404 the user may not see it (or has no role), 405 wrong method, LOGIN the login page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from countyedu.supervision import snapshot
from countyedu.web import census as census_data
from countyedu.web.models import AuditLog, Membership, Role
from countyedu.web.supervision_models import ManualScore, VetoEntry

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
    urls = {
        "page": reverse("web:supervision_entries") + "?year=2019",
        "scores": reverse("web:supervision_entries_scores"),
        "veto": reverse("web:supervision_entries_veto"),
        "withdraw": reverse("web:supervision_entries_withdraw", args=[e.pk]),
    }
    data = {
        "scores": {"year": "2019", "score:P1:S-E1": "3"},
        "veto": {"year": "2019", "unit": "T2", "veto": "pay_arrears", "note": "拖欠两个月"},
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
    assert "评定分与一票否决" in page and "校风与办学特色（评定）" in page and "组织领导（评定）" in page
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

"""The personnel office's pages (issue 13 item 7) on the rotation county (tests/web/teachers_support.py): every role (and anonymous) × every
teachers endpoint with the expected status written out, what a township and a school clerk see of the
staffing, and the rotation review's decisions (lock, veto, take back) with their audit rows.

Reading the table: 200 page, 302 the action ran (then a redirect back), 403 the user may see but not
do this, 404 the user may not see it (or has no role), 405 wrong method, LOGIN redirect to the login
page (anonymous)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from teachers_support import rotation_store

from countyedu.web import census as census_data
from countyedu.web.models import AuditLog, Membership, Role, RotationDecision

LOGIN = "login"
PASSWORD = "correct horse battery staple"
USERS = ("admin", "personnel", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
COUNTY = (200, 200, 200, 200, 404, 404, 404, 404, 404, LOGIN)
EDIT = (302, 302, 403, 403, 403, 403, 403, 403, 404, LOGIN)
ALL_405 = (405,) * 9 + (405,)

# fmt: off
EXPECTED = {
    #                                       admin personnel planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("teachers", "GET"):                   (200,  200,      200,    200,   200, 200, 200,     200,     404,   LOGIN),
    ("teachers_allocation", "GET"):        COUNTY,
    ("teachers_rotation", "GET"):          COUNTY,
    ("teachers_rotation_xlsx", "GET"):     COUNTY,
    ("teachers_qualifications", "GET"):    COUNTY,
    ("teachers_backbone", "GET"):          COUNTY,
    ("teachers_rotation_solve", "GET"):    ALL_405,
    ("teachers_rotation_solve", "POST"):   EDIT,
    ("teachers_rotation_decide", "GET"):   ALL_405,
    ("teachers_rotation_decide", "POST"):  EDIT,
}
# fmt: on


@pytest.fixture
def people(users):
    u = User.objects.create_user("personnel", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.PERSONNEL)
    return {**users, "personnel": u}


@pytest.fixture(scope="module")
def rotation_data(tmp_path_factory):
    """The rotation county imported, assessed and its teachers run stored, once for the module."""
    tmp = tmp_path_factory.mktemp("teachers-pages")
    rotation_store(tmp / "data", tmp / "county")
    return tmp / "data"


@pytest.fixture
def teachers_run(settings, rotation_data):
    settings.DATA_DIR = rotation_data
    census_data.forget()
    yield census_data.latest_version()
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


def _a_move():
    from countyedu.web.teachers import _shown

    result, _job = _shown(census_data.latest_version(), None)
    assert result and result["moves"], "the rotation county's rotation moves nobody"
    return result["moves"][0]


def test_it_gives_every_role_the_expected_status_on_every_teachers_endpoint(people, teachers_run):
    move = _a_move()
    found, expected = {}, {}
    for (name, method), statuses in EXPECTED.items():
        for user, want in zip(USERS, statuses, strict=True):
            c = _client(people, user)
            data = {"action": "lock", "teacher_id": move["teacher_id"], "to_school_id": move["to_school_id"]}
            sid = transaction.savepoint()
            r = c.get(reverse(f"web:{name}")) if method == "GET" else c.post(reverse(f"web:{name}"), data)
            transaction.savepoint_rollback(sid)
            found[(name, method, user)] = outcome(r)
            expected[(name, method, user)] = want
    wrong = {k: (found[k], v) for k, v in expected.items() if found[k] != v}
    assert not wrong, f"(found, expected): {wrong}"


def test_a_township_and_a_school_clerk_see_only_their_schools_staffing(people, teachers_run):
    own = _client(people, "clerk_p1").get(reverse("web:teachers")).content.decode()
    assert "琴城第一小学" in own and "太源学校" not in own and "琴城中学" not in own
    t2 = _client(people, "t2").get(reverse("web:teachers")).content.decode()
    assert "太源学校" in t2 and "琴城第一小学" not in t2
    county = _client(people, "leader").get(reverse("web:teachers")).content.decode()
    assert "琴城第一小学" in county and "太源学校" in county


def test_leadership_reads_the_rotation_without_the_review_buttons(people, teachers_run):
    page = _client(people, "leader").get(reverse("web:teachers_rotation")).content.decode()
    assert 'value="lock"' not in page and 'id="solve"' not in page and 'id="moves"' in page
    assert 'id="distance-basis">距离按直线公里计算' in page  # the moves' km basis (no road network here)
    office = _client(people, "personnel").get(reverse("web:teachers_rotation")).content.decode()
    assert 'value="lock"' in office and 'value="veto"' in office and 'id="solve"' in office


def test_the_office_locks_a_move_takes_it_back_and_each_step_is_audited(people, teachers_run):
    move = _a_move()
    c = _client(people, "personnel")
    data = {"action": "lock", "teacher_id": move["teacher_id"], "to_school_id": move["to_school_id"]}
    assert c.post(reverse("web:teachers_rotation_decide"), data).status_code == 302
    d = RotationDecision.objects.get()
    assert (d.kind, d.teacher_id, d.from_school_id, d.decided_by) == (
        "lock",
        move["teacher_id"],
        move["from_school_id"],
        people["personnel"],
    )
    assert AuditLog.objects.filter(action="rotation_lock", object_id=str(d.pk)).count() == 1
    page = c.get(reverse("web:teachers_rotation")).content.decode()
    assert "已锁定" in page
    assert c.post(reverse("web:teachers_rotation_decide"), {"action": "clear", "pk": d.pk}).status_code == 302
    assert not RotationDecision.objects.exists()
    assert AuditLog.objects.filter(action="rotation_clear", object_id=str(d.pk)).count() == 1


def test_a_move_not_in_the_plan_is_refused(people, teachers_run):
    c = _client(people, "personnel")
    r = c.post(reverse("web:teachers_rotation_decide"), {"action": "veto", "teacher_id": "t4", "to_school_id": "TP1"})
    assert r.status_code == 302 and not RotationDecision.objects.exists()
    assert c.post(reverse("web:teachers_rotation_decide"), {"action": "burn"}).status_code == 400

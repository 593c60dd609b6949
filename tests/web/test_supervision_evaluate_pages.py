"""The evaluation pages (issue 15 items 5–7) on the hand county: every role (and anonymous) × every
endpoint with the expected status written out, what a township and a school clerk see, and the 约谈
letter.

Reading the table: 200 page, 302 redirected to the user's own page, 404 the user may not see it (or
has no role), LOGIN redirect to the login page (anonymous)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from countyedu.supervision import rubric
from countyedu.web.models import Membership, Role

LOGIN = "login"
PASSWORD = "correct horse battery staple"
USERS = ("admin", "inspector", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")

# fmt: off
EXPECTED = {
    #                                                   admin insp planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("supervision_evaluation", ()):                     (200, 200, 200,    200,   302, 302, 302,     302,     404,   LOGIN),
    ("supervision_evaluation_township", (("township_id", "T1"),)):
                                                        (200, 200, 200,    200,   200, 404, 404,     404,     404,   LOGIN),
    ("supervision_evaluation_school", (("school_id", "P1"),)):
                                                        (200, 200, 200,    200,   200, 404, 200,     404,     404,   LOGIN),
    ("supervision_evaluation_letter", (("unit_id", "T1"),)):
                                                        (200, 200, 404,    200,   404, 404, 404,     404,     404,   LOGIN),
}
# fmt: on


@pytest.fixture
def people(users):
    u = User.objects.create_user("inspector", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.INSPECTOR)
    return {**users, "inspector": u}


@pytest.fixture
def everyone_fails(monkeypatch):
    """A rubric no unit passes: every township and school is on the 约谈 list (a letter to show)."""
    strict = rubric.EvaluationParams(grades={"excellent": 101.0, "good": 101.0, "pass": 101.0})
    monkeypatch.setattr(rubric, "evaluation_params", lambda packs: strict)


def _client(people, name):
    c = Client()
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


@pytest.mark.django_db
def test_it_answers_every_role_on_every_endpoint(people, everyone_fails):
    got = {}
    for (name, kwargs), _want in EXPECTED.items():
        url = reverse(f"web:{name}", kwargs=dict(kwargs))
        got[(name, kwargs)] = tuple(outcome(_client(people, u).get(url)) for u in USERS)
    assert got == EXPECTED


@pytest.mark.django_db
def test_a_township_official_lands_on_their_townships_report(people, everyone_fails):
    c = _client(people, "t1")
    r = c.get(reverse("web:supervision_evaluation"))
    assert r["Location"] == reverse("web:supervision_evaluation_township", kwargs={"township_id": "T1"})
    page = c.get(r["Location"]).content.decode()
    assert "琴城镇督导报告" in page and "不合格" in page and "考核得分明细" in page
    assert "fail" not in page and "T-L1" not in page


@pytest.mark.django_db
def test_the_county_page_lists_the_letters_and_a_letter_reads_in_chinese(people, everyone_fails):
    c = _client(people, "admin")
    page = c.get(reverse("web:supervision_evaluation")).content.decode()
    assert "约谈名单" in page and "全县教育督导年度报告" in page and "教育督导经费每年不少于 40 万元" in page
    assert reverse("web:supervision_evaluation_letter", kwargs={"unit_id": "T1"}) in page
    assert reverse("web:explain", kwargs={"indicator": "B-34-FUNDS"}) in page  # the money line, linked
    letter = c.get(reverse("web:supervision_evaluation_letter", kwargs={"unit_id": "T1"})).content.decode()
    assert "约谈通知书" in letter and "琴城镇：" in letter and "考核不合格" in letter
    assert c.get(reverse("web:supervision_evaluation_letter", kwargs={"unit_id": "NOPE"})).status_code == 404

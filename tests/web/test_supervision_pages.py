"""The supervision office's pages (issue 15): every role (and anonymous) × every supervision endpoint
of `web/supervision.py` with the expected status written out.

Reading the table: 200 page, 404 the user may not see it (or has no role), LOGIN redirect to the
login page (anonymous). The other supervision helpers test their pages in their own files."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from countyedu.web.models import Membership, Role

LOGIN = "login"
PASSWORD = "correct horse battery staple"
USERS = ("admin", "inspector", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
COUNTY = (200, 200, 200, 200, 404, 404, 404, 404, 404, LOGIN)
EVERY_ROLE = (200, 200, 200, 200, 200, 200, 200, 200, 404, LOGIN)

# fmt: off
EXPECTED = {
    #                              admin inspector planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("supervision", "GET"):        COUNTY,
    ("supervision_tasks", "GET"):  EVERY_ROLE,
}
# fmt: on


@pytest.fixture
def people(users):
    u = User.objects.create_user("inspector", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.INSPECTOR)
    return {**users, "inspector": u}


def _client(people, name):
    c = Client()
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


def test_it_gives_every_role_the_expected_status_on_every_supervision_endpoint(people):
    found, expected = {}, {}
    for (name, method), statuses in EXPECTED.items():
        for user, want in zip(USERS, statuses, strict=True):
            r = _client(people, user).get(reverse(f"web:{name}"))
            found[(name, method, user)] = outcome(r)
            expected[(name, method, user)] = want
    wrong = {k: (found[k], v) for k, v in expected.items() if found[k] != v}
    assert not wrong, f"(found, expected): {wrong}"


def test_the_nav_shows_supervision_to_the_inspector_and_the_leadership_and_tasks_to_a_township(people):
    for name in ("inspector", "leader", "admin"):
        page = _client(people, name).get(reverse("web:supervision_tasks")).content.decode()
        assert reverse("web:supervision") in page, name
    planner = _client(people, "planner").get(reverse("web:supervision_tasks")).content.decode()
    assert f'href="{reverse("web:supervision")}"' not in planner.split("</nav>")[0]
    t1 = _client(people, "t1").get(reverse("web:supervision_tasks")).content.decode()
    assert f'href="{reverse("web:supervision_tasks")}"' in t1.split("</nav>")[0]

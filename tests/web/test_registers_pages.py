"""The registers' pages (issue 16 items 2 and 4) on the hand county with its registers
(tests/fixtures/registers): every role (and anonymous) × both pages with the expected status written
out, what a township official and a private school's clerk see, and the flags as of a chosen day.

Reading the table: 200 page, 404 the user may not see it (or has no role), 405 wrong method, LOGIN
redirect to the login page (anonymous)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LOGIN = "login"
PASSWORD = "correct horse battery staple"
USERS = ("admin", "basic", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_k3", "nobody", "anonymous")

# fmt: off
EXPECTED = {
    #                             admin basic planner leader t1   t2   clerk_p1 clerk_k3 nobody anonymous
    ("private_schools", "GET"):  (200,  200,  200,    200,   200, 200, 200,     200,     404,   LOGIN),
    ("private_schools", "POST"): (405,  405,  405,    405,   405, 405, 405,     405,     405,   405),
    ("housing", "GET"):          (200,  200,  200,    200,   200, 200, 404,     404,     404,   LOGIN),
    ("housing", "POST"):         (405,  405,  405,    405,   405, 405, 405,     405,     405,   405),
}
# fmt: on


@pytest.fixture(scope="module")
def registers_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("registers-pages")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    for name in ("private_schools.csv", "housing_projects.csv"):
        shutil.copy(FIXTURES / "registers" / name, county / name)
    import_census(county, CensusStore(tmp / "data"))
    return tmp / "data"


@pytest.fixture
def people(users, settings, registers_data):
    settings.DATA_DIR = registers_data
    census_data.forget()
    for name, role, school in (("basic", Role.BASIC_EDUCATION, ""), ("clerk_k3", Role.SCHOOL, "K3")):
        u = User.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=u, role=role, school_id=school)
        users = {**users, name: u}
    yield users
    census_data.forget()


def client(people, name):
    c = Client()
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


def test_it_gives_every_role_the_expected_status_on_both_pages(people):
    found, expected = {}, {}
    for (name, method), statuses in EXPECTED.items():
        for user, want in zip(USERS, statuses, strict=True):
            c = client(people, user)
            r = c.get(reverse(f"web:{name}")) if method == "GET" else c.post(reverse(f"web:{name}"))
            found[(name, method, user)] = outcome(r)
            expected[(name, method, user)] = want
    wrong = {k: (found[k], v) for k, v in expected.items() if found[k] != v}
    assert not wrong, f"(found, expected): {wrong}"


def test_each_sees_only_their_own(people):
    def page(user, name, query=""):
        return client(people, user).get(reverse(f"web:{name}") + query).content.decode()

    t1, t2 = page("t1", "private_schools"), page("t2", "private_schools")
    assert "阳光幼儿园" in t1 and "贝贝幼儿园" in t1
    assert "阳光幼儿园" not in t2 and "贝贝幼儿园" not in t2
    own = page("clerk_k3", "private_schools")
    assert "贝贝幼儿园" in own and "阳光幼儿园" not in own
    assert "水北新城" in page("t1", "housing") and "水北新城" not in page("t2", "housing")


def test_the_flags_as_of_a_day(people):
    c = client(people, "basic")
    early = c.get(reverse("web:private_schools") + "?as_of=2024-10-01").content.decode()
    assert "年检不合格" in early and "办学许可证即将到期" not in early
    later = c.get(reverse("web:private_schools") + "?as_of=2025-01-15").content.decode()
    assert "办学许可证即将到期" in later and 'value="2025-01-15"' in later
    housing = client(people, "planner").get(reverse("web:housing") + "?as_of=2024-12-31").content.decode()
    assert "配套逾期未移交" in housing and "移交后未办成公办或普惠" in housing
    assert c.get(reverse("web:private_schools") + "?as_of=tomorrow").status_code == 404

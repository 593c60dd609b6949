"""The quality pages (issue 16 item 1) on the hand county with a results sheet
(tests/fixtures/quality/results.csv: the 2022 七年级 monitoring test and the 2024 中考 of six pupils of
琴城中学 J1 (琴城镇 T1) and five of 太源学校 N1 (太源乡 T2); four 2024 高考 candidates of 南丰一中 H1, one
42nd in the province): every role (and anonymous) × every endpoint of `web/quality.py` with the
expected status written out, what the basic-education office reads and that a principal's report holds
the own school only.

Reading the table: 200 page, 302 sent on (a school clerk to the own school's report), 404 the user may
not see it (or has no role), 405 wrong method, LOGIN redirect to the login page (anonymous)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.runs import pipeline, registry
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LOGIN = "login"
PASSWORD = "correct horse battery staple"
USERS = ("admin", "jijiao", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
ALL_405 = (405,) * 10

# fmt: off
EXPECTED = {
    #                                   admin jijiao planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("quality", "GET", ()):             (200, 200,   200,    200,   200, 200, 302,     302,     404,   LOGIN),
    ("quality", "POST", ()):            ALL_405,
    ("quality_school", "GET", ("J1",)): (200, 200,   200,    200,   200, 404, 404,     404,     404,   LOGIN),
    ("quality_school", "GET", ("N1",)): (200, 200,   200,    200,   404, 200, 404,     200,     404,   LOGIN),
    ("quality_school", "GET", ("ZZ",)): (404, 404,   404,    404,   404, 404, 404,     404,     404,   LOGIN),
    ("quality_school", "POST", ("N1",)): ALL_405,
}
# fmt: on


@pytest.fixture(scope="module")
def quality_data(tmp_path_factory):
    """The hand county with the results sheet, imported once for the module, its quality run stored."""
    tmp = tmp_path_factory.mktemp("quality-pages")
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    shutil.copy(FIXTURES / "quality" / "results.csv", county / "results.csv")
    store = CensusStore(tmp / "data")
    import_census(county, store)
    version = store.latest()
    assert version is not None
    pipeline.compute(store, registry.get("quality"), version.version_id, census_data.packs())
    return tmp / "data"


@pytest.fixture
def people(users, settings, quality_data):
    settings.DATA_DIR = quality_data
    census_data.forget()
    u = User.objects.create_user("jijiao", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.BASIC_EDUCATION)
    yield {**users, "jijiao": u}
    census_data.forget()


def _client(people, name, lang="zh-hans"):
    c = Client()
    c.cookies["django_language"] = lang
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response):
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


def test_it_gives_every_role_the_expected_status_on_every_quality_endpoint(people):
    found, expected = {}, {}
    for (name, method, args), statuses in EXPECTED.items():
        url = reverse(f"web:{name}", args=args)
        for user, want in zip(USERS, statuses, strict=True):
            c = _client(people, user)
            r = c.get(url) if method == "GET" else c.post(url)
            found[(name, method, args, user)] = outcome(r)
            expected[(name, method, args, user)] = want
    assert found == expected


def test_a_school_clerk_is_sent_to_the_own_report(people):
    r = _client(people, "clerk_n1").get(reverse("web:quality"))
    assert r["Location"] == reverse("web:quality_school", args=["N1"])


def test_the_office_reads_the_county_results_value_added_and_t_hs_3(people):
    html = _client(people, "jijiao").get(reverse("web:quality")).content.decode()
    assert "各校增值评价" in html and "全县考试成绩" in html
    assert "高考全省前列考生（T-HS-3）" in html and "H1-01" in html  # the 42nd in the province
    assert "琴城中学" in html and "太源学校" in html  # value added by school, and the reports' links
    assert 'href="/quality/school/N1/"' in html
    en = _client(people, "jijiao", "en").get(reverse("web:quality")).content.decode()
    assert "Value added by school" in en and ("above expectation" in en or "as expected" in en)


def test_a_principal_reads_the_own_school_only(people):
    html = _client(people, "clerk_n1").get(reverse("web:quality_school", args=["N1"])).content.decode()
    assert "太源学校考试成绩" in html and "太源学校增值评价" in html
    assert "琴城中学" not in html and "南丰一中" not in html and "J1-0" not in html
    # the township's official sees the township's schools only
    t1 = _client(people, "t1").get(reverse("web:quality")).content.decode()
    assert 'href="/quality/school/J1/"' in t1 and "/quality/school/N1/" not in t1
    assert "各校增值评价" not in t1  # the county's tables are the county-wide roles'

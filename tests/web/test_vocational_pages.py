"""The vocational office's pages (issue 16 item 3) on the hand county with a few vocational records:
every role (and anonymous) × every vocational page with the expected status written out, the blocks
each page shows, and one pupil's credit-bank conversions explained in Chinese and in English.

Reading the table: 200 page, 302 a redirect, 404 the user may not see it (or has no role), LOGIN a
redirect to the login page (anonymous)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.runs import pipeline, registry
from countyedu.runs.store import load_packs
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
LOGIN = "login"
PASSWORD = "correct horse battery staple"
VOCATIONAL = Path(__file__).resolve().parents[1] / "fixtures" / "vocational"  # the five sheets, hand-made
USERS = ("admin", "vocational", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
COUNTY = (200, 200, 200, 200, 404, 404, 404, 404, 404, LOGIN)
# fmt: off
EXPECTED = {
    #                                  admin vocational planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("vocational", ()):                COUNTY,
    ("vocational_cooperation", ()):    COUNTY,
    ("vocational_credits", ()):        COUNTY,
    ("vocational_pupil", ("2022ZZ05001",)): COUNTY,
    ("vocational_pupil", ("NO-SUCH",)):     (404, 404, 404, 404, 404, 404, 404, 404, 404, LOGIN),
}
# fmt: on


@pytest.fixture(scope="module")
def vocational_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand county with the vocational sheets, imported and its vocational run stored."""
    tmp = tmp_path_factory.mktemp("vocational-pages")
    folder = tmp / "county"
    shutil.copytree(HAND, folder)
    for sheet in VOCATIONAL.glob("*.csv"):
        shutil.copy(sheet, folder / sheet.name)
    store = CensusStore(tmp / "data")
    import_census(folder, store)  # no assessment: the vocational pages read the vocational run only
    version = store.latest().version_id  # type: ignore[union-attr]
    pipeline.compute(store, registry.get("vocational"), version, load_packs())
    return tmp / "data"


@pytest.fixture
def people(users: dict[str, User], settings: Any, vocational_data: Path) -> Any:
    u = User.objects.create_user("vocational", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.VOCATIONAL)
    settings.DATA_DIR = vocational_data
    census_data.forget()
    yield {**users, "vocational": u}
    census_data.forget()


def _client(people: dict[str, User], name: str, lang: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response: Any) -> Any:
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


def test_it_gives_every_role_the_expected_status_on_every_vocational_page(people: dict[str, User]) -> None:
    found, expected = {}, {}
    for (name, args), statuses in EXPECTED.items():
        for user, want in zip(USERS, statuses, strict=True):
            r = _client(people, user).get(reverse(f"web:{name}", args=args))
            found[(name, args, user)] = outcome(r)
            expected[(name, args, user)] = want
    wrong = {k: (found[k], v) for k, v in expected.items() if found[k] != v}
    assert not wrong, f"(found, expected): {wrong}"


def test_each_page_shows_its_blocks(people: dict[str, User]) -> None:
    c = _client(people, "vocational")
    majors = c.get(reverse("web:vocational")).content.decode()
    assert 'id="vocational.majors"' in majors and 'id="vocational.expansion"' in majors and "T-VOC-1" in majors
    assert "护理" in majors and "未达标" in majors  # 70 students, 1,200 asked
    coop = c.get(reverse("web:vocational_cooperation")).content.decode()
    assert "南丰县康宁医院" in coop and 'id="vocational.internships"' in coop and "2022ZZ05001" in coop  # 8 months
    credits = c.get(reverse("web:vocational_credits")).content.decode()
    assert 'id="vocational.credit_bank"' in credits and 'id="vocational.certificates"' in credits
    assert reverse("web:vocational_pupil", args=["2022ZZ05001"]) in credits
    found = c.get(reverse("web:vocational_credits"), {"pupil": "2022ZZ05002"})
    assert found.status_code == 302 and found["Location"] == reverse("web:vocational_pupil", args=["2022ZZ05002"])
    nav = c.get(reverse("web:vocational")).content.decode()
    assert f'href="{reverse("web:vocational")}"' in nav


def test_a_pupils_conversions_are_explained_in_each_language(people: dict[str, User]) -> None:
    url = reverse("web:vocational_pupil", args=["2022ZZ05001"])
    zh = _client(people, "vocational").get(url).content.decode()
    # 老年照护 elementary → R09, 3 credits of 老年照护实务; intermediate → R10's 4, the course has 1 left
    assert "按规则 R09 转换为课程“老年照护实务” 3 学分" in zh
    assert "受课程 4 学分上限限制实际转换 1 学分" in zh and "部分转换" in zh
    en = _client(people, "vocational", "en").get(url).content.decode()
    assert "1 of the 4 credits of 老年照护实务 by rule R10, capped by the course&#x27;s 4 credits" in en
    other = _client(people, "leader").get(reverse("web:vocational_pupil", args=["2022ZZ05002"])).content.decode()
    assert "没有转换“直播电商”" in other and "无转换规则" in other

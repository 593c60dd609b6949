"""The supervision office's assignment and plaque pages (issue 15 item 2) on the hand county with three
inspectors (I1 worked at 琴城第一小学 P1; I3 is a part-time inspector based in 太源乡): every role (and
anonymous) × every endpoint with the expected status written out, adopting the proposal (rows from
today, an audit row), the reassignment when an inspector leaves, and the plaque list's three forms.

Reading the table: 200 page, 302 the action ran, 403 the user may see but not do this, 404 the user may
not see it (or has no role), 405 wrong method, LOGIN redirect to the login page (anonymous)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.web import census as census_data
from countyedu.web.models import AuditLog, Membership, Role
from countyedu.web.supervision_assign import decided
from countyedu.web.supervision_models import InspectorAssignment

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
LOGIN = "login"
PASSWORD = "correct horse battery staple"
INSPECTORS = """inspector_id,name,employment,former_school_id,phone,township_id,zone
I1,刘建华,专职,P1,0794-3200001,T1,
I2,黄志明,专职,,0794-3200002,T1,
I3,曾文斌,兼职,,0794-3200003,T2,
"""

USERS = ("admin", "office", "i1", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
COUNTY = (200, 200, 200, 200, 200, 404, 404, 404, 404, 404, LOGIN)
ADOPT = (302, 302, 403, 403, 403, 404, 404, 404, 404, 404, LOGIN)
ALL_405 = (405,) * 11

# fmt: off
EXPECTED = {
    #                                        admin office i1   planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("supervision_assign", "GET"):          COUNTY,
    ("supervision_plaque", "GET"):          COUNTY,
    ("supervision_plan", "GET"):            COUNTY,
    ("supervision_assign_adopt", "GET"):    ALL_405,
    ("supervision_assign_adopt", "POST"):   ADOPT,
}
# fmt: on


@pytest.fixture(scope="module")
def inspected_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("supervision-assign")
    folder = tmp / "county"
    shutil.copytree(HAND, folder)
    (folder / "inspectors.csv").write_text(INSPECTORS, encoding="utf-8")
    import_census(folder, CensusStore(tmp / "data"))
    return tmp / "data"


@pytest.fixture
def site(settings, inspected_data, users):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = inspected_data
    census_data.forget()
    for name, inspector in (("office", ""), ("i1", "I1")):
        u = User.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=u, role=Role.INSPECTOR, inspector_id=inspector)
        users[name] = u
    yield users
    census_data.forget()


def client(people, name: str) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    if name != "anonymous":
        c.force_login(people[name])
    return c


def outcome(response) -> object:  # type: ignore[no-untyped-def]
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "method"), list(EXPECTED))
def test_every_role_gets_what_the_table_says(site, endpoint: str, method: str) -> None:  # type: ignore[no-untyped-def]
    url = reverse(f"web:{endpoint}")
    found = []
    for name in USERS:
        c = client(site, name)
        r = c.post(url) if method == "POST" else c.get(url)
        found.append(outcome(r))
    assert tuple(found) == EXPECTED[(endpoint, method)], dict(zip(USERS, found, strict=True))


@pytest.mark.django_db
def test_the_office_adopts_then_reassigns_when_an_inspector_leaves(site) -> None:  # type: ignore[no-untyped-def]
    c = client(site, "office")
    page = c.get(reverse("web:supervision_assign")).content.decode()
    assert "建议的分配方案" in page and "曾文斌" in page and "尚未采用任何分配方案" in page
    assert 'id="distance-basis">距离按直线公里计算' in page  # the km's basis (no road network here)
    r = c.post(reverse("web:supervision_assign_adopt"))
    assert r.status_code == 302
    first = decided()
    assert set(first) == {"K1", "K2", "K3", "P1", "N1", "J1", "H1", "V1", "TP1"}
    assert first["P1"] != "I1"  # 回避: I1 worked there
    assert first["N1"] == first["TP1"] == "I3"  # 太源乡's schools to the inspector based there
    assert InspectorAssignment.objects.filter(since=dt.date.today()).count() == 9
    assert AuditLog.objects.filter(action="adopt_assignment").count() == 1
    # I2 leaves: only I2's schools move, and P1 may not go to I1
    page = c.get(reverse("web:supervision_assign"), {"leaving": "I2"}).content.decode()
    assert "建议的重新分配方案" in page and "黄志明" in page
    c.post(reverse("web:supervision_assign_adopt"), {"leaving": "I2"})
    after = decided()
    assert "I2" not in after.values()
    assert all(after[s] == i for s, i in first.items() if i != "I2")
    assert after["P1"] == "I3"
    assert AuditLog.objects.filter(action="adopt_assignment").count() == 2


@pytest.mark.django_db
def test_the_plaque_list_prints_and_downloads(site) -> None:  # type: ignore[no-untyped-def]
    c = client(site, "leader")
    page = c.get(reverse("web:supervision_plaque")).content.decode()
    assert "挂牌公示名单" in page and "督导事项" in page and "0794-3200003" in page and "太源村教学点" in page
    x = c.get(reverse("web:supervision_plaque"), {"format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    p = c.get(reverse("web:supervision_plaque"), {"format": "pdf"})
    assert p.status_code == 200 and p.content[:4] == b"%PDF"


@pytest.mark.django_db
def test_the_month_plan_visits_every_school_on_working_days(site) -> None:  # type: ignore[no-untyped-def]
    c = client(site, "office")
    page = c.get(reverse("web:supervision_plan"), {"month": "2025-09"}).content.decode()
    # nine schools, each once in September; 曾文斌 (part-time) on Tuesdays and Thursdays only
    assert "本月经常性督导 9 次" in page and "太源村教学点" in page
    row = page.split('data-inspector="I3"')[1].split("</tr>")[0]
    assert "（二）" in row or "（四）" in row
    assert "（一）" not in row and "（三）" not in row and "（五）" not in row
    holiday = c.get(reverse("web:supervision_plan"), {"month": "2025-08"}).content.decode()
    assert "本月为假期" in holiday


@pytest.mark.django_db
def test_the_inspectors_day_lists_the_schools_planned_on_that_date(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """I1 (full-time) holds J1 and P1, I3 (part-time) N1. December 2025 has 23 weekdays (1 December
    is a Monday); I1's two visits fall on working days ⌊0.5·23/2⌋ = 5 and ⌊1.5·23/2⌋ = 17, i.e. 8
    December (J1, nearer by id since no distance is given) and 24 December (P1). I3 works Tuesdays
    and Thursdays: nine such days, the one visit on day ⌊0.5·9⌋ = 4, 16 December (N1). February is
    not a school month: nothing planned."""
    from countyedu.web import supervision_visits
    from countyedu.web.supervision_models import Visit

    for school, inspector in (("J1", "I1"), ("P1", "I1"), ("N1", "I3")):
        InspectorAssignment.objects.create(school_id=school, inspector_id=inspector, since=dt.date(2020, 9, 1))
    u = User.objects.create_user("i3", password=PASSWORD)
    Membership.objects.create(user=u, role=Role.INSPECTOR, inspector_id="I3")
    site["i3"] = u

    def planned(name: str, day: dt.date) -> list[str]:
        monkeypatch.setattr(supervision_visits, "today", lambda: day)
        page = client(site, name).get(reverse("web:sv_visits")).content.decode()
        if 'id="planned"' not in page:
            return []
        return [li.split("</li>")[0] for li in page.split('id="planned"')[1].split("</ul>")[0].split("<li>")[1:]]

    first = planned("i1", dt.date(2025, 12, 8))
    assert len(first) == 1 and "琴城中学" in first[0] and "本月已督导" not in first[0]
    assert len(last := planned("i1", dt.date(2025, 12, 24))) == 1 and "琴城第一小学" in last[0]
    assert planned("i1", dt.date(2025, 12, 9)) == [] and planned("i1", dt.date(2025, 12, 16)) == []
    assert len(part := planned("i3", dt.date(2025, 12, 16))) == 1 and "太源学校" in part[0]
    assert planned("i3", dt.date(2025, 12, 8)) == [] and planned("i1", dt.date(2026, 2, 9)) == []
    # a school visited earlier in the month still shows on its planned day, marked visited
    Visit.objects.create(school_id="P1", inspector_id="I1", date=dt.date(2025, 12, 3), kind="random")
    assert "本月已督导" in planned("i1", dt.date(2025, 12, 24))[0]

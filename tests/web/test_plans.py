"""Planning and funding pages: /planning/, /planning/catchments/, /funding/, /funding/scenario/.

County roles read them; township and school users get 404; computing is for the planning and finance
offices (403 for the read-only leader). The hand county (2024 only, no school-age population below 3)
shows what cannot be computed, and why, instead of failing."""

from __future__ import annotations

import json

import openpyxl
import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

from countyedu.web import census as census_data


def _json(html: str, element_id: str) -> object:
    return json.loads(html.split(f'<script id="{element_id}" type="application/json">')[1].split("</script>")[0])


@pytest.fixture
def computed(client: Client, users: dict[str, User]) -> None:
    """The planning and funding runs of the hand county, computed by the planner through the page."""
    census_data.forget()
    client.force_login(users["planner"])
    r = client.post("/planning/compute/", {"next": "/planning/"})
    assert r.status_code == 302 and r["Location"] == "/planning/"
    client.logout()


@pytest.mark.parametrize("path", ["/planning/", "/funding/", "/planning/catchments/", "/funding/scenario/"])
@pytest.mark.parametrize("user", ["t1", "clerk_p1", "nobody"])
def test_township_and_school_users_do_not_see_the_pages(
    client: Client, users: dict[str, User], path: str, user: str
) -> None:
    client.force_login(users[user])
    assert client.get(path).status_code == 404


def test_the_leader_reads_but_cannot_compute(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    r = client.get("/planning/")
    assert r.status_code == 200
    assert "/planning/compute/" not in r.content.decode()
    assert client.post("/planning/compute/").status_code == 403


def test_the_planner_computes_and_reads_the_planning(client: Client, users: dict[str, User], computed: None) -> None:
    client.force_login(users["planner"])
    html = client.get("/planning/").content.decode()
    assert 'id="planning.facility_needs"' in html
    # one year of population: the projection says why it cannot be computed
    projection = html.split('id="planning.projection"')[1].split("</section>")[0]
    assert "无法计算" in projection
    # kindergarten norms on the hand county: 人民路社区 (1200 households) has its own kindergartens
    assert "planning.catchments" in html
    assert "https://" not in html


def test_the_funding_page_shows_the_per_pupil_funds_and_compliance(
    client: Client, users: dict[str, User], computed: None
) -> None:
    client.force_login(users["leader"])
    html = client.get("/funding/").content.decode()
    for block in ("funding.per_pupil", "funding.budget", "funding.compliance"):
        assert f'id="{block}' in html, block
    assert "第22条" in html and "琴城第一小学" in html


def test_catchments_assign_every_child_within_capacity(client: Client, users: dict[str, User]) -> None:
    # kindergarten demand 2024 = persons aged 3–5 × 90% (T-PRE-5): C1 120 → 108, C2 60 → 54, C3 30 → 27;
    # seats K1 90, K2 80, K3 50 = 220 ≥ 189, so a divisible plan exists
    client.force_login(users["planner"])
    r = client.get("/planning/catchments/", {"run": "1", "stage": "kindergarten", "year": "2024", "single": "0"})
    assert r.status_code == 200, r.content.decode()[:2000]
    html = r.content.decode()
    charts = _json(html, "block-charts")
    assert isinstance(charts, list)
    (zones,) = [c for c in charts if c["kind"] == "map"]  # the zones on a map, drawn by ECharts
    points = zones["points"]
    schools = {p["id"] for p in points if p["kind"] == "school"}
    communities = {p["id"]: p for p in points if p["kind"] == "community"}
    assert {p["site_id"] for p in communities.values()} <= schools
    assert set(communities) == {"C1", "C2", "C3"} and schools <= {"K1", "K2", "K3"}
    assert "最优" in html


def test_whole_communities_that_cannot_fit_are_explained(client: Client, users: dict[str, User]) -> None:
    # each community whole to one school: C1's 108 children exceed the largest kindergarten (K1, 90 seats)
    client.force_login(users["planner"])
    r = client.get("/planning/catchments/", {"run": "1", "stage": "kindergarten", "year": "2024", "single": "1"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "108" in html and "90" in html


def test_a_bad_distance_is_named(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["planner"])
    r = client.get("/planning/catchments/", {"run": "1", "stage": "primary", "year": "2024", "max_km": "far"})
    assert r.status_code == 400
    assert "max_km" in r.content.decode() and "不是数字" in r.content.decode()


def test_a_funding_scenario_compares_and_downloads(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    q = {"run": "1", "year": "2024", "boarder_subsidy": "300"}
    r = client.get("/funding/scenario/", q)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="funding.scenarios' in html and "/funding/scenario.xlsx?" in html
    x = client.get("/funding/scenario.xlsx", {k: v for k, v in q.items() if k != "run"})
    assert x.status_code == 200 and x["Content-Disposition"].startswith("attachment")
    path = census_data.store().data_dir / "scenario-test.xlsx"
    path.write_bytes(b"".join(x.streaming_content))
    assert len(openpyxl.load_workbook(path).sheetnames) >= 2


def test_a_bad_scenario_value_is_named(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    r = client.get("/funding/scenario/", {"run": "1", "step_rate": "3"})
    assert r.status_code == 400
    assert "step_rate" in r.content.decode()
    # the error names the field by its label on the page, not its code (issue 11)
    assert '<p class="error">每两年提高比例：3 超出 0–1</p>' in r.content.decode()


def test_the_api_serves_the_stored_runs_to_county_roles(client: Client, users: dict[str, User], computed: None) -> None:
    client.force_login(users["leader"])
    r = client.get("/api/planning/", {"lang": "en"})
    assert r.status_code == 200
    doc = r.json()
    assert doc["kind"] == "planning" and doc["census_version"] == "v1"
    assert any(b["id"] == "planning.facility_needs" for b in doc["blocks"])
    assert doc["data"]["year"] == 2024
    f = client.get("/api/funding/").json()
    assert f["kind"] == "funding" and f["data"]["per_pupil"]["total"] > 0
    client.force_login(users["t1"])
    assert client.get("/api/funding/").json()["error"]["status"] == 404


def test_the_api_says_when_the_runs_are_not_computed(client: Client, users: dict[str, User], settings) -> None:
    import shutil

    for kind in ("planning", "funding"):
        shutil.rmtree(settings.DATA_DIR / kind, ignore_errors=True)
    client.force_login(users["leader"])
    r = client.get("/api/planning/")
    assert r.status_code == 503
    assert (
        r.json()["error"]["code"] == "run_pending" and r.json()["error"]["message_zh"] == "最新普查的规划与经费尚未计算"
    )


def test_the_api_refuses_an_unknown_language(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    for path in ("/api/planning/", "/api/funding/"):
        e = client.get(path, {"lang": "AAA"}).json()["error"]
        assert (e["status"], e["details"]) == (400, {"lang": ['"AAA" is not a valid choice.']})


def test_while_a_job_computes_the_page_reloads_itself(client: Client, users: dict[str, User]) -> None:
    from countyedu.web.models import Job

    Job.objects.create(kind="plans", status=Job.Status.RUNNING, progress=0.4, message="planning on census v1")
    client.force_login(users["planner"])
    html = client.get("/planning/").content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html and "正在后台计算" in html
    assert "/planning/compute/" not in html  # no second job while one runs


def _block_texts(html: str) -> list[str]:
    """The visible text of the page's result blocks (sections), one string per cell or line."""
    import html as html_lib
    import re

    sections = "".join(
        part.split(">", 1)[1].split("</section>")[0] for part in html.split('<section class="card block"')[1:]
    )
    return [html_lib.unescape(t).strip() for t in re.split(r"<[^>]+>", sections) if t.strip()]


def test_the_funding_page_reads_in_one_language(client: Client, users: dict[str, User], computed: None) -> None:
    """Chinese without English words or raw keys (finance:…, …_id); English without Chinese but the
    county's proper names and the policy's clause ids (issue 11)."""
    import re

    frames = census_data.census(census_data.latest_version())
    names = {str(n) for sheet in ("schools", "townships", "communities") for n in frames[sheet]["name"]}
    client.force_login(users["leader"])
    zh = _block_texts(client.get("/funding/").content.decode())
    assert len(zh) > 50 and "生均公用经费合计" in zh
    for text in zh:
        assert not re.search(r"finance:\w|sheet:\w|_id\b|@\d{4}", text), text
        assert not {w for w in re.findall(r"(?<![\w-])[A-Za-z]{2,}\b", text) if w not in ("FD", "QB")}, text
    client.cookies["django_language"] = "en"
    en = _block_texts(client.get("/funding/").content.decode())
    assert len(en) == len(zh) and "Per-pupil funds: total" in en
    for text in en:
        rest = re.sub(r"第[\d、]+条", "", text)
        for name in sorted(names, key=len, reverse=True):
            rest = rest.replace(name, "")
        assert not re.search(r"[\u3400-\u9fff]", rest), text

"""GET /county/ — the county one-pager: county roles only (township and school users get 404)."""

from __future__ import annotations

import json

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def chart_data(html: str, element_id: str) -> dict:
    return json.loads(html.split(f'<script id="{element_id}" type="application/json">')[1].split("</script>")[0])


def test_it_shows_every_county_target_with_value_fraction_and_status(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    r = client.get("/county/")
    assert r.status_code == 200
    html = r.content.decode()
    # T-PRE-5: 190 children in kindergarten of 210 aged 3–5 = 90.5%, target ≥ 90%: met
    assert '>90.5%</a> <span class="frac">(190/210)</span>' in html
    # T-CMP-2: 2 classes of 56 or more among 22 compulsory classes = 9.1%, target ≤ 0: not met
    assert '>9.1%</a> <span class="frac">(2/22)</span>' in html
    assert "2025 年前 ≥ 90%" in html
    assert '<span class="status met">达标</span>' in html and '<span class="status not_met">未达标</span>' in html
    assert "学前三年毛入园率" in html and "南丰县" in html  # Chinese by default


def test_it_counts_the_statuses(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    html = client.get("/county/").content.decode()
    counts = html.split('<div class="counts">')[1].split("</div>")[0]
    rows = html.count('<td class="sparkcell">')
    numbers = [int(part.split("</span>")[0].rsplit(" ", 1)[1]) for part in counts.split('<span class="status ')[1:]]
    assert sum(numbers) == rows > 30


def test_it_links_each_value_to_its_explanation(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    html = client.get("/county/").content.decode()
    assert 'href="/explain/T-PRE-5/?unit=361023&amp;year=2024&amp;stage=kindergarten"' in html
    assert 'href="/explain/T-CMP-2/?unit=361023&amp;year=2024"' in html


def test_it_links_stages_townships_map_and_reports(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["planner"])
    html = client.get("/county/").content.decode()
    for url in ("/stage/kindergarten/", "/stage/junior/", "/township/T1/", "/township/T2/", "/map/"):
        assert f'href="{url}"' in html
    for fmt in ("pdf", "html", "xlsx"):
        assert f'href="/report/county/361023.{fmt}"' in html


def test_it_embeds_the_key_target_trends_for_the_vendored_echarts(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    html = client.get("/county/").content.decode()
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
    assert "cdn" not in html.lower() and "https://" not in html
    data = chart_data(html, "chart-data")
    assert data["trend"]["years"] == [2024]
    series = data["trend"]["series"]
    assert [s["name"].split()[0] for s in series] == ["T-PRE-5", "T-CMP-2", "T-HS-1", "QB-R-SCHOOL", "QB-R-SCHOOL"]
    assert series[0]["values"] == [190 / 210] and series[0]["target"] == 0.9
    assert series[1]["values"] == [2 / 22] and series[1]["target"] == 0.0
    assert len(data["sparks"]["rows"]) == html.count('<div class="spark" id="spark-')


def test_it_speaks_english_when_asked(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    client.cookies["django_language"] = "en"
    html = client.get("/county/").content.decode()
    assert "≥ 90% by 2025" in html and '<span class="status met">met</span>' in html


def test_it_hides_the_county_from_townships_schools_and_members_without_a_role(
    client: Client, users: dict[str, User]
) -> None:
    for name in ("t1", "clerk_p1", "nobody"):
        client.force_login(users[name])
        assert client.get("/county/").status_code == 404, name


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/county/")
    assert r.status_code == 302 and r["Location"] == "/login/?next=/county/"

"""GET /explain/<indicator>/?unit=&year=&stage= — everything behind one number, in the unit's scope."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_explains_a_school_value(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/explain/T-CMP-2/", {"unit": "P1", "year": 2024})
    assert r.status_code == 200
    html = r.content.decode()
    assert '<dd class="num-n">1</dd>' in html and '<dd class="num-d">7</dd>' in html  # one big class of seven
    assert "14.3%" in html and "(1/7)" in html
    assert "56" in html  # the formula names the size of a big class
    assert "T-CMP-2" in html and "<dd>v1</dd>" in html
    sources = html.split("来源表 班级")[1]
    assert "58" in sources and "45" in sources  # P1's class rows, the big one among them


def test_its_tables_read_in_the_readers_language(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    html = client.get("/explain/T-CMP-2/", {"unit": "P1", "year": 2024}).content.decode()
    assert "<th>学校</th><th>乡镇</th><th>学年</th><th>符合条件的班级数</th><th>班级</th>" in html
    assert '<td title="P1">琴城第一小学</td><td title="T1">琴城镇</td><td class="num">2024</td>' in html
    assert "<td>五年级</td>" in html  # the classes' grades, labelled
    assert "school_id" not in html and "<th>num</th>" not in html and "<td>P5</td>" not in html
    client.cookies["django_language"] = "en"
    html = client.get("/explain/T-CMP-2/", {"unit": "P1", "year": 2024}).content.decode()
    assert "<th>School</th><th>Township</th><th>School year</th><th>Classes meeting the condition</th>" in html
    assert '<td title="P1">琴城第一小学</td>' in html and "<td>grade 5</td>" in html and "<th>Grade</th>" in html


def test_it_explains_a_county_value_with_its_clause_and_target(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    html = client.get("/explain/T-PRE-5/", {"unit": "361023", "year": 2024, "stage": "kindergarten"}).content.decode()
    assert "90.5%" in html and '<dd class="num-n">190</dd>' in html and '<dd class="num-d">210</dd>' in html
    assert "2025 年前 ≥ 90%" in html and "T-PRE-5" in html and "nanfeng-2019" in html


def test_it_defaults_to_the_county_and_the_latest_year(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    html = client.get("/explain/T-CMP-2/").content.decode()
    assert '<dd class="num-n">2</dd>' in html and '<dd class="num-d">22</dd>' in html


def test_it_explains_a_township_value_to_its_official(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t1"])
    r = client.get("/explain/T-CMP-2/", {"unit": "T1", "year": 2024})
    assert r.status_code == 200 and '<dd class="num-d">11</dd>' in r.content.decode()


def test_it_hides_units_outside_the_users_scope(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_n1"])
    assert client.get("/explain/T-CMP-2/", {"unit": "P1", "year": 2024}).status_code == 404
    assert client.get("/explain/T-CMP-2/", {"unit": "T2", "year": 2024}).status_code == 404
    assert client.get("/explain/T-CMP-2/", {"unit": "361023", "year": 2024}).status_code == 404
    client.force_login(users["t2"])
    assert client.get("/explain/T-CMP-2/", {"unit": "T1", "year": 2024}).status_code == 404


def test_it_answers_404_for_what_does_not_exist(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    assert client.get("/explain/NO-SUCH/", {"unit": "P1"}).status_code == 404
    assert client.get("/explain/T-CMP-2/", {"unit": "P1", "year": 1999}).status_code == 404
    assert client.get("/explain/T-CMP-2/", {"unit": "P1", "year": "soon"}).status_code == 404


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/explain/T-CMP-2/", {"unit": "P1"})
    assert r.status_code == 302 and r["Location"].startswith("/login/")

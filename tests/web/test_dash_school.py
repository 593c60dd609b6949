"""GET /school/<id>/ — a school's standing on the resource standard, what it needs, its other results."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_shows_the_resource_standard_and_what_the_school_needs(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    r = client.get("/school/P1/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "琴城第一小学" in html and "primary school" not in html  # Chinese by default
    # QB-R1: 3 teachers above the required degree per 310 pupils × 100 = 0.97, standard ≥ 4.2: not met
    assert 'href="/explain/QB-R1/?unit=P1&amp;year=2024&amp;stage=primary">0.97</a>' in html
    assert "2025 年前 ≥ 4.2" in html
    # P1 meets R4–R7 only (4 of 7): fails, and needs +9 QB-R1 teachers, +3 backbone, +1 PE/arts
    assert '<span class="status not_met">未达标</span>' in html
    needs = html.split('<div class="card needs">')[1].split("</div>")[0]
    assert "+9 名高于规定学历教师" in needs and "(QB-R1 " in needs
    assert "+3 名县级及以上骨干教师" in needs and "+1 名体育艺术教师" in needs
    # its other results: T-CMP-2 (one class of 58 among 7)
    assert 'href="/explain/T-CMP-2/?unit=P1&amp;year=2024">14.3%</a> <span class="frac">(1/7)</span>' in html
    assert ">310<" in html  # pupils


def test_it_shows_both_parts_of_a_nine_year_school(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t2"])
    html = client.get("/school/N1/").content.decode()
    assert "stage=primary" in html and "stage=junior" in html
    assert 'href="/township/T2/"' in html


def test_it_says_when_a_school_is_not_in_the_qb_assessment(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    html = client.get("/school/K1/").content.decode()
    assert "QB-R1" not in html and "PP-5" in html


def test_it_hides_other_schools(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_n1"])
    assert client.get("/school/P1/").status_code == 404
    client.force_login(users["t2"])
    assert client.get("/school/P1/").status_code == 404
    assert client.get("/school/NOPE/").status_code == 404


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/school/P1/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")

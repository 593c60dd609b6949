"""GET /township/<id>/ — a township's results and its schools' pass or fail: county roles and its official."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_shows_the_township_results_and_schools(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t1"])
    r = client.get("/township/T1/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "琴城镇" in html
    # T-PRE-5 of T1: 190 children / 180 aged 3–5 in T1's communities
    assert 'href="/explain/T-PRE-5/?unit=T1&amp;year=2024&amp;stage=kindergarten">105.6%</a>' in html
    assert "(190/180)" in html
    for sid in ("K1", "K2", "K3", "P1", "J1", "H1", "V1"):
        assert f'href="/school/{sid}/"' in html
    assert 'href="/school/N1/"' not in html and 'href="/school/TP1/"' not in html
    assert "+9 名高于规定学历教师" in html  # P1 fails
    assert 'href="/report/township/T1.pdf"' in html


def test_it_shows_a_township_to_county_roles(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    html = client.get("/township/T2/").content.decode()
    assert "太源乡" in html and 'href="/school/N1/"' in html and 'href="/school/TP1/"' in html


def test_it_hides_other_townships(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["t2"])
    assert client.get("/township/T1/").status_code == 404
    assert client.get("/township/T9/").status_code == 404


def test_it_hides_the_township_from_its_school_clerks(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    assert client.get("/township/T1/").status_code == 404


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/township/T1/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")

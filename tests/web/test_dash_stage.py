"""GET /stage/<stage>/ — one stage: county results, the township table, the schools (compulsory stages)."""

from __future__ import annotations

from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client


def test_it_shows_the_stage_results_townships_and_schools(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["planner"])
    r = client.get("/stage/primary/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<h1>小学</h1>" in html
    assert "QB-R1" in html and "T-CMP-2" in html and "T-PRE-5" not in html
    assert 'href="/township/T1/">琴城镇</a>' in html and 'href="/township/T2/">太源乡</a>' in html
    # T-CMP-2 of T1: P1's big class and J1's of P1 7 + J1 4 classes = 2/11 = 18.2%
    assert 'href="/explain/T-CMP-2/?unit=T1&amp;year=2024">18.2%</a>' in html
    # the schools: P1 fails the resource standard (4 of 7) and needs +9 teachers above the degree
    assert 'href="/school/P1/">琴城第一小学</a>' in html and "+9 名高于规定学历教师" in html


def test_it_shows_the_kindergarten_stage_without_a_school_table(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    html = client.get("/stage/kindergarten/").content.decode()
    assert ">90.5%</a>" in html and "QB-R1" not in html and "/school/" not in html


def test_it_knows_no_other_stage(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    assert client.get("/stage/university/").status_code == 404


def test_it_is_for_county_roles_only(client: Client, users: dict[str, User]) -> None:
    for name in ("t1", "clerk_p1"):
        client.force_login(users[name])
        assert client.get("/stage/primary/").status_code == 404, name


def test_it_sends_anonymous_users_to_log_in(client: Client, users: dict[str, User]) -> None:
    r = client.get("/stage/primary/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")

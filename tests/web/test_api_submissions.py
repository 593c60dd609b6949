"""POST /api/submissions/ — a school's clerk uploads its file to an open collection round (multipart)."""

from __future__ import annotations

import dataclasses
from typing import Any

from collection_support import open_round, set_raw, template_bytes, upload
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

from countyedu.web import actions
from countyedu.web.models import AuditLog, Submission


def test_it_stores_and_checks_the_clerks_file(client: Client, users: dict[str, User]) -> None:
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    client.force_login(users["clerk_p1"])
    r = client.post("/api/submissions/", {"round": rnd.pk, "file": upload(data)})
    assert r.status_code == 201, r.content
    doc = r.json()
    sub = Submission.objects.get(round=rnd, school_id="P1")
    assert doc["id"] == sub.pk and doc["status"] == "draft" and doc["school_id"] == "P1" and doc["errors"] == 0
    assert AuditLog.objects.filter(action="upload_submission", actor=users["clerk_p1"]).count() == 1


def test_it_works_with_a_token(client: Client, users: dict[str, User]) -> None:
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=users["clerk_p1"]).key
    r = Client(enforce_csrf_checks=True).post(
        "/api/submissions/", {"round": rnd.pk, "file": upload(data)}, headers={"authorization": f"Token {key}"}
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"


def test_it_lets_the_bureau_administrator_name_the_school(client: Client, users: dict[str, User]) -> None:
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    client.force_login(users["admin"])
    r = client.post("/api/submissions/", {"round": rnd.pk, "file": upload(data)})
    assert r.status_code == 400 and "school_id" in r.json()["error"]["details"]
    r = client.post("/api/submissions/", {"round": rnd.pk, "school_id": "P1", "file": upload(data)})
    assert r.status_code == 201 and r.json()["school_id"] == "P1"


def test_it_refuses_a_closed_round(client: Client, users: dict[str, User]) -> None:
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    actions.do_close_round(rnd, acting_user=users["admin"])
    client.force_login(users["clerk_p1"])
    r = client.post("/api/submissions/", {"round": rnd.pk, "file": upload(data)})
    assert r.status_code == 400 and "closed" in r.json()["error"]["message"]
    assert "已经关闭" in r.json()["error"]["message_zh"] or "关闭" in r.json()["error"]["message_zh"]


def test_it_answers_404_for_another_school_or_round(client: Client, users: dict[str, User]) -> None:
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    client.force_login(users["clerk_n1"])
    r = client.post("/api/submissions/", {"round": rnd.pk, "school_id": "P1", "file": upload(data)})
    assert r.status_code == 404
    r = client.post("/api/submissions/", {"round": rnd.pk + 100, "file": upload(data)})
    assert r.status_code == 404
    assert not Submission.objects.exists()


def test_it_refuses_read_only_and_township_users(client: Client, users: dict[str, User]) -> None:
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    for name in ("leader", "t1", "planner"):
        client.force_login(users[name])
        r = client.post("/api/submissions/", {"round": rnd.pk, "school_id": "P1", "file": upload(data)})
        assert r.status_code == 403, name
    assert not Submission.objects.exists()


def test_it_needs_authentication(client: Client, users: dict[str, User]) -> None:
    assert client.post("/api/submissions/", {"round": 1}).status_code == 401


def test_minus_1e309_answers_201_with_the_located_error_not_a_check_for_ever(
    client: Client, users: dict[str, User]
) -> None:
    """It answered 201 and the submission stayed 'checking': the problem list held -inf, which the
    database refused as JSON."""
    rnd = open_round(users)
    data = set_raw(template_bytes(users, rnd), "班级", "E3", "-1e309")
    client.force_login(users["clerk_p1"])
    r = client.post("/api/submissions/", {"round": rnd.pk, "file": upload(data)})
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["status"] == "invalid" and doc["errors"] == 1
    assert [(p["sheet"], p["row"], p["column"], p["rule"], p["value"]) for p in doc["problems"]] == [
        ("班级", 3, "pupils", "not_finite", "-inf")
    ]
    assert Submission.objects.get(pk=doc["id"]).status == "invalid"


def test_a_file_over_the_upload_limit_is_refused_and_not_stored(
    client: Client, users: dict[str, User], settings: Any
) -> None:
    settings.UPLOAD_LIMITS = dataclasses.replace(settings.UPLOAD_LIMITS, upload_bytes=5 * 1024)
    rnd = open_round(users)
    data = template_bytes(users, rnd)
    client.force_login(users["clerk_p1"])
    r = client.post("/api/submissions/", {"round": rnd.pk, "file": upload(data)})
    assert r.status_code == 400, r.content
    size = f"{len(data) / 2**20:.3g} MB"
    error = r.json()["error"]
    assert error["message"] == f"The file is {size}, over the limit of 0.00488 MB for one upload."
    assert error["message_zh"] == f"文件大小 {size}，超过单次上传上限 0.00488 MB。"
    assert not Submission.objects.exists()

"""The API's one error shape, fixed here: every error answers
{"error": {"status", "code", "message", "message_zh", "details"}} — 400, 401, 403, 404, 405 and 503."""

from __future__ import annotations

from typing import Any

import pytest
from dash_support import hand_county  # noqa: F401
from django.contrib.auth.models import User
from django.test import Client

from countyedu.web import census

KEYS = {"status", "code", "message", "message_zh", "details"}


def error_of(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.content
    assert r["Content-Type"] == "application/json"
    doc = r.json()
    assert set(doc) == {"error"} and set(doc["error"]) == KEYS
    e = doc["error"]
    assert e["status"] == status and e["code"] == code
    assert e["message"] and e["message_zh"]
    return e


def test_it_answers_404_in_the_shape(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["clerk_p1"])
    e = error_of(client.get("/api/census/schools/N1/"), 404, "not_found")
    assert e["message"] == "Not found." and e["message_zh"] == "未找到" and e["details"] is None


def test_it_answers_404_for_an_unknown_api_path(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    error_of(client.get("/api/no/such/thing/"), 404, "not_found")


def test_it_answers_403_in_the_shape(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["leader"])
    e = error_of(client.post("/api/submissions/", {"round": 1}), 403, "permission_denied")
    assert e["message_zh"] == "没有权限"


def test_it_answers_401_in_the_shape(client: Client, users: dict[str, User]) -> None:
    r = client.get("/api/results/")
    e = error_of(r, 401, "not_authenticated")
    assert r["WWW-Authenticate"] == "Token" and e["message_zh"] == "请先登录"
    assert e["message"] == "Authentication credentials were not provided."


def test_it_answers_401_for_a_wrong_token(client: Client, users: dict[str, User]) -> None:
    error_of(client.get("/api/results/", headers={"authorization": "Token nonsense"}), 401, "not_authenticated")


def test_it_answers_400_in_the_shape_with_details(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    e = error_of(client.get("/api/results/", {"year": "soon"}), 400, "invalid")
    assert e["details"] == {"year": ["'soon' is not a whole number"]}


def test_it_answers_405_in_the_shape(client: Client, users: dict[str, User]) -> None:
    client.force_login(users["admin"])
    e = error_of(client.post("/api/results/"), 405, "method_not_allowed")
    assert e["message_zh"] == "不支持该请求方法"


def test_it_answers_503_while_the_assessment_is_computed(
    client: Client, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(census, "assessment", lambda version=None: None)
    client.force_login(users["admin"])
    e = error_of(client.get("/api/results/"), 503, "assessment_pending")
    assert "being computed" in e["message"] and "正在计算" in e["message_zh"]


def test_it_keeps_the_messages_english_and_chinese_whatever_the_language(
    client: Client, users: dict[str, User]
) -> None:
    client.force_login(users["admin"])
    client.cookies["django_language"] = "zh-hans"
    e = error_of(client.get("/api/census/schools/NOPE/"), 404, "not_found")
    assert e["message"] == "Not found." and e["message_zh"] == "未找到"

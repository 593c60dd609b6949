"""The one JSON error shape of the API:
{"error": {"status": 404, "code": "not_found", "message": "...", "message_zh": "...", "details": ...}}"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from countyedu.errors import CountyEduError, ValidationFailed

_ZH = {
    "not_found": "未找到",
    "permission_denied": "没有权限",
    "not_authenticated": "请先登录",
    "authentication_failed": "登录信息无效",
    "method_not_allowed": "不支持该请求方法",
    "invalid": "请求数据有误",
    "parse_error": "请求格式有误",
    "throttled": "请求过于频繁",
    "bad_credentials": "用户名或密码错误",
    "assessment_pending": "最新普查的评估结果正在计算，请稍后再试",
    "run_pending": "最新普查的规划与经费尚未计算",
}


def error_body(http_status: int, code: str, message: str, message_zh: str = "", details: Any = None) -> dict[str, Any]:
    return {
        "error": {
            "status": http_status,
            "code": code,
            "message": message,
            "message_zh": message_zh or _ZH.get(code, message),
            "details": details,
        }
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exceptions, Django 404/403 and CountyEduError, all in the one shape."""
    if isinstance(exc, ValidationFailed):
        return Response(
            error_body(400, "invalid_census", exc.message_en, exc.message_zh, [p.as_dict() for p in exc.problems]),
            status=400,
        )
    if isinstance(exc, CountyEduError):
        return Response(error_body(400, "invalid", exc.message_en, exc.message_zh), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    message, message_zh = (str(detail), "") if detail is not None else _invalid(response.data)
    details = None if detail is not None else response.data
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        code = "not_authenticated"
    response.data = error_body(response.status_code, str(code), message, message_zh, details=details)
    return response


def _invalid(details: Any) -> tuple[str, str]:
    """(English, Chinese) of a 400 that names each parameter or field in error and the first reason."""
    if not isinstance(details, dict) or not details:
        return "invalid request", ""
    names = ", ".join(str(k) for k in details)
    reasons = "; ".join(f"{k}: {_first(v)}" for k, v in details.items())
    return f"invalid request: {reasons}", f"{_ZH['invalid']}：{names}"


def _first(v: Any) -> str:
    while isinstance(v, list | dict) and v:
        v = v[0] if isinstance(v, list) else next(iter(v.values()))
    return str(v)

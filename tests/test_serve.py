"""`countyedu serve` as users run it: a real gunicorn in front of the web app."""

from __future__ import annotations

import json
from pathlib import Path

from serve_support import raw_request, serving

KEYS = {"status", "code", "message", "message_zh", "details"}


def test_it_answers_long_request_lines_in_the_api_error_shape(tmp_path: Path) -> None:
    """gunicorn's default refuses request lines over 4 KB with an English HTML page before Django sees
    them: `serve` lets Django answer up to 8 KB, and answers longer ones in the JSON error shape."""
    with serving(tmp_path / "data") as port:
        # 5 KB: Django answers (401, no token) in the API's error shape
        status, headers, body = raw_request(port, f"GET /api/results/?indicator={'A' * 5000} HTTP/1.1")
        doc = json.loads(body)
        assert (status, headers["content-type"], doc["error"]["code"]) == (401, "application/json", "not_authenticated")
        # 9 KB: over gunicorn's largest request line, refused by the worker in the same shape
        status, headers, body = raw_request(port, f"GET /api/results/?indicator={'A' * 9000} HTTP/1.1")
        doc = json.loads(body)
        assert (status, headers["content-type"]) == (414, "application/json") and set(doc["error"]) == KEYS
        assert doc["error"]["code"] == "uri_too_long" and "8190" in doc["error"]["message"]
        assert doc["error"]["message_zh"] == "请求行过长（服务器最多接受 8190 字节）。"

"""The gunicorn worker of `countyedu serve`: gunicorn's threaded worker, except that a request
gunicorn refuses before Django sees it — a request line or headers over gunicorn's limits — is
answered in the API's one JSON error shape (web/api_errors.py), in English and Chinese, instead of
gunicorn's English HTML page. Request lines up to REQUEST_LINE_LIMIT bytes reach Django."""

from __future__ import annotations

import json
from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

# gunicorn's largest request line (its default is 4094); longer ones are refused by the worker below
REQUEST_LINE_LIMIT = 8190

_REFUSED = {
    LimitRequestLine: (
        414,
        "URI Too Long",
        "uri_too_long",
        f"The request line is longer than the server accepts ({REQUEST_LINE_LIMIT} bytes).",
        f"请求行过长（服务器最多接受 {REQUEST_LINE_LIMIT} 字节）。",
    ),
    LimitRequestHeaders: (
        431,
        "Request Header Fields Too Large",
        "headers_too_large",
        "The request headers are larger or more numerous than the server accepts.",
        "请求头过大或过多，服务器不予接受。",
    ),
}


class Worker(ThreadWorker):
    """gunicorn's gthread worker answering its own refusals in the JSON error shape."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        refused = next((v for k, v in _REFUSED.items() if isinstance(exc, k)), None)
        if refused is None:
            super().handle_error(req, client, addr, exc)
            return
        from countyedu.web.api_errors import error_body

        status, reason, code, message, message_zh = refused
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        body = json.dumps(error_body(status, code, message, message_zh), ensure_ascii=False).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except OSError:
            self.log.debug("Failed to send error message.")

"""Response headers every page gets, and the log filter for refusals.

- Content-Security-Policy: scripts, styles, images, fonts and requests from the app itself only
  (settings.CONTENT_SECURITY_POLICY); the templates hold no inline script, handler or style: data
  for scripts comes in `json_script` blocks or data- attributes, code from static files.
- Cache-Control: no-store on every answer to a logged-in user (a shared or back-button cache never
  keeps a page of someone's data).
- A 403 is a refusal, not a fault: it is logged as one line, without the traceback Django attaches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def headers_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """The Content-Security-Policy on every answer; no-store on a logged-in user's."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

    return middleware


class RefusalsWithoutTraceback(logging.Filter):
    """Drops the traceback of a 403 ('Forbidden (Permission denied)') from django.request's record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True

"""Template context: the user's membership (role and scope) on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def membership(request: HttpRequest) -> dict[str, Any]:
    m = getattr(request.user, "membership", None) if request.user.is_authenticated else None
    return {"membership": m}

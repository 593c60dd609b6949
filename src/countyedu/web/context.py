"""Template context: the user's membership (role and scope) on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def membership(request: HttpRequest) -> dict[str, Any]:
    m = getattr(request.user, "membership", None) if request.user.is_authenticated else None
    return {"membership": m}


def grave_hazards(request: HttpRequest) -> dict[str, Any]:
    """The open 重大 safety hazards (第31条), shown to the bureau's county-wide roles on every page."""
    from countyedu.web.supervision_visits import grave_hazards as open_grave

    m = getattr(request.user, "membership", None) if request.user.is_authenticated else None
    return {"grave_hazards": open_grave(m) if m is not None and m.county_wide else []}

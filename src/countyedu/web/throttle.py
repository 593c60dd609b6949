"""One limit on failed logins, shared by the login page and the API's token endpoint: LOGIN_RATE
failures per user name and address in WINDOW lock both until the window ends. The counts live in the
database (FailedLogin), so every gunicorn worker sees them, and they survive a restart."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from countyedu.web.models import FailedLogin

WINDOW = dt.timedelta(minutes=15)


def _key(request: HttpRequest, username: str) -> str:
    return f"{request.META.get('REMOTE_ADDR', '')}:{username.strip().lower()}"[:300]


def locked(request: HttpRequest, username: str) -> bool:
    """Whether this user name from this address has used up its failures in the window."""
    since = timezone.now() - WINDOW
    row = FailedLogin.objects.filter(key=_key(request, username), first_at__gte=since).first()
    return row is not None and row.count >= settings.LOGIN_RATE


def failed(request: HttpRequest, username: str) -> None:
    """Count one failure (a new window when the last one has ended); windows long over are dropped."""
    now = timezone.now()
    key = _key(request, username)
    with transaction.atomic():
        if not FailedLogin.objects.filter(key=key, first_at__gte=now - WINDOW).update(count=F("count") + 1):
            FailedLogin.objects.update_or_create(key=key, defaults={"count": 1, "first_at": now})
        FailedLogin.objects.filter(first_at__lt=now - WINDOW).delete()


def succeeded(request: HttpRequest, username: str) -> None:
    """A good password clears the count."""
    FailedLogin.objects.filter(key=_key(request, username)).delete()

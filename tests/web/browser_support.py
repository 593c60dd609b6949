"""The real browser for the web tests: Debian's Chromium driven by Playwright (no browser download), the
login, and screenshots kept in test-artifacts/. The `browser` fixture is in tests/web/conftest.py (it calls `launch` here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is installed by `make test`"),
]


def launch() -> Iterator[Any]:
    """A launched Chromium, closed afterwards (the `browser` fixture of tests/web/conftest.py)."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop and the live server share the process
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        refused: list[str] = []
        new_page = b.new_page

        def watched_page(*args: Any, **kwargs: Any) -> Any:
            """Every page is watched for what the Content-Security-Policy refused and for script errors."""
            page = new_page(*args, **kwargs)
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda e: refused.append(f"script error: {e}"))
            return page

        b.new_page = watched_page
        yield b
        b.close()
        assert refused == [], "the pages broke under the Content-Security-Policy:\n" + "\n".join(refused)


def login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def login_as(page: Any, base: str, user: Any) -> None:
    """The user's session cookie put in the page's browser, as if they had logged in (the walks that
    read many pages; the login form itself is used by the flow tests and read in each language)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

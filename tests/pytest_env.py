"""Loaded with `-p` before any other plugin (pytest-django among them): the environment the web
app's settings read when they load — one temporary data dir for the whole run (tests/web/conftest.py
fills it), jobs run inline, no HTTPS-only cookies on the test client."""

import os
import tempfile

os.environ.setdefault("COUNTYEDU_DATA", tempfile.mkdtemp(prefix="countyedu-web-test-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "countyedu.web.settings")
os.environ.setdefault("COUNTYEDU_JOBS_SYNC", "1")
os.environ.setdefault("SECURE_SSL", "false")

"""Loaded with `-p` before any other plugin (pytest-django among them): the environment the web
app's settings read when they load — a temporary data dir for this test process (never the user's
own COUNTYEDU_DATA; each xdist worker gets its own), jobs run inline, no HTTPS-only cookies."""

import os
import tempfile

worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["COUNTYEDU_DATA"] = tempfile.mkdtemp(prefix=f"countyedu-web-test-{worker}-")
os.environ["DJANGO_SETTINGS_MODULE"] = "countyedu.web.settings"
os.environ["COUNTYEDU_JOBS_SYNC"] = "1"
os.environ["SECURE_SSL"] = "false"
# compiled SQL only in each data dir's own cache (tests that assert a first compilation stay true);
# tests/test_sql_user_cache.py turns the user's cache on for its own processes
os.environ["COUNTYEDU_SQL_USER_CACHE"] = "off"

"""A real `countyedu serve` (gunicorn, the task workers, SQLite or $DATABASE_URL) on the hand county in a
fresh data dir, and a small HTTP client that logs in and uploads as a browser does — for the tests
that need several processes at once (concurrent uploads, a task worker killed mid-job)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
PASSWORD = "correct horse battery staple"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server process: its own data dir, jobs on the task queue (not inline)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COUNTYEDU_JOBS_SYNC", "DJANGO_SETTINGS_MODULE")}
    env.update(COUNTYEDU_DATA=str(data_dir), SECURE_SSL="false", **extra)
    return env


def django_script(data_dir: Path, code: str, **extra: str) -> str:
    """Run Python with Django set up on the data dir (as the server sees it); its stdout."""
    prelude = "import django, os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'countyedu.web.settings'\ndjango.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=server_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


USERS_SCRIPT = """
from django.contrib.auth.models import User
from countyedu.web.models import Membership, Role
from countyedu.web import actions
admin = User.objects.create_user('admin', password={password!r})
Membership.objects.create(user=admin, role=Role.BUREAU_ADMIN)
for school in {schools!r}:
    u = User.objects.create_user('clerk_' + school.lower(), password={password!r})
    Membership.objects.create(user=u, role=Role.SCHOOL, school_id=school)
print(actions.do_open_round({year}, '', acting_user=admin).pk)
"""


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]
    round_pk: int = 0

    def script(self, code: str) -> str:
        return django_script(self.data_dir, code, **self.env)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def own_database() -> Iterator[dict[str, str]]:
    """On PostgreSQL ($DATABASE_URL), a fresh database for one server, dropped after it (the tests'
    own database and other servers' stay apart); on SQLite, nothing (the data dir holds it)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {}
        return
    import psycopg

    name = f"countyedu_live_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    parts = urllib.parse.urlparse(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": parts._replace(path=f"/{name}").geturl()}
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(
    tmp: Path, *, schools: tuple[str, ...] = ("P1", "N1"), year: int = 2025, args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """`countyedu serve` on a fresh data dir holding the hand county, with one clerk per school and an
    open round; stopped (Ctrl-C, then the whole process group) on exit."""
    data_dir = tmp / "data"
    import_census(HAND, CensusStore(data_dir))
    port = free_port()
    log = tmp / "serve.log"
    with own_database() as extra:
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(BIN / "countyedu"), "serve", "--data-dir", str(data_dir), "--port", str(port), *args],
                env=server_env(data_dir, **extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}", data_dir, process, log, extra)
        try:
            wait_until_up(server)
            script = USERS_SCRIPT.format(password=PASSWORD, schools=schools, year=year)
            server.round_pk = int(server.script(script).split()[-1])
            yield server
        finally:
            stop(process)


def wait_until_up(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"countyedu serve exited {server.process.returncode}:\n{server.log_text()[-3000:]}")
        try:
            urllib.request.urlopen(server.url + "/login/", timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise AssertionError(f"countyedu serve did not answer in {timeout:.0f} s:\n{server.log_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Ctrl-C to the server (it stops its workers), then anything of its group still alive is killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    body: bytes
    location: str


class Browser:
    """A logged-in user: cookies, the CSRF token, form posts and file uploads (no redirects followed)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        req = urllib.request.Request(
            self.base + path, data=data, headers={"Referer": self.base + "/", **(headers or {})}
        )
        try:
            with self.opener.open(req, timeout=120) as r:
                return Answer(r.status, r.read(), r.headers.get("Location", ""))
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.read(), e.headers.get("Location", ""))

    def get(self, path: str) -> Answer:
        return self.request(path)

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def login(self, username: str, password: str = PASSWORD) -> Browser:
        page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, page.body[:500]
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
        ).encode()
        answer = self.request("/login/", data, {"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == 302, (answer.status, answer.body[:500])
        return self

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.request(path, data, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, name: str, content: bytes) -> Answer:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.csrf()}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
            + content
            + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
        return self.request(path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

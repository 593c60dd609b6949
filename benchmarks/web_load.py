"""The web load test of `make bench`: the real `countyedu serve` on the demo county, with school
clerks uploading their school's workbook and county officials reading pages, driven by locust.

    python -m benchmarks.web_load --data-dir DIR [--seconds 300] [--clerks 50] [--officials 20]

DIR holds a demo county (`countyedu demo`); DATABASE_URL chooses PostgreSQL (else SQLite in DIR).
It makes the accounts and opens the 2026 collection round, starts `countyedu serve` (default
processes: one gunicorn worker and one task worker per core), runs locust headless on loopback: a
warm-up of WARMUP seconds while the users arrive (2 a second) and log in, then the measured time;
stops the server, and prints one JSON line: per kind of request, the count, errors, p50 and p95 (the
log-ins of the warm-up included, the other requests of the measured time only). The locust users
(this file is also the locustfile):

- a clerk logs in, downloads the pre-filled workbook of their school for the round (the template
  link of the round page), waits a random 0–60 s, then uploads it, follows the check on the
  submission page (polling the job once a second as the page does, then reloading the page), and
  waits 30–60 s before uploading again;
- an official (county leadership) logs in and reads one page after another — county, a stage, a
  township, a school, the map, planning, funding, an explanation linked from the county page — with
  a think time of OFFICIAL_THINK seconds between pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROUND_YEAR = 2026
PASSWORD = "load-test-2026"
CLERK_THINK = (30.0, 60.0)  # seconds between two uploads of one clerk
OFFICIAL_THINK = (1.0, 3.0)  # seconds between two pages of one official
WARMUP = 90  # seconds for the users to arrive (2 a second) and log in, not measured (but the log-ins)
PAGE_KINDS = ("county", "stage", "township", "school", "map", "planning", "funding", "explain", "submission")

PREPARE = """
import json
from django.contrib.auth.models import User
from django.core.management import call_command
from countyedu.web import actions, census
from countyedu.web.models import CollectionRound, Membership, Role
call_command("migrate", interactive=False, verbosity=0)
admin, _ = User.objects.get_or_create(username="load-admin")
admin.set_password({password!r}); admin.save()
Membership.objects.update_or_create(user=admin, defaults={{"role": Role.BUREAU_ADMIN}})
version = census.latest_version()
schools = census.schools_by_id(version)
townships = sorted(census.townships_by_id(version))
open_ = sorted(s for s, r in schools.items() if not r.get("closed_year"))
clerks = {{}}
for i, school in enumerate(open_[:{clerks}]):
    u, _ = User.objects.get_or_create(username=f"clerk{{i:03d}}")
    u.set_password({password!r}); u.save()
    Membership.objects.update_or_create(user=u, defaults={{"role": Role.SCHOOL, "school_id": school}})
    clerks[u.username] = school
officials = []
for i in range({officials}):
    u, _ = User.objects.get_or_create(username=f"official{{i:02d}}")
    u.set_password({password!r}); u.save()
    Membership.objects.update_or_create(user=u, defaults={{"role": Role.LEADERSHIP}})
    officials.append(u.username)
r = CollectionRound.objects.filter(year={year}, status="open").first()
r = r or actions.do_open_round({year}, "load test", acting_user=admin)
print(json.dumps({{"round": r.pk, "clerks": clerks, "officials": officials, "townships": townships, "schools": open_}}))
"""


# ------------------------------------------------------------------------------------ locust users

try:
    from locust import HttpUser, between, events, task
except ImportError:  # the driver below runs without locust; only the locust process needs it
    HttpUser = object  # type: ignore[assignment,misc]
else:
    CONFIG: dict[str, Any] = json.loads(Path(os.environ.get("COUNTYEDU_LOAD_CONFIG", "/dev/null")).read_text() or "{}")
    SAMPLES: list[tuple[str, float, bool]] = []
    FAILURES: list[str] = []
    _free_clerks = sorted(CONFIG.get("clerks", {}))

    MEASURE_FROM = float(os.environ.get("COUNTYEDU_LOAD_MEASURE_FROM", "0"))

    @events.request.add_listener
    def _record(name: str, response_time: float, exception: Any, **kw: Any) -> None:
        # the log-ins and first downloads of the warm-up are kept; other requests from the end of it
        if name in ("login", "template") or time.time() >= MEASURE_FROM:
            SAMPLES.append((name, response_time, exception is not None))
            if exception is not None and len(FAILURES) < 20:
                FAILURES.append(f"{name}: {exception!r}"[:300])

    @events.quitting.add_listener
    def _dump(**kw: Any) -> None:
        Path(os.environ["COUNTYEDU_LOAD_SAMPLES"]).write_text(json.dumps({"samples": SAMPLES, "failures": FAILURES}))

    def _login(user: Any, username: str) -> None:
        page = user.client.get("/login/", name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with user.client.post(
            "/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": user.host + "/login/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login of {username}: {r.status_code}")

    class Clerk(HttpUser):  # type: ignore[valid-type,misc]
        fixed_count = int(CONFIG.get("n_clerks", 0))
        wait_time = between(*CLERK_THINK)

        def on_start(self) -> None:
            self.username = _free_clerks.pop()
            self.school = CONFIG["clerks"][self.username]
            _login(self, self.username)
            base = f"/collection/{CONFIG['round']}/schools/{self.school}"
            self.upload_url = base + "/upload/"
            self.workbook = self.client.get(base + "/template.xlsx", name="template").content
            time.sleep(random.uniform(0, 60))  # the clerks do not all start at the same second

        @task
        def upload(self) -> None:
            started = time.monotonic()
            with self.client.post(
                self.upload_url,
                data={"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")},
                files={"file": (f"{self.school}-{ROUND_YEAR}.xlsx", self.workbook)},
                headers={"Referer": self.host + self.upload_url},
                name="upload",
                allow_redirects=False,
                catch_response=True,
            ) as r:
                m = re.search(r"/submissions/(\d+)/\?job=(\d+)", r.headers.get("Location", ""))
                if r.status_code != 302 or not m:
                    r.failure(f"upload answered {r.status_code} {r.headers.get('Location')}")
                    return
            sub, job = m.groups()
            self.client.get(f"/submissions/{sub}/?job={job}", name="submission")
            state: dict[str, Any] = {}
            while time.monotonic() - started < 300:
                state = self.client.get(f"/jobs/{job}/", name="job status").json()
                if state.get("finished"):
                    break
                time.sleep(1.0)
            events.request.fire(
                request_type="JOB",
                name="check (upload to result)",
                response_time=(time.monotonic() - started) * 1000,
                response_length=0,
                exception=None if state.get("status") == "done" else RuntimeError(str(state)[:300]),
                context={},
            )
            self.client.get(f"/submissions/{sub}/", name="submission")

    class Official(HttpUser):  # type: ignore[valid-type,misc]
        fixed_count = int(CONFIG.get("n_officials", 0))
        wait_time = between(*OFFICIAL_THINK)

        def on_start(self) -> None:
            _login(self, CONFIG["officials"][random.randrange(len(CONFIG["officials"]))])
            county = self.client.get("/county/", name="county").text
            self.explain = sorted(set(re.findall(r'href="(/explain/[^"]+)"', county))) or ["/county/"]

        @task
        def read(self) -> None:
            kind = random.choice(PAGE_KINDS[:-1])
            path = {
                "county": "/county/",
                "stage": f"/stage/{random.choice(('kindergarten', 'primary', 'junior', 'high'))}/",
                "township": f"/township/{random.choice(CONFIG['townships'])}/",
                "school": f"/school/{random.choice(CONFIG['schools'])}/",
                "map": "/map/",
                "planning": "/planning/",
                "funding": "/funding/",
                "explain": random.choice(self.explain).replace("&amp;", "&"),
            }[kind]
            self.client.get(path, name=kind)


# ------------------------------------------------------------------------------------------ driver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    xs = sorted(values)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))] if xs else float("nan")


def summarise(samples: list[tuple[str, float, bool]]) -> dict[str, dict[str, float]]:
    """Per kind of request, and for all pages together: count, errors, p50 and p95 (ms)."""
    kinds: dict[str, list[tuple[float, bool]]] = {}
    for name, ms, failed in samples:
        kinds.setdefault(name, []).append((ms, failed))
        if name in PAGE_KINDS:
            kinds.setdefault("all pages", []).append((ms, failed))
    return {
        k: {
            "requests": len(v),
            "errors": sum(f for _ms, f in v),
            "p50": _percentile([ms for ms, _f in v], 0.50),
            "p95": _percentile([ms for ms, _f in v], 0.95),
        }
        for k, v in kinds.items()
    }


def run(
    data_dir: Path, seconds: int, clerks: int, officials: int, serve_args: list[str], warmup: int = WARMUP
) -> dict[str, Any]:
    env = {**os.environ, "COUNTYEDU_DATA": str(data_dir), "SECURE_SSL": "false"}
    env.pop("COUNTYEDU_JOBS_SYNC", None)
    prelude = "import django, os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'countyedu.web.settings'\ndjango.setup()\n"
    code = PREPARE.format(password=PASSWORD, clerks=clerks, officials=officials, year=ROUND_YEAR)
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    config = json.loads(done.stdout.strip().splitlines()[-1])
    config.update(n_clerks=len(config["clerks"]), n_officials=officials)
    work = data_dir.parent
    (work / "load-config.json").write_text(json.dumps(config))
    port = _free_port()
    log = work / f"serve-{port}.log"
    with log.open("wb") as fh:
        server = subprocess.Popen(
            [sys.executable, "-m", "countyedu", "serve", "--data-dir", str(data_dir), "--port", str(port), *serve_args],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.time() + 180
        while "Booting worker" not in log.read_text(errors="replace"):
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"countyedu serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        time.sleep(2)
        users = config["n_clerks"] + officials
        samples = work / "load-samples.json"
        locust = subprocess.run(
            [
                str(Path(sys.executable).with_name("locust")),
                "-f",
                __file__,
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "-u",
                str(users),
                "-r",
                "2",
                "-t",
                f"{warmup + seconds}s",
                "--stop-timeout",
                "30",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **env,
                "COUNTYEDU_LOAD_CONFIG": str(work / "load-config.json"),
                "COUNTYEDU_LOAD_SAMPLES": str(samples),
                "COUNTYEDU_LOAD_MEASURE_FROM": str(time.time() + warmup),
            },
            capture_output=True,
            text=True,
        )
        if not samples.exists():
            raise RuntimeError(f"locust failed ({locust.returncode}):\n{locust.stderr[-3000:]}")
        recorded = json.loads(samples.read_text())
        stats = summarise([tuple(s) for s in recorded["samples"]])  # type: ignore[misc]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    cores = len(os.sched_getaffinity(0))
    return {
        "stats": stats,
        "seconds": seconds,
        "warmup": warmup,
        "clerks": config["n_clerks"],
        "officials": officials,
        "server_errors": text.count("Traceback"),
        "failures": recorded["failures"],
        "processes": serve_args or [f"--workers {cores}", f"--task-workers {cores}"],
        "database": "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True, help="a demo county's data dir (copied, not changed)")
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--clerks", type=int, default=50)
    ap.add_argument("--officials", type=int, default=20)
    ap.add_argument("serve_args", nargs="*", help="more options of countyedu serve, after --")
    args = ap.parse_args()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"countyedu-load-{os.getpid()}"
    shutil.copytree(args.data_dir, work / "data", ignore=shutil.ignore_patterns("web.sqlite3*", "uploads"))
    try:
        print(json.dumps(run(work / "data", args.seconds, args.clerks, args.officials, args.serve_args)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Every role (and anonymous) × every data collection endpoint × GET and POST, with the expected
status written out. Each request runs in a savepoint that is rolled back, so every cell starts from
the same state: an open 2025 round, P1's draft submission (uploaded by its clerk), a job of P1's clerk.

Reading the table: 200 page (the online form, posted empty, comes back with its errors), 302 the action ran or was refused with a message (then a redirect back),
403 the user may see but not do this, 404 the user may not see it (or has no role), 405 wrong method,
LOGIN redirect to the login page (anonymous)."""

from __future__ import annotations

from collection_support import submission
from django.db import transaction
from django.test import Client
from django.urls import reverse

from countyedu.web.jobs import start_job

LOGIN = "login"
USERS = ("admin", "planner", "leader", "t1", "t2", "clerk_p1", "clerk_n1", "nobody", "anonymous")
ALL_405 = (405, 405, 405, 405, 405, 405, 405, 405, LOGIN)

# fmt: off
EXPECTED = {
    #                                  admin planner leader t1   t2   clerk_p1 clerk_n1 nobody anonymous
    ("rounds", "GET"):                (200,  200,    200,   200, 200, 200,     200,     404,   LOGIN),
    ("rounds", "POST"):               ALL_405,
    ("round_open", "GET"):            ALL_405,
    ("round_open", "POST"):           (302,  302,    403,   403, 403, 403,     403,     404,   LOGIN),
    ("round_detail", "GET"):          (200,  200,    200,   404, 404, 404,     404,     404,   LOGIN),
    ("round_detail", "POST"):         ALL_405,
    ("round_close", "GET"):           ALL_405,
    ("round_close", "POST"):          (302,  302,    403,   403, 403, 403,     403,     404,   LOGIN),
    ("submission_template", "GET"):   (200,  200,    200,   200, 404, 200,     404,     404,   LOGIN),
    ("submission_template", "POST"):  ALL_405,
    ("submission_upload", "GET"):     ALL_405,
    ("submission_upload", "POST"):    (302,  403,    403,   403, 403, 302,     404,     404,   LOGIN),
    ("submission_form", "GET"):       (200,  403,    403,   403, 403, 200,     404,     404,   LOGIN),
    ("submission_form", "POST"):      (200,  403,    403,   403, 403, 200,     404,     404,   LOGIN),
    ("submission_detail", "GET"):     (200,  200,    200,   200, 404, 200,     404,     404,   LOGIN),
    ("submission_detail", "POST"):    ALL_405,
    ("submission_submit", "GET"):     ALL_405,
    ("submission_submit", "POST"):    (302,  403,    403,   403, 403, 302,     404,     404,   LOGIN),
    ("submission_review", "GET"):     (200,  200,    200,   200, 404, 200,     404,     404,   LOGIN),
    ("submission_review", "POST"):    ALL_405,
    ("submission_approve", "GET"):    ALL_405,
    ("submission_approve", "POST"):   (302,  302,    403,   403, 403, 403,     403,     404,   LOGIN),
    ("submission_return", "GET"):     ALL_405,
    ("submission_return", "POST"):    (302,  302,    403,   403, 403, 403,     403,     404,   LOGIN),
    ("job_status", "GET"):            (200,  200,    200,   404, 404, 200,     404,     404,   LOGIN),
    ("job_status", "POST"):           ALL_405,
    ("audit", "GET"):                 (200,  200,    200,   404, 404, 404,     404,     404,   LOGIN),
    ("audit", "POST"):                ALL_405,
}
# fmt: on


def outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


class TestRoleMatrix:
    def test_it_gives_every_role_the_expected_status_on_every_endpoint(self, users):
        sub = submission(users, "draft")
        job = start_job("test", lambda progress: None, user=users["clerk_p1"])
        args = {
            "rounds": [],
            "round_open": [],
            "round_detail": [sub.round.pk],
            "round_close": [sub.round.pk],
            "submission_template": [sub.round.pk, "P1"],
            "submission_upload": [sub.round.pk, "P1"],
            "submission_form": [sub.round.pk, "P1"],
            "submission_detail": [sub.pk],
            "submission_submit": [sub.pk],
            "submission_review": [sub.pk],
            "submission_approve": [sub.pk],
            "submission_return": [sub.pk],
            "job_status": [job.pk],
            "audit": [],
        }
        data = {"round_open": {"year": "2026"}, "submission_return": {"comment": "请核对"}}
        assert {name for name, _method in EXPECTED} == set(args)

        got = {}
        for name, method in EXPECTED:
            url = reverse(f"web:{name}", args=args[name])
            for who in USERS:
                client = Client()
                with transaction.atomic():
                    if who != "anonymous":
                        client.force_login(users[who])
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, data.get(name, {}))
                    transaction.set_rollback(True)
                got[(name, method, who)] = outcome(response)
        wrong = [
            (name, method, who, got[(name, method, who)], want)
            for (name, method), row in EXPECTED.items()
            for who, want in zip(USERS, row, strict=True)
            if got[(name, method, who)] != want
        ]
        assert wrong == [], "\n".join(f"{n} {m} {w}: got {g}, want {e}" for n, m, w, g, e in wrong)

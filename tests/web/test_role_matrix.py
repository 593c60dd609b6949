"""Every role (and anonymous) × every data collection endpoint × GET and POST, with the expected
status written out. Each request runs in a savepoint that is rolled back, so every cell starts from
the same state: an open 2025 round, P1's draft submission (uploaded by its clerk), a job of P1's clerk.

Reading the table: 200 page (the online form, posted empty, comes back with its errors), 302 the action ran or was refused with a message (then a redirect back),
403 the user may see but not do this, 404 the user may not see it (or has no role), 405 wrong method,
LOGIN redirect to the login page (anonymous)."""

from __future__ import annotations

import pytest
from collection_support import submission
from dash_support import hand_data_dir
from django.db import transaction
from django.test import Client
from django.urls import reverse

from countyedu.web import census as census_data
from countyedu.web.jobs import start_job

LOGIN = "login"


def nothing(progress):
    return None


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
    ("submission_recheck", "GET"):    ALL_405,
    ("submission_recheck", "POST"):   (302,  403,    403,   403, 403, 302,     404,     404,   LOGIN),
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
        job = start_job("test", nothing, user=users["clerk_p1"])
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
            "submission_recheck": [sub.pk],
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


# ------------------------------------------------------------------ rows of explanations (issue 10, item 5)
# The hand county: T1 琴城镇 holds the schools K1 K2 K3 P1 J1 H1 V1 and the communities C1 人民路社区 and
# C2 水北村; T2 太源乡 holds N1 and TP1 and C3 太源村.
SCOPES = {
    "t1": ({"K1", "K2", "K3", "P1", "J1", "H1", "V1"}, {"T1"}, {"C1", "C2"}),
    "t2": ({"N1", "TP1"}, {"T2"}, {"C3"}),
    "clerk_p1": ({"P1"}, {"T1"}, {"C1"}),
    "clerk_n1": ({"N1"}, {"T2"}, {"C3"}),
}
TOWNSHIP_RESULTS = [
    ("T-PRE-5", "kindergarten"),
    ("PP-1", None),
    ("T-PRE-2", None),
    ("B-1-VILLAGE-KG", None),
    ("T-PRE-3", None),
    ("T-CMP-3", None),
]
SCHOOL_RESULTS = [("QB-G4", None), ("T-CMP-2", None), ("QB-R-SCHOOL", None), ("QB-R4", None)]


def _outside(records: list[dict], who: str) -> list[dict]:
    """The rows naming a school, township or community the user may not read."""
    schools, townships, communities = SCOPES[who]
    allowed = {
        "school_id": schools,
        "junior_school_id": schools,
        "township_id": townships,
        "community_id": communities,
    }
    return [
        rec
        for rec in records
        if any(rec.get(k) is not None and rec[k] not in ids for k, ids in allowed.items())
        or ("unit" in rec and rec.get("indicator") and rec["unit"] not in schools | townships)
    ]


class TestExplanationRows:
    """A township official reads only the rows of their township, a clerk only their school's, on the
    explanation page and in the API; the county's readers still read every row."""

    @pytest.fixture(autouse=True)
    def _hand(self, settings):
        settings.DATA_DIR = hand_data_dir()
        census_data.forget()
        yield
        census_data.forget()

    def _units(self, who: str) -> list[tuple[str, str, str | None]]:
        if who.startswith("t"):
            # T2 has no kindergarten: T-PRE-2 and B-1-VILLAGE-KG (communities served by one) have no result there
            skip = {"T-PRE-2", "B-1-VILLAGE-KG"} if who == "t2" else set()
            return [(ind, who.upper(), stage) for ind, stage in TOWNSHIP_RESULTS if ind not in skip]
        school = who.split("_")[1].upper()
        return [(ind, school, stage) for ind, stage in SCHOOL_RESULTS]

    def test_the_api_gives_each_reader_rows_of_their_scope_only(self, client, users):
        for who in SCOPES:
            client.force_login(users[who])
            for indicator, unit, stage in self._units(who):
                query = {"unit": unit, "year": 2024} | ({"stage": stage} if stage else {})
                r = client.get(f"/api/explain/{indicator}/", query)
                assert r.status_code == 200, (who, indicator, r.status_code)
                d = r.json()
                rows = d["contributions"] + [rec for s in d["sources"].values() for rec in s["shown"]]
                assert rows, (who, indicator)
                assert _outside(rows, who) == [], (who, indicator)

    def test_a_township_official_reads_their_communities_and_population_only(self, client, users):
        client.force_login(users["t1"])
        d = client.get("/api/explain/T-PRE-5/", {"unit": "T1", "year": 2024, "stage": "kindergarten"}).json()
        src = d["sources"]
        assert src["communities"]["rows"] == 2
        assert [c["name"] for c in src["communities"]["shown"]] == ["人民路社区", "水北村"]
        assert src["population"]["rows"] == 12  # six ages × C1 and C2
        assert {p["community_id"] for p in src["population"]["shown"]} == {"C1", "C2"}
        # the numbers are T1's: 190 kindergarten pupils over 180 children aged 3–5 (C1 120 + C2 60)
        assert (d["numerator"], d["denominator"]) == (190, 180)
        client.force_login(users["t2"])
        d = client.get("/api/explain/T-PRE-3/", {"unit": "T2", "year": 2024}).json()
        assert [t["township_id"] for t in d["sources"]["townships"]["shown"]] == ["T2"]
        assert {s["school_id"] for s in d["sources"]["schools"]["shown"]} == {"N1", "TP1"}

    def test_the_page_shows_a_township_official_their_rows_only(self, client, users):
        client.force_login(users["t1"])
        html = client.get("/explain/T-PRE-5/", {"unit": "T1", "year": 2024, "stage": "kindergarten"}).content.decode()
        # rows name their place, with its id as the cell's tooltip (issue 11: names, not ids)
        assert '<td title="C1">人民路社区</td>' in html and '<td title="C2">水北村</td>' in html
        assert "太源村" not in html and '"C3"' not in html and '"T2"' not in html and ">C3<" not in html
        html = client.get("/explain/T-PRE-3/", {"unit": "T1", "year": 2024}).content.decode()
        assert '<td title="T1">琴城镇</td>' in html and "太源乡" not in html and '"N1"' not in html

    def test_the_county_reads_every_row(self, client, users):
        client.force_login(users["leader"])
        d = client.get("/api/explain/T-PRE-5/", {"year": 2024, "stage": "kindergarten"}).json()
        assert d["sources"]["communities"]["rows"] == 3 and d["sources"]["population"]["rows"] == 18

    def test_a_township_officials_report_and_results_hold_their_rows_only(self, client, users):
        import io

        import openpyxl

        client.force_login(users["t1"])
        r = client.get("/report/township/T1.xlsx")
        assert r.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
        assert {"K1", "P1", "J1"} <= cells and "琴城第一小学" in cells
        assert not {"N1", "TP1", "T2", "太源学校", "太源乡", "太源村教学点"} & cells
        results = client.get("/api/results/", {"year": 2024}).json()["results"]
        assert results and {r["unit"] for r in results} <= SCOPES["t1"][0] | {"T1"}

"""The whole collection, end to end, through the pages: the bureau opens a round for 2025 → P1's
clerk downloads the pre-filled sheet → uploads it with a negative pupils count and sees the located
error → uploads a corrected file → submits → the planning office reviews the diff and approves → a
new census version holds P1's 2025 classes and every other school's rows as they were; the audit
log has each step with before and after.

An approval writes a census version, which would outlive the test in the session's store and change
what every later test reads as the latest census; so this test has a data dir of its own, holding a
fresh import of the hand county. The checks still compare the versions before and after the approval
rather than naming them."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from collection_support import edit, upload
from django.urls import reverse

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.web import census as census_data
from countyedu.web.models import AuditLog, CollectionRound, Job, Submission

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"


@pytest.fixture
def own_census(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    import_census(HAND, CensusStore(tmp_path))
    census_data.forget()
    yield
    census_data.forget()


def classes(version):
    return census_data.store().frames(version, ["classes"])["classes"]


class TestCollectionFlow:
    def test_it_turns_an_approved_submission_into_a_census_version(self, client, users, own_census):
        store = census_data.store()
        before = store.latest().version_id

        # the bureau opens the round
        client.force_login(users["admin"])
        client.post(reverse("web:round_open"), {"year": "2025", "note": "2025 年秋季学期报表"})
        rnd = CollectionRound.objects.get(year=2025, status="open")

        # the clerk downloads P1's sheet: an xlsx with P1's rows only
        client.force_login(users["clerk_p1"])
        assert (
            reverse("web:submission_template", args=[rnd.pk, "P1"])
            in client.get(reverse("web:rounds")).content.decode()
        )
        r = client.get(reverse("web:submission_template", args=[rnd.pk, "P1"]))
        assert r.content[:2] == b"PK"
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        ids = {
            ws.cell(row=i, column=1 if ws.title != "教师" else 2).value for ws in wb for i in range(2, ws.max_row + 1)
        }
        assert ids == {"P1"}
        template = r.content

        # an upload with one error: the page lists it with sheet, row and column
        bad = edit(template, "班级", 4, "pupils", -3)  # P2-1 is Excel row 4
        r = client.post(reverse("web:submission_upload", args=[rnd.pk, "P1"]), {"file": upload(bad)}, follow=True)
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "invalid"
        assert [(p["sheet"], p["row"], p["column"], p["value"]) for p in r.context["errors"]] == [
            ("班级", 4, "pupils", -3)
        ]
        assert "<td>班级</td>" in r.content.decode() and "不能为负数" in r.content.decode()

        # the corrected file: P2-1 has 46 pupils now; then submit
        good = edit(template, "班级", 4, "pupils", 46)
        client.post(reverse("web:submission_upload", args=[rnd.pk, "P1"]), {"file": upload(good)})
        sub.refresh_from_db()
        assert sub.status == "draft"
        client.post(reverse("web:submission_submit", args=[sub.pk]))
        sub.refresh_from_db()
        assert sub.status == "submitted"

        # the planning office reviews and approves
        client.force_login(users["planner"])
        diff = client.get(reverse("web:submission_review", args=[sub.pk])).context["diff"]
        assert diff.grades["P2"] == (1, 1, 44, 46)
        r = client.post(reverse("web:submission_approve", args=[sub.pk]))
        sub.refresh_from_db()
        assert sub.status == "approved" and sub.reviewed_by == users["planner"]
        job = Job.objects.get(kind="assessment", created_by=users["planner"])
        assert r["Location"] == reverse("web:submission_detail", args=[sub.pk]) + f"?job={job.pk}"
        assert job.status == "done" and job.result["census_version"] == sub.census_version  # ran inline
        page = client.get(r["Location"])
        assert page.context["job"] == job and 'class="progress"' in page.content.decode()
        assert client.get(reverse("web:job_status", args=[job.pk])).json()["status"] == "done"
        assert census_data.assessment(sub.census_version) is not None

        # a new census version: P1's 2025 classes; every other row as it was
        after = store.latest().version_id
        assert after == sub.census_version and after != before
        old, new = classes(before), classes(after)
        p1 = new[(new.school_id == "P1") & (new.year == 2025)].sort_values(["grade", "class_no"])
        assert p1[["grade", "class_no", "pupils"]].values.tolist() == [
            ["P1", 1, 45],
            ["P1", 2, 58],
            ["P2", 1, 46],
            ["P3", 1, 40],
            ["P4", 1, 42],
            ["P5", 1, 41],
            ["P6", 1, 40],
        ]
        rest = new[~((new.school_id == "P1") & (new.year == 2025))]
        key = ["school_id", "year", "grade", "class_no"]
        assert (
            rest.sort_values(key)
            .reset_index(drop=True)
            .equals(old[~((old.school_id == "P1") & (old.year == 2025))].sort_values(key).reset_index(drop=True))
        )
        assert set(new[new.school_id != "P1"]["year"]) == set(old[old.school_id != "P1"]["year"])

        # the audit log: every step, who, before and after
        steps = [
            (a.action, a.actor.username, (a.before or {}).get("status"), a.after["status"])
            for a in AuditLog.objects.order_by("at", "id")
        ]
        assert steps == [
            ("open_round", "admin", None, "open"),
            ("upload_submission", "clerk_p1", None, "invalid"),
            ("upload_submission", "clerk_p1", "invalid", "draft"),
            ("submit_submission", "clerk_p1", "draft", "submitted"),
            ("approve_submission", "planner", "submitted", "approved"),
        ]
        approval = AuditLog.objects.get(action="approve_submission")
        assert (approval.before["census_version"], approval.after["census_version"]) == ("", after)

"""POST /collection/<round>/schools/<school>/upload/ — the clerk uploads; every located problem is listed."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import openpyxl
import pytest
from collection_support import (
    edit,
    login_redirect,
    open_round,
    rewrite_part,
    set_raw,
    sheet_part,
    submission,
    template_bytes,
    upload,
)
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from countyedu.web import actions, collection, uploads
from countyedu.web.actions import ActionRefused
from countyedu.web.models import AuditLog, Job, Submission


def url(r, school="P1"):
    return reverse("web:submission_upload", args=[r.pk, school])


class TestUpload:
    def test_it_stores_and_checks_a_good_file_as_a_draft(self, client, users):
        rnd = open_round(users)
        data = template_bytes(users, rnd)
        client.force_login(users["clerk_p1"])
        r = client.post(url(rnd), {"file": upload(data)})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert r.status_code == 302 and r["Location"] == reverse("web:submission_detail", args=[sub.pk])
        assert sub.status == "draft" and sub.file_name == "P1-2025.xlsx" and sub.uploaded_by == users["clerk_p1"]
        assert [p for p in sub.problems if p["severity"] == "error"] == []
        assert default_storage.exists(sub.file.name) and sub.file.name.startswith("submissions/")
        log = AuditLog.objects.get(action="upload_submission", object_id=str(sub.pk))
        assert log.before is None and log.after["status"] == "draft" and log.after["sha256"] == sub.sha256

    def test_it_lists_every_located_problem(self, client, users):
        rnd = open_round(users)
        data = edit(template_bytes(users, rnd), "班级", 3, "pupils", -7)  # P1-2 in Excel row 3
        data = edit(data, "教师", 2, "year", 2024)
        client.force_login(users["clerk_p1"])
        r = client.post(url(rnd), {"file": upload(data)}, follow=True, headers={"accept-language": "en"})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "invalid"
        found = {(p["sheet"], p["row"], p["column"], p["value"]) for p in sub.problems if p["severity"] == "error"}
        assert ("班级", 3, "pupils", -7) in found
        assert ("教师", 2, "year", 2024) in found  # not the round's year
        page = r.content.decode()
        assert "must not be negative" in page and "不能为负数" in page and "<td>班级</td>" in page
        assert "not the school year of this submission (2025)" in page

    def test_it_replaces_an_invalid_file_with_a_corrected_one(self, client, users):
        sub = submission(users, "invalid")
        client.force_login(users["clerk_p1"])
        client.post(url(sub.round), {"file": upload(template_bytes(users, sub.round))})
        sub.refresh_from_db()
        assert sub.status == "draft" and not [p for p in sub.problems if p["severity"] == "error"]
        log = AuditLog.objects.filter(action="upload_submission", object_id=str(sub.pk)).first()
        assert (log.before["status"], log.after["status"]) == ("invalid", "draft")

    def test_it_reports_a_file_that_is_not_a_workbook(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        client.post(url(rnd), {"file": upload(b"school_id,year\nP1,2025\n", "p1.csv")})
        sub = Submission.objects.get(round=rnd)
        assert sub.status == "invalid" and sub.problems[0]["rule"] == "not_xlsx"
        assert sub.problems[0]["sheet"] == "p1.csv" and "p1.csv" in sub.problems[0]["message_en"]

    def test_it_refuses_a_submitted_file_being_replaced(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["clerk_p1"])
        r = client.post(url(sub.round), {"file": upload(b"x")}, follow=True, headers={"accept-language": "en"})
        assert "can no longer be replaced" in r.content.decode()
        assert Submission.objects.get(pk=sub.pk).sha256 == sub.sha256

    def test_it_refuses_an_upload_without_a_file(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        assert client.post(url(rnd)).status_code == 302
        assert not Submission.objects.exists()

    def test_it_lets_the_bureau_admin_upload_for_a_school(self, client, users):
        rnd = open_round(users)
        data = template_bytes(users, rnd, "N1")
        client.force_login(users["admin"])
        client.post(url(rnd, "N1"), {"file": upload(data, "N1.xlsx")})
        sub = Submission.objects.get(round=rnd, school_id="N1")
        assert sub.status == "draft" and sub.uploaded_by == users["admin"]

    def test_it_is_not_found_for_another_schools_clerk(self, client, users):
        rnd = open_round(users)
        data = template_bytes(users, rnd)
        client.force_login(users["clerk_n1"])
        assert client.post(url(rnd), {"file": upload(data)}).status_code == 404
        assert not Submission.objects.exists()

    def test_it_refuses_read_only_users(self, client, users):
        rnd = open_round(users)
        data = template_bytes(users, rnd)
        for name in ("leader", "planner", "t1"):
            client.force_login(users[name])
            assert client.post(url(rnd), {"file": upload(data)}).status_code == 403, name
        assert not Submission.objects.exists()

    def test_it_sends_anonymous_users_to_login(self, client, users):
        rnd = open_round(users)
        assert login_redirect(client.post(url(rnd), {"file": upload(b"x")}))
        assert not Submission.objects.exists()


class TestBackgroundCheck:
    """With the task queue (not COUNTYEDU_JOBS_SYNC) the upload answers at once: the file and the
    submission row are stored (status checking), a "check" job is queued for a task worker, the page
    shows its progress; a task worker then runs it."""

    @pytest.mark.django_db(transaction=True)  # the task worker closes its connection when done, as in production
    def test_it_answers_at_once_and_the_page_follows_the_job(self, client, users, settings, monkeypatch):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        rnd = open_round(users)
        data = edit(template_bytes(users, rnd), "班级", 3, "pupils", -7)
        client.force_login(users["clerk_p1"])
        r = client.post(url(rnd), {"file": upload(data)}, headers={"accept-language": "en"})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        job = Job.objects.get(kind="check")
        assert job.status == "queued" and job.created_by == users["clerk_p1"] and job.work.endswith("actions._check")
        assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
        assert r.status_code == 302
        assert r["Location"] == reverse("web:submission_detail", args=[sub.pk]) + f"?job={job.pk}"
        assert sub.status == "checking" and sub.problems == [] and default_storage.exists(sub.file.name)
        assert not AuditLog.objects.filter(action="upload_submission").exists()  # only once the result is stored
        page = client.get(r["Location"], headers={"accept-language": "en"}).content.decode()
        assert 'id="job-bar"' in page and reverse("web:job_status", args=[job.pk]) in page
        assert "Checking the uploaded file" in page and "being checked" in page
        assert "The checks found no errors" not in page and "Submit for review" not in page
        # while it is checked the file cannot be submitted
        with pytest.raises(ActionRefused) as exc:
            actions.do_submit_submission(sub, acting_user=users["clerk_p1"])
        assert exc.value.message_en.startswith("The file is still being checked")

        # a task worker runs it: progress through the stages, then the located problems with their audit row
        messages = []
        stage = actions._check_stage

        def heard(message):
            fraction, text = stage(message)
            messages.append(text)
            return fraction, text

        monkeypatch.setattr(actions, "_check_stage", heard)
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
        job.refresh_from_db()
        sub.refresh_from_db()
        assert job.status == "done" and job.progress == 1.0 and job.result["status"] == "invalid"
        assert messages[0] == "Reading the workbook" and "Checking sheet 班级" in messages
        assert "Checking references against the census" not in messages  # sheet errors stop the check there
        assert sub.status == "invalid" and ("班级", 3, "pupils", -7) in {
            (p["sheet"], p["row"], p["column"], p["value"]) for p in sub.problems
        }
        log = AuditLog.objects.get(action="upload_submission", object_id=str(sub.pk))
        assert log.actor == users["clerk_p1"] and log.before is None and log.after["status"] == "invalid"
        body = client.get(reverse("web:job_status", args=[job.pk])).json()
        assert body["finished"] and body["kind"] == "check"
        page = client.get(reverse("web:submission_detail", args=[sub.pk]), headers={"accept-language": "en"})
        assert "must not be negative" in page.content.decode()


class TestUntrustedFiles:
    """A file can neither take the server down nor leave a submission checking for ever (issue 10,
    items 3 and 9): every such file ends as a located error, and the files on disk are the
    submissions' own."""

    def test_minus_1e309_is_a_located_error_and_the_check_finishes(self, client, users):
        rnd = open_round(users)
        data = set_raw(template_bytes(users, rnd), "班级", "E3", "-1e309")  # class P1-2's pupils
        client.force_login(users["clerk_p1"])
        client.post(url(rnd), {"file": upload(data)})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "invalid"
        found = [(p["sheet"], p["row"], p["column"], p["rule"], p["value"]) for p in sub.problems]
        assert found == [("班级", 3, "pupils", "not_finite", "-inf")]
        assert (
            "不是有限的数字" in sub.problems[0]["message_zh"] and "not a finite number" in sub.problems[0]["message_en"]
        )
        json.dumps(sub.problems, allow_nan=False)

    def test_plus_1e309_is_refused_too(self, client, users):
        rnd = open_round(users)
        data = set_raw(template_bytes(users, rnd), "教师", "B2", "1e309")  # ids are text: a number column below
        data = set_raw(data, "班级", "E4", "1e309")
        client.force_login(users["clerk_p1"])
        client.post(url(rnd), {"file": upload(data)})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "invalid" and ("班级", 4, "pupils", "not_finite") in {
            (p["sheet"], p["row"], p["column"], p["rule"]) for p in sub.problems
        }
        json.dumps(sub.problems, allow_nan=False)

    @pytest.mark.parametrize("sheet", ["班级", "学校"])
    def test_a_renamed_school_id_header_is_a_missing_column(self, client, users, sheet):
        rnd = open_round(users)
        wb = openpyxl.load_workbook(io.BytesIO(template_bytes(users, rnd)))
        wb[sheet]["A1"] = "学校编号"
        out = io.BytesIO()
        wb.save(out)
        client.force_login(users["clerk_p1"])
        r = client.post(url(rnd), {"file": upload(out.getvalue())}, follow=True, headers={"accept-language": "en"})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        errors = [p for p in sub.problems if p["severity"] == "error"]
        assert sub.status == "invalid" and [(p["sheet"], p["row"], p["column"], p["rule"]) for p in errors] == [
            (sheet, 1, "school_id", "missing_column")
        ]
        assert errors[0]["message_zh"] == "缺少必填列：学校代码 (school_id)"
        assert errors[0]["message_en"] == "required column missing: 学校代码 (school_id)"
        assert "check_failed" not in r.content.decode()

    def test_a_file_over_the_upload_limit_is_refused_before_it_is_stored(self, client, users, settings, monkeypatch):
        settings.UPLOAD_LIMITS = dataclasses.replace(settings.UPLOAD_LIMITS, upload_bytes=5 * 1024)
        received = []  # (bytes written to the temporary file, bytes that arrived) per upload
        complete = uploads.BoundedUpload.file_complete
        monkeypatch.setattr(
            uploads.BoundedUpload,
            "file_complete",
            lambda self, size: received.append((self.file.tell(), size)) or complete(self, size),
        )
        files = stored_files()
        rnd = open_round(users)
        data = template_bytes(users, rnd)
        size = f"{len(data) / 2**20:.3g} MB"
        client.force_login(users["clerk_p1"])
        r = client.post(url(rnd), {"file": upload(data)}, follow=True, headers={"accept-language": "zh-hans"})
        assert f"文件大小 {size}，超过单次上传上限 0.00488 MB。" in r.content.decode()
        r = client.post(url(rnd), {"file": upload(data)}, follow=True, headers={"accept-language": "en"})
        assert f"The file is {size}, over the limit of 0.00488 MB for one upload." in r.content.decode()
        assert not Submission.objects.exists() and stored_files() == files
        assert received == [(0, len(data)), (0, len(data))]  # counted as it arrived, never written

    def test_a_replaced_file_is_deleted(self, client, users):
        files = stored_files()
        sub = submission(users, "invalid")
        first = sub.file.name
        assert stored_files() == {*files, first}
        client.force_login(users["clerk_p1"])
        client.post(url(sub.round), {"file": upload(template_bytes(users, sub.round))})
        sub.refresh_from_db()
        assert sub.status == "draft" and sub.file.name != first and stored_files() == {*files, sub.file.name}

    def test_a_refused_upload_leaves_no_file(self, client, users):
        sub = submission(users, "submitted")
        files = stored_files()
        client.force_login(users["clerk_p1"])
        client.post(url(sub.round), {"file": upload(template_bytes(users, sub.round))})
        assert stored_files() == files and sub.file.name in files

    def test_only_the_first_problems_are_kept_and_the_rest_counted(self, client, users, settings, monkeypatch):
        settings.UPLOAD_LIMITS = dataclasses.replace(settings.UPLOAD_LIMITS, problems=3)
        monkeypatch.setattr(collection, "PROBLEMS_PER_PAGE", 2)
        rnd = open_round(users)
        data = template_bytes(users, rnd)
        for row in range(2, 9):  # the seven classes, rows 2–8
            data = edit(data, "班级", row, "pupils", -row)
        client.force_login(users["clerk_p1"])
        client.post(url(rnd), {"file": upload(data)})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert [(p["row"], p["rule"], p["value"]) for p in sub.problems] == [
            (2, "negative", -2),
            (3, "negative", -3),
            (4, "negative", -4),
            (None, "more_problems", "4"),
        ]
        assert sub.problems[-1]["message_zh"] == "另有 4 条同类问题未列出（不能为负数）"
        assert sub.problems[-1]["message_en"] == "4 more problems of this kind are not listed (must not be negative)"
        detail = reverse("web:submission_detail", args=[sub.pk])
        first = client.get(detail, headers={"accept-language": "en"}).content.decode()
        assert "7 errors must be corrected" in first and "Page 1 of 2" in first
        assert first.count("must not be negative") == 2 and "more problems" not in first
        second = client.get(detail + "?page=2", headers={"accept-language": "en"}).content.decode()
        assert "Page 2 of 2" in second and "4 more problems of this kind are not listed" in second


def stored_files() -> set[str]:
    """The files under the uploads' storage (shared by the session's tests), as submissions name them."""
    root = Path(default_storage.path(""))
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


class TestWorkbooksThatCrashedTheParser:
    def test_a_cell_renamed_zzzz99999999_is_a_located_error(self, client, users):
        """The cell reference made the parser allocate 1.5 PB and abort the worker (SIGABRT): the
        sheet's XML is checked before it is parsed, and the parse runs in a child process."""
        rnd = open_round(users)
        data = template_bytes(users, rnd)
        part = sheet_part(data, "班级")
        data = rewrite_part(data, part, lambda xml: xml.replace(b'<c r="E3">', b'<c r="ZZZZ99999999">', 1))
        client.force_login(users["clerk_p1"])
        r = client.post(url(rnd), {"file": upload(data)}, follow=True, headers={"accept-language": "en"})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "invalid"
        assert [(p["sheet"], p["rule"], p["value"]) for p in sub.problems] == [("班级", "cell_ref", "ZZZZ99999999")]
        assert "the cell reference ZZZZ99999999 is outside Excel&#x27;s grid" in r.content.decode()

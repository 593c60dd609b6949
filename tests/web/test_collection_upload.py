"""POST /collection/<round>/schools/<school>/upload/ — the clerk uploads; every located problem is listed."""

from __future__ import annotations

from collection_support import edit, login_redirect, open_round, submission, template_bytes, upload
from django.core.files.storage import default_storage
from django.urls import reverse

from countyedu.web.models import AuditLog, Submission


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

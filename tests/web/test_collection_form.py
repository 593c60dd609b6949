"""GET/POST /collection/<round>/schools/<school>/form/ — the clerk edits the submission online: the
pre-filled rows as inputs; saved, they become the workbook an upload gives and take the same path
(stored, checked in a job — inline in tests — audited). P1's pre-filled rows (collection_support):
its 2024 school_years row (seats 320), seven classes (P1-1 45 pupils … P6-1 40) and teachers t1–t4."""

from __future__ import annotations

import re

from collection_support import login_redirect, open_round, submission
from django.urls import reverse

from countyedu.web import actions
from countyedu.web.collection import _submission_frames
from countyedu.web.models import AuditLog, Submission


def url(r, school="P1"):
    return reverse("web:submission_form", args=[r.pk, school])


def form_data(page: str) -> dict[str, str | list[str]]:
    """What a browser posts for the page as served: every input's value, ticked boxes, selected options."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or "__i__" in name[1]:
            continue
        kind = re.search(r'type="([^"]+)"', tag)[1]
        if kind == "checkbox":
            if " checked" in tag:
                data[name[1]] = "1"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name[1]] = value[1] if value else ""
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        if "__i__" in name:
            continue
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen[1] if chosen else ""
    return data


def classes_row(data, grade, class_no):
    """The form index of a class row."""
    for key, value in data.items():
        m = re.fullmatch(r"classes-(\d+)-grade", key)
        if m and value == grade and data[f"classes-{m[1]}-class_no"] == str(class_no):
            return m[1]
    raise KeyError((grade, class_no))


def blank_class_index(data):
    return max(int(re.fullmatch(r"classes-(\d+)-grade", k)[1]) for k in data if re.fullmatch(r"classes-\d+-grade", k))


class TestForm:
    def test_it_shows_the_prefilled_rows_as_inputs(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        r = client.get(url(rnd))
        assert r.status_code == 200
        page = r.content.decode()
        data = form_data(page)
        assert data["school_years-0-seats"] == "320"
        assert data[f"classes-{classes_row(data, 'P1', 2)}-pupils"] == "58"
        assert data["teachers-0-teacher_id"] == "t1" and data["teachers-0-education"] == "bachelor"
        assert data["teachers-0-certified"] == "1" and "teachers-0-dual_qualified" not in data
        assert '<option value="bachelor" selected>本科</option>' in page  # codes with their Chinese labels
        en = client.get(url(rnd), headers={"accept-language": "en"}).content.decode()
        assert '<option value="bachelor" selected>bachelor&#x27;s degree</option>' in en  # in English, English ones
        assert ">本科</option>" not in en and ">公办</option>" not in en
        assert 'title="班级学生数 （必填）">学生数</th>' in page  # the schema's note, in the reader's language
        assert 'title="pupils in the class (required)">Pupils</th>' in en and "<small" not in en
        assert 'type="number" name="classes-0-pupils"' in page
        assert "web/form.js" in page and 'id="tpl-classes"' in page
        assert "在线填报" in page and "添加一行" in page and "保存并检查" in page  # zh-hans by default

    def test_it_saves_changed_and_added_rows_through_the_upload_path(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        data = form_data(client.get(url(rnd)).content.decode())
        data[f"classes-{classes_row(data, 'P1', 1)}-pupils"] = "47"
        new = blank_class_index(data)  # the blank row (or one added by JavaScript)
        data |= {f"classes-{new}-grade": "P2", f"classes-{new}-class_no": "2", f"classes-{new}-pupils": "39"}
        data[f"classes-{classes_row(data, 'P6', 1)}-DELETE"] = "1"
        r = client.post(url(rnd), data)
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert r.status_code == 302 and r["Location"] == reverse("web:submission_detail", args=[sub.pk])
        assert sub.status == "draft", sub.problems
        assert sub.uploaded_by == users["clerk_p1"] and sub.file_name == "P1-2025-online.xlsx"
        classes = _submission_frames(sub)["classes"]
        pupils = {
            (g, int(n)): int(p)
            for g, n, p in zip(classes["grade"], classes["class_no"], classes["pupils"], strict=True)
        }
        assert pupils[("P1", 1)] == 47 and pupils[("P2", 2)] == 39 and ("P6", 1) not in pupils
        assert pupils[("P1", 2)] == 58 and len(pupils) == 7
        assert set(classes["year"]) == {2025} and set(classes["school_id"]) == {"P1"}
        assert set(_submission_frames(sub)) == {"school_years", "classes", "teachers"}  # no after-school rows
        log = AuditLog.objects.get(action="edit_submission", object_id=str(sub.pk))
        assert log.actor == users["clerk_p1"] and log.before is None and log.after["status"] == "draft"
        # the form opens again on what was saved, and the audit page names the action
        again = form_data(client.get(url(rnd)).content.decode())
        assert again[f"classes-{classes_row(again, 'P2', 2)}-pupils"] == "39"
        client.force_login(users["admin"])
        assert "edited online" in client.get(reverse("web:audit"), headers={"accept-language": "en"}).content.decode()

    def test_it_shows_a_bad_value_located_and_stores_nothing(self, client, users):
        sub = submission(users, "draft")
        before = (sub.sha256, sub.status, AuditLog.objects.count())
        client.force_login(users["clerk_p1"])
        data = form_data(client.get(url(sub.round)).content.decode())
        data[f"classes-{classes_row(data, 'P1', 2)}-pupils"] = "abc"  # Excel row 3
        data[f"classes-{classes_row(data, 'P2', 1)}-pupils"] = "-3"  # Excel row 4
        data["teachers-1-education"] = ""
        r = client.post(url(sub.round), data, headers={"accept-language": "en"})
        assert r.status_code == 200
        page = r.content.decode()
        assert '<td>班级</td><td class="num">3</td><td>pupils</td><td>abc</td>' in page
        assert '<td>班级</td><td class="num">4</td><td>pupils</td><td>-3</td>' in page
        assert "must not be negative" in page and "an integer is expected" in page and "a value is required" in page
        assert 'value="abc"' in page and 'value="-3"' in page  # what was typed is kept
        assert "Nothing was saved" in page
        sub.refresh_from_db()
        assert (sub.sha256, sub.status, AuditLog.objects.count()) == before

    def test_it_lets_the_bureau_admin_edit_for_a_school(self, client, users):
        rnd = open_round(users)
        client.force_login(users["admin"])
        data = form_data(client.get(url(rnd, "N1")).content.decode())
        assert client.post(url(rnd, "N1"), data).status_code == 302
        sub = Submission.objects.get(round=rnd, school_id="N1")
        assert sub.status == "draft" and sub.uploaded_by == users["admin"], sub.problems

    def test_it_is_not_found_for_another_schools_clerk(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_n1"])
        assert client.get(url(rnd)).status_code == 404
        assert client.post(url(rnd), {"classes-0-pupils": "1"}).status_code == 404
        assert not Submission.objects.exists()

    def test_it_refuses_read_only_users(self, client, users):
        rnd = open_round(users)
        for name in ("leader", "planner", "t1"):
            client.force_login(users[name])
            assert client.post(url(rnd), {"school_years-0-seats": "1"}).status_code == 403, name
        assert not Submission.objects.exists()

    def test_it_refuses_a_closed_round(self, client, users):
        rnd = open_round(users)
        actions.do_close_round(rnd, acting_user=users["admin"])
        client.force_login(users["clerk_p1"])
        r = client.get(url(rnd), follow=True, headers={"accept-language": "en"})
        assert "is closed: nothing can be edited" in r.content.decode()
        r = client.post(url(rnd), {"school_years-0-seats": "300"})
        assert r.status_code == 302 and not Submission.objects.exists()

    def test_it_refuses_a_submitted_file(self, client, users):
        sub = submission(users, "submitted")
        client.force_login(users["clerk_p1"])
        r = client.post(url(sub.round), {"school_years-0-seats": "300"})
        assert r.status_code == 302 and r["Location"] == reverse("web:submission_detail", args=[sub.pk])
        assert Submission.objects.get(pk=sub.pk).sha256 == sub.sha256

    def test_it_sends_anonymous_users_to_login(self, client, users):
        rnd = open_round(users)
        assert login_redirect(client.get(url(rnd)))
        assert login_redirect(client.post(url(rnd), {}))

    def test_it_marks_the_problems_of_the_file_already_sent_in_their_cells(self, client, users):
        sub = submission(users, "invalid")  # pupils -5 in 班级 row 2 (class P1-1)
        client.force_login(users["clerk_p1"])
        page = client.get(url(sub.round), headers={"accept-language": "en"}).content.decode()
        cell = re.search(r'<td class="bad">\s*<input type="text" name="classes-0-pupils" value="-5"[^>]*>\s*<div', page)
        assert cell and "must not be negative" in page

    def test_it_adds_an_after_school_term(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        data = form_data(client.get(url(rnd)).content.decode())
        assert data["after_school-0-term"] == ""  # P1 has no after-school rows: one blank row
        values = {"term": "autumn", "fee_standard": "300", "fee_charged": "300", "participants": "200"}
        values |= {"collected": "60000", "paid_in": "60000", "returned": "60000", "teacher_subsidy": "45000.5"}
        data |= {f"after_school-0-{k}": v for k, v in values.items()}
        assert client.post(url(rnd), data).status_code == 302
        sub = Submission.objects.get(round=rnd, school_id="P1")
        terms = _submission_frames(sub)["after_school"]
        assert sub.status == "draft", sub.problems
        assert list(terms["term"]) == ["autumn"] and list(terms["teacher_subsidy"]) == [45000.5]
        assert terms["teacher_hours"].isna().all() and list(terms["year"]) == [2025]

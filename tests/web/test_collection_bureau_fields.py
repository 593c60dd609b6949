"""A school cannot move itself (issue 10, item 6): the fields that decide a school's identity and scope
(name, stage, ownership, township, community, urban, 普惠, 小区配套, central, group, partner, closing)
are the bureau's. A clerk's workbook that changes one is refused with a located error naming the
stored and the submitted value; the online form offers no such field and ignores one posted.

P1 (琴城第一小学) is stored as 小学, 公办, in T1 琴城镇 / C1 人民路社区, urban; its template's 学校 sheet
holds its one row at Excel row 2."""

from __future__ import annotations

import io

import openpyxl
from collection_support import edit, open_round, template_bytes, upload
from django.urls import reverse
from test_collection_form import form_data

from countyedu.web.models import Submission


def upload_url(r, school="P1"):
    return reverse("web:submission_upload", args=[r.pk, school])


def errors_of(sub: Submission) -> dict[tuple, dict]:
    return {(p["sheet"], p["row"], p["column"]): p for p in sub.problems if p["severity"] == "error"}


class TestBureauFields:
    def test_it_refuses_a_workbook_that_moves_the_school_to_another_township(self, client, users):
        rnd = open_round(users)
        data = edit(template_bytes(users, rnd), "学校", 2, "township_id", "T2")
        data = edit(data, "学校", 2, "name", "随便写的名字")
        client.force_login(users["clerk_p1"])
        r = client.post(upload_url(rnd), {"file": upload(data)}, follow=True)
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "invalid"
        found = errors_of(sub)
        township = found[("学校", 2, "township_id")]
        assert township["value"] == "T2" and township["rule"] == "bureau_field"
        assert township["message_zh"] == "由教育局修改：已存为 T1，报送为 T2；学校报送不能更改此项"
        assert township["message_en"] == (
            "the bureau changes this: stored T1, submitted T2; a school's submission cannot change it"
        )
        assert found[("学校", 2, "name")]["message_zh"].startswith(
            "由教育局修改：已存为 琴城第一小学，报送为 随便写的名字"
        )
        assert "由教育局修改" in r.content.decode()

    def test_it_names_codes_and_booleans_as_the_workbook_shows_them(self, client, users):
        rnd = open_round(users)
        data = edit(template_bytes(users, rnd), "学校", 2, "stage", "初中")
        data = edit(data, "学校", 2, "ownership", "民办")
        data = edit(data, "学校", 2, "urban", "否")
        data = edit(data, "学校", 2, "community_id", "C2")
        client.force_login(users["clerk_p1"])
        client.post(upload_url(rnd), {"file": upload(data)})
        found = errors_of(Submission.objects.get(round=rnd, school_id="P1"))
        assert found[("学校", 2, "stage")]["message_zh"].startswith(
            "由教育局修改：已存为 小学（primary），报送为 初中（junior）"
        )
        assert found[("学校", 2, "ownership")]["value"] == "民办（private）"
        assert found[("学校", 2, "urban")]["message_en"].startswith("the bureau changes this: stored 是, submitted 否")
        assert found[("学校", 2, "community_id")]["value"] == "C2"

    def test_the_unchanged_school_row_passes(self, client, users):
        rnd = open_round(users)
        # the school's own facts (location, boarding, opening year) are the school's to correct
        data = edit(template_bytes(users, rnd), "学校", 2, "lat", 27.2195)
        data = edit(data, "学校", 2, "boarding", "是")
        client.force_login(users["clerk_p1"])
        client.post(upload_url(rnd), {"file": upload(data)})
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "draft", sub.problems

    def test_the_online_form_ignores_a_posted_school_field(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        url = reverse("web:submission_form", args=[rnd.pk, "P1"])
        data = form_data(client.get(url).content.decode())
        assert not [k for k in data if k.startswith("schools-")]
        data |= {"schools-0-school_id": "P1", "schools-0-township_id": "T2", "schools-0-name": "随便写的名字"}
        client.post(url, data)
        sub = Submission.objects.get(round=rnd, school_id="P1")
        assert sub.status == "draft", sub.problems
        wb = openpyxl.load_workbook(io.BytesIO(sub.file.read()))
        assert "学校" not in wb.sheetnames

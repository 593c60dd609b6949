"""GET /collection/<round>/schools/<school>/template.xlsx — the school's pre-filled workbook."""

from __future__ import annotations

import io

import openpyxl
from collection_support import XLSX, login_redirect, open_round
from django.urls import reverse


def url(r, school="P1"):
    return reverse("web:submission_template", args=[r.pk, school])


def sheets(content: bytes) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: list(ws.iter_rows(min_row=2, values_only=True)) for ws in wb}


class TestTemplate:
    def test_it_gives_the_clerk_their_schools_rows_for_the_rounds_year(self, client, users):
        rnd = open_round(users)
        client.force_login(users["clerk_p1"])
        r = client.get(url(rnd))
        assert r.status_code == 200 and r["Content-Type"] == XLSX
        assert 'filename="P1-2025.xlsx"' in r["Content-Disposition"]
        got = sheets(r.content)
        assert set(got) == {"学校", "学校年度", "班级", "教师"}
        assert [row[0] for row in got["学校"]] == ["P1"]
        # P1's seven classes of 2024, as 2025: (school, year, grade, class, pupils)
        assert [row[:5] for row in got["班级"]] == [
            ("P1", 2025, "一年级", 1, 45),
            ("P1", 2025, "一年级", 2, 58),
            ("P1", 2025, "二年级", 1, 44),
            ("P1", 2025, "三年级", 1, 40),
            ("P1", 2025, "四年级", 1, 42),
            ("P1", 2025, "五年级", 1, 41),
            ("P1", 2025, "六年级", 1, 40),
        ]
        assert sorted(row[0] for row in got["教师"]) == ["t1", "t2", "t3", "t4"]
        assert {row[1] for row in got["教师"]} == {"P1"} and {row[2] for row in got["教师"]} == {2025}
        assert [(row[0], row[1], row[2]) for row in got["学校年度"]] == [("P1", 2025, 320)]

    def test_it_serves_a_township_official_their_schools(self, client, users):
        rnd = open_round(users)
        client.force_login(users["t2"])
        assert client.get(url(rnd, "N1")).status_code == 200

    def test_it_is_not_found_for_another_schools_clerk_or_township(self, client, users):
        rnd = open_round(users)
        for name in ("clerk_n1", "t2", "nobody"):
            client.force_login(users[name])
            assert client.get(url(rnd)).status_code == 404, name

    def test_it_is_not_found_for_an_unknown_school(self, client, users):
        client.force_login(users["admin"])
        assert client.get(url(open_round(users), "NOPE")).status_code == 404

    def test_it_sends_anonymous_users_to_login(self, client, users):
        assert login_redirect(client.get(url(open_round(users))))

"""A school year in collection, through the pages (issue 10 item 1): the bureau opens the 2025 round of
the hand county (2024 closed: 9 schools) and approves one school, P1. The county page still shows 2024
with its numbers unchanged; 2025 is offered, labelled partial with its coverage (1 of 9); chosen, it
says it is partial; planning and funding stay on 2024; closing the round makes 2025 the default.

Approving writes a census version, so this test has a data dir of its own (as test_collection_flow)."""

from __future__ import annotations

import pytest
from collection_support import own_census, upload  # noqa: F401
from django.urls import reverse

from countyedu.web import census as census_data
from countyedu.web import plans
from countyedu.web.models import CollectionRound, Submission

ZH = {"accept-language": "zh-hans"}


def approve_p1(client, users, rnd: CollectionRound) -> Submission:
    """P1's clerk uploads the pre-filled sheet as it is and submits it; the planning office approves."""
    client.force_login(users["clerk_p1"])
    template = client.get(reverse("web:submission_template", args=[rnd.pk, "P1"])).content
    client.post(reverse("web:submission_upload", args=[rnd.pk, "P1"]), {"file": upload(template)})
    sub = Submission.objects.get(round=rnd, school_id="P1")
    client.post(reverse("web:submission_submit", args=[sub.pk]))
    client.force_login(users["planner"])
    client.post(reverse("web:submission_approve", args=[sub.pk]))
    sub.refresh_from_db()
    assert sub.status == "approved", sub.problems
    return sub


def county(client, **query):
    r = client.get(reverse("web:county"), query, headers=ZH)
    assert r.status_code == 200
    return r


class TestYearInCollection:
    @pytest.mark.usefixtures("own_census")
    def test_it_keeps_the_last_closed_year_until_the_round_is_closed(self, client, users):
        client.force_login(users["leader"])
        before = county(client)
        assert before.context["year"] == 2024 and not before.context["partial"]

        client.force_login(users["admin"])
        client.post(reverse("web:round_open"), {"year": "2025", "note": ""})
        rnd = CollectionRound.objects.get(year=2025, status="open")
        sub = approve_p1(client, users, rnd)
        assert census_data.latest_version() == sub.census_version

        # the round's page says how much of 2025 the census holds
        detail = client.get(reverse("web:round_detail", args=[rnd.pk]), headers=ZH)
        info = detail.context["year_info"]
        assert (info.year, info.state, info.reported, info.schools_open) == (2025, "collecting", 1, 9)
        assert "2025 学年已报 1/9 所" in detail.content.decode()

        # the county page: still 2024, the same numbers, tables and charts (no 2025 point in them)
        client.force_login(users["leader"])
        after = county(client)
        assert after.context["year"] == 2024 and not after.context["partial"]
        assert after.context["counts"] == before.context["counts"]
        assert after.context["tables"] == before.context["tables"]
        assert after.context["chart_json"] == before.context["chart_json"]
        # 2025 is offered, labelled partial with its coverage
        choices = {c["year"]: c for c in after.context["year_choices"]}
        assert choices[2025]["partial"] and choices[2025]["label"] == "2025（采集中，已报 1/9 所）"
        assert not choices[2024]["partial"] and choices[2024]["selected"]
        assert "2025（采集中，已报 1/9 所）" in after.content.decode()

        # chosen, 2025 says it is partial, with its coverage
        partial = county(client, year="2025")
        assert partial.context["year"] == 2025 and partial.context["partial"]
        page = partial.content.decode()
        assert "数据不完整" in page or "采集中" in page
        assert "已报 1 所，共 9 所" in page or "1/9" in page
        assert client.get(reverse("web:stage", args=["primary"]), {"year": "2025"}).context["partial"]
        assert client.get(reverse("web:county"), {"year": "2031"}).status_code == 404

        # an explanation without a year is of the closed year, never a 404
        e = client.get(reverse("web:explain", args=["T-PRE-5"]))
        assert e.status_code == 200 and e.context["explain_year"] == 2024

        # planning and funding recomputed after the approval stand on 2024, not on one school's 2025
        v = sub.census_version
        assert plans.stored("planning", v).data["year"] == 2024
        assert plans.stored("funding", v).data["year"] == 2024
        client.force_login(users["planner"])
        assert client.get(reverse("web:funding"), headers=ZH).context["year"] == 2024
        chosen = client.get(reverse("web:planning"), {"year": "2025"}, headers=ZH)
        assert chosen.status_code == 200 and chosen.context["partial"] and chosen.context["run"] is None
        assert client.get(reverse("web:catchments"), headers=ZH).context["form"]["year"] == "2024"

        # the API: the same default, a chosen partial year says so with its coverage
        api = client.get(reverse("web:api:funding")).json()
        assert api["year"] == 2024 and api["year_state"] == "closed"
        doc = client.get(reverse("web:api:results"), {"indicator": "T-CMP-2", "level": "county"}).json()
        assert doc["default_year"] == 2024
        assert [(y["year"], y["state"], y["reported"], y["schools_open"]) for y in doc["years"]] == [
            (2024, "closed", 9, 9),
            (2025, "collecting", 1, 9),
        ]
        e = client.get(reverse("web:api:explain", args=["T-CMP-2"]), {"year": "2025"}).json()
        assert e["year"] == 2025 and e["year_state"] == "collecting"
        assert e["coverage"]["reported"] == 1 and e["coverage"]["en"] == "2025: 1 of 9 schools reported"
        assert client.get(reverse("web:api:explain", args=["T-CMP-2"])).json()["year_state"] == "closed"

        # closing the round closes the year: 2025 is the default now, complete
        client.force_login(users["admin"])
        client.post(reverse("web:round_close", args=[rnd.pk]))
        client.force_login(users["leader"])
        closed = county(client)
        assert closed.context["year"] == 2025 and not closed.context["partial"]
        assert "采集中" not in closed.content.decode()
        assert plans.stored("funding", v).data["year"] == 2025

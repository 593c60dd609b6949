"""The supervision visits' web tests: two responsible inspectors and the supervision office on the hand
county (tests/web/conftest.py's users), their assignments, and a small PNG photo.

- insp_a   responsible inspector I1: P1 (琴城第一小学) and J1 (琴城中学)
- insp_b   responsible inspector I2: N1 (太源学校)
- office   the supervision office (inspector role, no inspector id): every school
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from unittest import mock

from django.contrib.auth.models import User

from countyedu.web.models import Membership, Role
from countyedu.web.supervision_models import InspectorAssignment

PASSWORD = "correct horse battery staple"
# a 1×1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
INSPECTORS = {"insp_a": ("I1", ("P1", "J1")), "insp_b": ("I2", ("N1",)), "office": ("", ())}


def add_inspectors() -> dict[str, User]:
    out = {}
    for name, (iid, schools) in INSPECTORS.items():
        u = User.objects.create_user(name, password=PASSWORD)
        Membership.objects.create(user=u, role=Role.INSPECTOR, inspector_id=iid)
        for s in schools:
            InspectorAssignment.objects.create(school_id=s, inspector_id=iid, since=dt.date(2020, 9, 1))
        out[name] = u
    return out


def visit_post(school: str = "P1", **extra: Any) -> dict[str, Any]:
    """A visit form's fields: one problem in teaching, QB-Q7 resolved met."""
    return {
        "school": school,
        "date": dt.date.today().isoformat(),
        "kind": "routine",
        "management_finding": "制度齐全",
        "teaching_finding": "课表已公示",
        "teaching_problem": "三年级体育课每周少一节",
        "checklist_item": "QB-Q7",
        "checklist_status": "met",
        "checklist_note": "核对了课表和教案",
        "responsible": "王校长",
        "feedback_given": "on",
        **extra,
    }


def supervision_pages(page: object, base: str, ctx: dict[str, Any]) -> list[str]:
    """A step of the words walk (test_browser_words): a visit with a problem recorded at the county's
    first school, then the inspectors' pages and the visit's and rectification's pages."""
    from countyedu.web import census as census_data
    from countyedu.web import supervision_records
    from countyedu.web.supervision_records import do_record_visit

    school = sorted(census_data.schools_by_id(census_data.latest_version()))[0]
    inspectors = census_data.census(census_data.latest_version()).get("inspectors")
    iid = str(inspectors["inspector_id"].iloc[0]) if inspectors is not None and len(inspectors) else "I1"
    day = dt.date.today()
    # the records snapshot is written after the commit, the stored run's recompute left out (a
    # background job, ~2 s of CPU on the demo county: the walk reads the pages, not the stored run)
    with mock.patch.object(supervision_records, "_after_records_change", supervision_records.write_records_snapshot):
        v = do_record_visit(
            school_id=school,
            inspector_id=iid,
            date=day,
            kind="routine",
            feedback_given=True,
            note="",
            findings=[
                {"item": "teaching", "observation": "课表已公示", "problem": "体育课每周少一节", "deadline": day},
                {"item": "safety", "problem": "外墙瓷砖松动", "severity": "grave", "deadline": day},
            ],
            acting_user=User.objects.get(username="admin"),
        )
    # what the inspector wrote is shown as written, in either language
    ctx["free_text"] = ["课表已公示", "体育课每周少一节", "外墙瓷砖松动"]
    r = v.findings.get(item="teaching").rectification
    return [
        "/supervision/visits/",
        "/supervision/visits/new/",
        f"/supervision/visits/{v.pk}/",
        f"/supervision/rectifications/{r.pk}/",
    ]

"""The demo accounts' supervision records (issue 15 item 9): the inspectors assigned (supervision.assign),
a year of visits up to the day as the visit plan lays them out (supervision.plan) with their findings and
rectifications (supervision.demo), written once into the web database when `serve --demo-accounts`
prepares it; the demo inspector account becomes the responsible inspector of the demo school."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from countyedu.roads.travel import params_of
from countyedu.supervision.assign import assign_inspectors, latest_year, serving_inspectors
from countyedu.supervision.demo import demo_records
from countyedu.supervision.plan import visit_plan
from countyedu.web import census as census_data
from countyedu.web.models import Membership, Role
from countyedu.web.supervision_models import Finding, Followup, InspectorAssignment, Rectification, Visit
from countyedu.web.supervision_records import records_changed, write_evidence_snapshot


def _year_before(as_of: dt.date) -> dt.date:
    """The first day of the month eleven months before `as_of`'s: the demo's year of visits."""
    m = as_of.year * 12 + as_of.month - 1 - 11
    return dt.date(m // 12, m % 12 + 1, 1)


def seed_demo_records(school_id: str, as_of: dt.date) -> dict[str, int]:
    """Write the demo's supervision records unless the database has visits already; the counts written
    (empty when skipped or when the census has no inspectors)."""
    if Visit.objects.exists():
        return {}
    version = census_data.latest_version()
    if version is None:
        return {}
    frames = census_data.census(version)
    if frames.get("inspectors") is None or frames["inspectors"].empty:
        return {}
    assignment = assign_inspectors(frames, roads=params_of(census_data.packs()))
    mapping = assignment.mapping()
    year = latest_year(frames)  # the checklist items are checked for the census's latest school year
    plan = visit_plan(mapping, serving_inspectors(frames), _year_before(as_of), 12)
    others = sorted(s for s, i in mapping.items() if i == mapping.get(school_id) and s != school_id)
    rec = demo_records(plan, mapping, year, as_of, hazard_school=(others or [school_id])[0], open_school=school_id)
    with transaction.atomic():
        InspectorAssignment.objects.bulk_create(InspectorAssignment(**a) for a in rec.assignments)
        visits = {v["visit_id"]: Visit(**{k: x for k, x in v.items() if k != "visit_id"}) for v in rec.visits}
        Visit.objects.bulk_create(visits.values())
        findings = {f["finding_id"]: _finding(f, visits) for f in rec.findings}
        Finding.objects.bulk_create(findings.values())
        rects = {r["rectification_id"]: _rect(r, findings) for r in rec.rectifications}
        Rectification.objects.bulk_create(rects.values())
        Followup.objects.bulk_create(
            Followup(
                rectification=rects[f["rectification_id"]], date=f["date"], action=f["action"], note=f["note"] or ""
            )
            for f in rec.followups
        )
        if school_id in mapping:
            Membership.objects.filter(role=Role.INSPECTOR, user__username="inspector").update(
                inspector_id=mapping[school_id]
            )
        transaction.on_commit(write_evidence_snapshot)
        records_changed()
    return {"visits": len(rec.visits), "findings": len(rec.findings), "rectifications": len(rec.rectifications)}


def _finding(f: dict[str, Any], visits: dict[str, Visit]) -> Finding:
    return Finding(
        visit=visits[f["visit_id"]],
        item=f["item"],
        severity=f["severity"] or "",
        observation=f["observation"] or "",
        problem=f["problem"] or "",
        checklist_item=f["checklist_item"] or "",
        checklist_status=f["checklist_status"] or "",
    )


def _rect(r: dict[str, Any], findings: dict[str, Finding]) -> Rectification:
    return Rectification(
        finding=findings[r["finding_id"]],
        school_id=r["school_id"],
        deadline=r["deadline"],
        responsible=r["responsible"],
        status=r["status"],
        response="已按要求整改" if r["answered_on"] else "",
        answered_on=r["answered_on"],
        closed_on=r["closed_on"],
    )

"""The checklist evidence a year of visits gives (issue 15 item 3): for each school, school year and
`needs_evidence` checklist item a visit resolved, the latest visit's word (met / not_met), with the
visit and the inspector. The web writes these rows as the evidence snapshot (indicators.evidence)
after each change; the assessment lays them over its checklist rows."""

from __future__ import annotations

from typing import Any

from countyedu.supervision.records import Records, school_year


def evidence_rows(rec: Records, start_month: int = 9) -> list[dict[str, Any]]:
    """One row per school, school year and checklist item (indicators.evidence.ROW_KEYS): the latest
    finding that resolved it (by visit date, then the order findings were recorded)."""
    f = rec.findings[rec.findings["checklist_item"].notna() & rec.findings["checklist_status"].notna()]
    if f.empty:
        return []
    f = f.merge(rec.visits[["visit_id", "inspector_id"]], on="visit_id", how="left")
    f = f.assign(year=[school_year(d, start_month) for d in f["date"]], _order=range(len(f)))
    latest = f.sort_values(["date", "_order"]).groupby(["school_id", "year", "checklist_item"]).tail(1)
    return [
        {
            "school_id": r.school_id,
            "year": int(r.year),
            "indicator": r.checklist_item,
            "status": r.checklist_status,
            "date": r.date.date().isoformat(),
            "visit_id": r.visit_id,
            "inspector_id": r.inspector_id,
        }
        for r in latest.sort_values(["checklist_item", "school_id", "year"]).itertuples()
    ]

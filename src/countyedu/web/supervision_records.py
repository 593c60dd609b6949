"""The supervision records in and out of the database: `frames()` builds the `supervision.records`
frames the computations take from the models (the CLI calls it after `cli.common._django`), and the
`do_…` functions make every change of a visit or a rectification: atomic, with its audit row, and
the checklist evidence snapshot (indicators.evidence) rewritten after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from countyedu.caches import write_bytes_atomic
from countyedu.indicators import evidence as checklist_evidence
from countyedu.supervision import records, snapshot
from countyedu.supervision.checklist import evidence_rows
from countyedu.supervision.records import Records
from countyedu.web.actions import _audit, refuse
from countyedu.web.supervision_models import (
    AccountabilityEntry,
    EvidenceFile,
    Finding,
    Followup,
    InspectorAssignment,
    ManualScore,
    Rectification,
    VetoEntry,
    Visit,
)
from countyedu.web.task_models import TaskUpdate

# photos and files a visit or an answer may carry: type → extensions, and the size limit
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 6
# the first bytes of each type: a file must be what its name says
MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


def _s(v: Any) -> str | None:
    return v if v else None


def frames(school_ids: Iterable[str] | None = None) -> Records:
    """Every supervision record (of the schools given; default all) as the computations' frames."""
    only = set(school_ids) if school_ids is not None else None

    def mine(qs: Any, field: str = "school_id") -> Any:
        return qs.filter(**{f"{field}__in": only}) if only is not None else qs

    visits = [
        {
            "visit_id": str(v.pk),
            "school_id": v.school_id,
            "inspector_id": v.inspector_id,
            "date": v.date,
            "kind": v.kind,
            "feedback_given": v.feedback_given,
            "note": _s(v.note),
        }
        for v in mine(Visit.objects.all())
    ]
    findings = [
        {
            "finding_id": str(f.pk),
            "visit_id": str(f.visit_id),
            "school_id": f.visit.school_id,
            "date": f.visit.date,
            "item": f.item,
            "severity": _s(f.severity),
            "observation": _s(f.observation),
            "problem": _s(f.problem),
            "checklist_item": _s(f.checklist_item),
            "checklist_status": _s(f.checklist_status),
        }
        for f in mine(Finding.objects.select_related("visit"), "visit__school_id").order_by("pk")
    ]
    rects = [
        {
            "rectification_id": str(r.pk),
            "finding_id": str(r.finding_id),
            "school_id": r.school_id,
            "deadline": r.deadline,
            "responsible": _s(r.responsible),
            "status": r.status,
            "answered_on": r.answered_on,
            "closed_on": r.closed_on,
        }
        for r in mine(Rectification.objects.all())
    ]
    followups = [
        {"rectification_id": str(f.rectification_id), "date": f.date, "action": f.action, "note": _s(f.note)}
        for f in mine(Followup.objects.select_related("rectification"), "rectification__school_id")
    ]
    assignments = [
        {"school_id": a.school_id, "inspector_id": a.inspector_id, "since": a.since, "until": a.until}
        for a in mine(InspectorAssignment.objects.all())
    ]
    # the task register's updates (superv): not by school (a task's owner is a unit, not always a school)
    updates = TaskUpdate.objects.all().as_rows()
    # the office's evaluation entries (superv2): of every unit (a township's too) unless schools are named
    scores = [
        {"year": e.year, "unit_id": e.unit_id, "rubric_id": e.rubric_id, "points": e.points, "note": _s(e.note)}
        for e in mine(ManualScore.objects.all(), "unit_id")
    ]
    vetoes = [
        {"year": e.year, "unit_id": e.unit_id, "veto": e.veto, "note": _s(e.note)}
        for e in mine(VetoEntry.objects.all(), "unit_id")
    ]
    accountability = [
        {"unit_id": e.unit_id, "date": e.date, "measure": _s(e.measure)}
        for e in mine(AccountabilityEntry.objects.all(), "unit_id")
    ]
    return Records(
        task_updates=records.frame("task_updates", updates),
        visits=records.frame("visits", visits),
        findings=records.frame("findings", findings),
        rectifications=records.frame("rectifications", rects),
        followups=records.frame("followups", followups),
        assignments=records.frame("assignments", assignments),
        manual_scores=records.frame("manual_scores", scores),
        vetoes=records.frame("vetoes", vetoes),
        accountability=records.frame("accountability", accountability),
    )


def write_evidence_snapshot(data_dir: Path | None = None) -> Path:
    """Rewrite the checklist evidence snapshot of the data dir from every visit's findings."""
    data = checklist_evidence.dumps(evidence_rows(frames()))
    return write_bytes_atomic(checklist_evidence.path(Path(data_dir or settings.DATA_DIR)), data)


def write_records_snapshot(data_dir: Path | None = None) -> Path:
    """Rewrite the records snapshot of the data dir (supervision.snapshot): what the stored supervision
    run reads of the web's records."""
    data = snapshot.dumps(frames())
    return write_bytes_atomic(snapshot.path(Path(data_dir or settings.DATA_DIR)), data)


def recompute_supervision(version: str, progress: Any) -> dict[str, Any]:
    """A background job: the stored supervision run of a census version on the records snapshot now
    (the other kinds do not read the records)."""
    from countyedu.runs import pipeline, registry
    from countyedu.web import census as census_data

    progress(0.0, "supervision")
    run = pipeline.stored(
        census_data.store(),
        registry.get("supervision"),
        version,
        census_data.packs(),
        years=census_data.years(version),
        compute_missing=True,
    )
    return {"census_version": version, "runs": ["supervision"] if run is not None else []}


def _after_records_change() -> None:
    from countyedu.web import census as census_data
    from countyedu.web.jobs import start_job
    from countyedu.web.models import Job

    write_records_snapshot()
    version = census_data.latest_version()
    queued = Job.objects.filter(kind="supervision", status=Job.Status.QUEUED).exists()
    if version is not None and not queued:  # a queued recompute reads the new snapshot when it starts
        start_job("supervision", recompute_supervision, {"version": version})


def records_changed() -> None:
    """In a change's transaction: once it commits, the records snapshot rewritten and the stored
    supervision run recomputed in the background (its key holds the snapshot's digest)."""
    transaction.on_commit(_after_records_change)


# ------------------------------------------------------------------------------ who is responsible


def inspector_of(school_id: str, on: dt.date) -> str | None:
    """The inspector responsible for a school on a day, if one is assigned."""
    a = (
        InspectorAssignment.objects.filter(school_id=school_id, since__lte=on)
        .exclude(until__lt=on)
        .order_by("-since", "-pk")
        .first()
    )
    return a.inspector_id if a else None


def schools_of_inspector(inspector_id: str, on: dt.date) -> set[str]:
    """The schools an inspector is responsible for on a day."""
    qs = InspectorAssignment.objects.filter(since__lte=on).exclude(until__lt=on).order_by("school_id", "-since", "-pk")
    current: dict[str, str] = {}
    for a in qs:
        current.setdefault(a.school_id, a.inspector_id)
    return {s for s, i in current.items() if i == inspector_id}


# ------------------------------------------------------------------------------ files


def check_file(f: UploadedFile) -> str:
    """The content type of an acceptable evidence file, else refuse (type by name and first bytes,
    size)."""
    name = (f.name or "").lower()
    kind = next((t for t, exts in ALLOWED_TYPES.items() if name.endswith(exts)), None)
    if kind is None:
        refuse("%(name)s: only photos (JPEG, PNG, WebP) and PDF files are accepted.", name=f.name)
    if (f.size or 0) > MAX_FILE_BYTES:
        refuse("%(name)s is larger than %(mb)s MB.", name=f.name, mb=MAX_FILE_BYTES // (1024 * 1024))
    head = f.read(16)
    f.seek(0)
    if not head.startswith(MAGIC[kind]):
        refuse("%(name)s is not the kind of file its name says.", name=f.name)
    return kind


def _keep_files(files: Sequence[UploadedFile], school_id: str, actor: Any, **owner: Any) -> None:
    if len(files) > MAX_FILES:
        refuse("At most %(n)s files at a time.", n=MAX_FILES)
    for f in files:
        kind = check_file(f)
        EvidenceFile.objects.create(
            school_id=school_id,
            file=f,
            name=Path(f.name or "file").name[:255],
            content_type=kind,
            size=f.size or 0,
            uploaded_by=actor,
            **owner,
        )


# ------------------------------------------------------------------------------ changes


def do_record_visit(
    *,
    school_id: str,
    inspector_id: str,
    date: dt.date,
    kind: str,
    feedback_given: bool,
    note: str,
    findings: list[dict[str, Any]],
    files: Sequence[UploadedFile] = (),
    acting_user: Any,
) -> Visit:
    """Record a visit with its findings: each finding with a problem becomes a rectification with its
    deadline and responsible person; a finding may resolve a checklist item (the snapshot is
    rewritten after commit)."""
    if kind not in records.VISIT_KINDS:
        refuse("Unknown visit type %(kind)s.", kind=kind)
    with transaction.atomic():
        visit = Visit.objects.create(
            school_id=school_id,
            inspector_id=inspector_id,
            date=date,
            kind=kind,
            feedback_given=feedback_given,
            note=note,
            recorded_by=acting_user,
        )
        for d in findings:
            f = Finding.objects.create(
                visit=visit,
                item=d["item"],
                severity=d.get("severity") or "",
                observation=d.get("observation") or "",
                problem=d.get("problem") or "",
                checklist_item=d.get("checklist_item") or "",
                checklist_status=d.get("checklist_status") or "",
            )
            if f.problem:
                Rectification.objects.create(
                    finding=f,
                    school_id=school_id,
                    deadline=d["deadline"],
                    responsible=d.get("responsible") or "",
                )
        _keep_files(files, school_id, acting_user, visit=visit)
        _audit(acting_user, "record_visit", visit, None, {**visit.state(), "findings": len(findings)})
        records_changed()
        if any(d.get("checklist_item") for d in findings):
            transaction.on_commit(write_evidence_snapshot)
    return visit


def _step(r: Rectification, action: str, note: str, day: dt.date, actor: Any) -> Followup:
    return Followup.objects.create(rectification=r, date=day, action=action, note=note, by=actor)


def do_answer_rectification(
    r: Rectification, *, response: str, day: dt.date, files: Sequence[UploadedFile] = (), acting_user: Any
) -> None:
    """The school's answer (what it did, with evidence): the item awaits the inspector's check."""
    with transaction.atomic():
        r = Rectification.objects.select_for_update().get(pk=r.pk)
        if r.status == "closed":
            refuse("This rectification is closed already.")
        before = r.state()
        r.status, r.response, r.answered_on = "answered", response, day
        r.save()
        step = _step(r, "answer", response, day, acting_user)
        _keep_files(files, r.school_id, acting_user, followup=step)
        _audit(acting_user, "answer_rectification", r, before, r.state())
        records_changed()


def do_check_rectification(r: Rectification, *, close: bool, note: str, day: dt.date, acting_user: Any) -> None:
    """The inspector's check of an answer: closed (销号), or returned to the school to do more."""
    with transaction.atomic():
        r = Rectification.objects.select_for_update().get(pk=r.pk)
        if r.status == "closed":
            refuse("This rectification is closed already.")
        before = r.state()
        if close:
            r.status, r.closed_on = "closed", day
        else:
            r.status = "returned"
        r.save()
        _step(r, "close" if close else "return", note, day, acting_user)
        _audit(acting_user, "close_rectification" if close else "return_rectification", r, before, r.state())
        records_changed()


def do_check_hazard(r: Rectification, *, note: str, day: dt.date, acting_user: Any) -> None:
    """A daily check of an open 重大 hazard (第31条: tracked every day until it is closed)."""
    with transaction.atomic():
        if r.status == "closed":
            refuse("This rectification is closed already.")
        step = _step(r, "daily_check", note, day, acting_user)
        _audit(acting_user, "check_hazard", r, None, {"date": day.isoformat(), "followup": step.pk})
        records_changed()

"""State changes of data collection: open and close a round; upload, submit, return and approve a
school's submission. Each is one transaction that writes its audit row (who, what before and after)
beside the change; a change the object's state does not allow raises ActionRefused, which says why
in Chinese and English."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from countyedu.census.importer import SCHOOL_SHEETS, check_sheets_alone, check_source, import_census, source_digest
from countyedu.census.limits import MIB
from countyedu.census.problems import Problem, capped, errors
from countyedu.census.schema import SHEET_BY_NAME, YEAR_MAX, YEAR_MIN
from countyedu.census.years import CLOSED, COLLECTING
from countyedu.errors import CountyEduError, InputFileError, ValidationFailed
from countyedu.indicators.class_size import BigClassRule
from countyedu.runs.pipeline import after_census
from countyedu.runs.store import load_packs
from countyedu.web import census as census_data
from countyedu.web.jobs import Progress, start_job
from countyedu.web.models import AuditLog, CollectionRound, Job, Submission

Status = Submission.Status


class ActionRefused(CountyEduError):
    """A change the object's state does not allow (approving a draft, uploading to a closed round)."""

    def __str__(self) -> str:
        return self.message_zh if (translation.get_language() or "").startswith("zh") else self.message_en


def refuse(message: str, **params: Any) -> NoReturn:
    """Raise ActionRefused with the message (a msgid with named placeholders) in both languages."""
    texts = {}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            texts[lang] = gettext(message) % {k: str(v) for k, v in params.items()}
    raise ActionRefused(texts["en"], texts["zh-hans"], **params)


def round_state(r: CollectionRound) -> dict[str, Any]:
    return {"year": r.year, "status": r.status, "note": r.note}


def submission_state(s: Submission) -> dict[str, Any]:
    n_errors = sum(1 for p in s.problems if p.get("severity") == "error")
    return {
        "round": s.round_id,
        "year": s.round.year,
        "school_id": s.school_id,
        "status": s.status,
        "file_name": s.file_name,
        "sha256": s.sha256,
        "errors": n_errors,
        "warnings": len(s.problems) - n_errors,
        "comment": s.comment,
        "census_version": s.census_version,
    }


def _audit(actor: Any, action: str, obj: models.Model, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    AuditLog.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def _locked(sub: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("round").get(pk=sub.pk)


def _status(sub: Submission) -> Any:
    return Status(sub.status).label


# ------------------------------------------------------------------------------------------ rounds


def do_open_round(year: int, note: str, *, acting_user: Any) -> CollectionRound:
    """Open a collection round for a school year (one open round per year)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        refuse(gettext_noop("The school year must be between %(min)s and %(max)s."), min=YEAR_MIN, max=YEAR_MAX)
    with transaction.atomic():
        if CollectionRound.objects.select_for_update().filter(year=year, status=CollectionRound.Status.OPEN).exists():
            refuse(gettext_noop("A collection round for %(year)s is already open."), year=year)
        r = CollectionRound.objects.create(year=year, note=note.strip(), opened_by=acting_user)
        _audit(acting_user, "open_round", r, None, round_state(r))
        # the last step: the year is in collection (partial) until the round is closed (census.years)
        census_data.store().set_year_state(year, COLLECTING, f"round {r.pk} opened")
    _recompute_if_held(year, acting_user)
    return r


def do_close_round(collection_round: CollectionRound, *, acting_user: Any) -> CollectionRound:
    """Close a round; refused while submissions still await review."""
    with transaction.atomic():
        r = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
        if r.status != CollectionRound.Status.OPEN:
            refuse(gettext_noop("The collection round for %(year)s is already closed."), year=r.year)
        waiting = r.submissions.filter(status=Status.SUBMITTED).count()
        if waiting:
            refuse(
                gettext_noop(
                    "Submissions awaiting review: %(count)s. Approve or return them before closing the round."
                ),
                count=waiting,
            )
        before = round_state(r)
        r.status = CollectionRound.Status.CLOSED
        r.save(update_fields=["status"])
        _audit(acting_user, "close_round", r, before, round_state(r))
        census_data.store().set_year_state(r.year, CLOSED, f"round {r.pk} closed")
    _recompute_if_held(r.year, acting_user)
    return r


def _recompute_if_held(year: int, acting_user: Any) -> Job | None:
    """A year the census holds changed state: its assessment, planning and funding are other ones
    now (the years in collection are part of their keys); compute them in the background."""
    version = census_data.latest_version()
    if version is None or census_data.years(version).get(year) is None:
        return None
    return start_job("assessment", _assess, {"version": version}, user=acting_user)


# ------------------------------------------------------------------------------------- submissions


def check_submission(
    path: Path, file_name: str, school_id: str, year: int, progress: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """Every located problem of a school's file, as the CLI's validator finds them (JSON shape);
    `progress` hears check_source's stages ("reading", "checking <sheet>", "checking references")."""
    try:
        _typed, _merged, problems = check_source(
            path,
            census_data.store(),
            limits=settings.UPLOAD_LIMITS,
            schools={school_id},
            year=year,  # the round's year: rows of another year are errors
            name=file_name,
            class_rule=BigClassRule.from_packs(load_packs()),  # 大班额 warnings by the packs' rule
            progress=progress,
        )
    except InputFileError as exc:
        return [
            {
                "severity": "error",
                "sheet": file_name,
                "row": None,
                "column": None,
                "value": None,
                "rule": exc.facts.get("rule", "unreadable"),
                "message_zh": exc.message_zh.replace(path.name, file_name),
                "message_en": exc.message_en.replace(path.name, file_name),
            }
        ]
    return [p.as_dict() for p in capped(problems, settings.UPLOAD_LIMITS.problems)]


def do_upload_submission(
    collection_round: CollectionRound,
    school_id: str,
    uploaded_file: UploadedFile,
    *,
    acting_user: Any,
    background: bool = True,
) -> tuple[Submission, Job]:
    """Store a school's file (in the data dir) with status checking and check it in a background
    job: status invalid when it has errors, else draft. Replaces an earlier draft, invalid or
    returned file (or one whose check never finished). With background=False (the API) the job runs
    within the call. The audit row is written when the check result is stored, in the transaction of
    that status change; its `before` is the state before this upload."""
    return _receive(collection_round, school_id, uploaded_file, acting_user, background, "upload_submission")


def do_edit_submission(
    collection_round: CollectionRound,
    school_id: str,
    workbook: Path,
    *,
    acting_user: Any,
    background: bool = True,
) -> tuple[Submission, Job]:
    """Store the workbook written from the online form as the school's file: the same path as an
    upload (stored, checked in a job, audit row when the result is stored), audited as edited online."""
    with workbook.open("rb") as fh:
        data = File(fh, name=f"{school_id}-{collection_round.year}-online.xlsx")
        return _receive(collection_round, school_id, data, acting_user, background, "edit_submission")


def check_sheets(path: Path, file_name: str) -> list[dict[str, Any]]:
    """The located problems of a workbook's sheets alone (types, ranges, codes, required cells,
    duplicate keys; no references to the census): what the online form checks before storing."""
    problems = check_sheets_alone(path, limits=settings.UPLOAD_LIMITS, name=file_name)
    return [p.as_dict() for p in capped(problems, settings.UPLOAD_LIMITS.problems)]


def _megabytes(n: int) -> str:
    """A size as a person reads it: 20 MB, 1.5 MB, 0.004 MB."""
    return f"{n / MIB:.3g} MB"


def _receive(
    collection_round: CollectionRound,
    school_id: str,
    uploaded_file: File[Any],
    acting_user: Any,
    background: bool,
    action: str,
) -> tuple[Submission, Job]:
    # the file is written and hashed before the transaction, which holds the database's write lock
    # (SQLite: the whole file) only for the few rows it changes; a refused upload deletes it again
    limit = settings.UPLOAD_LIMITS.upload_bytes
    if (uploaded_file.size or 0) > limit:  # refused before anything is stored
        refuse(
            gettext_noop("The file is %(size)s, over the limit of %(limit)s for one upload."),
            size=_megabytes(uploaded_file.size or 0),
            limit=_megabytes(limit),
        )
    name = Path(uploaded_file.name or "upload.xlsx").name
    field = Submission._meta.get_field("file")
    storage = field.storage
    stored = storage.save(
        field.generate_filename(None, f"{collection_round.year}-{school_id}{Path(name).suffix.lower() or '.xlsx'}"),
        uploaded_file,
        max_length=field.max_length,
    )
    sha256 = source_digest(Path(storage.path(stored)))
    try:
        with transaction.atomic():
            r = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
            if r.status != CollectionRound.Status.OPEN:
                refuse(
                    gettext_noop("The collection round for %(year)s is closed: nothing can be uploaded."), year=r.year
                )
            sub, created = Submission.objects.select_for_update().get_or_create(round=r, school_id=school_id)
            if sub.status in (Status.SUBMITTED, Status.APPROVED):
                refuse(
                    gettext_noop("This submission is %(status)s: its file can no longer be replaced."),
                    status=_status(sub),
                )
            before = None if created else submission_state(sub)
            replaced = sub.file.name
            sub.file.name = stored
            sub.file_name = name[:255]
            sub.sha256 = sha256
            sub.problems = []
            sub.status = Status.CHECKING
            sub.uploaded_by = acting_user
            sub.save()
    except BaseException:
        storage.delete(stored)
        raise
    if replaced and replaced != stored:  # the earlier file of this submission is no longer anyone's
        storage.delete(replaced)
    job = _start_check(sub, before, acting_user, background, action)
    return sub, job


def do_recheck_submission(sub: Submission, *, acting_user: Any, background: bool = True) -> tuple[Submission, Job]:
    """Check the stored file again, as after its upload (a check that was interrupted, or a census
    that changed since): for a draft or a file with errors, while the round is open."""
    with transaction.atomic():
        sub = _locked(sub)
        if sub.round.status != CollectionRound.Status.OPEN:
            refuse(
                gettext_noop("The collection round for %(year)s is closed: nothing can be uploaded."),
                year=sub.round.year,
            )
        if sub.status not in (Status.DRAFT, Status.INVALID) or not sub.file:
            refuse(
                gettext_noop("Only a draft or a file with errors can be checked again; this submission is %(status)s."),
                status=_status(sub),
            )
        before = submission_state(sub)
        sub.status = Status.CHECKING
        sub.problems = []
        sub.save(update_fields=["status", "problems", "updated_at"])
    return sub, _start_check(sub, before, acting_user, background, "recheck_submission")


def _start_check(sub: Submission, before: dict[str, Any] | None, actor: Any, background: bool, action: str) -> Job:
    job = start_job(
        "check",
        _check,
        {
            "pk": sub.pk,
            "sha256": sub.sha256,
            "file": sub.file.name,  # the upload this check is of: two uploads may carry the same bytes
            "before": before,
            "actor_id": getattr(actor, "pk", None),
            "language": translation.get_language() or "en",
            "action": action,
        },
        user=actor,
        inline=not background,
        on_lost=_check_lost,
    )
    sub.refresh_from_db()
    return job


def _check_stage(message: str) -> tuple[float, str]:
    """check_source's stage → (fraction done, the words the page shows)."""
    if message == "reading":
        return 0.05, gettext("Reading the workbook")
    if message == "checking references":
        return 0.85, gettext("Checking references against the census")
    code = message.removeprefix("checking ")
    sheet = SHEET_BY_NAME[code].zh if code in SHEET_BY_NAME else code
    return 0.0, gettext("Checking sheet %(sheet)s") % {"sheet": sheet}


def _check(
    pk: int,
    sha256: str,
    before: dict[str, Any] | None,
    actor_id: int | None,
    language: str,
    progress: Progress,
    action: str = "upload_submission",
    file: str | None = None,
) -> dict[str, Any]:
    """The job of an upload: check the stored file, then store the result with its audit row. A check
    whose upload was replaced meanwhile stores nothing (the later upload's own check decides)."""
    sub = Submission.objects.select_related("round").get(pk=pk)
    if file is not None and sub.file.name != file:
        return {"submission": pk, "stale": True}
    actor = get_user_model().objects.filter(pk=actor_id).first()
    sheets = 0

    def say(message: str) -> None:
        nonlocal sheets
        with translation.override(language):
            fraction, text = _check_stage(message)
        if not fraction:  # one more sheet: spread the sheets over 10 %–80 %
            sheets += 1
            fraction = 0.1 + 0.7 * min(1.0, sheets / max(1, len(SCHOOL_SHEETS)))
        progress(fraction, text)

    try:
        problems = check_submission(Path(sub.file.path), sub.file_name, sub.school_id, sub.round.year, say)
    except Exception:  # the check itself broke: the school must not wait on it forever
        problems = [
            {
                "severity": "error",
                "sheet": sub.file_name,
                "row": None,
                "column": None,
                "value": None,
                "rule": "check_failed",
                "message_zh": "文件检查未能完成，请重新上传；如仍失败，请联系教育局。",
                "message_en": "The file could not be checked: upload it again; if it fails again, tell the bureau.",
            }
        ]
        _store_check(pk, sha256, before, actor, problems, action, file)
        raise
    with translation.override(language):
        progress(0.95, gettext("Storing the result"))
    return _store_check(pk, sha256, before, actor, problems, action, file)


def _check_lost(
    pk: int,
    sha256: str,
    before: dict[str, Any] | None,
    actor_id: int | None,
    language: str,
    action: str,
    worker: str,
    file: str | None = None,
) -> None:
    """The check job died with its process: the submission is marked invalid with a located
    'check interrupted' problem, so that the clerk can check it again or upload it again."""
    sub = Submission.objects.get(pk=pk)
    problem = Problem("error", sub.file_name, None, None, None, "check_interrupted", detail=worker).as_dict()
    _store_check(pk, sha256, before, get_user_model().objects.filter(pk=actor_id).first(), [problem], action, file)


def _store_check(
    pk: int,
    sha256: str,
    before: dict[str, Any] | None,
    actor: Any,
    problems: list[dict[str, Any]],
    action: str = "upload_submission",
    file: str | None = None,
) -> dict[str, Any]:
    with transaction.atomic():
        sub = Submission.objects.select_for_update().select_related("round").get(pk=pk)
        # replaced by a later upload meanwhile: by its file (the same bytes uploaded twice are two uploads,
        # and the first one's file is gone), or by its content (a job queued before the file was recorded)
        replaced = sub.sha256 != sha256 or (file is not None and sub.file.name != file)
        if sub.status != Status.CHECKING or replaced:
            return {"submission": pk, "stale": True}
        sub.problems = problems
        has_errors = any(p["severity"] == "error" for p in problems)
        sub.status = Status.INVALID if has_errors else Status.DRAFT
        sub.save(update_fields=["problems", "status", "updated_at"])
        _audit(actor, action, sub, before, submission_state(sub))
    after = submission_state(sub)
    return {"submission": pk, "status": sub.status, "errors": after["errors"], "warnings": after["warnings"]}


def do_submit_submission(sub: Submission, *, acting_user: Any) -> Submission:
    """Send a checked draft to the bureau for review."""
    with transaction.atomic():
        sub = _locked(sub)
        if sub.round.status != CollectionRound.Status.OPEN:
            refuse(
                gettext_noop("The collection round for %(year)s is closed: nothing can be submitted."),
                year=sub.round.year,
            )
        if sub.status == Status.CHECKING:
            refuse(gettext_noop("The file is still being checked: wait for the check to finish before submitting."))
        if sub.status == Status.INVALID:
            refuse(gettext_noop("The file has errors: correct them and upload it again before submitting."))
        if sub.status != Status.DRAFT:
            refuse(
                gettext_noop("Only a checked draft can be submitted; this submission is %(status)s."),
                status=_status(sub),
            )
        before = submission_state(sub)
        sub.status = Status.SUBMITTED
        sub.save(update_fields=["status", "updated_at"])
        _audit(acting_user, "submit_submission", sub, before, submission_state(sub))
    return sub


def do_return_submission(sub: Submission, comment: str, *, acting_user: Any) -> Submission:
    """Send a submitted file back to its school with the bureau's comment."""
    comment = comment.strip()
    if not comment:
        refuse(gettext_noop("Say what must be corrected: a comment is required to return a submission."))
    with transaction.atomic():
        sub = _locked(sub)
        if sub.status != Status.SUBMITTED:
            refuse(
                gettext_noop("Only a submitted file can be returned; this submission is %(status)s."),
                status=_status(sub),
            )
        before = submission_state(sub)
        sub.status = Status.RETURNED
        sub.comment = comment
        sub.reviewed_by = acting_user
        sub.reviewed_at = timezone.now()
        sub.save(update_fields=["status", "comment", "reviewed_by", "reviewed_at", "updated_at"])
        _audit(acting_user, "return_submission", sub, before, submission_state(sub))
    return sub


# Test hook: set, the process exits between the census commit and the web database's commit of an
# approval (tests/web/test_recovery.py proves the start-up reconciliation, web/recovery.py)
CRASH_ENV = "COUNTYEDU_TEST_EXIT_BETWEEN_COMMITS"


def do_approve_submission(sub: Submission, *, acting_user: Any) -> tuple[Submission, Job]:
    """Import the submitted file as a new census version (replacing only this school's rows of the
    year), then recompute that version's assessment in a background job.

    Two stores commit one after the other: the census version records the submission and the user
    (its origin), so that a crash between the two commits is completed on the next start
    (web/recovery.py)."""
    with transaction.atomic():
        sub = _locked(sub)
        if sub.status != Status.SUBMITTED:
            refuse(
                gettext_noop("Only a submitted file can be approved; this submission is %(status)s."),
                status=_status(sub),
            )
        try:
            # the census store's own transaction; the last step before the audit row, so a refusal
            # above leaves the census untouched
            result = import_census(
                Path(sub.file.path),
                census_data.store(),
                schools={sub.school_id},
                year=sub.round.year,
                origin={"submission": sub.pk, "user": getattr(acting_user, "pk", None)},
            )
        except ValidationFailed as exc:  # the census changed since the upload and the file no longer fits
            refuse(
                gettext_noop(
                    "The file no longer passes the checks against the current census (%(count)s errors): return it to the school."
                ),
                count=len(errors(exc.problems)),
            )
        if os.environ.get(CRASH_ENV):
            os._exit(70)
        record_approval(sub, result.version.version_id, acting_user=acting_user)
    job = start_job("assessment", _assess, {"version": result.version.version_id}, user=acting_user)
    return sub, job


def record_approval(sub: Submission, version_id: str, *, acting_user: Any, recovered: bool = False) -> None:
    """The web side of an approval: the submission approved as census version `version_id`, with its
    audit row (in the caller's transaction; `recovered` when completed after a crash)."""
    before = submission_state(sub)
    sub.status = Status.APPROVED
    sub.census_version = version_id
    sub.comment = ""
    sub.reviewed_by = acting_user
    sub.reviewed_at = timezone.now()
    sub.save()
    after = submission_state(sub)
    if recovered:
        after["recovered"] = "completed on start after a crash between the census and the web database commits"
    _audit(acting_user, "approve_submission", sub, before, after)


def _assess(version: str, progress: Progress, year: int | None = None) -> dict[str, Any]:
    """The web's recompute (a background job): the assessment of a census version and the run of every
    registered kind in `year` (default the latest closed), stored for the pages (runs.pipeline)."""
    done = after_census(census_data.store(), version, census_data.packs(), progress, year=year)
    census_data.forget()
    return {"census_version": version, "results": len(done.assessment.results), "runs": list(done.runs), "year": year}

"""The web app's own records: memberships (roles and scopes), collection rounds, submissions, the
audit log and background jobs. The census itself lives in the DuckDB store, never here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from countyedu.messages import loads, translate


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("Bureau administrator")
    PLANNING = "planning", _("Planning office")
    FINANCE = "finance", _("Finance office")
    PERSONNEL = "personnel", _("Personnel office")
    ADMISSIONS = "admissions", _("Admissions office")
    INSPECTOR = "inspector", _("Supervision office / inspector")
    BASIC_EDUCATION = "basic_education", _("Basic education office (quality monitoring, private schools)")
    VOCATIONAL = "vocational", _("Vocational and adult education office")
    LEADERSHIP = "leadership", _("County leadership (read-only)")
    TOWNSHIP = "township", _("Township official")
    SCHOOL = "school", _("School data clerk")


COUNTY_ROLES = {
    Role.BUREAU_ADMIN,
    Role.PLANNING,
    Role.FINANCE,
    Role.PERSONNEL,
    Role.ADMISSIONS,
    Role.INSPECTOR,
    Role.BASIC_EDUCATION,
    Role.VOCATIONAL,
    Role.LEADERSHIP,
}
# roles that open collection rounds and approve or return submissions
APPROVER_ROLES = {Role.BUREAU_ADMIN, Role.PLANNING}


class Membership(models.Model):
    """A user's role, scoped to the county, one township or one school."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    township_id = models.CharField(_("township"), max_length=64, blank=True)
    school_id = models.CharField(_("school"), max_length=64, blank=True)
    # an inspector role's own inspector (the `inspectors` sheet's id): a responsible inspector sees and
    # records visits of their own schools only; empty for the supervision office (every school)
    inspector_id = models.CharField(_("inspector"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="township") | ~models.Q(township_id=""), name="township_role_has_township"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="school") | ~models.Q(school_id=""), name="school_role_has_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    @property
    def county_wide(self) -> bool:
        return self.role in COUNTY_ROLES

    @property
    def can_approve(self) -> bool:
        return self.role in APPROVER_ROLES


class CollectionRound(models.Model):
    """The bureau's yearly data collection: schools submit their sheets for one school year."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    year = models.IntegerField(_("school year"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-opened_at"]


class Submission(models.Model):
    """One school's data for a round: uploaded, checked, submitted, then approved or returned."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        DRAFT = "draft", _("draft")
        INVALID = "invalid", _("has errors")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    round = models.ForeignKey(CollectionRound, on_delete=models.CASCADE, related_name="submissions")
    school_id = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    file = models.FileField(upload_to="submissions/%Y/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    problems = models.JSONField(default=list, blank=True)
    comment = models.TextField(blank=True)
    census_version = models.CharField(max_length=32, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "school_id"], name="one_submission_per_school")]
        ordering = ["school_id"]


class AuditLog(models.Model):
    """Who changed what, when: written in the same transaction as the change."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class Job(models.Model):
    """Long work run in the background (imports, recomputation) with progress the page polls."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # what the task worker runs (web/jobs.py): a module-level function and its JSON arguments, the
    # function called if the job is lost (its process died), the task's id in the queue, the process
    # running it ("host:pid") and when that process last said it was alive
    work = models.CharField(max_length=200, blank=True)
    arguments = models.JSONField(default=dict, blank=True)
    on_lost = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    def ahead(self) -> int:
        """Jobs queued before this one (it starts when a task worker is free)."""
        return Job.objects.filter(status=self.Status.QUEUED, pk__lt=self.pk).count()

    def progress_text(self) -> str:
        """What the page shows under the progress bar: the queue while waiting, then the work's own words."""
        if self.status == self.Status.QUEUED:
            ahead = self.ahead()
            if ahead:
                return ngettext(
                    "Waiting for a task worker: %(count)s job ahead.",
                    "Waiting for a task worker: %(count)s jobs ahead.",
                    ahead,
                ) % {"count": ahead}
            return gettext("Waiting for a task worker.")
        # the work's progress message: a message key (worded in the reader's language) or words
        return str(translate(loads(self.message), translation.get_language() or "zh"))


class FailedLogin(models.Model):
    """Failed logins and token requests of one user name from one address, in the current window (the
    database, so every web process counts the same failures; web/throttle.py)."""

    key = models.CharField(max_length=300, unique=True)
    count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(db_index=True)


class AdmissionRun(models.Model):
    """One run of the high-school admission (issue 14): its inputs (census version, year, rules and
    the digest of the candidates and programmes it read), its outputs (the allocation, the
    independent verifier's checks) and whether it is published. A published run is frozen: nothing
    changes it, and junior-school clerks see their pupils' outcomes from it."""

    class Status(models.TextChoices):
        COMPUTING = "computing", _("computing")
        DONE = "done", _("computed")
        FAILED = "failed", _("failed")
        PUBLISHED = "published", _("published")

    year = models.IntegerField(_("school year"))
    census_version = models.CharField(max_length=32)
    params = models.JSONField(default=dict, blank=True)
    inputs_digest = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPUTING)
    result = models.JSONField(null=True, blank=True)
    verification = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(status="published"), name="one_published_admission_per_year"
            )
        ]

    @property
    def verified(self) -> bool:
        return bool(self.verification and self.verification.get("ok"))


class RotationDecision(models.Model):
    """The personnel office's word on one move of the exchange rotation (第6、28条) of a school year on
    a census version: locked (agreed, every re-solve keeps it) or vetoed (never proposed again)."""

    class Kind(models.TextChoices):
        LOCK = "lock", _("locked")
        VETO = "veto", _("vetoed")

    census_version = models.CharField(max_length=32)
    year = models.IntegerField(_("school year"))
    teacher_id = models.CharField(max_length=64)
    from_school_id = models.CharField(max_length=64)
    to_school_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["census_version", "year", "teacher_id", "to_school_id"], name="one_decision_per_move"
            )
        ]
        ordering = ["kind", "teacher_id"]

    def state(self) -> dict[str, object]:
        return {
            "census_version": self.census_version,
            "year": self.year,
            "teacher_id": self.teacher_id,
            "from_school_id": self.from_school_id,
            "to_school_id": self.to_school_id,
            "kind": self.kind,
        }


# the supervision office's daily records (issue 15), in their own module
from countyedu.web.supervision_models import (  # noqa: E402, F401
    EvidenceFile,
    Finding,
    Followup,
    InspectorAssignment,
    ManualScore,
    Notice,
    Rectification,
    VetoEntry,
    Visit,
)

# the task register's updates (issue 15 item 1), in their own module
from countyedu.web.task_models import TaskUpdate  # noqa: E402, F401

"""The supervision office's daily records (issue 15 items 3 and 4; 第31、34条): the responsible
inspectors' visits, their findings (the eight routine items, safety hazards with a severity, and the
checklist items a visit resolves), the rectifications the schools owe, each step of them, the
evidence files and photos, and which inspector is responsible for which school.

Imported by `web.models` (one app). The computations never read these: `web.supervision_records`
builds `supervision.records` frames from them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from countyedu.supervision import records


def _choices(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(c, c) for c in codes]


class InspectorAssignment(models.Model):
    """An inspector (责任督学, an id of the `inspectors` sheet) responsible for a school from `since`
    until `until` (None: still responsible)."""

    school_id = models.CharField(max_length=64)
    inspector_id = models.CharField(max_length=64)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["school_id", "-since"]
        indexes = [models.Index(fields=["inspector_id"]), models.Index(fields=["school_id"])]


class Visit(models.Model):
    """One visit of an inspector to a school (STANDARDS SV: school, date, inspector, type, a finding per
    routine item, problems, deadline, feedback)."""

    school_id = models.CharField(_("school"), max_length=64)
    inspector_id = models.CharField(_("inspector"), max_length=64)
    date = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=16, choices=_choices(records.VISIT_KINDS))
    feedback_given = models.BooleanField(_("feedback given on site"), default=False)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["school_id", "date"]), models.Index(fields=["inspector_id", "date"])]

    def state(self) -> dict[str, Any]:
        return {
            "school_id": self.school_id,
            "inspector_id": self.inspector_id,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "feedback_given": self.feedback_given,
        }


class Finding(models.Model):
    """What a visit found on one item: a routine item, a safety hazard (with its severity) or another
    matter; `problem` empty when nothing is wrong. A finding may resolve a `needs_evidence` checklist
    indicator for the school and the school year of the visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField(max_length=16, choices=_choices(records.FINDING_ITEMS))
    severity = models.CharField(max_length=8, blank=True, choices=_choices(records.SEVERITIES))
    observation = models.TextField(blank=True)
    problem = models.TextField(blank=True)
    checklist_item = models.CharField(max_length=32, blank=True)
    checklist_status = models.CharField(max_length=8, blank=True, choices=_choices(records.CHECKLIST_STATUSES))

    class Meta:
        ordering = ["visit", "pk"]


class Rectification(models.Model):
    """A problem the school must put right (整改) by its deadline: the school answers with evidence, the
    inspector returns or closes it. Overdue ones are escalated by date (`supervision.rectify`)."""

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="rectification")
    school_id = models.CharField(max_length=64)
    deadline = models.DateField(_("deadline"))
    responsible = models.CharField(_("responsible person"), max_length=64, blank=True)
    status = models.CharField(max_length=12, choices=_choices(records.RECTIFICATION_STATUSES), default="open")
    response = models.TextField(_("response"), blank=True)
    answered_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["school_id", "status"])]

    def state(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "deadline": self.deadline.isoformat(),
            "answered_on": self.answered_on.isoformat() if self.answered_on else None,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
        }


class Followup(models.Model):
    """One step of a rectification: the school's answer, the inspector's return or close, a daily check
    of an open 重大 hazard, the bureau's notice."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="followups")
    date = models.DateField()
    action = models.CharField(max_length=12, choices=_choices(records.FOLLOWUP_ACTIONS))
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]


class EvidenceFile(models.Model):
    """A photo or a file kept as evidence of a visit or of a rectification step (type and size checked
    on upload; served only to those who may see the school)."""

    school_id = models.CharField(max_length=64)
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    followup = models.ForeignKey(Followup, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="supervision/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Notice(models.Model):
    """The bureau's notice (通报) of a rectification overdue a second time: its second deadline, set
    `grace_days` after the first, passed too (`supervision.rectify`). One per rectification, issued by
    the daily escalation (`countyedu supervise escalate`, the task workers) and shown to the school
    and the bureau; the same rectification is never noticed twice."""

    rectification = models.OneToOneField(Rectification, on_delete=models.CASCADE, related_name="notice")
    school_id = models.CharField(max_length=64)
    issued_on = models.DateField(_("issued on"))
    deadline = models.DateField(_("deadline"))
    second_deadline = models.DateField(_("second deadline"))
    days_overdue = models.PositiveIntegerField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["school_id", "issued_on"])]

    def state(self) -> dict[str, Any]:
        return {
            "rectification": self.rectification_id,
            "school_id": self.school_id,
            "issued_on": self.issued_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "second_deadline": self.second_deadline.isoformat(),
            "days_overdue": self.days_overdue,
        }


class ManualScore(models.Model):
    """A score the supervision office gives a school or a township on a `manual` row of the evaluation
    rubric (第34条) for a school year; entering it again replaces it (the audit keeps the old one)."""

    year = models.PositiveSmallIntegerField(_("school year"))
    unit_id = models.CharField(max_length=64)
    rubric_id = models.CharField(max_length=32)
    points = models.FloatField(_("points"))
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "unit_id", "rubric_id"]
        constraints = [models.UniqueConstraint(fields=["year", "unit_id", "rubric_id"], name="one_manual_score")]

    def state(self) -> dict[str, Any]:
        return {"year": self.year, "unit_id": self.unit_id, "rubric_id": self.rubric_id, "points": self.points}


class VetoEntry(models.Model):
    """A veto (一票否决: pay arrears, misused funds, a major safety accident) the supervision office
    records against a school or a township for a school year, with its reason; withdrawn by deleting
    it (audited)."""

    year = models.PositiveSmallIntegerField(_("school year"))
    unit_id = models.CharField(max_length=64)
    veto = models.CharField(max_length=32)
    note = models.TextField(_("reason"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "unit_id", "veto"]
        constraints = [models.UniqueConstraint(fields=["year", "unit_id", "veto"], name="one_veto_entry")]

    def state(self) -> dict[str, Any]:
        return {"year": self.year, "unit_id": self.unit_id, "veto": self.veto, "note": self.note}


class AccountabilityEntry(models.Model):
    """A measure the supervision office took to hold a school or a township to account (问责: a talk,
    a notice of criticism), with its date; the evaluation of the school year the date falls in counts
    it (第34条: held to account twice in a year is an interview). Withdrawn by deleting it (audited)."""

    unit_id = models.CharField(max_length=64)
    date = models.DateField(_("date"))
    measure = models.TextField(_("measure"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "unit_id", "pk"]

    def state(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "date": self.date.isoformat(), "measure": self.measure}

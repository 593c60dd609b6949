"""Task updates (issue 15 item 1; 第33条 督办): an owner's progress on a task of the register (status,
percent done, a note, evidence text and an optional evidence file) and the bureau's decision on it
(accepted or returned, with a note). Imported by `web.models` (one app); `web.supervision_records`
builds the `task_updates` frame from these rows for the computations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from countyedu.supervision import records


class TaskUpdateQuerySet(models.QuerySet["TaskUpdate"]):
    def as_rows(self) -> list[dict[str, Any]]:
        """The updates as rows of the records' `task_updates` frame (an evidence file stands for its text)."""
        return [
            {
                "task_id": u.task_id,
                "date": u.date,
                "status": u.status,
                "progress": u.progress,
                "note": u.note or None,
                "evidence": u.evidence or u.file_name or None,
                "accepted": u.accepted,
            }
            for u in self
        ]


class TaskUpdate(models.Model):
    """An update of one task (a `tasks` sheet's task_id) by its owner; `accepted` None until the bureau decides."""

    task_id = models.CharField(_("task"), max_length=64)
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=16, choices=[(c, c) for c in records.TASK_UPDATE_STATUSES])
    progress = models.PositiveSmallIntegerField(_("percent done"), null=True, blank=True)
    note = models.TextField(_("progress note"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    file = models.FileField(upload_to="supervision/tasks/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    # the owner unit the update was made for (its scope when it was made)
    owner_kind = models.CharField(max_length=20, blank=True)
    owner_id = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    accepted = models.BooleanField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = TaskUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["task_id", "date", "pk"]
        indexes = [models.Index(fields=["task_id", "date"])]

    def state(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "date": self.date.isoformat(),
            "status": self.status,
            "progress": self.progress,
            "note": self.note,
            "evidence": self.evidence,
            "file": self.file_name,
            "accepted": self.accepted,
            "decision_note": self.decision_note,
        }

"""A check job that finishes after its upload was replaced stores nothing, even when the clerk sent the
same bytes twice (found by test_concurrent_uploads under load: K1's second upload's check ran after its
third upload had replaced the file, found the file gone and marked the submission invalid — then the
third upload's check, seeing the submission no longer `checking`, stored nothing: K1 stayed invalid)."""

from __future__ import annotations

from collection_support import open_round, template_bytes, upload

from countyedu.web import actions
from countyedu.web.models import Submission


def test_a_replaced_uploads_late_check_stores_nothing(users) -> None:
    r = open_round(users)
    data = template_bytes(users, r)
    clerk = users["clerk_p1"]
    sub, _job = actions.do_upload_submission(r, "P1", upload(data, "P1-a.xlsx"), acting_user=clerk)
    first = sub.file.name
    sub, _job = actions.do_upload_submission(r, "P1", upload(data, "P1-b.xlsx"), acting_user=clerk)
    assert sub.file.name != first and sub.status == "draft"
    # the second upload's check is still queued; the first upload's check finishes late
    Submission.objects.filter(pk=sub.pk).update(status="checking", problems=[])
    gone = [{"severity": "error", "sheet": "P1-a.xlsx", "rule": "unreadable", "row": None, "column": None}]
    assert actions._store_check(sub.pk, sub.sha256, None, clerk, gone, file=first)["stale"]
    late = actions._check(sub.pk, sub.sha256, None, clerk.pk, "en", lambda *_: None, file=first)
    assert late == {"submission": sub.pk, "stale": True}
    sub.refresh_from_db()
    assert sub.status == "checking" and sub.problems == []
    # the second upload's own check decides
    answer = actions._check(sub.pk, sub.sha256, None, clerk.pk, "en", lambda *_: None, file=sub.file.name)
    sub.refresh_from_db()
    assert answer["status"] == "draft" and sub.status == "draft"

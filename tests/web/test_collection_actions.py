"""The state changes themselves (web/actions.py): every illegal transition is refused with a reason
in both languages and leaves no audit row; every legal one writes exactly one."""

from __future__ import annotations

import pytest
from collection_support import open_round, submission, template_bytes, upload

from countyedu.web import actions
from countyedu.web.actions import ActionRefused
from countyedu.web.models import AuditLog


class TestActions:
    def test_it_refuses_approving_a_draft_in_both_languages(self, users):
        sub = submission(users, "draft")
        with pytest.raises(ActionRefused) as exc:
            actions.do_approve_submission(sub, acting_user=users["planner"])
        assert exc.value.message_en == "Only a submitted file can be approved; this submission is draft."
        assert exc.value.message_zh == "只有已报送的文件才能审核通过；此报送当前为“草稿”。"

    @pytest.mark.parametrize(
        ("status", "action"),
        [
            ("invalid", "submit"),
            ("submitted", "submit"),
            ("draft", "return"),
            ("returned", "return"),
            ("invalid", "approve"),
            ("returned", "approve"),
        ],
    )
    def test_it_refuses_illegal_transitions(self, users, status, action):
        sub = submission(users, status)
        logged = AuditLog.objects.count()
        do = {
            "submit": lambda: actions.do_submit_submission(sub, acting_user=users["clerk_p1"]),
            "return": lambda: actions.do_return_submission(sub, "请修改", acting_user=users["planner"]),
            "approve": lambda: actions.do_approve_submission(sub, acting_user=users["planner"]),
        }[action]
        with pytest.raises(ActionRefused):
            do()
        sub.refresh_from_db()
        assert sub.status == status and AuditLog.objects.count() == logged

    def test_it_refuses_uploads_and_submissions_once_the_round_is_closed(self, users):
        sub = submission(users, "draft")
        data = template_bytes(users, sub.round)
        actions.do_close_round(sub.round, acting_user=users["admin"])
        sub.refresh_from_db()
        with pytest.raises(ActionRefused) as exc:
            actions.do_upload_submission(sub.round, "P1", upload(data), acting_user=users["clerk_p1"])
        assert exc.value.message_en == "The collection round for 2025 is closed: nothing can be uploaded."
        with pytest.raises(ActionRefused) as exc:
            actions.do_submit_submission(sub, acting_user=users["clerk_p1"])
        assert exc.value.message_zh == "2025 学年的采集轮次已关闭，不能再报送。"

    def test_it_refuses_a_year_out_of_range(self, users):
        with pytest.raises(ActionRefused) as exc:
            actions.do_open_round(1900, "", acting_user=users["admin"])
        assert exc.value.message_zh == "学年应在 1949 至 2100 之间。"

    def test_it_allows_a_new_round_for_a_year_whose_round_was_closed(self, users):
        first = open_round(users)
        actions.do_close_round(first, acting_user=users["admin"])
        assert open_round(users).pk != first.pk

    def test_it_writes_one_audit_row_per_change(self, users):
        sub = submission(users, "returned")  # open, upload, submit, return
        assert [a.action for a in AuditLog.objects.order_by("id")] == [
            "open_round",
            "upload_submission",
            "submit_submission",
            "return_submission",
        ]
        assert {a.actor.username for a in AuditLog.objects.all()} == {"admin", "clerk_p1", "planner"}
        assert AuditLog.objects.filter(object_type="submission", object_id=str(sub.pk)).count() == 3

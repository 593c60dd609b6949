"""The escalation issued (issue 15 item 4; 教育督导问责办法): a rectification overdue a second time —
its first deadline passed unanswered, and the bureau's second one `grace_days` later too
(`supervision.rectify`) — gets the bureau's notice (通报): a `Notice` row, a `notice` step in the
rectification's history (the evaluation counts it as an accountability measure of the year) and an
audit row, in one transaction. The daily escalation (`countyedu supervise escalate --as-of`, and each
task worker once a day) issues them; running it again for the same day, or any later day, issues no
second notice for the same rectification. The school sees its notices on its supervision panel and
the rectification's page, the bureau every notice on the visits page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from countyedu.supervision.rectify import RectifyParams, notices_due, standing
from countyedu.web import census as census_data
from countyedu.web.actions import _audit
from countyedu.web.models import Membership
from countyedu.web.supervision_models import Followup, Notice, Rectification


def _params() -> RectifyParams:
    return RectifyParams.of(census_data.packs()) if census_data.latest_version() is not None else RectifyParams()


def do_issue_notices(day: dt.date, *, acting_user: Any = None) -> list[Notice]:
    """Issue the notices due on `day` (the rectifications at stage `notice` without one yet), each in
    its own transaction with its `notice` step and audit row; the notices issued now (none when run
    again). `acting_user` None: the daily escalation."""
    from countyedu.web import supervision_records

    s = standing(supervision_records.frames(), day, _params())
    issued = {str(pk) for pk in Notice.objects.values_list("rectification_id", flat=True)}
    out = []
    for row in notices_due(s, issued).itertuples(index=False):
        try:
            with transaction.atomic():
                r = Rectification.objects.select_for_update().get(pk=int(row.rectification_id))
                n = Notice.objects.create(
                    rectification=r,
                    school_id=r.school_id,
                    issued_on=day,
                    deadline=r.deadline,
                    second_deadline=row.second_deadline.date(),
                    days_overdue=int(row.days_overdue),
                    issued_by=acting_user,
                )
                Followup.objects.create(rectification=r, date=day, action="notice", by=acting_user)
                _audit(acting_user, "issue_notice", n, None, n.state())
                supervision_records.records_changed()
        except IntegrityError:  # another worker issued it a moment ago
            continue
        out.append(n)
    return out


def notices_for(m: Membership | None, scope: set[str] | None, school_id: str | None = None) -> list[Notice]:
    """The notices a member reads (`scope`: the schools they may see, None every school), newest first;
    of one school when given."""
    if m is None:
        return []
    qs = Notice.objects.select_related("rectification__finding")
    if scope is not None:
        qs = qs.filter(school_id__in=scope)
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return list(qs)


_last_day: list[dt.date] = []


def issue_daily(day: dt.date) -> int:
    """A task worker's daily escalation: the notices due on `day`, once per day in this process (the
    next call the same day does nothing); how many were issued."""
    if _last_day and _last_day[-1] == day:
        return 0
    issued = do_issue_notices(day)
    _last_day[:] = [day]
    return len(issued)

"""One demo account per role for the demo county (printed by `make demo`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from countyedu.web.models import Membership, Role

DEMO_PASSWORD = "nanfeng-demo-2019"


def ensure_demo_accounts(township_id: str, school_id: str) -> list[tuple[str, str, str]]:
    """(user name, password, role label) for each role, created or reset."""
    users = [
        ("admin", Role.BUREAU_ADMIN, "", ""),
        ("planning", Role.PLANNING, "", ""),
        ("finance", Role.FINANCE, "", ""),
        ("personnel", Role.PERSONNEL, "", ""),
        ("admissions", Role.ADMISSIONS, "", ""),
        ("inspector", Role.INSPECTOR, "", ""),
        ("jijiao", Role.BASIC_EDUCATION, "", ""),
        ("zhicheng", Role.VOCATIONAL, "", ""),
        ("leader", Role.LEADERSHIP, "", ""),
        ("township", Role.TOWNSHIP, township_id, ""),
        ("school", Role.SCHOOL, "", school_id),
    ]
    User = get_user_model()
    out = []
    with transaction.atomic():
        for name, role, tid, sid in users:
            u, _ = User.objects.get_or_create(username=name)
            u.set_password(DEMO_PASSWORD)
            u.is_staff = role == Role.BUREAU_ADMIN
            u.save()
            Membership.objects.update_or_create(user=u, defaults={"role": role, "township_id": tid, "school_id": sid})
            scope = tid or sid
            out.append((name, DEMO_PASSWORD, f"{Role(role).label}{' ' + scope if scope else ''}"))
    return out

"""Every rotation plan made by a test of this folder passes the independent rotation checker
(rotation_checked.py), whichever test made it: plan_rotation is wrapped for the test's duration."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def every_rotation_checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    from rotation_checked import check_plan

    from countyedu.teachers import rotation
    from countyedu.teachers.params import teachers_params
    from countyedu.teachers.staffing import compute_staffing

    real = rotation.plan_rotation

    def checked(frames: Any, packs: Any = (), year: int | None = None, **kw: Any) -> Any:
        plan = real(frames, packs, year, **kw)
        staffing = kw.get("staffing") or compute_staffing(dict(frames), teachers_params(list(packs)), year)
        check_plan(plan, frames, staffing, kw.get("locks"), kw.get("vetoes"))
        return plan

    monkeypatch.setattr(rotation, "plan_rotation", checked)
    if getattr(request.module, "plan_rotation", None) is real:
        monkeypatch.setattr(request.module, "plan_rotation", checked)

"""Every inspector assignment made by a test of this folder passes the independent assignment checker
(assign_checked.py), whichever test made it: assign_inspectors is wrapped for the test's duration, in
its module and wherever a loaded countyedu module imported it by name."""

from __future__ import annotations

import sys
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def every_assignment_checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        from countyedu.supervision import assign
    except ImportError:  # the assignment has not landed
        return
    from assign_checked import check_result

    real = assign.assign_inspectors

    def checked(
        frames: Any, params: Any = None, year: Any = None, previous: Any = None, leaving: Any = (), roads: Any = None
    ) -> Any:
        result = real(frames, params, year, previous, leaving, roads=roads)
        check_result(result, frames, params, previous, leaving)
        return result

    monkeypatch.setattr(assign, "assign_inspectors", checked)
    for name, module in list(sys.modules.items()):
        if name.startswith("countyedu.") and getattr(module, "assign_inspectors", None) is real:
            monkeypatch.setattr(module, "assign_inspectors", checked)
    if getattr(request.module, "assign_inspectors", None) is real:
        monkeypatch.setattr(request.module, "assign_inspectors", checked)

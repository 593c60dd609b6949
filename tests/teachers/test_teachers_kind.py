"""The teachers run kind assembles its parts: a command asks for one part and gets it with the parts it
reads only; the run's JSON holds each part under its name, its blocks start with "teachers."."""

from __future__ import annotations

import staffing_county

from countyedu.runs.registry import get
from countyedu.teachers.kind import run_teachers, summary_lines


def test_one_part_computes_only_what_it_reads() -> None:
    run = run_teachers(staffing_county.frames(), [], only=["allocation"])
    assert list(run.parts) == ["staffing", "allocation"]
    run = run_teachers(staffing_county.frames(), [], only=["training"])
    assert list(run.parts) == ["training"]


def test_the_kind_is_registered_and_its_result_has_every_part() -> None:
    kind = get("teachers")
    assert kind.run_roles == ("bureau_admin", "personnel")
    result = kind.compute(staffing_county.frames(), [], None, kind.resolve())
    doc = result.as_dict()
    assert doc["year"] == 2024 and {"staffing", "allocation", "training"} <= set(doc)
    assert all(b.id.startswith("teachers.") for b in result.blocks())
    lines = summary_lines(kind.summary(result))
    assert any("教师编制" in line and "100" in line for line in lines)  # the hand county's norms: 100

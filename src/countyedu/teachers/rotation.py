"""The exchange-rotation plan (issue 13 item 3; POLICY.md 第6、28条, STANDARDS.md RT, QB-G11).

For the school year after the census year `year`, from the teachers of `year`:

- eligible: full-time teachers of primary and junior schools (and their parts) with at least
  `eligible_years` (6) years at the same school, except those within `retirement_within` (5) years of
  their retirement age (men 60, women 55: parameters) and those on the rotation_exemptions sheet
  (pregnancy, illness, …) of that year;
- rules: each urban or strong school (its QB-R1–R3 score, the mean of value ÷ standard, at least
  `strong_score`) moves at least `move_share` (10 %, rounded up) of its eligible teachers; backbone
  teachers (county level or higher) are at least `backbone_share` (20 %) of those moved (or of the
  eligible: `backbone_of`), over the county (or each township or school: `backbone_scope`); each move
  is a stint of `stint_years` (3);
- direction: urban → rural, strong → weak (score below `weak_score`), a township's central school →
  its village schools and teaching points; the receiving school is short of the teacher's subject
  (by at least `subject_need_min` posts, teachers.staffing's subject posts) and no receiving school
  ends over its norm, no sending school below its floor (teachers.staffing's norms and floors);
- objective: the pupil-weighted between-school CVs of QB-R1–R3 and the subject shortages, with the
  least travel (teachers.rotation_model: a mixed-integer programme solved by HiGHS, with the gap to
  its proven bound, and a greedy baseline on the same numbers);
- locked moves (teacher → school, agreed) are kept, vetoed pairs never made; a request no plan can
  meet raises RotationInfeasible, whose message quotes the numbers.

`plan_rotation(frames, packs, year, locks=…, vetoes=…)` is what the CLI, the run kind and the web
call; the result's `contract(census_version)` is the JSON of `countyedu teachers rotation`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.teachers.params import teachers_params
from countyedu.teachers.rotation_build import build
from countyedu.teachers.rotation_plan import (
    PARAMS,
    Check,
    Move,
    RotationInfeasible,
    RotationParams,
    RotationPlan,
    read_county,
    rotation_params,
)
from countyedu.teachers.rotation_words import summary_lines as _lines
from countyedu.teachers.staffing import Staffing, compute_staffing

NEEDS = ("staffing",)  # the parts this one reads (teachers.parts)

__all__ = ["PARAMS", "Check", "Move", "RotationInfeasible", "RotationParams", "RotationPlan", "plan_rotation"]


def _pairs(items: Iterable[tuple[str, str] | str]) -> list[tuple[str, str]]:
    """`T:S` strings or (teacher, school) pairs, as pairs; a malformed one is a CountyEduError."""
    out = []
    for x in items:
        if isinstance(x, str):
            teacher, sep, school = x.partition(":")
            if not sep or not teacher or not school:
                raise CountyEduError(Msg("{value}: write a teacher and a school as TEACHER:SCHOOL", value=x), value=x)
            out.append((teacher.strip(), school.strip()))
        else:
            out.append((str(x[0]), str(x[1])))
    return out


def plan_rotation(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Any] = (),
    year: int | None = None,
    *,
    locks: Iterable[tuple[str, str] | str] = (),
    vetoes: Iterable[tuple[str, str] | str] = (),
    params: Mapping[str, Any] | None = None,
    staffing: Staffing | None = None,
    strict: bool = False,
) -> RotationPlan:
    """The rotation plan for the school year after `year` (default the latest with classes), with
    locked moves kept and vetoed (teacher, school) pairs never made. Raises RotationInfeasible (the
    numbers why) when a lock cannot be kept, or (`strict`) when no plan meets every rule; otherwise a
    plan meeting as much as it can, its `shortfalls` saying why the rest cannot be met."""
    p = rotation_params(packs, params)
    staffing = staffing or compute_staffing(dict(frames), teachers_params(list(packs)), year)
    county = read_county(frames, packs, staffing, p)
    distance, basis = _distance(frames, county, packs)
    plan = build(county, p, _pairs(locks), _pairs(vetoes), distance, strict)
    return dataclasses.replace(plan, distance_basis=basis.as_dict())


def _distance(frames: Mapping[str, pd.DataFrame], county: Any, packs: Sequence[Any]) -> tuple[Any, Any]:
    """km between the county's schools: by road when the census has a road network (roads.travel, with
    the packs' road parameters), else the straight line; and the basis the plan states."""
    from countyedu.roads.travel import params_of, point_distance

    s = county.schools  # named by their names: the basis lists the schools far from any road by them
    places = pd.DataFrame({"school": s["name"].astype(str), "lat": s["lat"], "lon": s["lon"]})
    return point_distance(frames, places, params_of(packs))


def part(ctx: Any) -> RotationPlan | None:
    """The run's rotation part (after staffing), None when the census has no school of its stages."""
    given = {
        "eligible_years": ctx.value("rotation_eligible_years"),
        "move_share": ctx.value("rotation_move_share"),
        "backbone_share": ctx.value("rotation_backbone_share"),
        "stint_years": ctx.value("rotation_stint_years"),
    }
    staffing = ctx.parts.get("staffing")
    if staffing is None or not len(staffing.schools):
        return None
    p = rotation_params(ctx.packs, given)
    county = read_county(ctx.frames, ctx.packs, staffing, p)
    if not len(county.schools):
        return None
    distance, basis = _distance(ctx.frames, county, ctx.packs)
    try:
        return dataclasses.replace(build(county, p, [], [], distance), distance_basis=basis.as_dict())
    except RotationInfeasible:  # a run has no locks: only a solver that found no plan at all
        return None


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The rotation's headline (`countyedu demo`)."""
    return _lines(s)

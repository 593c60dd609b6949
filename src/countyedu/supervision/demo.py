"""The demo county's supervision records (issue 15 item 9): a year of responsible inspectors' visits
up to `as_of` as their visit plan lays them out, with a finding on each of the eight routine items; a
few problems each month and their rectification (most closed in time, some answered late, a few never
answered and overdue on `as_of`); the inspector checklist items (QB-Q3, QB-Q7, QB-Q8) checked at each
school's first visit of the census's latest school year, a few not met; and one 重大 safety hazard
found three days before `as_of`, checked daily since. Plain rows of `supervision.records`' frames, drawn from a seeded generator (the same county, plan
and day give the same records); the web writes them into the demo accounts' database
(web.supervision_demo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.supervision.plan import VisitPlan
from countyedu.supervision.records import ROUTINE_ITEMS, school_year

SEED = 2019 + 15
CHECKLIST = ("QB-Q3", "QB-Q7", "QB-Q8")  # checked once a year at every school
PROBLEM_SHARE = 0.06  # of a visit's routine items with a problem [demo]
OBSERVATIONS: dict[str, str] = {
    "management": "制度健全，校务公开栏按时更新",
    "admission": "按划片招生，收费公示规范",
    "teaching": "课表按课程方案开设，教案齐全",
    "workload": "作业公示，课间操和大课间正常开展",
    "teachers": "师德考核档案完整",
    "campus_safety": "门卫值守、上下学护导到位",
    "hygiene": "食堂证照齐全，留样记录完整",
    "ethos": "校园整洁，学生文明有礼",
}
PROBLEMS: dict[str, tuple[str, ...]] = {
    "management": ("校务公开栏未更新本学期内容", "教代会记录不全"),
    "admission": ("收费公示未张贴", "有跨片区入学未报备"),
    "teaching": ("三年级体育课每周少一节", "科学实验课开出率不足"),
    "workload": ("部分班级书面作业超时", "大课间活动时间不足 30 分钟"),
    "teachers": ("教师培训学时登记不全",),
    "campus_safety": ("上学时段校门口无护导", "消防通道堆放杂物"),
    "hygiene": ("食堂留样记录缺两天", "宿舍通风不良"),
    "ethos": ("校园文化墙破损",),
}
RESPONSIBLE = ("分管副校长", "教务主任", "总务主任", "德育主任")
GRAVE_HAZARD = "教学楼外墙瓷砖大面积松动，有坠落风险"


@dataclass
class DemoRecords:
    """Rows of each records frame (ids are the demo's own: V…, F…, R…)."""

    visits: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    rectifications: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)


def demo_records(
    plan: VisitPlan,
    mapping: Mapping[str, str],
    checklist_year: int,
    as_of: dt.date,
    *,
    hazard_school: str | None = None,
    open_school: str | None = None,
    seed: int = SEED,
) -> DemoRecords:
    """The year's records: the plan's visits up to `as_of`; `hazard_school` gets the 重大 hazard and
    `open_school` (the demo clerk's school) an open problem not yet due."""
    rng = np.random.default_rng(seed)
    out = DemoRecords()
    since = plan.start
    for sid, iid in sorted(mapping.items()):
        out.assignments.append({"school_id": sid, "inspector_id": iid, "since": since, "until": None})
    planned = plan.visits[plan.visits["date"] <= pd.Timestamp(as_of)]
    checked: set[str] = set()
    for k, row in enumerate(planned.itertuples(index=False)):
        day = row.date.date()
        vid = f"V{k + 1:05d}"
        out.visits.append(
            {
                "visit_id": vid,
                "school_id": row.school_id,
                "inspector_id": row.inspector_id,
                "date": day,
                "kind": "routine",
                "feedback_given": bool(rng.random() < 0.95),
            }
        )
        problems = rng.random(len(ROUTINE_ITEMS)) < PROBLEM_SHARE
        for item, has_problem in zip(ROUTINE_ITEMS, problems, strict=True):
            problem = str(rng.choice(PROBLEMS[item])) if has_problem else None
            fid = _finding(out, vid, row.school_id, day, item, OBSERVATIONS[item], problem)
            if problem:
                _rectify(out, rng, fid, row.school_id, day, as_of)
        if school_year(day) == checklist_year and row.school_id not in checked:
            checked.add(row.school_id)
            for ind in CHECKLIST:
                status = "not_met" if rng.random() < 0.04 else "met"
                _finding(out, vid, row.school_id, day, "other", "核查了相关台账和佐证材料", None, ind, status)
    if open_school:
        _open_problem(out, open_school, mapping, as_of)
    if hazard_school:
        _grave_hazard(out, hazard_school, mapping, as_of)
    return out


def _finding(
    out: DemoRecords,
    vid: str,
    sid: str,
    day: dt.date,
    item: str,
    observation: str | None,
    problem: str | None,
    checklist_item: str | None = None,
    checklist_status: str | None = None,
    severity: str | None = None,
) -> str:
    fid = f"F{len(out.findings) + 1:06d}"
    out.findings.append(
        {
            "finding_id": fid,
            "visit_id": vid,
            "school_id": sid,
            "date": day,
            "item": item,
            "severity": severity,
            "observation": observation,
            "problem": problem,
            "checklist_item": checklist_item,
            "checklist_status": checklist_status,
        }
    )
    return fid


def _rectify(out: DemoRecords, rng: np.random.Generator, fid: str, sid: str, day: dt.date, as_of: dt.date) -> None:
    """A problem's rectification: 30 days to put it right; by `as_of` most were answered in time and
    closed, one in ten answered late, one in twenty never answered."""
    rid = f"R{len(out.rectifications) + 1:05d}"
    deadline = day + dt.timedelta(days=30)
    fate = rng.random()
    answered = closed = None
    status = "open"
    if fate < 0.85:
        answered = day + dt.timedelta(days=int(rng.integers(5, 29)))
    elif fate < 0.95:
        answered = deadline + dt.timedelta(days=int(rng.integers(3, 20)))
    if answered is not None and answered <= as_of:
        status = "answered"
        checked = answered + dt.timedelta(days=int(rng.integers(2, 8)))
        if checked <= as_of:
            status, closed = "closed", checked
    else:
        answered = None
    out.rectifications.append(
        {
            "rectification_id": rid,
            "finding_id": fid,
            "school_id": sid,
            "deadline": deadline,
            "responsible": str(rng.choice(RESPONSIBLE)),
            "status": status,
            "answered_on": answered,
            "closed_on": closed,
        }
    )
    if answered is not None:
        out.followups.append({"rectification_id": rid, "date": answered, "action": "answer", "note": "已按要求整改"})
    if closed is not None:
        out.followups.append({"rectification_id": rid, "date": closed, "action": "close", "note": "复查属实"})


def _special_visit(out: DemoRecords, sid: str, iid: str, day: dt.date) -> str:
    vid = f"V{len(out.visits) + 1:05d}"
    out.visits.append(
        {"visit_id": vid, "school_id": sid, "inspector_id": iid, "date": day, "kind": "special", "feedback_given": True}
    )
    return vid


def _open_problem(out: DemoRecords, sid: str, mapping: Mapping[str, str], as_of: dt.date) -> None:
    day = as_of - dt.timedelta(days=6)
    vid = _special_visit(out, sid, mapping[sid], day)
    fid = _finding(out, vid, sid, day, "workload", "抽查三个班作业", "五年级书面作业时间超过 60 分钟")
    out.rectifications.append(
        {
            "rectification_id": f"R{len(out.rectifications) + 1:05d}",
            "finding_id": fid,
            "school_id": sid,
            "deadline": day + dt.timedelta(days=30),
            "responsible": "教务主任",
            "status": "open",
            "answered_on": None,
            "closed_on": None,
        }
    )


def _grave_hazard(out: DemoRecords, sid: str, mapping: Mapping[str, str], as_of: dt.date) -> None:
    """The 重大 hazard found three days before `as_of`, checked on the two days after."""
    day = as_of - dt.timedelta(days=3)
    vid = _special_visit(out, sid, mapping[sid], day)
    fid = _finding(out, vid, sid, day, "safety", None, GRAVE_HAZARD, severity="grave")
    rid = f"R{len(out.rectifications) + 1:05d}"
    out.rectifications.append(
        {
            "rectification_id": rid,
            "finding_id": fid,
            "school_id": sid,
            "deadline": day + dt.timedelta(days=7),
            "responsible": "校长",
            "status": "open",
            "answered_on": None,
            "closed_on": None,
        }
    )
    for d in (1, 2):
        out.followups.append(
            {
                "rectification_id": rid,
                "date": day + dt.timedelta(days=d),
                "action": "daily_check",
                "note": "已设警戒区，禁止通行",
            }
        )

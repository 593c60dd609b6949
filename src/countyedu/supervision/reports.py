"""Supervision reports (issue 15 item 6; 第31、33、34条, SV): per school (the year's visits, findings
and rectification), per township (its evaluation, tasks and schools) and the county's annual
supervision report (visits and their coverage, findings, safety hazards, rectification, the
evaluations, the 约谈 list and the money line: supervision funds ≥ 400,000 yuan a year, the
indicator B-34-FUNDS of the assessment).

Each report is a list of blocks (ids `supervision.report.*`), made from an evaluation
(`supervision.evaluate`) and the plain frames it read; the CLI, the pages and the PDF/Excel writers
render them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg, Num, register_codes
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding
from countyedu.supervision.evaluate import Evaluation, Inputs, UnitEvaluation, period
from countyedu.supervision.rubric import row_label

FUNDS_INDICATOR = "B-34-FUNDS"  # 第34条: supervision funds ≥ 400,000 yuan a year (the assessment's item)

# Words of the records' codes (supervision.records), for the reports' tables.
_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "finding_item": {
        "management": ("学校管理", "school management"),
        "admission": ("招生、收费、择校", "admission, fees, school choice"),
        "teaching": ("课程开设与教学", "curriculum and teaching"),
        "workload": ("课业负担与体育锻炼", "workload and exercise"),
        "teachers": ("师德师风与教师发展", "teacher ethics and development"),
        "campus_safety": ("校园及周边交通安全", "campus and traffic safety"),
        "hygiene": ("食堂、饮水及宿舍卫生", "canteen, water and dormitory hygiene"),
        "ethos": ("校风、教风、学风", "school ethos"),
        "safety": ("安全隐患", "safety hazard"),
        "other": ("其他", "other"),
    },
    "severity": {"general": ("一般", "general"), "major": ("较大", "major"), "grave": ("重大", "grave")},
    "rectification_status": {
        "open": ("待整改", "open"),
        "answered": ("已回复", "answered"),
        "returned": ("已退回", "returned"),
        "closed": ("已销号", "closed"),
    },
    "visit_kind": {
        "routine": ("经常性督导", "routine"),
        "random": ("随机督导", "random"),
        "special": ("专项督导", "special"),
    },
}


def _labeller(pairs: dict[str, tuple[str, str]]) -> Callable[[str, str], str]:
    return lambda v, lang: pairs.get(v, (v, v))[0 if lang.startswith("zh") else 1]


for _vocab, _pairs in _WORDS.items():
    register_codes(_vocab, _labeller(_pairs))


@dataclass(frozen=True)
class ReportInputs:
    """What the reports read besides the evaluation: the visits, who is responsible for each school
    (records.assignments) and the inspectors' names (the inspectors sheet), the task register."""

    visits: pd.DataFrame
    assignments: pd.DataFrame
    inspectors: pd.DataFrame  # inspector_id, name (the census's inspectors sheet)


def _in(frame: pd.DataFrame, col: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    if frame.empty or col not in frame.columns:
        return frame.iloc[0:0]
    d = pd.to_datetime(frame[col], errors="coerce").dt.date
    return frame[(d >= start) & (d <= end)]


def _with_problem(f: pd.DataFrame) -> pd.DataFrame:
    return f[f["problem"].notna()] if "problem" in f.columns else f


def _day(v: Any) -> str:
    return "" if v is None or pd.isna(v) else pd.Timestamp(v).date().isoformat()


def _inspector_names(r: ReportInputs) -> dict[str, str]:
    i = r.inspectors
    if i.empty or "name" not in i.columns:
        return {}
    return dict(zip(i["inspector_id"].astype(str), i["name"].astype(str), strict=True))


def responsible(r: ReportInputs, school_id: str, as_of: dt.date) -> str | None:
    """The inspector responsible for a school on `as_of` (the latest assignment in force)."""
    a = r.assignments
    if a.empty:
        return None
    a = a[a["school_id"].astype(str) == school_id]
    since = pd.to_datetime(a["since"]).dt.date
    until = pd.to_datetime(a["until"]).dt.date if "until" in a.columns else pd.Series(pd.NaT, index=a.index)
    ok = [s <= as_of and (pd.isna(u) or u >= as_of) for s, u in zip(since, until, strict=True)]
    a = a[ok]
    return None if a.empty else str(a.sort_values("since")["inspector_id"].iloc[-1])


def _late(deadline: Any, closed: Any, as_of: dt.date) -> bool:
    d = pd.Timestamp(deadline).date()
    if closed is None or pd.isna(closed):
        return d < as_of
    return pd.Timestamp(closed).date() > d


def _evaluation_table(u: UnitEvaluation, title: Msg) -> BlockTable:
    return BlockTable(
        title,
        [
            BlockColumn("row", Msg("Rubric row")),
            BlockColumn("points", Msg("Points won")),
            BlockColumn("max", Msg("Points of the row")),
            BlockColumn("why", Msg("What it read")),
        ],
        [[row_label(r.rubric_id), r.points, r.max, r.why] for r in u.rows],
        clause="第34条",
    )


def _headline(u: UnitEvaluation, n: int) -> Msg:
    if u.vetoes:
        return Msg(
            "{score} points, graded {grade} (vetoed: {vetoes}), ranked {rank} of {n}.",
            score=Num(u.score),
            grade=Code("evaluation_grade", u.grade),
            vetoes=tuple(Code("rubric", v) for v in u.vetoes),
            rank=u.rank,
            n=n,
        )
    return Msg(
        "{score} points, graded {grade}, ranked {rank} of {n}.",
        score=Num(u.score),
        grade=Code("evaluation_grade", u.grade),
        rank=u.rank,
        n=n,
    )


def school_report(e: Evaluation, inputs: Inputs, r: ReportInputs, school_id: str) -> list[Block]:
    """One school's year: its inspector, visits, findings, rectification and evaluation."""
    start, end = period(e.year)
    end = min(end, e.as_of)
    u = e.unit(school_id)
    names = _inspector_names(r)
    who = responsible(r, school_id, e.as_of)
    paras: list[Any] = [
        Msg("Responsible inspector: {name}.", name=names.get(who, who) if who else Msg("none assigned")),
    ]
    if u is not None:
        paras.append(_headline(u, len(e.schools)))
    v = _in(r.visits, "date", start, end)
    v = v[v["school_id"].astype(str) == school_id] if not v.empty else v
    f = _in(inputs.findings, "date", start, end)
    f = _with_problem(f[f["school_id"].astype(str) == school_id]) if not f.empty else f
    problems = f.groupby("visit_id").size().to_dict() if not f.empty else {}
    visits = BlockTable(
        Msg("Visits"),
        [
            BlockColumn("date", Msg("Date of the visit")),
            BlockColumn("inspector", Msg("Inspector")),
            BlockColumn("kind", Msg("Kind of visit")),
            BlockColumn("feedback", Msg("Feedback given on site")),
            BlockColumn("problems", Msg("Problems found"), "count"),
        ],
        [
            [
                _day(x.date),
                names.get(str(x.inspector_id), str(x.inspector_id)),
                Code("visit_kind", str(x.kind)),
                bool(x.feedback_given) if not pd.isna(x.feedback_given) else None,
                int(problems.get(x.visit_id, 0)),
            ]
            for x in v.sort_values("date").itertuples()
        ],
        clause="SV",
    )
    found = BlockTable(
        Msg("Problems found"),
        [
            BlockColumn("date", Msg("Date found")),
            BlockColumn("item", Msg("Item")),
            BlockColumn("severity", Msg("Severity")),
            BlockColumn("problem", Msg("Problem")),
        ],
        [
            [
                _day(x.date),
                Code("finding_item", str(x.item)),
                Code("severity", str(x.severity)) if isinstance(x.severity, str) else "",
                str(x.problem),
            ]
            for x in f.sort_values("date").itertuples()
        ],
        clause="SV; 第31条",
    )
    rc = inputs.rectifications
    rc = rc[rc["school_id"].astype(str) == school_id] if not rc.empty else rc
    rc = _in(rc, "deadline", start, dt.date(end.year + 1, 12, 31))
    fix = BlockTable(
        Msg("Rectification"),
        [
            BlockColumn("deadline", Msg("Rectification deadline")),
            BlockColumn("responsible", Msg("Responsible person")),
            BlockColumn("status", Msg("Rectification state")),
            BlockColumn("closed_on", Msg("Closed on")),
            BlockColumn("late", Msg("Late")),
        ],
        [
            [
                _day(x.deadline),
                str(x.responsible) if isinstance(getattr(x, "responsible", None), str) else "",
                Code("rectification_status", str(x.status)),
                _day(getattr(x, "closed_on", None)),
                _late(x.deadline, getattr(x, "closed_on", None), e.as_of),
            ]
            for x in rc.sort_values("deadline").itertuples()
        ],
        clause="SV",
    )
    tables = [visits, found, fix]
    if u is not None:
        tables.append(_evaluation_table(u, Msg("Where the evaluation's points come from")))
    name = u.name if u is not None else school_id
    return [
        Block(
            "supervision.report.school",
            Msg("Supervision report of {school}", school=name),
            "第34条; SV",
            paras,
            tables=tables,
        )
    ]


def township_report(e: Evaluation, inputs: Inputs, township_id: str) -> list[Block]:
    """One township's year: its evaluation, its tasks and its schools."""
    u = e.unit(township_id)
    paras: list[Any] = [_headline(u, len(e.townships))] if u is not None else []
    t = inputs.tasks
    mine = (
        t[(t["owner_kind"].astype(str) == "township") & (t["owner_id"].astype(str) == township_id)]
        if not t.empty
        else t
    )
    tasks = BlockTable(
        Msg("The township's tasks"),
        [
            BlockColumn("title", Msg("Task title")),
            BlockColumn("due", Msg("Task due")),
            BlockColumn("done", Msg("Task done")),
            BlockColumn("late", Msg("Seriously overdue")),
        ],
        [
            [str(x.get("title", x["task_id"])), _day(x["due"]), bool(x.get("done")), bool(x.get("seriously_overdue"))]
            for _, x in mine.iterrows()
        ],
        clause="第33条",
    )
    schools = BlockTable(
        Msg("Its schools' evaluations"),
        [
            BlockColumn("rank", Msg("Rank")),
            BlockColumn("school", Msg("School")),
            BlockColumn("score", Msg("Evaluation score")),
            BlockColumn("grade", Msg("Evaluation grade")),
        ],
        [
            [s.rank, s.name, s.score, Code("evaluation_grade", s.grade)]
            for s in e.schools
            if s.township_id == township_id
        ],
        clause="第34条",
    )
    tables = [_evaluation_table(u, Msg("Where the evaluation's points come from"))] if u is not None else []
    name = u.name if u is not None else township_id
    return [
        Block(
            "supervision.report.township",
            Msg("Supervision report of {township}", township=name),
            "第33条; 第34条",
            paras,
            tables=[*tables, tasks, schools],
        )
    ]


def _funds(inputs: Inputs, year: int) -> Finding:
    t = inputs.indicators
    hit = t[(t["indicator"] == FUNDS_INDICATOR) & (t["level"] == "county") & (t["year"] == year)] if not t.empty else t
    if hit.empty:
        return Finding("第34条", Msg("Supervision funds at least 400,000 yuan a year"), Msg("no data"), "no_data")
    value = hit["value"].iloc[0]
    return Finding(
        "第34条",
        Msg("Supervision funds at least 400,000 yuan a year"),
        Num(None if pd.isna(value) else float(value), "yuan"),
        str(hit["status"].iloc[0]),
        Msg("the assessment's item {item}; its explanation shows the finance sheet's rows", item=FUNDS_INDICATOR),
    )


def county_report(e: Evaluation, inputs: Inputs, r: ReportInputs) -> list[Block]:
    """The county's annual supervision report."""
    start, end = period(e.year)
    end = min(end, e.as_of)
    v = _in(r.visits, "date", start, end)
    n_schools = len(inputs.schools)
    visited = v["school_id"].astype(str).nunique() if not v.empty else 0
    months = pd.to_datetime(v["date"]).dt.to_period("M") if not v.empty else pd.Series([], dtype=object)
    n_months = max(1, (end.year - start.year) * 12 + end.month - start.month + 1)
    school_months = len(set(zip(v["school_id"].astype(str), months, strict=True))) if not v.empty else 0
    f = _in(inputs.findings, "date", start, end)
    f = _with_problem(f)
    rc = _in(inputs.rectifications, "deadline", start, end)
    late = sum(_late(x.deadline, getattr(x, "closed_on", None), e.as_of) for x in rc.itertuples())
    open_now = int((rc["status"] != "closed").sum()) if not rc.empty else 0
    head = Msg(
        "{visits} visits to {visited} of {schools} schools; {share} of school-months had a visit; {problems} "
        "problems found; {rect} rectifications due, {late} late, {open} still open.",
        visits=len(v),
        visited=visited,
        schools=n_schools,
        share=Num(school_months / (n_schools * n_months) if n_schools else None, "share"),
        problems=len(f),
        rect=len(rc),
        late=late,
        open=open_now,
    )
    by_item = BlockTable(
        Msg("Problems found by item"),
        [BlockColumn("item", Msg("Item")), BlockColumn("n", Msg("Problems found"), "count")],
        [[Code("finding_item", str(k)), int(n)] for k, n in (f["item"].value_counts().items() if not f.empty else [])],
        clause="SV",
    )
    hz = f[f["item"] == "safety"] if not f.empty else f
    hazards = BlockTable(
        Msg("Safety hazards by severity"),
        [BlockColumn("severity", Msg("Severity")), BlockColumn("n", Msg("Safety hazards"), "count")],
        [
            [Code("severity", str(k)), int(n)]
            for k, n in (hz["severity"].value_counts().items() if not hz.empty else [])
        ],
        clause="第31条",
    )
    report = Block(
        "supervision.report.county",
        Msg("The county's annual supervision report, {year} school year", year=e.year),
        "第31条; 第33条; 第34条; SV",
        [head],
        findings=[_funds(inputs, e.year)],
        tables=[by_item, hazards],
    )
    return [report, *e.blocks()]


def evaluated(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Any],
    records: Any,
    results: pd.DataFrame | None,
    register: Any,
    year: int | None,
    as_of: dt.date,
    entries: Mapping[str, pd.DataFrame] | None = None,
) -> tuple[Evaluation, Inputs, ReportInputs] | None:
    """The evaluation of `year` (default the census's latest) as of `as_of` (the year's last day at
    most), its inputs and the reports' inputs, from the census, the daily records, the assessment's
    table and the task register: what the CLI and the pages show. None: a census without schools."""
    from countyedu.supervision.evaluate import evaluate, evaluation_year, inputs_from, office_entries, record
    from countyedu.supervision.rubric import evaluation_params

    y = evaluation_year(frames, year, as_of)
    inputs = inputs_from(frames, records, results, register, office_entries(records, y, entries))
    if inputs is None:
        return None
    e = evaluate(inputs, evaluation_params(packs), y, min(as_of, period(y)[1]))
    inspectors = frames.get("inspectors")
    r = ReportInputs(
        record(records, "visits"),
        record(records, "assignments"),
        inspectors if inspectors is not None else pd.DataFrame(columns=["inspector_id", "name"]),
    )
    return e, inputs, r


# ---------------------------------------------------------------------- the supervision run's part
NEEDS = ("tasks",)


@dataclass(frozen=True)
class EvaluationPart:
    """The supervision run's evaluation: the year's evaluation with its inputs; its blocks are the
    county's annual supervision report (the report chapter)."""

    evaluation: Evaluation
    inputs: Inputs
    reports: ReportInputs

    def as_dict(self) -> dict[str, Any]:
        return self.evaluation.as_dict()

    def blocks(self) -> list[Block]:
        return county_report(self.evaluation, self.inputs, self.reports)

    def summary(self) -> dict[str, Any]:
        return self.evaluation.summary()


def part(ctx: Any) -> EvaluationPart | None:
    """The yearly evaluations of the run's year as of its day, from the census, the daily records (the
    office's entries among them), the assessment's results and the task register; None without the
    assessment's results (an evaluation on the task register alone would mislead) or without schools."""
    results = ctx.results()
    if results is None:
        return None
    got = evaluated(ctx.frames, ctx.packs, ctx.records, results, ctx.parts.get("tasks"), ctx.year, ctx.as_of)
    return EvaluationPart(*got) if got is not None else None


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The evaluation's headline, as `countyedu demo` prints it."""
    if "evaluation_year" not in s:
        return []
    g = s["evaluation_townships_by_grade"]
    return [
        f"{s['evaluation_year']} 年度考核 / evaluation: 乡镇 townships 优秀 {g.get('excellent', 0)}、良好 "
        f"{g.get('good', 0)}、合格 {g.get('pass', 0)}、不合格 {g.get('fail', 0)}；学校不合格 schools failed "
        f"{s['evaluation_schools_fail']}；约谈 interviews {s['evaluation_interviews']}"
    ]

"""The yearly evaluations (第34条; STANDARDS SV): schools' target management and township leaders'
education duties, scored on the pack's rubric (`supervision.rubric`), graded, ranked, vetoes applied,
every point explained by the row it came from; and the 约谈 list with its reasons and letters
(教育督导问责办法: a 不合格 grade, tasks seriously overdue, held to account a second time in a year).

Plain frames in, a frozen result out (no Django): the indicators' statuses (the assessment's table),
the visits' findings and rectifications (`supervision.records`), the tasks with their owners and
whether they are done, and what the supervision office enters by hand (manual scores, vetoes, the
year's earlier accountability measures). The school year Y runs from 1 September Y to 31 August Y+1;
`as_of` (default its last day) is the date overdue is judged on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockColumn, BlockTable
from countyedu.supervision.rubric import GRADES, EvaluationParams, Row, row_label

DONE = frozenset({"met", "done", "accepted", "closed"})


@dataclass(frozen=True)
class Inputs:
    """What an evaluation reads, as plain frames (any may be empty; missing columns mean no data)."""

    schools: pd.DataFrame  # school_id, name, township_id
    townships: pd.DataFrame  # township_id, name
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)  # indicator, level, unit, year, status, value
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)  # records.findings
    rectifications: pd.DataFrame = field(default_factory=pd.DataFrame)  # records.rectifications
    followups: pd.DataFrame = field(default_factory=pd.DataFrame)  # records.followups (the bureau's notices)
    # the task register (supervision.tasks): task_id, title, owner_kind, owner_id, due, done, seriously_overdue
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    manual: pd.DataFrame = field(default_factory=pd.DataFrame)  # unit_id, rubric_id, points
    vetoes: pd.DataFrame = field(default_factory=pd.DataFrame)  # unit_id, veto, note
    # measures taken earlier in the year besides the bureau's notices: unit_id, date, measure
    accountability: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class RowScore:
    """One rubric row for one unit: the points won (None: not scored), its points and what it read."""

    rubric_id: str
    area: str
    points: float | None
    max: float
    source: dict[str, Any]
    why: Msg

    def as_dict(self) -> dict[str, Any]:
        return {
            "rubric_id": self.rubric_id,
            "area": self.area,
            "points": self.points,
            "max": self.max,
            "source": self.source,
            "why": self.why.as_dict(),
        }


@dataclass(frozen=True)
class UnitEvaluation:
    level: str  # school | township
    unit_id: str
    name: str
    township_id: str
    score: float | None
    grade: str
    vetoes: tuple[str, ...]
    rows: tuple[RowScore, ...]
    rank: int = 0

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {f"{self.level}_id": self.unit_id, "name": self.name}
        if self.level == "school":
            d["township_id"] = self.township_id
        return d | {
            "score": self.score,
            "grade": self.grade,
            "rank": self.rank,
            "vetoes": list(self.vetoes),
            "rows": [r.as_dict() for r in self.rows],
        }

    def explain(self) -> list[Msg]:
        """The sentence behind every point: the row, what it read, the points."""
        return [
            Msg(
                "{row}: {points} of {max} ({why})",
                row=row_label(r.rubric_id),
                points=Num(round(r.points, 2)),
                max=Num(r.max),
                why=r.why,
            )
            if r.points is not None
            else Msg("{row}: not scored, of {max} ({why})", row=row_label(r.rubric_id), max=Num(r.max), why=r.why)
            for r in self.rows
        ]


@dataclass(frozen=True)
class Interview:
    """One unit on the 约谈 list: why, and the letter's date."""

    level: str
    unit_id: str
    name: str
    reasons: tuple[Msg, ...]
    codes: tuple[str, ...]  # fail_grade | overdue_tasks | repeat_accountability
    talk_on: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "unit_id": self.unit_id,
            "name": self.name,
            "reasons": list(self.codes),
            "reason_texts": [m.as_dict() for m in self.reasons],
            "talk_on": self.talk_on.isoformat(),
        }

    def letter(self, year: int) -> list[Msg]:
        """The 约谈 notice (约谈通知书): its title and paragraphs, as messages."""
        return [
            Msg("Notice of an accountability talk"),
            Msg("To {unit}:", unit=self.name),
            Msg(
                "The education supervision evaluation of the {year} school year found: {reasons}.",
                year=year,
                reasons=self.reasons,
            ),
            Msg(
                "Under the Measures for Accountability in Education Supervision, the head of your unit is "
                "called in for a talk on {date}. Bring the unit's rectification plan.",
                date=self.talk_on.isoformat(),
            ),
            Msg("County Education Supervision Office"),
        ]


@dataclass(frozen=True)
class Evaluation:
    year: int
    as_of: dt.date
    schools: tuple[UnitEvaluation, ...]
    townships: tuple[UnitEvaluation, ...]
    interviews: tuple[Interview, ...]
    params: EvaluationParams

    def unit(self, unit_id: str) -> UnitEvaluation | None:
        return next((u for u in (*self.townships, *self.schools) if u.unit_id == unit_id), None)

    def as_dict(self) -> dict[str, Any]:
        """The evaluate JSON contract (README: "supervise evaluate JSON")."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "townships": [u.as_dict() for u in self.townships],
            "schools": [u.as_dict() for u in self.schools],
            "interviews": [i.as_dict() for i in self.interviews],
        }

    def summary(self) -> dict[str, Any]:
        grades = {g: sum(u.grade == g for u in self.townships) for g in GRADES}
        return {
            "evaluation_year": self.year,
            "evaluation_townships_by_grade": grades,
            "evaluation_schools_fail": sum(u.grade == "fail" for u in self.schools),
            "evaluation_interviews": len(self.interviews),
        }

    def blocks(self) -> list[Block]:
        return evaluation_blocks(self)


# ---- reading the frames


def period(year: int) -> tuple[dt.date, dt.date]:
    """The school year `year`: 1 September `year` to 31 August `year`+1."""
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").dt.date


def _in_year(frame: pd.DataFrame, col: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    if frame.empty or col not in frame.columns:
        return frame.iloc[0:0]
    d = _dates(frame[col])
    return frame[(d >= start) & (d <= end)]


@dataclass
class _Ctx:
    inputs: Inputs
    p: EvaluationParams
    year: int
    as_of: dt.date
    start: dt.date
    end: dt.date
    school_scores: dict[str, float | None] = field(default_factory=dict)

    def schools_of(self, level: str, unit: str) -> set[str]:
        return {unit} if level == "school" else self.towns.get(unit, set())

    @cached_property
    def towns(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for school, town in zip(
            self.inputs.schools["school_id"].astype(str), self.inputs.schools["township_id"].astype(str), strict=True
        ):
            out.setdefault(town, set()).add(school)
        return out

    @cached_property
    def statuses(self) -> dict[tuple[str, str, str], tuple[str, Any]]:
        """(indicator, level, unit) → (the worst status over its stages, the value of that row), in the year."""
        t = self.inputs.indicators
        if t.empty:
            return {}
        refs = {r.ref for r in [*self.p.school, *self.p.township] if r.ref}
        t = t[(t["year"] == self.year) & t["level"].isin(["school", "township"]) & t["indicator"].isin(refs)]
        order = {s: k for k, s in enumerate(["not_met", "at_risk", "met", "needs_evidence", "no_data"])}
        out: dict[tuple[str, str, str], tuple[str, Any]] = {}
        values = t["value"] if "value" in t.columns else pd.Series(None, index=t.index)
        for ind, level, unit, status, value in zip(
            t["indicator"], t["level"], t["unit"].astype(str), t["status"].astype(str), values, strict=True
        ):
            key = (str(ind), str(level), unit)
            if key not in out or order.get(status, 9) < order.get(out[key][0], 9):
                out[key] = (status, value)
        return out

    @cached_property
    def tasks_by_owner(self) -> dict[tuple[str, str], pd.DataFrame]:
        """The tasks due by the date evaluated, by (owner kind, owner id)."""
        t = self.inputs.tasks
        if t.empty or "owner_id" not in t.columns:
            return {}
        t = t[t["owner_id"].notna() & (_dates(t["due"]) <= min(self.end, self.as_of))]
        return {
            (str(k), str(i)): g for (k, i), g in t.groupby([t["owner_kind"].astype(str), t["owner_id"].astype(str)])
        }

    @cached_property
    def rectified(self) -> pd.DataFrame:
        """The rectifications due in the year (by the date evaluated), with `late`: not closed by the deadline."""
        r = _in_year(self.inputs.rectifications, "deadline", self.start, min(self.end, self.as_of))
        if r.empty:
            return pd.DataFrame(columns=["school_id", "late"])
        deadline = _dates(r["deadline"])
        closed = _dates(r["closed_on"]) if "closed_on" in r.columns else pd.Series(None, index=r.index)
        late = [c is None or pd.isna(c) or c > d for d, c in zip(deadline, closed, strict=True)]
        return pd.DataFrame({"school_id": r["school_id"].astype(str).to_numpy(), "late": late})

    @cached_property
    def visited(self) -> set[str]:
        """The schools with a visit's findings in the year (by the date evaluated)."""
        f = _in_year(self.inputs.findings, "date", self.start, min(self.end, self.as_of))
        return set(f["school_id"].astype(str)) if not f.empty else set()

    @cached_property
    def problems(self) -> pd.DataFrame:
        """The findings of the year (by the date evaluated) that found a problem."""
        f = _in_year(self.inputs.findings, "date", self.start, min(self.end, self.as_of))
        f = f[f["problem"].notna()] if "problem" in f.columns else f
        return f.assign(school_id=f["school_id"].astype(str)) if not f.empty else f


def _indicator(ctx: _Ctx, row: Row, level: str, unit: str) -> tuple[float | None, dict[str, Any], Msg]:
    src: dict[str, Any] = {"kind": "indicator", "ref": row.ref}
    if ctx.inputs.indicators.empty:
        return None, src | {"status": "no_data"}, Msg("no indicator results")
    hit = ctx.statuses.get((str(row.ref), level, unit))
    if hit is None:
        return None, src | {"status": "no_data"}, Msg("the indicator has no value here")
    status, value = hit  # a unit with several stages: the worst status counts
    src |= {"status": status, "value": None if value is None or pd.isna(value) else float(value)}
    share = {"met": 1.0, "at_risk": ctx.p.at_risk_share, "not_met": 0.0}.get(status)
    why = Msg("the indicator is {status}", status=Code("status", status))
    return (None if share is None else row.points * share), src, why


def _findings(ctx: _Ctx, row: Row, level: str, unit: str) -> tuple[float | None, dict[str, Any], Msg]:
    schools = ctx.schools_of(level, unit)
    if not schools & ctx.visited:  # no visit recorded: nothing found is no evidence of nothing wrong
        return None, {"kind": "findings", "ref": ",".join(row.items) or "all", "count": 0}, Msg("no visit recorded")
    f = ctx.problems
    if not f.empty:
        f = f[f["school_id"].isin(schools)]
        if row.items:
            f = f[f["item"].astype(str).isin(row.items)]
    if row.per_severity and not f.empty and "severity" in f.columns:
        sev = f["severity"].astype(str)
        off = float(sum(row.per_severity.get(s, row.per_item) for s in sev))
        counts = {s: int((sev == s).sum()) for s in sorted(set(sev))}
    else:
        off = row.per_item * len(f)
        counts = {}
    src = {"kind": "findings", "ref": ",".join(row.items) or "all", "count": len(f), "by_severity": counts, "off": off}
    return max(0.0, row.points - off), src, Msg("{n} findings, {off} points off", n=len(f), off=Num(off))


def _rectifications(ctx: _Ctx, row: Row, level: str, unit: str) -> tuple[float | None, dict[str, Any], Msg]:
    r = ctx.rectified
    if not r.empty:
        r = r[r["school_id"].isin(ctx.schools_of(level, unit))]
    late = int(r["late"].sum()) if not r.empty else 0
    off = row.per_item * late
    src = {"kind": "rectifications", "count": len(r), "late": late, "off": off}
    why = Msg("{late} of {n} rectifications not closed by their deadline", late=late, n=len(r))
    return max(0.0, row.points - off), src, why


def _unit_tasks(ctx: _Ctx, level: str, unit: str) -> pd.DataFrame:
    return ctx.tasks_by_owner.get((level, unit), ctx.inputs.tasks.iloc[0:0])


def _done(t: pd.DataFrame) -> pd.Series:
    return t["done"].astype(bool) if "done" in t.columns else t["status"].astype(str).isin(DONE)


def _tasks(ctx: _Ctx, row: Row, level: str, unit: str) -> tuple[float | None, dict[str, Any], Msg]:
    t = _unit_tasks(ctx, level, unit)
    done = int(_done(t).sum()) if len(t) else 0
    src = {"kind": "tasks", "count": len(t), "done": done}
    if t.empty:
        return None, src, Msg("no task of this unit due")
    return row.points * done / len(t), src, Msg("{done} of {n} tasks done", done=done, n=len(t))


def _schools(ctx: _Ctx, row: Row, level: str, unit: str) -> tuple[float | None, dict[str, Any], Msg]:
    scores = [ctx.school_scores.get(s) for s in sorted(ctx.schools_of(level, unit))]
    known = [s for s in scores if s is not None]
    src: dict[str, Any] = {"kind": "schools", "count": len(known)}
    if not known:
        return None, src, Msg("no school evaluated")
    mean = sum(known) / len(known)
    src["mean"] = round(mean, 4)
    return (
        row.points * mean / ctx.p.total,
        src,
        Msg("mean score {mean} of {n} schools", mean=Num(round(mean, 2)), n=len(known)),
    )


def _manual(ctx: _Ctx, row: Row, level: str, unit: str) -> tuple[float | None, dict[str, Any], Msg]:
    m = ctx.inputs.manual
    src: dict[str, Any] = {"kind": "manual"}
    if m.empty:
        return None, src, Msg("no score entered")
    hit = m[(m["unit_id"].astype(str) == unit) & (m["rubric_id"].astype(str) == row.id)]
    if hit.empty:
        return None, src, Msg("no score entered")
    v = float(hit["points"].iloc[-1])
    src["entered"] = v
    return min(row.points, max(0.0, v)), src, Msg("score entered by the supervision office")


READERS = {
    "indicator": _indicator,
    "findings": _findings,
    "rectifications": _rectifications,
    "tasks": _tasks,
    "schools": _schools,
    "manual": _manual,
}


def _vetoes(ctx: _Ctx, level: str, unit: str) -> tuple[str, ...]:
    out: list[str] = []
    v = ctx.inputs.vetoes
    given = set(v.loc[v["unit_id"].astype(str) == unit, "veto"].astype(str)) if not v.empty else set()
    f = ctx.problems
    for veto in ctx.p.vetoes:
        hit = veto.id in given
        if veto.source == "findings" and not f.empty and "severity" in f.columns:
            mine = f[f["school_id"].astype(str).isin(ctx.schools_of(level, unit))]
            hit = hit or bool(((mine["item"] == "safety") & (mine["severity"] == veto.severity)).any())
        if hit:
            out.append(veto.id)
    return tuple(out)


def _unit(ctx: _Ctx, level: str, unit: str, name: str, township: str) -> UnitEvaluation:
    rows = []
    for row in ctx.p.school if level == "school" else ctx.p.township:
        pts, src, why = READERS[row.source](ctx, row, level, unit)
        if pts is None and ctx.p.no_data == "zero":
            pts = 0.0
        rows.append(RowScore(row.id, row.area, None if pts is None else round(pts, 4), row.points, src, why))
    scored = [r for r in rows if r.points is not None]
    most = sum(r.max for r in scored)
    score = round(sum(r.points or 0.0 for r in scored) * ctx.p.total / most, 2) if most else None
    vetoes = _vetoes(ctx, level, unit)
    return UnitEvaluation(level, unit, name, township, score, ctx.p.grade(score, bool(vetoes)), vetoes, tuple(rows))


def _ranked(units: list[UnitEvaluation]) -> tuple[UnitEvaluation, ...]:
    """Best first: vetoed units after the others, then by score (ties share a rank: 1, 2, 2, 4)."""

    def key(u: UnitEvaluation) -> tuple[bool, float, str]:
        return (bool(u.vetoes), -(u.score if u.score is not None else -1.0), u.unit_id)

    out: list[UnitEvaluation] = []
    prev: tuple[bool, float] | None = None
    rank = 0
    for k, u in enumerate(sorted(units, key=key), start=1):
        cur = key(u)[:2]
        rank = rank if cur == prev else k
        prev = cur
        out.append(UnitEvaluation(**{**u.__dict__, "rank": rank}))
    return tuple(out)


def _accountability(ctx: _Ctx) -> pd.DataFrame:
    """Measures taken in the year (by the date evaluated), one row per unit held to account: the
    bureau's notices after a second overdue rectification (records.followups, the school and its
    township) and the measures entered by hand."""
    day_end = min(ctx.end, ctx.as_of)
    rows = []
    fu = _in_year(ctx.inputs.followups, "date", ctx.start, day_end)
    if not fu.empty:
        notices = fu[fu["action"] == "notice"]
        r = ctx.inputs.rectifications
        school = (
            dict(zip(r["rectification_id"].astype(str), r["school_id"].astype(str), strict=True)) if not r.empty else {}
        )
        town = dict(
            zip(ctx.inputs.schools["school_id"].astype(str), ctx.inputs.schools["township_id"].astype(str), strict=True)
        )
        for rid, day in zip(notices["rectification_id"].astype(str), notices["date"], strict=True):
            if rid in school:
                rows += [{"unit_id": school[rid], "date": day}, {"unit_id": town.get(school[rid], ""), "date": day}]
    manual = _in_year(ctx.inputs.accountability, "date", ctx.start, day_end)
    if not manual.empty:
        rows += manual[["unit_id", "date"]].to_dict("records")
    return pd.DataFrame(rows, columns=["unit_id", "date"])


def _interviews(ctx: _Ctx, units: list[UnitEvaluation]) -> tuple[Interview, ...]:
    out = []
    acc = _accountability(ctx)
    for u in units:
        reasons: list[Msg] = []
        codes: list[str] = []
        if u.grade == "fail":
            codes.append("fail_grade")
            if u.vetoes:
                reasons.append(Msg("graded fail, vetoed: {vetoes}", vetoes=tuple(Code("rubric", v) for v in u.vetoes)))
            else:
                reasons.append(Msg("graded fail with {score} points", score=Num(u.score)))
        t = _unit_tasks(ctx, u.level, u.unit_id)
        if len(t) and "seriously_overdue" in t.columns:
            late = t[t["seriously_overdue"].astype(bool)]  # the task register's rule (supervision.tasks)
            if len(late) >= ctx.p.serious_overdue_tasks:
                codes.append("overdue_tasks")
                names = late["title"] if "title" in late.columns else late["task_id"]
                reasons.append(Msg("tasks seriously overdue: {tasks}", tasks=tuple(str(x) for x in names)))
        # this year's earlier measures, and this talk itself when the unit is called in for another reason
        n_acc = int((acc["unit_id"].astype(str) == u.unit_id).sum())
        n_acc += 1 if codes else 0
        if n_acc >= ctx.p.repeat_accountability:
            codes.append("repeat_accountability")
            reasons.append(Msg("held to account {n} times in the year", n=n_acc))
        if codes:
            talk = ctx.as_of + dt.timedelta(days=ctx.p.talk_days)
            out.append(Interview(u.level, u.unit_id, u.name, tuple(reasons), tuple(codes), talk))
    return tuple(out)


def evaluate(inputs: Inputs, params: EvaluationParams, year: int, as_of: dt.date | None = None) -> Evaluation:
    """Every school's and township's evaluation of school year `year`, judged on `as_of` (default the
    year's last day), ranked, with the 约谈 list."""
    start, end = period(year)
    ctx = _Ctx(inputs, params, year, as_of or end, start, end)
    names = dict(zip(inputs.schools["school_id"].astype(str), inputs.schools["name"].astype(str), strict=True))
    towns = inputs.schools["township_id"].astype(str)
    schools = [
        _unit(ctx, "school", s, names[s], t)
        for s, t in zip(inputs.schools["school_id"].astype(str), towns, strict=True)
    ]
    ctx.school_scores = {u.unit_id: u.score for u in schools}
    townships = [
        _unit(ctx, "township", str(t), str(n), str(t))
        for t, n in zip(inputs.townships["township_id"], inputs.townships["name"], strict=True)
    ]
    st, tw = _ranked(schools), _ranked(townships)
    return Evaluation(year, ctx.as_of, st, tw, _interviews(ctx, [*tw, *st]), params)


# ---- report blocks


def _unit_rows(units: tuple[UnitEvaluation, ...]) -> list[list[Any]]:
    return [
        [
            u.rank,
            u.name,
            u.score,
            Code("evaluation_grade", u.grade),
            Msg("{vetoes}", vetoes=tuple(Code("rubric", v) for v in u.vetoes)) if u.vetoes else "",
        ]
        for u in units
    ]


def _columns(unit: Msg) -> list[BlockColumn]:
    return [
        BlockColumn("rank", Msg("Rank")),
        BlockColumn("unit", unit),
        BlockColumn("score", Msg("Evaluation score")),
        BlockColumn("grade", Msg("Evaluation grade")),
        BlockColumn("vetoes", Msg("Vetoes applied")),
    ]


def evaluation_blocks(e: Evaluation) -> list[Block]:
    """The evaluation's report blocks: townships ranked (and the rows behind their points), schools
    ranked, the 约谈 list."""
    tw = BlockTable(
        Msg("Townships' education-duty evaluation"), _columns(Msg("Township")), _unit_rows(e.townships), clause="第34条"
    )
    rows_tw = BlockTable(
        Msg("Where the townships' points come from"),
        [
            BlockColumn("unit", Msg("Township")),
            BlockColumn("row", Msg("Rubric row")),
            BlockColumn("points", Msg("Points won")),
            BlockColumn("max", Msg("Points of the row")),
            BlockColumn("why", Msg("What it read")),
        ],
        [[u.name, row_label(r.rubric_id), r.points, r.max, r.why] for u in e.townships for r in u.rows],
        clause="第34条",
    )
    sc = BlockTable(
        Msg("Schools' target-management evaluation"), _columns(Msg("School")), _unit_rows(e.schools), clause="第34条"
    )
    iv = BlockTable(
        Msg("Units called in for an accountability talk"),
        [
            BlockColumn("unit", Msg("Unit")),
            BlockColumn("reasons", Msg("Reasons for the talk")),
            BlockColumn("talk_on", Msg("Date of the talk")),
        ],
        [[i.name, Msg("{reasons}", reasons=i.reasons), i.talk_on.isoformat()] for i in e.interviews],
        clause="第34条; SV",
    )
    grades = {g: sum(u.grade == g for u in e.townships) for g in GRADES}
    head = Msg(
        "{year} school year: {n} townships evaluated ({excellent} excellent, {good} good, {passed} pass, {failed} fail); "
        "{k} units called in for a talk.",
        year=e.year,
        n=len(e.townships),
        excellent=grades["excellent"],
        good=grades["good"],
        passed=grades["pass"],
        failed=grades["fail"],
        k=len(e.interviews),
    )
    return [
        Block(
            "supervision.evaluation",
            Msg("Yearly evaluations of townships and schools"),
            "第34条",
            [head],
            tables=[tw, rows_tw, sc],
        ),
        Block("supervision.interviews", Msg("Units called in for an accountability talk"), "第34条; SV", tables=[iv]),
    ]


def manual_frame(rows: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Manual scores {unit_id: {rubric_id: points}} as the frame `Inputs.manual` reads."""
    return pd.DataFrame(
        [{"unit_id": u, "rubric_id": r, "points": p} for u, d in rows.items() for r, p in d.items()],
        columns=["unit_id", "rubric_id", "points"],
    )


# ---- the inputs from the census, the records, the assessment and the task register
#
# Not a part of the stored supervision run: that run stands on the census alone, and an evaluation
# without the assessment's results and the web's records would grade every unit on the task register
# only. The CLI and the pages evaluate live (`supervision.reports.evaluated`).

TASK_COLUMNS = ["task_id", "title", "owner_kind", "owner_id", "due", "done", "seriously_overdue"]


def tasks_frame(register: Any) -> pd.DataFrame:
    """The task register (supervision.tasks.TaskRegister) as the frame `Inputs.tasks` reads."""
    if register is None:
        return pd.DataFrame(columns=TASK_COLUMNS)
    return pd.DataFrame(
        [
            [t.task_id, t.title, t.owner_kind, t.owner_id, t.due, t.done, t.seriously_overdue]
            for t in register.tasks
            if t.due is not None
        ],
        columns=TASK_COLUMNS,
    )


def record(records: Any, name: str) -> pd.DataFrame:
    """A daily record's frame from a `records.Records` or a mapping of frames (empty when absent)."""
    from countyedu.supervision import records as rec

    found = records.get(name) if isinstance(records, Mapping) else getattr(records, name, None)
    return found if found is not None else rec.empty(name)


def inputs_from(
    frames: Mapping[str, pd.DataFrame],
    records: Any,
    results: pd.DataFrame | None,
    register: Any,
    entries: Mapping[str, pd.DataFrame] | None = None,
) -> Inputs | None:
    """The evaluation's inputs: the census's schools and townships, the assessment's results at every
    level (indicators.engine's table), the daily records, the task register (supervision.tasks) and
    the manual entries (`manual`, `vetoes`, `accountability` frames). None: a census without schools."""
    schools, townships = frames.get("schools"), frames.get("townships")
    if schools is None or townships is None or not len(schools):
        return None
    got = dict(entries or {})
    return Inputs(
        schools=schools[["school_id", "name", "township_id"]],
        townships=townships[["township_id", "name"]],
        indicators=results if results is not None and "level" in results.columns else pd.DataFrame(),
        findings=record(records, "findings"),
        rectifications=record(records, "rectifications"),
        followups=record(records, "followups"),
        tasks=tasks_frame(register),
        manual=got.get("manual", pd.DataFrame()),
        vetoes=got.get("vetoes", pd.DataFrame()),
        accountability=got.get("accountability", pd.DataFrame()),
    )


def office_entries(records: Any, year: int, given: Mapping[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """The supervision office's entries for school year `year`: the manual scores, vetoes and
    accountability measures of the daily records (entered on the web), with those `given` (the CLI's
    CSV files) after them — a given score replaces the recorded one of the same unit and row; the given
    accountability measures add to the recorded ones."""
    out = dict(given or {})
    scores = record(records, "manual_scores")
    scores = scores.loc[scores["year"] == year, ["unit_id", "rubric_id", "points"]]
    if "manual" in out:
        scores = pd.concat([scores, out["manual"][["unit_id", "rubric_id", "points"]]], ignore_index=True)
    if len(scores):
        out["manual"] = scores.drop_duplicates(["unit_id", "rubric_id"], keep="last").reset_index(drop=True)
    vetoes = record(records, "vetoes")
    vetoes = vetoes.loc[vetoes["year"] == year, ["unit_id", "veto", "note"]]
    if "vetoes" in out:
        vetoes = pd.concat([vetoes, out["vetoes"]], ignore_index=True)
    if len(vetoes):
        out["vetoes"] = vetoes.drop_duplicates(["unit_id", "veto"], keep="last").reset_index(drop=True)
    acc = record(records, "accountability")
    acc = _in_year(acc, "date", *period(year))[["unit_id", "date"]]
    if "accountability" in out:
        acc = pd.concat([acc, out["accountability"][["unit_id", "date"]]], ignore_index=True)
    if len(acc):
        out["accountability"] = acc.reset_index(drop=True)
    return out


def evaluation_year(frames: Mapping[str, pd.DataFrame], year: int | None, as_of: dt.date) -> int:
    """The school year evaluated: `year`, else the census's latest (its classes' latest year), else
    the school year `as_of` falls in."""
    if year is not None:
        return int(year)
    classes = frames.get("classes")
    if classes is not None and len(classes):
        return int(classes["year"].max())
    return as_of.year if as_of.month >= 9 else as_of.year - 1

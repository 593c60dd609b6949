"""The task register (督办; 第33条 target management, 第34条 supervision): every measure of the policy as
a task with a clause, an owner unit (a bureau office, a township, a school or another department), a
lead and contact, a due date, milestones and the indicators it answers for.

A task's status (`task_state` codes):
- linked to indicators (the `indicators` column): from their county results in the year — not met
  when any is not met, at risk when any is at risk, met when all are met (no result: as below);
- else from its owner's updates the bureau accepted (the latest: not started / in progress / done),
  else from the register's own `status`.
It is overdue when its due date is before `as_of` and it is neither done nor met (a register's
`overdue` status counts too), seriously overdue past `seriously_overdue_days` (the 约谈 list reads it).
An update not yet accepted or returned is shown beside the task; it changes nothing until accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from countyedu.messages import Code, Msg
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Text, Value
from countyedu.supervision.params import TasksParams, tasks_params
from countyedu.supervision.parts import Context

CLAUSE = "第33条; 第34条"
DONE = frozenset({"done", "met"})
OWNER_KINDS = ("bureau_office", "township", "school", "department")


@dataclass(frozen=True)
class Milestone:
    """A step of a task: its date and what is due then."""

    due: date
    text: str


@dataclass(frozen=True)
class Update:
    """An owner's update of a task (a daily record of the web): its day, status, note and evidence, and
    the bureau's decision (True accepted, False returned, None waiting)."""

    task_id: str
    date: date
    status: str
    progress: int | None = None  # percent done
    note: str = ""
    evidence: str = ""
    accepted: bool | None = None


@dataclass(frozen=True)
class Task:
    """One task of the register with its status as of a day."""

    task_id: str
    clause: str
    title: str
    owner: str
    owner_kind: str | None
    owner_id: str | None
    township_id: str | None
    school_id: str | None
    lead: str
    contact: str
    due: date | None
    milestones: tuple[Milestone, ...]
    indicators: tuple[str, ...]
    status: str  # a task_state code
    source: str  # indicators | updates | register
    overdue: bool
    days_overdue: int
    seriously_overdue: bool
    progress: str  # the newest accepted update's note
    evidence: str
    updated: date | None
    pending: Update | None = None  # the newest update waiting for the bureau
    returned: Update | None = None  # the newest update the bureau returned (when newer than the accepted)
    indicator_status: dict[str, str] = field(default_factory=dict)
    due_soon: bool = False
    percent: int | None = (
        None  # the newest accepted update's percent done  # not done, not overdue, due within `at_risk_days`
    )

    @property
    def done(self) -> bool:
        return self.status in DONE

    def next_milestone(self, as_of: date) -> Milestone | None:
        return next((m for m in self.milestones if m.due >= as_of), None)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["due"] = self.due.isoformat() if self.due else None
        d["updated"] = self.updated.isoformat() if self.updated else None
        d["milestones"] = [{"due": m.due.isoformat(), "text": m.text} for m in self.milestones]
        d["indicators"] = list(self.indicators)
        for k in ("pending", "returned"):
            u = getattr(self, k)
            d[k] = None if u is None else {**asdict(u), "date": u.date.isoformat()}
        return d


# ------------------------------------------------------------------------------ reading the register


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else str(v).strip()


def _date(v: Any) -> date | None:
    if v is None or v is pd.NaT or (not isinstance(v, str | date) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v).strip()[:10])
    except ValueError:
        return None


_MILESTONE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*[:：]?\s*([^;；\n]*)")


def parse_milestones(raw: Any) -> tuple[Milestone, ...]:
    """Milestones written "2024-06-30 开工；2025-08-31 投入使用" (separated by ; or ；), in date order."""
    found = [Milestone(date.fromisoformat(d), t.strip()) for d, t in _MILESTONE.findall(_text(raw))]
    return tuple(sorted(found, key=lambda m: m.due))


def parse_indicators(raw: Any) -> tuple[str, ...]:
    """Indicator ids written "T-PRE-5, QB-G1" (separated by commas, 、, ; or spaces)."""
    return tuple(p for p in re.split(r"[\s,，、;；]+", _text(raw)) if p)


def due_date(row: Mapping[str, Any], p: TasksParams) -> date | None:
    """The task's due date: its `due_date`, else its due year's `due_month_day`."""
    d = _date(row.get("due_date"))
    if d is not None:
        return d
    y = row.get("due_year")
    if y is None or pd.isna(y):
        return None
    month, day = p.due_month_day
    return date(int(y), month, day)


def updates_of(frame: pd.DataFrame | None) -> dict[str, list[Update]]:
    """The task updates by task, oldest first."""
    out: dict[str, list[Update]] = {}
    if frame is None or not len(frame):
        return out
    for r in frame.to_dict("records"):
        day = _date(r.get("date"))
        if day is None:
            continue
        acc = r.get("accepted")
        accepted = None if acc is None or (isinstance(acc, float) and pd.isna(acc)) else bool(acc)
        pct = r.get("progress")
        u = Update(
            _text(r.get("task_id")),
            day,
            _text(r.get("status")) or "in_progress",
            None if pct is None or pct is pd.NA or pd.isna(pct) else int(pct),
            _text(r.get("note")),
            _text(r.get("evidence")),
            accepted,
        )
        out.setdefault(u.task_id, []).append(u)
    for us in out.values():
        us.sort(key=lambda u: u.date)
    return out


def indicator_states(results: pd.DataFrame, year: int | None) -> dict[str, str]:
    """Each indicator's county status in `year` (else its latest year with a status)."""
    if results is None or not len(results):
        return {}
    df = results[results["status"].isin(["met", "at_risk", "not_met"])]
    if year is not None:
        df = df[df["year"] <= year]
    if not len(df):
        return {}
    latest = df.sort_values("year").groupby("indicator", sort=False).tail(1)
    return dict(zip(latest["indicator"].astype(str), latest["status"].astype(str), strict=True))


def _from_indicators(ids: Iterable[str], states: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    mine = {i: states[i] for i in ids if i in states}
    if not mine:
        return None, mine
    values = set(mine.values())
    status = "not_met" if "not_met" in values else "at_risk" if "at_risk" in values else "met"
    return status, mine


# ------------------------------------------------------------------------------ the register


def _owner_place(
    kind: str | None, owner_id: str | None, school_township: Mapping[str, str]
) -> tuple[str | None, str | None]:
    if kind == "township":
        return owner_id, None
    if kind == "school" and owner_id:
        return school_township.get(owner_id), owner_id
    return None, None


def _owner_name(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    return _text(row.get("owner")) or names.get(_text(row.get("owner_id")), "") or _text(row.get("owner_id"))


def task_register(
    tasks: pd.DataFrame,
    as_of: date,
    *,
    p: TasksParams | None = None,
    updates: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    year: int | None = None,
    schools: pd.DataFrame | None = None,
    townships: pd.DataFrame | None = None,
) -> list[Task]:
    """Every task of the register with its status, overdue days and pending update as of `as_of`."""
    p = p or TasksParams()
    by_task = updates_of(updates)
    states = indicator_states(indicators, year) if indicators is not None else {}
    school_township: dict[str, str] = {}
    names: dict[str, str] = {}
    if schools is not None and len(schools):
        school_township = dict(zip(schools["school_id"].astype(str), schools["township_id"].astype(str), strict=True))
        names |= dict(zip(schools["school_id"].astype(str), schools["name"].astype(str), strict=True))
    if townships is not None and len(townships):
        names |= dict(zip(townships["township_id"].astype(str), townships["name"].astype(str), strict=True))
    out = []
    for row in tasks.to_dict("records"):
        tid = _text(row["task_id"])
        ids = parse_indicators(row.get("indicators"))
        ups = by_task.get(tid, [])
        accepted = [u for u in ups if u.accepted is True]
        last = accepted[-1] if accepted else None
        status, mine = _from_indicators(ids, states)
        source = "indicators"
        if status is None:
            source, status = ("updates", last.status) if last else ("register", _text(row.get("status")))
        flagged = status == "overdue"  # the register's own word: not done, late
        if status not in ("not_started", "in_progress", "done", "met", "at_risk", "not_met"):
            status = "in_progress"
        due = due_date(row, p)
        late = (due is not None and due < as_of and status not in DONE) or (flagged and status not in DONE)
        days = (as_of - due).days if late and due is not None and due < as_of else 0
        kind = _text(row.get("owner_kind")) or None
        owner_id = _text(row.get("owner_id")) or None
        township_id, school_id = _owner_place(kind, owner_id, school_township)
        pending = next((u for u in reversed(ups) if u.accepted is None), None)
        returned = next((u for u in reversed(ups) if u.accepted is False), None)
        if returned is not None and last is not None and returned.date < last.date:
            returned = None
        out.append(
            Task(
                tid,
                _text(row.get("clause")),
                _text(row.get("title")),
                _owner_name(row, names),
                kind,
                owner_id,
                township_id,
                school_id,
                _text(row.get("lead")),
                _text(row.get("contact")),
                due,
                parse_milestones(row.get("milestones")),
                ids,
                status,
                source,
                late,
                days,
                late and days > p.seriously_overdue_days,
                last.note if last else "",
                (last.evidence if last and last.evidence else _text(row.get("evidence"))),
                last.date if last else None,
                pending,
                returned,
                mine,
                percent=last.progress if last else None,
                due_soon=not late and status not in DONE and due is not None and (due - as_of).days <= p.at_risk_days,
            )
        )
    return out


def _clause_no(clause: str) -> tuple[int, str]:
    m = re.search(r"\d+", clause)
    return (int(m.group()) if m else 10_000, clause)


@dataclass
class TaskRegister:
    """The register as of a day: every task, and the views the pages and the report show."""

    as_of: date
    year: int | None
    tasks: list[Task]
    params: TasksParams = field(default_factory=lambda: TasksParams())
    indicators_read: bool = True  # False: linked tasks show the register's status (no indicator statuses given)

    def late(self) -> list[Task]:
        """The overdue tasks, the longest overdue first."""
        return sorted((t for t in self.tasks if t.overdue), key=lambda t: (-t.days_overdue, t.task_id))

    def pending(self) -> list[Task]:
        """Tasks with an update waiting for the bureau's acceptance."""
        return [t for t in self.tasks if t.pending is not None]

    def of_owner(self, *, township_id: str | None = None, school_id: str | None = None) -> list[Task]:
        """A township's tasks (its own and its schools') or a school's own."""
        if school_id is not None:
            return [t for t in self.tasks if t.school_id == school_id]
        return [t for t in self.tasks if township_id is not None and t.township_id == township_id]

    def owned_by(self, *, township_id: str | None = None, school_id: str | None = None) -> list[Task]:
        """The tasks a township official (township_id) or a school clerk (school_id) updates: their unit's own."""
        if school_id is not None:
            return [t for t in self.tasks if t.owner_kind == "school" and t.owner_id == school_id]
        return [t for t in self.tasks if t.owner_kind == "township" and t.owner_id == township_id]

    def get(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.task_id == task_id), None)

    def group(self, key: str) -> list[dict[str, Any]]:
        """Counts per clause, owner, township or school (`key`): tasks, done, overdue, seriously overdue."""
        groups: dict[str, list[Task]] = {}
        for t in self.tasks:
            k = getattr(t, key) or ""
            if key in ("township_id", "school_id") and not k:
                continue
            groups.setdefault(k, []).append(t)
        order = sorted(groups, key=_clause_no) if key == "clause" else sorted(groups)
        return [
            {
                key: k,
                "owner_name": groups[k][0].owner if key in ("owner", "owner_id") else None,
                "tasks": len(groups[k]),
                "done": sum(t.done for t in groups[k]),
                "overdue": sum(t.overdue for t in groups[k]),
                "seriously_overdue": sum(t.seriously_overdue for t in groups[k]),
                "task_ids": [t.task_id for t in groups[k]],
            }
            for k in order
        ]

    def summary(self) -> dict[str, Any]:
        return {
            "tasks_total": len(self.tasks),
            "tasks_done": sum(t.done for t in self.tasks),
            "tasks_overdue": sum(t.overdue for t in self.tasks),
            "tasks_seriously_overdue": sum(t.seriously_overdue for t in self.tasks),
            "tasks_pending": len(self.pending()),
            "tasks_due_soon": sum(t.due_soon for t in self.tasks),
        }

    def as_dict(self) -> dict[str, Any]:
        """`countyedu tasks list --format json` (README): as_of, year, summary, tasks[…], late[…]."""
        return {
            "as_of": self.as_of.isoformat(),
            "year": self.year,
            "summary": self.summary(),
            "tasks": [t.as_dict() for t in self.tasks],
            "late": [t.task_id for t in self.late()],
        }

    # -------------------------------------------------------------------------- blocks

    def blocks(self) -> list[Block]:
        return [self.late_block(), self.register_block(), self.group_block("clause"), self.group_block("owner")]

    def report_blocks(self) -> list[Block]:
        """The leadership's progress report: what is late and who owns it first, then counts by owner
        and clause, the updates awaiting acceptance and the whole register."""
        return [
            self.late_block(),
            self.group_block("owner"),
            self.group_block("clause"),
            self.pending_block(),
            self.register_block(),
        ]

    def pending_block(self) -> Block:
        rows: list[list[Value]] = [
            [
                t.task_id,
                t.title,
                t.owner,
                t.pending.date.isoformat(),
                Code("task_state", t.pending.status),
                t.pending.progress,
                t.pending.note or t.pending.evidence,
            ]
            for t in self.pending()
            if t.pending is not None
        ]
        columns = [
            BlockColumn("task_id", Msg("task")),
            BlockColumn("title", Msg("title")),
            BlockColumn("owner", Msg("owner")),
            BlockColumn("date", Msg("date")),
            BlockColumn("status", Msg("status")),
            BlockColumn("progress", Msg("percent done"), "count"),
            BlockColumn("note", Msg("progress and evidence")),
        ]
        title = Msg("Updates awaiting the bureau's acceptance")
        return Block("supervision.tasks.pending", title, CLAUSE, tables=[BlockTable(title, columns, rows)])

    def late_block(self) -> Block:
        s = self.summary()
        rows: list[list[Value]] = [
            [t.task_id, t.clause, t.title, t.owner, t.lead, t.contact, _iso(t.due), t.days_overdue, _state(t)]
            for t in self.late()
        ]
        finding = Finding(
            CLAUSE,
            Msg("tasks done by their due date"),
            Msg("{late} of {total} tasks overdue", late=s["tasks_overdue"], total=s["tasks_total"]),
            "met" if not s["tasks_overdue"] else "not_met",
            Msg(
                "as of {day}: {done} done, {late} overdue ({serious} by more than {days} days), {pending} "
                "updates awaiting acceptance",
                day=self.as_of.isoformat(),
                done=s["tasks_done"],
                late=s["tasks_overdue"],
                serious=s["tasks_seriously_overdue"],
                days=self.params.seriously_overdue_days,
                pending=s["tasks_pending"],
            ),
        )
        columns = [
            BlockColumn("task_id", Msg("task")),
            BlockColumn("clause", Msg("clause")),
            BlockColumn("title", Msg("title")),
            BlockColumn("owner", Msg("owner")),
            BlockColumn("lead", Msg("lead")),
            BlockColumn("contact", Msg("contact")),
            BlockColumn("due", Msg("due")),
            BlockColumn("days_overdue", Msg("days overdue"), "count"),
            BlockColumn("status", Msg("status")),
        ]
        table = BlockTable(Msg("Overdue tasks and who owns them"), columns, rows, clause=CLAUSE)
        return Block("supervision.tasks.late", Msg("Overdue tasks"), CLAUSE, findings=[finding], tables=[table])

    def register_block(self) -> Block:
        rows: list[list[Value]] = [
            [
                t.task_id,
                t.clause,
                t.title,
                t.owner,
                _iso(t.due),
                _state(t),
                Msg("yes") if t.overdue else "",
                t.progress or t.evidence,
            ]
            for t in sorted(self.tasks, key=lambda t: (_clause_no(t.clause), t.task_id))
        ]
        columns = [
            BlockColumn("task_id", Msg("task")),
            BlockColumn("clause", Msg("clause")),
            BlockColumn("title", Msg("title")),
            BlockColumn("owner", Msg("owner")),
            BlockColumn("due", Msg("due")),
            BlockColumn("status", Msg("status")),
            BlockColumn("overdue", Msg("overdue")),
            BlockColumn("progress", Msg("progress and evidence")),
        ]
        table = BlockTable(Msg("The task register"), columns, rows, clause=CLAUSE)
        linked = any(t.indicators for t in self.tasks)
        note: list[Text] = (
            [Msg("Indicator statuses were not read: tasks linked to indicators show the register's own status.")]
            if linked and not self.indicators_read
            else []
        )
        return Block("supervision.tasks.register", Msg("Task register"), CLAUSE, paragraphs=note, tables=[table])

    def group_block(self, key: str) -> Block:
        label = {"clause": Msg("clause"), "owner": Msg("owner")}[key]
        rows: list[list[Value]] = [
            [g[key], g["tasks"], g["done"], g["overdue"], g["seriously_overdue"]] for g in self.group(key)
        ]
        columns = [
            BlockColumn(key, label),
            BlockColumn("tasks", Msg("tasks"), "count"),
            BlockColumn("done", Msg("done"), "count"),
            BlockColumn("overdue", Msg("overdue"), "count"),
            BlockColumn("seriously_overdue", Msg("seriously overdue"), "count"),
        ]
        title = Msg("Tasks by clause") if key == "clause" else Msg("Tasks by owner")
        return Block(f"supervision.tasks.by_{key}", title, CLAUSE, tables=[BlockTable(title, columns, rows)])


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _state(t: Task) -> Code:
    return Code("task_state", t.status)


def register(ctx: Context) -> TaskRegister | None:
    """The register of the census's tasks sheet with the records and indicator statuses of the context."""
    tasks = ctx.frame("tasks")
    if tasks is None:
        return None
    p = tasks_params(ctx.params)
    year = ctx.year
    if year is None and ctx.frame("classes") is not None:
        year = int(ctx.frames["classes"]["year"].max())
    linked = "indicators" in tasks.columns and tasks["indicators"].notna().any()
    found = task_register(
        tasks,
        ctx.as_of,
        p=p,
        updates=ctx.record("task_updates"),
        indicators=ctx.indicators() if linked else None,
        year=year,
        schools=ctx.frame("schools"),
        townships=ctx.frame("townships"),
    )
    return TaskRegister(ctx.as_of, year, found, p, indicators_read=not linked or ctx.indicator_source is not None)


def part(ctx: Context) -> TaskRegister | None:
    return register(ctx)


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The register's headline, as `countyedu demo` prints it."""
    if "tasks_total" not in s:
        return []
    return [
        f"{s['as_of']} 任务督办 / tasks: {s['tasks_total']} 项，已完成 done {s['tasks_done']}，"
        f"逾期 overdue {s['tasks_overdue']}（严重逾期 seriously {s['tasks_seriously_overdue']}），"
        f"待验收 awaiting acceptance {s['tasks_pending']}"
    ]

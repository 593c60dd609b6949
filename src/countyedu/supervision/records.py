"""The supervision office's daily records as plain frames: the one declaration of their columns.

The web app keeps these records as Django models (`web.models`) and `web.supervision_records.frames`
builds the frames below from them; the CLI reads them the same way after `cli.common._django`. The
computations of `countyedu.supervision` take these frames (a `Records`) and never read Django, so a
test or a notebook builds them by hand with `frame(name, rows)`.

Frames and columns (STANDARDS SV; 第31–34条):
- visits: one row per visit of an inspector (责任督学) to a school.
- findings: one row per item a visit looked at: each of the eight routine items (ROUTINE_ITEMS), a
  safety hazard (`safety`, 第31条, with its severity) or anything else (`other`). `problem` is the
  problem found (None: nothing wrong). A finding may resolve a `needs_evidence` checklist indicator
  (`checklist_item` the indicator id, `checklist_status` met / not_met) for the school and the school
  year of its date.
- rectifications: one row per problem the school must put right (整改), with its deadline and state.
- followups: the history of a rectification (the school's answer, the inspector's return or close, a
  daily check of a 重大 hazard, the bureau's notice), one row per step.
- task_updates: an owner's update of a policy task (第33条) and the bureau's acceptance.
- assignments: which inspector is responsible for which school, from when (as decided and recorded).
- manual_scores: the supervision office's score of a unit (school or township) on a `manual` row of
  the evaluation rubric (第34条) in a school year.
- vetoes: a veto (一票否决) the office recorded against a unit in a school year, with its reason.
- accountability: a measure taken to hold a unit to account (问责: a talk, a notice of criticism), with
  its date, recorded by the office; the evaluation counts them per school year with the bureau's
  notices after a second overdue rectification (第34条, 问责办法).

Dates are `datetime64[ns]` (midnight), ids and text `object` (str or None), booleans that may be
unknown `boolean` (True / False / <NA>), counts `Int64`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import CodeLabeller, Msg, register_codes

Kind = Literal["id", "str", "date", "bool", "code", "int", "float"]

# The eight routine items of a responsible inspector's visit (责任督学挂牌督导办法, STANDARDS SV), in
# the order the form and the reports show them.
ROUTINE_ITEMS: tuple[str, ...] = (
    "management",  # 学校管理
    "admission",  # 招生、收费、择校
    "teaching",  # 课程开设与教学
    "workload",  # 学生课业负担与体育锻炼
    "teachers",  # 师德师风与教师专业发展
    "campus_safety",  # 校园及周边交通安全
    "hygiene",  # 食堂、食品、饮水及宿舍卫生
    "ethos",  # 校风、教风、学风
)
SAFETY = "safety"  # a safety hazard (安全隐患, 第31条), with a severity
OTHER = "other"
FINDING_ITEMS: tuple[str, ...] = (*ROUTINE_ITEMS, SAFETY, OTHER)

VISIT_KINDS: tuple[str, ...] = ("routine", "random", "special")  # 经常性、随机、专项
SEVERITIES: tuple[str, ...] = ("general", "major", "grave")  # 一般、较大、重大 (safety hazards only)
CHECKLIST_STATUSES: tuple[str, ...] = ("met", "not_met")
RECTIFICATION_STATUSES: tuple[str, ...] = ("open", "answered", "returned", "closed")
# a followup's action: the school answered; the inspector returned or closed; a daily check of an open
# 重大 hazard; the bureau's notice (通报) after a second overdue
FOLLOWUP_ACTIONS: tuple[str, ...] = ("answer", "return", "close", "daily_check", "notice")
TASK_UPDATE_STATUSES: tuple[str, ...] = ("not_started", "in_progress", "done")

CODE_LISTS: dict[str, tuple[str, ...]] = {
    "visit_kind": VISIT_KINDS,
    "finding_item": FINDING_ITEMS,
    "severity": SEVERITIES,
    "checklist_status": CHECKLIST_STATUSES,
    "rectification_status": RECTIFICATION_STATUSES,
    "followup_action": FOLLOWUP_ACTIONS,
    "task_update_status": TASK_UPDATE_STATUSES,
}


@dataclass(frozen=True)
class Column:
    """One column of a records frame: its kind, and for codes the code list (CODE_LISTS) it takes."""

    name: str
    kind: Kind
    codes: str | None = None
    required: bool = True  # False: may be None / NaT / <NA>


def _c(name: str, kind: Kind, codes: str | None = None, *, required: bool = True) -> Column:
    return Column(name, kind, codes, required)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "visits": (
        _c("visit_id", "id"),
        _c("school_id", "id"),
        _c("inspector_id", "id"),
        _c("date", "date"),
        _c("kind", "code", "visit_kind"),
        _c("feedback_given", "bool"),
        _c("note", "str", required=False),
    ),
    "findings": (
        _c("finding_id", "id"),
        _c("visit_id", "id"),
        _c("school_id", "id"),
        _c("date", "date"),
        _c("item", "code", "finding_item"),
        _c("severity", "code", "severity", required=False),
        _c("observation", "str", required=False),  # what the inspector saw
        _c("problem", "str", required=False),  # None: nothing wrong
        _c("checklist_item", "id", required=False),
        _c("checklist_status", "code", "checklist_status", required=False),
    ),
    "rectifications": (
        _c("rectification_id", "id"),
        _c("finding_id", "id"),
        _c("school_id", "id"),
        _c("deadline", "date"),
        _c("responsible", "str", required=False),
        _c("status", "code", "rectification_status"),
        _c("answered_on", "date", required=False),
        _c("closed_on", "date", required=False),
    ),
    "followups": (
        _c("rectification_id", "id"),
        _c("date", "date"),
        _c("action", "code", "followup_action"),
        _c("note", "str", required=False),
    ),
    "task_updates": (
        _c("task_id", "id"),
        _c("date", "date"),
        _c("status", "code", "task_update_status"),
        _c("progress", "int", required=False),  # percent done, 0–100
        _c("note", "str", required=False),  # the owner's progress note (superv)
        _c("evidence", "str", required=False),
        _c("accepted", "bool", required=False),  # None: not yet reviewed by the bureau
    ),
    "assignments": (
        _c("school_id", "id"),
        _c("inspector_id", "id"),
        _c("since", "date"),
        _c("until", "date", required=False),  # None: still responsible
    ),
    "manual_scores": (
        _c("year", "int"),
        _c("unit_id", "id"),
        _c("rubric_id", "id"),
        _c("points", "float"),
        _c("note", "str", required=False),
    ),
    "vetoes": (
        _c("year", "int"),
        _c("unit_id", "id"),
        _c("veto", "id"),
        _c("note", "str", required=False),
    ),
    "accountability": (
        _c("unit_id", "id"),
        _c("date", "date"),
        _c("measure", "str", required=False),
    ),
}

_DTYPES: dict[Kind, str] = {
    "id": "object",
    "str": "object",
    "code": "object",
    "date": "datetime64[ns]",
    "bool": "boolean",
    "int": "Int64",
    "float": "float64",
}


class RecordsError(CountyEduError):
    """A records frame that does not match its declaration (a programming error, or a bad import)."""


def names(frame_name: str) -> list[str]:
    """The column names of one records frame, in order."""
    return [c.name for c in COLUMNS[frame_name]]


def empty(frame_name: str) -> pd.DataFrame:
    """An empty frame with the declared columns and dtypes."""
    return frame(frame_name, [])


def _cell(column: Column, value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column.kind in ("id", "str", "code"):
        return str(value)
    if column.kind == "date":
        return pd.Timestamp(value).normalize()
    return value


def frame(frame_name: str, rows: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """A records frame from dict rows (or a frame): the declared columns in order, typed, checked.
    A required column absent from the rows is an error; an optional one is None; extra keys are
    dropped."""
    columns = COLUMNS[frame_name]
    if isinstance(rows, pd.DataFrame):
        present = set(rows.columns)
        records = rows.to_dict("records")
    else:
        records = list(rows)
        present = {k for r in records for k in r}
    missing = [c.name for c in columns if c.required and c.name not in present and (records or present)]
    if missing:
        raise RecordsError(
            Msg("records {frame} lack columns {columns}", frame=frame_name, columns=tuple(missing)),
            frame=frame_name,
            columns=missing,
        )
    data = {c.name: [_cell(c, r.get(c.name)) for r in records] for c in columns}
    out = pd.DataFrame({c.name: pd.Series(data[c.name], dtype=_DTYPES[c.kind]) for c in columns})
    check(frame_name, out)
    return out


def check(frame_name: str, df: pd.DataFrame) -> None:
    """Raise RecordsError if `df` lacks a declared column, misses a required value or holds an
    unknown code."""
    problems: list[str] = []
    for c in COLUMNS[frame_name]:
        if c.name not in df.columns:
            problems.append(f"{c.name}: missing")
            continue
        values = df[c.name]
        if c.required and bool(values.isna().any()):
            problems.append(f"{c.name}: empty in {int(values.isna().sum())} rows")
        if c.codes is not None:
            bad = sorted({str(v) for v in values.dropna() if v not in CODE_LISTS[c.codes]})
            if bad:
                problems.append(f"{c.name}: unknown codes {', '.join(bad)}")
    if problems:
        raise RecordsError(
            Msg("records {frame} are not valid: {problems}", frame=frame_name, problems=tuple(problems)),
            frame=frame_name,
            problems=problems,
        )


@dataclass(frozen=True)
class Records:
    """Every records frame, as the computations of `countyedu.supervision` take them."""

    visits: pd.DataFrame = field(default_factory=lambda: empty("visits"))
    findings: pd.DataFrame = field(default_factory=lambda: empty("findings"))
    rectifications: pd.DataFrame = field(default_factory=lambda: empty("rectifications"))
    followups: pd.DataFrame = field(default_factory=lambda: empty("followups"))
    task_updates: pd.DataFrame = field(default_factory=lambda: empty("task_updates"))
    assignments: pd.DataFrame = field(default_factory=lambda: empty("assignments"))
    manual_scores: pd.DataFrame = field(default_factory=lambda: empty("manual_scores"))
    vetoes: pd.DataFrame = field(default_factory=lambda: empty("vetoes"))
    accountability: pd.DataFrame = field(default_factory=lambda: empty("accountability"))

    def __post_init__(self) -> None:
        for f in fields(self):
            check(f.name, getattr(self, f.name))

    @classmethod
    def from_rows(cls, **rows: Iterable[Mapping[str, Any]]) -> Records:
        """Records from dict rows per frame name (frames not given are empty)."""
        unknown = sorted(set(rows) - set(COLUMNS))
        if unknown:
            raise RecordsError(Msg("unknown records {frame}", frame=tuple(unknown)), frame=unknown)
        return cls(**{name: frame(name, r) for name, r in rows.items()})


def school_year(day: dt.date | pd.Timestamp, start_month: int = 9) -> int:
    """The school year a date falls in, named by the calendar year it starts in (2019 = 2019/20; the
    year starts in September unless `start_month` says otherwise)."""
    return day.year if day.month >= start_month else day.year - 1


def timestamp(day: dt.date | str | pd.Timestamp) -> pd.Timestamp:
    """A date as the frames hold it (midnight), for comparisons with an `as_of`."""
    return pd.Timestamp(day).normalize()


# The codes' words (Chinese, English), registered with countyedu.messages as vocabularies of the same
# names as CODE_LISTS (pages, reports and the CLI label a code with Code(vocabulary, value)).
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "visit_kind": {
        "routine": ("经常性督导", "routine"),
        "random": ("随机督导", "random"),
        "special": ("专项督导", "special"),
    },
    "finding_item": {
        "management": ("学校管理", "school management"),
        "admission": ("招生、收费、择校", "admission, fees and school choice"),
        "teaching": ("课程开设与教学", "curriculum and teaching"),
        "workload": ("课业负担与体育锻炼", "pupils' workload and exercise"),
        "teachers": ("师德师风与教师发展", "teacher ethics and development"),
        "campus_safety": ("校园及周边交通安全", "campus and traffic safety"),
        "hygiene": ("食堂、饮水及宿舍卫生", "canteen, food, water and dormitory hygiene"),
        "ethos": ("校风教风学风", "school ethos"),
        "safety": ("安全隐患", "safety hazard"),
        "other": ("其他问题", "other matter"),
    },
    "severity": {"general": ("一般", "general"), "major": ("较大", "major"), "grave": ("重大", "grave")},
    "checklist_status": {"met": ("达标", "met"), "not_met": ("未达标", "not met")},
    "rectification_status": {
        "open": ("待整改", "open"),
        "answered": ("学校已反馈", "answered"),
        "returned": ("退回重改", "returned"),
        "closed": ("已销号", "closed"),
    },
    "followup_action": {
        "answer": ("学校反馈整改情况", "the school answered"),
        "return": ("督学退回", "returned by the inspector"),
        "close": ("督学复查销号", "closed by the inspector"),
        "daily_check": ("每日跟踪", "daily check"),
        "notice": ("通报", "notice"),
    },
    "task_update_status": {
        "not_started": ("未开始", "not started"),
        "in_progress": ("推进中", "in progress"),
        "done": ("已完成", "done"),
    },
}


def label(vocabulary: str, code: str, lang: str = "zh") -> str:
    """A code's words in a language (the code itself when unknown)."""
    words = LABELS.get(vocabulary, {}).get(code)
    return words[lang == "en"] if words else code


def _labeller(vocabulary: str) -> CodeLabeller:
    return lambda value, lang: label(vocabulary, value, lang)


for _name in LABELS:
    register_codes(_name, _labeller(_name))

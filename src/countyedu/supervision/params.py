"""The supervision parameters (pack key `parameters.supervision`): one sub-section per part of the
module (`parameters.supervision.tasks`, `.assign`, `.plan`, `.rectification`, `.evaluation`, …).

Each part declares its own pydantic model of its sub-section, with a default and the clause it comes
from for every field (POLICY.md 第31–34条, STANDARDS.md SV; "assumed" marks a choice the texts do not
make), and reads it with `section(params, "<part>", Model)`: a pack may override any field, a pack
without the key gets the defaults, a bad field is a CountyEduError naming
`parameters.supervision.<part>.<field>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.store import parameters

M = TypeVar("M", bound=BaseModel)


class TasksParams(BaseModel):
    """The task register's rules (第33条 target management; 第34条 supervision)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A task not done whose due date is at most this many days ahead is due soon (assumed: 90).
    at_risk_days: int = Field(default=90, ge=0, le=3650)
    # A task overdue by more than this many days is seriously overdue: the 约谈 list reads it
    # (教育督导问责办法 2021; assumed: 180 days).
    seriously_overdue_days: int = Field(default=180, ge=0, le=3650)
    # A task with no due date but a due year is due on this day of that year (assumed: 31 December).
    due_month_day: tuple[int, int] = (12, 31)


# Clause ids of the tasks fields (shown with the parameters in the report and the API).
TASKS_CLAUSES: dict[str, str] = {
    "at_risk_days": "第33条 (assumed)",
    "seriously_overdue_days": "第34条; 教育督导问责办法 (assumed)",
    "due_month_day": "第33条 (assumed)",
}


class SupervisionParams(BaseModel):
    """The pack section `parameters.supervision`: each part's sub-section, read by its own model."""

    model_config = ConfigDict(frozen=True, extra="allow")

    tasks: dict[str, Any] = Field(default_factory=dict)
    assign: dict[str, Any] = Field(default_factory=dict)
    plan: dict[str, Any] = Field(default_factory=dict)
    visits: dict[str, Any] = Field(default_factory=dict)
    rectification: dict[str, Any] = Field(default_factory=dict)
    evaluation: dict[str, Any] = Field(default_factory=dict)
    reports: dict[str, Any] = Field(default_factory=dict)

    def raw(self, name: str) -> dict[str, Any]:
        """A part's sub-section as the pack gives it ({} when the pack has none)."""
        return dict(getattr(self, name, None) or {})


def section(params: SupervisionParams, name: str, model: type[M]) -> M:
    """The sub-section `name` read by `model` (defaults for what it omits); a bad field is a
    CountyEduError naming `parameters.supervision.<name>.<field>`."""
    try:
        return model(**params.raw(name))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(["supervision", name, *(str(p) for p in first["loc"])])
        raise CountyEduError(
            Msg("parameters.{field}: {problem}", field=where, problem=first["msg"]), field=where
        ) from None


def supervision_params(packs: Sequence[Any] | Mapping[str, Any] | None = None) -> SupervisionParams:
    """The supervision parameters of the packs (the first that sets `parameters.supervision`), or of a
    mapping (the section itself)."""
    if packs is None:
        raw: Mapping[str, Any] = {}
    elif isinstance(packs, Mapping):
        raw = packs
    else:
        raw = parameters(packs, "supervision")
    try:
        return SupervisionParams(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "supervision." + ".".join(str(p) for p in first["loc"])
        raise CountyEduError(
            Msg("parameters.{field}: {problem}", field=where, problem=first["msg"]), field=where
        ) from None


def tasks_params(params: SupervisionParams) -> TasksParams:
    return section(params, "tasks", TasksParams)

"""Words of the funding results in Chinese and English (one place, for every block)."""

from __future__ import annotations

from countyedu.census import vocabulary
from countyedu.reports.labels import STATUS
from countyedu.runs.blocks import Value

# component → (zh, en, clause)
COMPONENTS: dict[str, tuple[str, str, str]] = {
    "standard": ("生均标准", "per-pupil standard", "第22条"),
    "small_school_floor": ("小规模学校补足", "small-school floor top-up", "第22条; 第5条; QB-G6"),
    "boarding": ("寄宿生补助", "boarder supplement", "第5条; FD"),
    "special_education": ("特教学生补助", "special-education supplement", "FD; QB-G7"),
}

TERM = vocabulary.labels("term", "zh")
TERM_EN = vocabulary.labels("term", "en")


def pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def stage_label(stage: str, lang: str) -> str:
    return vocabulary.stage_label(stage, lang)


def component_label(component: str, lang: str) -> str:
    zh, en, _ = COMPONENTS.get(component, (component, component, ""))
    return pick(lang, zh, en)


def status_label(status: str, lang: str) -> str:
    """A status in the words every report uses (reports.labels.STATUS)."""
    zh, en, _colour = STATUS.get(status, (status, status, ""))
    return pick(lang, zh, en)


def cells(*values: Value) -> list[Value]:
    """A table row (typed for BlockTable.rows)."""
    return list(values)


def yuan(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"

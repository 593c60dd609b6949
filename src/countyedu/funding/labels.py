"""Words of the funding results: message keys (countyedu.messages) for every label the blocks show.

The funding computations word nothing: they name components, finance items, sheets, stages and
statuses by code, and their blocks carry `Msg`s that the CLI, the reports and the web word in the
reader's language from the one catalogue.
"""

from __future__ import annotations

from countyedu.census import vocabulary
from countyedu.funding.params import FinanceItems
from countyedu.messages import Code, Msg, Text
from countyedu.runs.blocks import Value

# component → (label, clause)
COMPONENTS: dict[str, tuple[Msg, str]] = {
    "standard": (Msg("per-pupil standard"), "第22条"),
    "small_school_floor": (Msg("small-school floor top-up"), "第22条; 第5条; QB-G6"),
    "boarding": (Msg("boarder supplement"), "第5条; FD"),
    "special_education": (Msg("special-education supplement"), "FD; QB-G7"),
}

# FinanceItems field → what the finance item is (the pack names the item's code; pages show this)
FINANCE_ITEMS: dict[str, Msg] = {
    "fiscal_revenue_total": Msg("total fiscal revenue"),
    "regular_fiscal_revenue": Msg("regular fiscal revenue"),
    "education_expenditure": Msg("education expenditure"),
    "general_budget_education_expenditure": Msg("general-budget education expenditure"),
    "province_education_expenditure_growth": Msg("the province's growth of education expenditure"),
    "teacher_avg_salary": Msg("average teacher pay"),
    "civil_servant_avg_salary": Msg("average civil-servant pay"),
    "informatization": Msg("education informatization spending"),
    "special_funds": Msg("special funds (research, audio-visual, equipment, training)"),
    "temporary_staff": Msg("temporary staff wages"),
    "supervision": Msg("supervision funds"),
    "foundation": Msg("education foundation"),
    "community_education": Msg("community education funds"),
    "teacher_training": Msg("teacher training spending"),
}

# the census data a line or check reads, other than finance items
SOURCES: dict[str, Msg] = {
    "classes": Msg("pupils (classes sheet)"),
    "schools": Msg("schools sheet"),
    "school_years": Msg("school years sheet"),
    "school_years.public_funding": Msg("operating funds received (school years sheet)"),
    "communities.registered_residents": Msg("registered residents (communities sheet)"),
    "operating": Msg("school operating funds"),
}


# the purposes of the 第22条 special funds, as the pack names them
PURPOSES: dict[str, Msg] = {
    "教研": Msg("teaching research"),
    "电教": Msg("audio-visual education"),
    "装备": Msg("equipment"),
    "教师培训": Msg("teacher training"),
}


def purpose(name: str) -> Text:
    return PURPOSES.get(name, name)


def stage_label(stage: str) -> Code:
    """A stage (学段) as a code the vocabulary labels; a school's stage that is no 学段 by its school type."""
    return Code("education_stage", stage) if stage in vocabulary.STAGES else Code("stage", stage)


def school_type(stage: str) -> Code:
    """The kind of school a school's `stage` names (幼儿园, 小学, 九年一贯制 …)."""
    return Code("stage", stage)


def component_label(component: str) -> Text:
    return COMPONENTS[component][0] if component in COMPONENTS else component


def status_label(status: str) -> Code:
    """A status in the words every report uses (reports.labels.STATUS)."""
    return Code("status", status)


def term_label(term: str) -> Code:
    return Code("term", term)


def finance_item(field: str) -> Text:
    """What a finance item is (by its FinanceItems field)."""
    return FINANCE_ITEMS.get(field, field)


def source(use: str, items: FinanceItems) -> Text:
    """A source a line or check reads (`finance:<item code>[@year]` or `sheet:<sheet>[.<column>]`) in
    words: the finance item's name, the census data's."""
    if use.startswith("finance:"):
        code, _, year = use.removeprefix("finance:").partition("@")
        fields = {getattr(items, f): f for f in FinanceItems.model_fields}
        item = finance_item(fields[code]) if code in fields else code
        return (
            Msg("finance sheet: {item} ({year})", item=item, year=year)
            if year
            else Msg("finance sheet: {item}", item=item)
        )
    name = use.removeprefix("sheet:")
    return SOURCES.get(name, name)


def sources(uses: tuple[str, ...], items: FinanceItems) -> tuple[Text, ...]:
    return tuple(source(u, items) for u in uses)


def cells(*values: Value) -> list[Value]:
    """A table row (typed for BlockTable.rows)."""
    return list(values)

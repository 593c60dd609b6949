"""The tables of an explanation as a reader sees them (issue 11): headers in words, names instead of
school, township and community ids (the id kept as the cell's tooltip), labelled codes, numbers at
the precision that decides with their units.

`tables(e)` returns data — message keys (`Msg`), codes (`Code`), numbers with units (`Num`) and names
— computed once; `worded(table, lang)` words one at the edge (the web page, the CLI). The API's
explanation (`Explanation.as_dict`) stays as data: ids, codes and raw numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from countyedu.census.schema import CODES, SHEET_BY_NAME
from countyedu.messages import Code, Msg, Num, lang_of, register_codes, translate
from countyedu.policy.pack import Item

if TYPE_CHECKING:  # explain imports this module: no import back at run time
    from countyedu.indicators.explain import Explanation

STATUS_WORDS = {  # a result's status in words (zh, en), as explanations say it
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "at_risk": ("有风险（按趋势到期难以达标）", "at risk (the trend misses the deadline)"),
    "no_data": ("无数据", "no data"),
    "needs_evidence": ("需督学核查佐证", "needs evidence (inspector checklist)"),
}

# id columns shown as the name of what they name: column → (kind of name, header)
NAMED = {
    "school_id": ("school", Msg("School")),
    "junior_school_id": ("school", Msg("Junior school")),
    "partner_school_id": ("school", Msg("Partner school")),
    "township_id": ("township", Msg("Township")),
    "community_id": ("community", Msg("Community")),
}
# what the numerator and denominator of a formula count, and their unit (messages.UNITS); an item's
# params may name its own (num_en / den_en, with their Chinese in the catalogue)
NUM_DEN: dict[str, tuple[str, str | None, str]] = {
    "enrolment_over_population": ("Pupils enrolled", "School-age population", "count"),
    "pupil_share": ("Pupils meeting the condition", "Pupils", "count"),
    "pupils": ("Pupils", None, "count"),
    "class_share": ("Classes meeting the condition", "Classes", "count"),
    "count_schools": ("Schools", None, "count"),
    "townships_lacking": ("Townships lacking one", None, "count"),
    "seats_added": ("Seats added", None, "count"),
    "school_share": ("Schools meeting the condition", "Schools", "count"),
    "seat_share": ("Seats meeting the condition", "Seats", "count"),
    "school_size_ok": ("Schools meeting the condition", "Schools", "count"),
    "communities_served": ("Communities served", "Communities", "count"),
    "teacher_share": ("Teachers meeting the condition", "Teachers", ""),
    "pupils_per_teacher": ("Pupils", "Full-time teachers", ""),
    "rotation_share": ("Teachers who moved", "Eligible teachers", ""),
    "funding_floor": ("Schools funded to the floor", "Small rural schools", "count"),
    "candidates_share": ("Candidates meeting the condition", "Candidates", "count"),
    "retention": ("Pupils in the last grade", "Pupils in the first grade", "count"),
    "disabled_enrolment": ("Disabled pupils enrolled", "School-age disabled children", "count"),
    "catchment_share": ("Pupils enrolled within the catchment", "Pupils enrolled", "count"),
}
# English headers of the census columns where the exchange format's English note is a sentence
COLUMN_EN = {
    "year": "School year",
    "opened_year": "Opened",
    "closed_year": "Closed",
    "start_year": "Start",
    "end_year": "End",
    "due_year": "Due",
    "kind": "Kind",
    "name": "Name",
    "urban_core": "County seat",
    "inclusive": "Inclusive",
    "community_supporting": "Community kindergarten",
    "urban": "Urban",
    "boarding": "Boarding",
    "central": "Central school",
    "lat": "Latitude",
    "lon": "Longitude",
    "group_id": "School group",
    "grade": "Grade",
    "class_no": "Class",
    "pupils": "Pupils",
    "persons": "Persons",
    "households": "Households",
    "residents": "Residents",
    "registered_residents": "Registered residents",
    "age": "Age",
    "gender": "Gender",
    "term": "Term",
    "item": "Item",
    "amount": "Amount",
    "seats": "Seats",
    "teaching_area_m2": "Teaching area (m²)",
    "sports_area_m2": "Sports area (m²)",
    "equipment_value": "Equipment (yuan)",
    "public_funding": "Operating funds (yuan)",
    "annual_salary": "Annual pay (yuan)",
    "fee_standard": "Approved fee (yuan)",
    "fee_charged": "Fee charged (yuan)",
    "dual_qualified": "Dual-qualified",
    "quota_to_schools": "Share to schools",
    "took_exam": "Sat the exam",
    "quality_grade": "Quality grade",
}
# units of census columns (messages.UNITS) where a number is not a plain count
COLUMN_UNITS = {
    "year": "year",
    "opened_year": "year",
    "closed_year": "year",
    "start_year": "year",
    "end_year": "year",
    "due_year": "year",
    "birth_year": "year",
    "teaching_area_m2": "m2",
    "sports_area_m2": "m2",
    "equipment_value": "yuan",
    "public_funding": "yuan",
    "annual_salary": "yuan",
    "fee_standard": "yuan",
    "fee_charged": "yuan",
    "collected": "yuan",
    "paid_in": "yuan",
    "returned": "yuan",
    "teacher_subsidy": "yuan",
    "quota_to_schools": "share",
    "lat": "",
    "lon": "",
    "exam_score": "",
}


# the finance sheet's items (named in the policy packs): Chinese, English
FINANCE_ITEMS = {
    "fiscal_revenue_total": ("财政总收入", "total fiscal revenue"),
    "general_budget_revenue": ("一般公共预算收入", "general budget revenue"),
    "education_expenditure": ("教育经费支出", "education expenditure"),
    "general_budget_education_expenditure": ("一般公共预算教育支出", "general budget education expenditure"),
    "province_education_expenditure_growth": ("全省教育支出增幅", "growth of the province's education expenditure"),
    "civil_servant_avg_salary": ("公务员平均工资", "civil servants' average pay"),
    "teacher_avg_salary": ("教师平均工资", "teachers' average pay"),
    "informatization_spending": ("教育信息化经费", "education informatization spending"),
    "supervision_funds": ("教育督导经费", "education supervision funds"),
    "teacher_training_spending": ("教师培训经费", "teacher training spending"),
    "education_foundation": ("教育基金", "education foundation"),
    "community_education_funds": ("社区教育经费", "community education funds"),
    "temporary_staff_wages": ("临聘人员工资", "temporary staff wages"),
    "special_funds": ("专项资金", "special funds"),
    "disabled_children_school_age": ("适龄残疾儿童数", "school-age disabled children"),
}


def _column_label(value: str, lang: str) -> str:
    """A census column's header: "sheet.column" (or a column named alike in every sheet)."""
    sheet_name, _, key = value.rpartition(".")
    if lang == "en" and key in COLUMN_EN:
        return COLUMN_EN[key]
    sheet = SHEET_BY_NAME.get(sheet_name)
    if sheet is None:
        sheet = next((s for s in SHEET_BY_NAME.values() if key in {c.name for c in s.columns}), None)
    if sheet is None:
        return key
    c = sheet.column(key)
    return c.zh if lang == "zh" else c.note_en.split(" (")[0].split(",")[0].capitalize()


register_codes("census_column", _column_label)


def column_label(sheet: str, column: str, lang: str) -> str:
    """A census column's header in words of `lang` (教学及辅助用房面积 / Teaching area (m²))."""
    return _column_label(f"{sheet}.{column}", lang_of(lang))


register_codes("finance_item", lambda v, lang: FINANCE_ITEMS[v][lang == "en"] if v in FINANCE_ITEMS else v)
register_codes("result_status", lambda v, lang: STATUS_WORDS[v][lang == "en"] if v in STATUS_WORDS else v)


@dataclass(frozen=True)
class Column:
    key: str
    label: Msg | Code | str
    unit: str | None = None  # a messages.UNITS unit for numbers; None: not a number


@dataclass(frozen=True)
class ExplainTable:
    """One table of an explanation: its rows as data, and the id behind each named cell."""

    key: str  # "contributions", or the census sheet
    columns: list[Column]
    rows: list[list[Any]]  # str (a name), Code, Msg, Num, bool or None
    tips: list[list[str]]  # the id behind a named cell, "" for others
    total: int  # rows behind the table (more than shown for a long source sheet)


def tables(e: Explanation) -> list[ExplainTable]:
    """The contributing rows, then each source sheet's rows, ready to word."""
    out = [_table("contributions", e.contributions, e, len(e.contributions))]
    out += [_table(sheet, df, e, n) for sheet, (n, df) in e.sources.items()]
    return out


def _table(key: str, df: pd.DataFrame, e: Explanation, total: int) -> ExplainTable:
    sheet = SHEET_BY_NAME.get(key)
    cols = [c for c in df.columns if not _empty(df[c])]
    if sheet is not None and "name" in cols and sheet.key[0] in NAMED:  # the name is shown for the id
        cols.remove("name")
    columns = [_column(str(c), sheet, e.item) for c in cols]
    rows, tips = [], []
    for rec in df[cols].itertuples(index=False):
        row, tip = [], []
        for col, v in zip(columns, rec, strict=True):
            value, t = _cell(col, v, sheet, e)
            row.append(value)
            tip.append(t)
        rows.append(row)
        tips.append(tip)
    return ExplainTable(key, columns, rows, tips, total)


def _empty(s: pd.Series) -> bool:
    return bool(s.isna().all()) and len(s) > 0


def _column(key: str, sheet: Any, item: Item) -> Column:
    if key in NAMED:
        return Column(key, NAMED[key][1])
    if sheet is None:  # the contributions (or the results an item is derived from)
        return _contribution_column(key, item)
    try:
        c = sheet.column(key)
    except KeyError:
        return Column(key, key)
    label = Code("census_column", f"{sheet.name}.{key}")
    if c.kind in ("int", "float"):
        return Column(key, label, COLUMN_UNITS.get(key, "count" if c.kind == "int" else ""))
    if c.kind == "year":
        return Column(key, label, "year")
    return Column(key, label)


def _contribution_column(key: str, item: Item) -> Column:
    formula = item.formula or ""
    words = NUM_DEN.get(formula)
    p = item.params
    if key == "num":
        return Column(key, Msg(p.get("num_en") or (words[0] if words else "Numerator")), _unit(words))
    if key == "den":
        return Column(key, Msg(p.get("den_en") or (words[1] if words and words[1] else "Denominator")), _unit(words))
    fixed = {
        "stage": Column(key, Msg("Stage")),
        "year": Column(key, Msg("School year"), "year"),
        "indicator": Column(key, Msg("Indicator")),
        "unit": Column(key, Msg("School")),
        "value": Column(key, Msg("Value"), ""),
        "pupils": Column(key, Msg("Pupils"), "count"),
        "status": Column(key, Msg("Status")),
        "date": Column(key, Msg("Visit date")),  # a checklist item's evidence (indicators.evidence)
    }
    return fixed.get(key, Column(key, key, ""))


def _unit(words: tuple[str, str | None, str] | None) -> str:
    return words[2] if words else ""


def _cell(col: Column, v: Any, sheet: Any, e: Explanation) -> tuple[Any, str]:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None, ""
    if col.key in NAMED or (sheet is None and col.key == "unit"):
        return e.names.get(str(v), str(v)), str(v)
    if col.key == "stage":
        return Code("education_stage" if v in CODES["education_stage"] else "stage", str(v)), ""
    if col.key == "status" and sheet is None:
        return Code("result_status", str(v)), ""
    if col.key == "item" and sheet is not None and sheet.name == "finance":
        return Code("finance_item", str(v)), ""
    if sheet is not None:
        try:
            codes = sheet.column(col.key).codes
        except KeyError:
            codes = None
        if codes:
            return Code(codes, str(v)), ""
    if isinstance(v, bool):
        return v, ""
    if col.unit is not None and isinstance(v, int | float):
        return Num(float(v), col.unit), ""
    return str(v), ""


def sheet_label(key: str, lang: str) -> str:
    """A census sheet's name in words (学校年度 / school years)."""
    sheet = SHEET_BY_NAME.get(key)
    if sheet is None:
        return key
    return sheet.zh if lang_of(lang) == "zh" else sheet.name.replace("_", " ")


def worded(t: ExplainTable, lang: str) -> dict[str, Any]:
    """A table in words: its headers, and each row's cells as text, tooltip and whether a number."""
    lg = lang_of(lang)
    return {
        "key": t.key,
        "sheet": sheet_label(t.key, lg),
        "columns": [translate(c.label, lg) for c in t.columns],
        "rows": [
            [{"text": _text(v, lg), "title": tip, "num": isinstance(v, Num)} for v, tip in zip(row, tips, strict=True)]
            for row, tips in zip(t.rows, t.tips, strict=True)
        ],
        "total": t.total,
    }


def _text(v: Any, lang: str) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    return str(translate(v, lang))

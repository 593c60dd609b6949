"""Located problems in an input: sheet, the row a user sees in Excel, column, value, rule.

Every message a user reads about bad input is made here, in Chinese and English, from the facts.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

Severity = Literal["error", "warning"]

# rule → (Chinese, English). Placeholders: {value} {detail}.
RULES: dict[str, tuple[str, str]] = {
    "empty_file": ("文件为空", "the file is empty"),
    "not_xlsx": ("不是 Excel .xlsx 工作簿：{detail}", "not an Excel .xlsx workbook: {detail}"),
    "unreadable": ("无法读取文件：{detail}", "the file cannot be read: {detail}"),
    "check_interrupted": (
        "文件检查被中断（执行检查的进程 {detail} 已停止），文件未被检查：请点击“重新检查”或重新上传",
        "the check of the file was interrupted (the process {detail} running it stopped) and the file is unchecked: check it again or upload it again",
    ),
    "no_known_sheet": (
        "没有找到交换格式中的任何工作表（找到：{detail}）",
        "no sheet of the exchange format was found (found: {detail})",
    ),
    "unknown_sheet": ("工作表不属于交换格式，已忽略", "sheet is not part of the exchange format and was ignored"),
    "duplicate_sheet": ("同一工作表出现两次：{detail}", "the same sheet is given twice: {detail}"),
    "missing_sheet": ("缺少工作表：{detail}", "sheet missing: {detail}"),
    "cell_ref": (
        "单元格引用 {value} 不在 Excel 工作表范围内（最大 XFD1048576），文件可能已损坏",
        "the cell reference {value} is outside Excel's grid (XFD1048576 at most): the file may be damaged",
    ),
    "sheet_rows": (
        "工作表数据超过 {detail} 行的上限：第 {value} 行仍有数据",
        "the sheet has data past its limit of {detail} rows: row {value} holds data",
    ),
    "sheet_columns": (
        "单元格 {value} 超出本表 {detail} 列的上限",
        "cell {value} is past this sheet's limit of {detail} columns",
    ),
    "sheet_cells": (
        "工作表使用范围 {value} 超过 {detail} 个单元格的上限",
        "the sheet's used area {value} is over the limit of {detail} cells",
    ),
    "header_missing": ("第 1 行应为列名", "row 1 must hold the column names"),
    "missing_column": ("缺少必填列：{detail}", "required column missing: {detail}"),
    "unknown_column": ("列名不属于交换格式，已忽略", "column is not part of the exchange format and was ignored"),
    "duplicate_column": ("列名重复", "column given twice"),
    "merged_cells": (
        "存在合并单元格 {detail}，请取消合并并逐行填写",
        "merged cells {detail}: unmerge them and fill every row",
    ),
    "formula_no_value": (
        "公式单元格没有计算结果，请在 Excel 中打开保存或粘贴为数值",
        "formula cell has no computed value: open and save it in Excel, or paste values",
    ),
    "formula": ("公式单元格，已采用其计算结果 {value}", "formula cell: its computed value {value} is used"),
    "formula_error": (
        "公式计算出错（{value}），请修正公式或直接填写数值",
        "the formula gives an error ({value}): correct it or type the value",
    ),
    "type_int": ("应为整数", "an integer is expected"),
    "type_number": ("应为数字", "a number is expected"),
    "type_year": ("应为年份（四位整数）", "a year (four-digit integer) is expected"),
    "not_finite": (
        "不是有限的数字（{value}），请填写实际数值",
        "not a finite number ({value}): type the actual value",
    ),
    "too_large": (
        "数值 {value} 超出范围（绝对值应小于 {detail}）",
        "{value} is out of range (its size must be below {detail})",
    ),
    "type_bool": ("应为 是/否（true/false）", "true/false (是/否) is expected"),
    "date_in_number": (
        "单元格是日期格式（{value}），此列应为数字；请把单元格格式改为“常规”或“数值”",
        "the cell is a date ({value}) where a number is expected: format the column as General or Number",
    ),
    "required": ("必填项为空", "a value is required"),
    "code": ("不是允许的取值；可填：{detail}", "not an allowed value; allowed: {detail}"),
    "min": ("不能小于 {detail}", "must not be below {detail}"),
    "max": ("不能大于 {detail}", "must not be above {detail}"),
    "year_range": ("年份应在 1949–2100 之间", "a year must be between 1949 and 2100"),
    "date": ("应为日期，如 2025-06-30", "a date such as 2025-06-30 is expected"),
    "task_owner": (
        "责任单位编号应为该类型（乡镇或学校）已有的编号：{detail}",
        "the owner id must be an existing id of its kind (township or school): {detail}",
    ),
    "not_private": (
        "民办学校登记表只登记民办学校：该校在学校表中为 {detail}",
        "the private-school register holds private schools only: this school is {detail} in the schools sheet",
    ),
    "inclusive_kindergarten": (
        "普惠性认定只适用于幼儿园，该校类型为 {detail}",
        "inclusive (普惠) recognition is for kindergartens only; this school is of stage {detail}",
    ),
    "subsidy_inclusive": (
        "有普惠补助 {value} 元但本学年未认定为普惠性幼儿园",
        "a subsidy of {value} yuan without the inclusive recognition this year",
    ),
    "over_staff": ("人数 {value} 多于教职工数 {detail}", "{value} is more than the {detail} staff"),
    "graduate_counts": (
        "毕业生去向人数不符：{detail}（就业 + 升学不超过毕业生，县内就业不超过就业）",
        "graduates' destinations do not add up: {detail} (employed + further study at most the graduates, "
        "employed locally at most the employed)",
    ),
    "date_order": ("结束日期早于开始日期：{detail}", "the end date is before the start date: {detail}"),
    "age_range": ("年龄应在 0–25 之间", "age must be between 0 and 25"),
    "lat_range": ("纬度不在中国境内（18–54）", "latitude is outside China (18–54)"),
    "lon_range": ("经度不在中国境内（73–135.5）", "longitude is outside China (73–135.5)"),
    "negative": ("不能为负数", "must not be negative"),
    "integer": ("应为整数", "an integer is expected"),
    "duplicate_key": ("主键重复：{detail}", "duplicate key: {detail}"),
    "reference": ("引用不存在：{detail}", "reference not found: {detail}"),
    "grade_stage": ("年级 {value} 不符合学校类型 {detail}", "grade {value} does not fit the school's stage {detail}"),
    "school_not_open": ("该学年学校未开办：{detail}", "the school is not open that year: {detail}"),
    "year_order": ("开始年份晚于结束年份：{detail}", "the start year is after the end year: {detail}"),
    "bonus_reason": (
        "有政策性加分 {value} 分但未填加分原因（bonus_reason）",
        "bonus of {value} points without its reason (bonus_reason)",
    ),
    "score_over_full": ("成绩 {value} 高于满分 {detail}", "the score {value} is above the full marks {detail}"),
    "subject_over_total": (
        "单科成绩 {value} 高于考试总分 {detail}",
        "a subject score of {value} is above the exam total {detail}",
    ),
    "score_without_exam": (
        "未参加学业水平考试（took_exam 为否）却填了成绩 {value}：不参加考试只能报考职校（第7条），成绩不计",
        "a score of {value} for a candidate who did not sit the exam (took_exam false): such a candidate may enter vocational programmes only (第7条) and the score is not counted",
    ),
    "batch_track": (
        "录取批次 {value} 与类别 {detail} 不符：中职计划为职校批，普通高中计划不能为职校批",
        "batch {value} does not fit the track {detail}: vocational programmes run in the vocational batch, general ones never do",
    ),
    "scope_sheet": (
        "学校报送只能包含学校、学校年度、班级、教师表，不能包含 {detail}",
        "a school's submission may hold only schools, school_years, classes and teachers, not {detail}",
    ),
    "scope_school": ("不是本次报送的学校（{detail}）", "not a school of this submission ({detail})"),
    "bureau_field": (
        "由教育局修改：已存为 {detail}，报送为 {value}；学校报送不能更改此项",
        "the bureau changes this: stored {detail}, submitted {value}; a school's submission cannot change it",
    ),
    "scope_year": ("不是本次报送的学年（{detail}）", "not the school year of this submission ({detail})"),
    "big_class_policy": (
        "班额 {value} 人，属大班额（{detail}），请核实或说明",
        "a class of {value} pupils is oversized (大班额, {detail}): please check or explain",
    ),
    "big_class": ("班额 {value} 人超过 80 人，请核实", "a class of {value} pupils is over 80: please check"),
    "no_teachers": ("学校有学生（{detail}）但没有教师", "the school has pupils ({detail}) but no teachers"),
    "more_problems": (
        "另有 {value} 条同类问题未列出（{detail}）",
        "{value} more problems of this kind are not listed ({detail})",
    ),
}

# problems kept per check; beyond it each kind (sheet, column, rule) is summed up in one line
DEFAULT_MAX_PROBLEMS = 1_000


@dataclass(frozen=True)
class Problem:
    """One located problem. row is the row number a user sees in Excel (header = row 1)."""

    severity: Severity
    sheet: str
    row: int | None
    column: str | None
    value: Any
    rule: str
    detail: str = ""

    @property
    def message_zh(self) -> str:
        return self._message(0)

    @property
    def message_en(self) -> str:
        return self._message(1)

    def _message(self, lang: int) -> str:
        detail = self.detail
        if self.rule == "more_problems":  # detail: the rule of the problems left out
            detail = RULES[detail][lang].format(value="…", detail="…")
        return RULES[self.rule][lang].format(value=show_value(self.value), detail=detail)

    def as_dict(self) -> dict[str, Any]:
        """Stable JSON shape: severity, sheet, row, column, value, rule, message_zh, message_en."""
        d = asdict(self)
        d.pop("detail")
        d["value"] = _json_value(self.value)
        d["message_zh"] = self.message_zh
        d["message_en"] = self.message_en
        return d

    def sort_key(self) -> tuple[int, str, int, str]:
        return (0 if self.severity == "error" else 1, self.sheet, self.row or 0, self.column or "")


def _plain(value: Any) -> Any:
    """numpy scalars as Python values; whole numbers without '.0', as Excel shows them."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def show_value(value: Any) -> str:
    """A cell value as a message shows it."""
    if value is None:
        return "（空）"
    return str(_plain(value))


def _json_value(value: Any) -> Any:
    """A value strict JSON can hold: NaN and ±inf (not JSON, refused by the database) as text."""
    value = _plain(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    return str(value)


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that block an import."""
    return [p for p in problems if p.severity == "error"]


def capped(problems: list[Problem], limit: int = DEFAULT_MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems in report order, then one line per kind (severity, sheet,
    column, rule) of those left out, saying how many: a file of a million bad rows gets a list a
    person can read and a database row of bounded size."""
    ordered = sorted(problems, key=Problem.sort_key)
    if len(ordered) <= limit:
        return ordered
    left: Counter[tuple[Severity, str, str | None, str]] = Counter(
        (p.severity, p.sheet, p.column, p.rule) for p in ordered[limit:]
    )
    summary = [
        Problem(severity, sheet, None, column, f"{count:,}", "more_problems", detail=rule)
        for (severity, sheet, column, rule), count in left.items()
    ]
    return ordered[:limit] + sorted(summary, key=Problem.sort_key)

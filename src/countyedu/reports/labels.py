"""Report wording in Chinese and English: headings, column names, statuses, stages, units, marks."""

from __future__ import annotations

from countyedu.census import vocabulary
from countyedu.messages import LANGS as LANGS  # the report languages
from countyedu.messages import register_codes

TEXT: dict[str, tuple[str, str]] = {
    "title": ("县域教育高质量发展监测报告", "County education high-quality development report"),
    "county": ("县", "County"),
    "census_version": ("普查版本", "Census version"),
    "generated": ("生成时间", "Generated"),
    "school_year": ("{year} 学年", "school year {year}"),
    "partial_year": (
        "{year} 学年仍在采集中（数据不完整）：已报 {reported}/{schools} 所。数值只计已报学校，不计入历年趋势。",
        "School year {year} is in collection (partial): {reported} of {schools} schools reported. "
        "Values count only those schools and are left out of the trends.",
    ),
    "colon": ("：", ": "),
    "semicolon": ("；", "; "),
    "paren": ("（{}）", " ({})"),
    "packs": ("政策包", "Policy packs"),
    "synthetic": (
        "注意：本报告使用合成示例数据，并非真实统计。",
        "Note: this report uses synthetic demo data, not real statistics.",
    ),
    "contents": ("目录", "Contents"),
    "one_pager": ("全县一页概览", "The county at a glance"),
    "one_pager_note": (
        "{year} 学年全县各项有目标的指标：数值、目标、状态与历年趋势。",
        "Every county indicator with a target in school year {year}: value, target, status and trend.",
    ),
    "summary": ("状态汇总", "Status summary"),
    "charts": ("图表", "Charts"),
    "trend_chart": ("重点目标历年趋势", "Key targets over the years"),
    "status_chart": ("各政策包指标状态（全县，{year} 学年）", "Status by policy pack (county, {year})"),
    "items": ("项数", "items"),
    "stages": ("分学段", "By stage"),
    "townships": ("乡镇对比", "Townships"),
    "townships_note": (
        "{year} 学年各乡镇指标值，颜色表示状态。",
        "Values by township in {year}; colour shows the status.",
    ),
    "schools": ("学校资源配置达标情况", "Schools: resource standards"),
    "schools_note": (
        "{year} 学年各校（学段）{item}：{passed} / {total} 达标。未达标学校列出达标所需的最少补充。",
        "{item} in {year}: {passed} of {total} school parts pass. Failing schools show the least they need to pass.",
    ),
    "checklist": ("督学核查清单", "Inspector checklist"),
    "checklist_note": (
        "以下事项无法由普查数据判定，需责任督学核查佐证材料。",
        "These items cannot be decided from census data; an inspector checks the evidence.",
    ),
    "definitions": ("附录：指标定义", "Appendix: definitions"),
    "none": ("无", "none"),
    "more_rows": (
        "（另有 {n} 行未列出：完整表格见 Excel 报告及网页）",
        "({n} more rows not shown: the whole table is in the Excel report and on the web page)",
    ),
    # column names
    "pack": ("政策包", "Pack"),
    "id": ("编号", "Id"),
    "indicator": ("指标", "Indicator"),
    "name": ("名称", "Name"),
    "level": ("层级", "Level"),
    "unit": ("单位（地区/学校）", "Unit (place)"),
    "unit_name": ("单位名称", "Unit name"),
    "measure": ("计量单位", "Unit of measure"),
    "stage": ("学段", "Stage"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "target": ("目标", "Target"),
    "target_op": ("目标运算符", "Target op"),
    "target_value": ("目标值", "Target value"),
    "target_by": ("目标期限", "Target by"),
    "status": ("状态", "Status"),
    "trend": ("历年趋势", "Trend"),
    "trend_at_deadline": ("期限年趋势值", "Trend at deadline"),
    "description": ("说明", "Description"),
    "clause": ("条款", "Clause"),
    "rule": ("规则", "Rule"),
    "explanation": ("说明", "Explanation"),
    "mark": ("依据", "Basis"),
    "kind": ("类型", "Kind"),
    "school": ("学校", "School"),
    "school_id": ("学校代码", "School id"),
    "township": ("乡镇", "Township"),
    "township_id": ("乡镇代码", "Township id"),
    "result": ("结果", "Result"),
    "needs": ("达标所需补充", "Needed to pass"),
    "pass": ("达标", "pass"),
    "fail": ("未达标", "fail"),
    "evidence": ("核查结论", "Inspector's finding"),
    "kind_indicator": ("数据指标", "indicator"),
    "kind_checklist": ("核查事项", "checklist"),
}

SHEETS: dict[str, tuple[str, str]] = {
    "overview": ("概览", "Overview"),
    "results": ("全部结果", "All results"),
    "schools": ("学校", "Schools"),
    "townships": ("乡镇", "Townships"),
    "definitions": ("定义", "Definitions"),
}

# A status's words and its colour in every chart, report and page (web/static/web/app.css repeats the
# colours as --status-* variables, the one place CSS can hold them; tests/test_vocabulary.py keeps
# them equal).
STATUS: dict[str, tuple[str, str, str]] = {
    "met": ("达标", "met", "#2e7d32"),
    "at_risk": ("有风险", "at risk", "#e08600"),
    "not_met": ("未达标", "not met", "#c62828"),
    "no_data": ("无数据", "no data", "#757575"),
    "needs_evidence": ("待核查", "needs evidence", "#1565c0"),
}

# The stages' names are the vocabulary's (census.vocabulary); results without a stage are county-wide.
STAGES: dict[str, tuple[str, str]] = {
    **{s: (vocabulary.stage_label(s, "zh"), vocabulary.stage_label(s, "en")) for s in vocabulary.STAGES},
    "county": ("全县综合", "county-wide"),
}

LEVELS: dict[str, tuple[str, str]] = {
    "school": ("学校", "school"),
    "township": ("乡镇", "township"),
    "county": ("全县", "county"),
}

MARKS: dict[str, tuple[str, str]] = {
    "policy": ("政策原文", "policy text"),
    "text": ("标准原文", "standard text"),
    "practice": ("通行做法", "common practice"),
    "assumed": ("假定参数", "assumed parameter"),
}

# Pack units: Chinese name and how values in them are shown (percent, count, yuan, decimal).
UNITS: dict[str, tuple[str, str]] = {
    "share": ("比例", "percent"),
    "share of communities": ("社区占比", "percent"),
    "share of villages": ("行政村占比", "percent"),
    "share of seats": ("学位占比", "percent"),
    "share of classes": ("班级占比", "percent"),
    "share of schools": ("学校占比", "percent"),
    "share of candidates": ("考生占比", "percent"),
    "share of teachers": ("教师占比", "percent"),
    "share of eligible teachers": ("符合条件教师占比", "percent"),
    "share of movers": ("交流教师占比", "percent"),
    "kindergartens": ("所", "count"),
    "townships": ("个乡镇", "count"),
    "seats": ("个学位", "count"),
    "seats a year": ("个学位/年", "count"),
    "students": ("人", "count"),
    "candidates": ("名考生", "count"),
    "yuan": ("元", "yuan"),
    "yuan per pupil": ("元/生", "yuan"),
    "ratio": ("比值", "decimal"),
    "CV": ("差异系数", "decimal"),
    "per 100 pupils": ("每百名学生", "decimal"),
    "m² per pupil": ("平方米/生", "decimal"),
    "m² per child": ("平方米/幼儿", "decimal"),
    "children per teacher": ("幼儿/教师", "decimal"),
}

OPS = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<", "≈": "≈"}


def pick(pair: tuple[str, ...], lang: str) -> str:
    """The Chinese (first) or English (second) member of a pair."""
    return pair[0] if lang == "zh" else pair[1]


# The headings that name the place a report is about: a township's or a school's report (the web app's
# reports of one unit) says so instead of "the county".
SCOPE_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "township": {
        "title": ("乡镇教育高质量发展监测报告", "Township education high-quality development report"),
        "county": ("乡镇", "Township"),
        "one_pager": ("本乡镇一页概览", "The township at a glance"),
        "one_pager_note": (
            "{year} 学年本乡镇各项有目标的指标：数值、目标、状态与历年趋势。",
            "Every township indicator with a target in school year {year}: value, target, status and trend.",
        ),
        "status_chart": ("各政策包指标状态（本乡镇，{year} 学年）", "Status by policy pack (township, {year})"),
    },
    "school": {
        "title": ("学校教育高质量发展监测报告", "School education high-quality development report"),
        "county": ("学校", "School"),
        "one_pager": ("本校一页概览", "The school at a glance"),
        "one_pager_note": (
            "{year} 学年本校各项有目标的指标：数值、目标、状态与历年趋势。",
            "Every school indicator with a target in school year {year}: value, target, status and trend.",
        ),
        "status_chart": ("各政策包指标状态（本校，{year} 学年）", "Status by policy pack (school, {year})"),
    },
}
SCOPES = ("county", "township", "school")


def text(lang: str, scope: str = "county") -> dict[str, str]:
    """Every heading and column name in one language, for a report on the county, a township or a school."""
    return {key: pick(pair, lang) for key, pair in {**TEXT, **SCOPE_TEXT.get(scope, {})}.items()}


def stage_label(stage: str | None, lang: str) -> str:
    """A stage's name; a missing stage is county-wide."""
    return pick(STAGES.get(stage or "county", (stage or "", stage or "")), lang)


def unit_kind(unit: str) -> str:
    """How values in a pack unit are shown: percent, count, yuan or decimal."""
    if unit in UNITS:
        return UNITS[unit][1]
    return "percent" if unit.startswith("share") else "decimal"


def unit_label(unit: str, lang: str) -> str:
    """A pack unit in the report's language (the unit itself when no Chinese name is known)."""
    return UNITS[unit][0] if lang == "zh" and unit in UNITS else unit


def _status_label(status: str, lang: str) -> str:
    return pick(STATUS[status], lang) if status in STATUS else status


# a Msg's Code("status", …) parameter or cell (a finding's verdict) is labelled here
register_codes("status", _status_label)

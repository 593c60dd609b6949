"""The exchange format v1 (DESIGN.md): sheets, columns, codes and their Chinese labels.

This table is the single description of the format. The validator (pandera schemas built from it),
the template and export writers and the readers all read it; nothing else lists columns.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

FORMAT_VERSION = "1"

Kind = Literal["id", "str", "int", "float", "bool", "code", "year", "date"]  # date: ISO text, 2025-06-30

# Codes and the Chinese labels accepted for them (DESIGN.md, issue 2 item 3). Each list is in the
# order pages, reports and tables show its codes; their English labels are CODES_EN (below), and
# census.vocabulary is the one place anything else asks for a label, an order or a colour.
#
# Words: a school's `stage` is the kind of school (幼儿园 a kindergarten, 高中 a high school, …);
# `education_stage` is the 学段 a grade belongs to (K → 学前, P → 小学, J → 初中, H → 高中,
# V → 中职), the stage of every indicator, plan and budget line, always listed in this order.
# 学前 (preschool education, STANDARDS.md PP) names the stage and 幼儿园 the school; 高中 names
# the general high-school stage (grades H1–H3) and 普通高中 the admission track beside 中职, the two
# together being the 高中阶段 of T-HS-1.
CODES: dict[str, dict[str, str]] = {
    "education_stage": {
        "kindergarten": "学前",
        "primary": "小学",
        "junior": "初中",
        "high": "高中",
        "vocational": "中职",
        "special": "特殊教育",
    },
    "township_kind": {"town": "镇", "township": "乡"},
    "community_kind": {"urban_community": "社区", "village": "行政村"},
    "stage": {
        "kindergarten": "幼儿园",
        "primary": "小学",
        "junior": "初中",
        "nine_year": "九年一贯制",
        "complete_secondary": "完全中学",
        "high": "高中",
        "twelve_year": "十二年一贯制",
        "vocational": "中职",
        "teaching_point": "教学点",
        "special_education": "特殊教育学校",
    },
    "ownership": {"public": "公办", "private": "民办"},
    "education": {
        "below_associate": "高中及以下",
        "associate": "专科",
        "bachelor": "本科",
        "master": "硕士",
        "doctorate": "博士",
    },
    "backbone": {
        "none": "无",
        "school": "校级",
        "county": "县级",
        "city": "市级",
        "province": "省级",
        "national": "国家级",
    },
    "subject": {
        "chinese": "语文",
        "math": "数学",
        "english": "英语",
        "science": "科学",
        "pe": "体育",
        "music": "音乐",
        "fine_art": "美术",
        "it": "信息技术",
        "moral": "道德与法治",
        "history": "历史",
        "geography": "地理",
        "physics": "物理",
        "chemistry": "化学",
        "biology": "生物",
        "politics": "思想政治",
        "preschool": "学前",
        "specialty": "专业课",
        "other": "其他",
    },
    "gender": {"male": "男", "female": "女"},
    # 中小学教师职称 (2015 reform): 正高级 … 三级, and 未定级 for a teacher not yet rated.
    "title": {
        "senior_full": "正高级",
        "senior": "高级",
        "first": "一级",
        "second": "二级",
        "third": "三级",
        "unrated": "未定级",
    },
    "grade": {
        "K1": "小班",
        "K2": "中班",
        "K3": "大班",
        "P1": "一年级",
        "P2": "二年级",
        "P3": "三年级",
        "P4": "四年级",
        "P5": "五年级",
        "P6": "六年级",
        "J1": "七年级",
        "J2": "八年级",
        "J3": "九年级",
        "H1": "高一",
        "H2": "高二",
        "H3": "高三",
        "V1": "中职一年级",
        "V2": "中职二年级",
        "V3": "中职三年级",
        "S1": "特教一年级",
        "S2": "特教二年级",
        "S3": "特教三年级",
        "S4": "特教四年级",
        "S5": "特教五年级",
        "S6": "特教六年级",
        "S7": "特教七年级",
        "S8": "特教八年级",
        "S9": "特教九年级",
        "S10": "特教十年级",
        "S11": "特教十一年级",
        "S12": "特教十二年级",
    },
    "project_status": {"planned": "规划", "building": "在建", "done": "竣工"},
    "track": {"general": "普通高中", "vocational": "中职"},
    "quality_grade": {"A": "A", "B": "B", "C": "C", "D": "D"},
    # 中招 batches in the order they run (STANDARDS AD); 指标到校 is run on the 统招 programmes' quota places
    "admission_batch": {"early": "提前批", "quota": "指标到校", "unified": "统招", "vocational": "职校"},
    # a programme's boarding condition (AD): every pupil boards, boarding offered, or day pupils only
    "programme_boarding": {"required": "全部住校", "optional": "可住校", "none": "不提供住宿"},
    # 政策性加分 reasons (the province's list; points per reason are set each year)
    "bonus_reason": {
        "ethnic_minority": "少数民族考生",
        "martyr_family": "烈士子女",
        "military_family": "现役军人子女",
        "returned_overseas": "归侨及华侨子女",
        "taiwan_family": "台湾省籍考生",
        "other": "其他",
    },
    "task_status": {
        "not_started": "未开始",
        "in_progress": "进行中",
        "done": "已完成",
        "overdue": "逾期",
    },
    # 第33条: a task's status as the register computes it (from its indicators or accepted updates)
    "task_state": {
        "not_started": "未开始",
        "in_progress": "进行中",
        "done": "已完成",
        "met": "已达标",
        "at_risk": "有风险",
        "not_met": "未达标",
    },
    # 第33条: who owns a task
    "task_owner_kind": {"bureau_office": "教体局股室", "township": "乡镇", "school": "学校", "department": "县直部门"},
    # 第30条 after-school services are paid per school term; 暑期托管 (summer care) is charged separately.
    "term": {"autumn": "秋季学期", "spring": "春季学期", "summer": "暑期托管"},
    # RT: personal exemptions from the exchange rotation (the rotation_exemptions sheet).
    "rotation_exemption_reason": {"pregnancy": "孕期", "illness": "重病", "family": "家庭特殊困难", "other": "其他"},
    # SV: responsible inspectors (责任督学) are full-time (专职) or part-time (兼职, e.g. a serving principal).
    "inspector_employment": {"full_time": "专职", "part_time": "兼职"},
    # registers: 第16条 private schools (民办学校) — classification under the 2016 民办教育促进法, the
    # annual inspection (年检) result; 第2、19条 housing projects — the facility the plan requires, and what
    # the facility became once handed over
    "private_classification": {"non_profit": "非营利性", "for_profit": "营利性"},
    "inspection_result": {"pass": "合格", "basic_pass": "基本合格", "fail": "不合格"},
    "housing_facility": {
        "none": "无",
        "kindergarten": "幼儿园",
        "primary": "小学",
        "kindergarten_primary": "幼儿园和小学",
        "junior": "初中",
        "nine_year": "九年一贯制学校",
    },
    "handover_use": {"public": "公办", "inclusive": "普惠性民办", "private": "非普惠民办", "other": "挪作他用"},
    # quality (第7、8、29条): the exams of the results sheet — the junior academic level exam (学业水平考试,
    # which is the 中考 of 第7条), the 高考 and the county's own quality monitoring tests (质量监测)
    "exam_kind": {"zhongkao": "中考", "gaokao": "高考", "monitoring": "质量监测"},
    # quality: the subjects of an exam; 总分 is the candidate's total where the exam gives one (高考)
    "exam_subject": {
        "chinese": "语文",
        "math": "数学",
        "english": "英语",
        "physics": "物理",
        "chemistry": "化学",
        "biology": "生物",
        "politics": "政治",
        "history": "历史",
        "geography": "地理",
        "science": "科学",
        "pe": "体育",
        "comprehensive": "综合",
        "total": "总分",
    },
    # vocational (第12条): the kind of a secondary vocational major; 第12条 names the first four and the
    # expansion of nursing, elderly care, health services and modern services; 现代农艺 for the tangerine (第14条)
    "major_category": {
        "preschool_education": "学前教育",
        "e_commerce": "电子商务",
        "car_repair": "汽车运用与维修",
        "machining": "机械加工",
        "nursing": "护理",
        "elderly_care": "老年服务",
        "health_services": "健康服务",
        "modern_services": "现代服务",
        "modern_agriculture": "现代农艺",
        "other": "其他专业",
    },
    # 第15条: a partner enterprise's industry
    "industry": {
        "agriculture": "农业及农产品加工",
        "manufacturing": "制造业",
        "automotive": "汽车服务",
        "commerce": "商贸与电子商务",
        "health": "医疗卫生",
        "elderly_care": "养老服务",
        "education": "教育与托育",
        "services": "现代服务业",
        "other": "其他行业",
    },
    # 职业学校学生实习管理规定 (2021): 认识实习 (a visit) or 岗位实习 (a placement)
    "internship_kind": {"cognitive": "认识实习", "placement": "岗位实习"},
    # 第13条 credit bank (学分银行): the learning outcomes it records
    "outcome_kind": {
        "x_certificate": "1+X职业技能等级证书",
        "skill_certificate": "职业技能证书",
        "competition": "技能竞赛获奖",
        "course": "课程学习",
        "training": "培训",
    },
    "outcome_level": {"elementary": "初级", "intermediate": "中级", "advanced": "高级"},
    # 第13条: what the credit bank did with a learning outcome (countyedu.vocational.credits)
    "credit_status": {
        "converted": "已转换",
        "partly": "部分转换",
        "course_full": "课程学分已满",
        "pupil_full": "已达个人学分上限",
        "no_rule": "无转换规则",
        "below_level": "等级不足",
        "too_few_hours": "学时不足",
        "expired": "已过有效期",
    },
    # OpenStreetMap's highway classes (the ones a pupil or a school bus uses), with the Chinese road
    # grades they correspond to (公路工程技术标准 JTG B01: 高速、一级…四级、等外; 城市道路).
    "road_class": {
        "motorway": "高速公路",
        "trunk": "国道",
        "primary": "省道",
        "secondary": "县道",
        "tertiary": "乡道",
        "unclassified": "村道",
        "residential": "城镇街巷",
        "service": "专用道路",
        "track": "机耕道",
        "path": "步行道",
    },
}

BOOL_LABELS = {True: "是", False: "否"}
# How a boolean may be written (lower-cased, stripped), in the workbook and in every file read beside it.
TRUE_WORDS = frozenset({"true", "是", "1", "yes", "y", "t", "对", "√"})
FALSE_WORDS = frozenset({"false", "否", "0", "no", "n", "f", "错", "×"})

# The English label of every code (tests/census/test_vocabulary.py checks that none is missing).
CODES_EN: dict[str, dict[str, str]] = {
    "education_stage": {
        "kindergarten": "preschool",
        "primary": "primary",
        "junior": "junior secondary",
        "high": "senior high",
        "vocational": "vocational",
        "special": "special education",
    },
    "township_kind": {"town": "town", "township": "township"},
    "community_kind": {"urban_community": "urban community", "village": "administrative village"},
    "stage": {
        "kindergarten": "kindergarten",
        "primary": "primary school",
        "junior": "junior secondary school",
        "nine_year": "nine-year school",
        "complete_secondary": "complete secondary school",
        "high": "general high school",
        "twelve_year": "twelve-year school",
        "vocational": "vocational school",
        "teaching_point": "teaching point",
        "special_education": "special-education school",
    },
    "ownership": {"public": "public", "private": "private"},
    "education": {
        "below_associate": "high school or below",
        "associate": "associate degree",
        "bachelor": "bachelor's degree",
        "master": "master's degree",
        "doctorate": "doctorate",
    },
    "backbone": {
        "none": "none",
        "school": "school level",
        "county": "county level",
        "city": "city level",
        "province": "province level",
        "national": "national level",
    },
    "subject": {
        "chinese": "Chinese",
        "math": "mathematics",
        "english": "English",
        "science": "science",
        "pe": "physical education",
        "music": "music",
        "fine_art": "fine art",
        "it": "information technology",
        "moral": "morality and law",
        "history": "history",
        "geography": "geography",
        "physics": "physics",
        "chemistry": "chemistry",
        "biology": "biology",
        "politics": "politics",
        "preschool": "preschool",
        "specialty": "vocational specialty",
        "other": "other",
    },
    "gender": {"male": "male", "female": "female"},
    "title": {
        "senior_full": "senior (full)",
        "senior": "senior",
        "first": "first grade",
        "second": "second grade",
        "third": "third grade",
        "unrated": "not yet rated",
    },
    "grade": {
        "K1": "kindergarten year 1",
        "K2": "kindergarten year 2",
        "K3": "kindergarten year 3",
        "P1": "grade 1",
        "P2": "grade 2",
        "P3": "grade 3",
        "P4": "grade 4",
        "P5": "grade 5",
        "P6": "grade 6",
        "J1": "grade 7",
        "J2": "grade 8",
        "J3": "grade 9",
        "H1": "senior high year 1",
        "H2": "senior high year 2",
        "H3": "senior high year 3",
        "V1": "vocational year 1",
        "V2": "vocational year 2",
        "V3": "vocational year 3",
        "S1": "special education year 1",
        "S2": "special education year 2",
        "S3": "special education year 3",
        "S4": "special education year 4",
        "S5": "special education year 5",
        "S6": "special education year 6",
        "S7": "special education year 7",
        "S8": "special education year 8",
        "S9": "special education year 9",
        "S10": "special education year 10",
        "S11": "special education year 11",
        "S12": "special education year 12",
    },
    "project_status": {"planned": "planned", "building": "under construction", "done": "completed"},
    "track": {"general": "general high school", "vocational": "vocational"},
    "quality_grade": {"A": "A", "B": "B", "C": "C", "D": "D"},
    "programme_boarding": {
        "required": "boarding required",
        "optional": "boarding offered",
        "none": "day pupils only",
    },
    "admission_batch": {
        "early": "early batch",
        "quota": "quota to schools",
        "unified": "unified batch",
        "vocational": "vocational batch",
    },
    "bonus_reason": {
        "ethnic_minority": "ethnic minority candidate",
        "martyr_family": "child of a martyr",
        "military_family": "child of a serving soldier",
        "returned_overseas": "child of returned overseas Chinese",
        "taiwan_family": "candidate of Taiwan origin",
        "other": "other",
    },
    "task_status": {"not_started": "not started", "in_progress": "in progress", "done": "done", "overdue": "overdue"},
    "task_state": {
        "not_started": "not started",
        "in_progress": "in progress",
        "done": "done",
        "met": "met",
        "at_risk": "at risk",
        "not_met": "not met",
    },
    "task_owner_kind": {
        "bureau_office": "bureau office",
        "township": "township",
        "school": "school",
        "department": "county department",
    },
    "term": {"autumn": "autumn term", "spring": "spring term", "summer": "summer care"},
    "rotation_exemption_reason": {
        "pregnancy": "pregnancy",
        "illness": "serious illness",
        "family": "family hardship",
        "other": "other",
    },
    "inspector_employment": {"full_time": "full-time", "part_time": "part-time"},
    "private_classification": {"non_profit": "non-profit", "for_profit": "for-profit"},
    "inspection_result": {"pass": "passed", "basic_pass": "basically passed", "fail": "failed"},
    "housing_facility": {
        "none": "none",
        "kindergarten": "kindergarten",
        "primary": "primary school",
        "kindergarten_primary": "kindergarten and primary school",
        "junior": "junior secondary school",
        "nine_year": "nine-year school",
    },
    "handover_use": {
        "public": "public",
        "inclusive": "inclusive private",
        "private": "non-inclusive private",
        "other": "used for something else",
    },
    "exam_kind": {"zhongkao": "zhongkao", "gaokao": "gaokao", "monitoring": "monitoring test"},
    "exam_subject": {
        "chinese": "Chinese",
        "math": "mathematics",
        "english": "English",
        "physics": "physics",
        "chemistry": "chemistry",
        "biology": "biology",
        "politics": "politics",
        "history": "history",
        "geography": "geography",
        "science": "science",
        "pe": "physical education",
        "comprehensive": "comprehensive",
        "total": "total",
    },
    "major_category": {
        "preschool_education": "preschool education",
        "e_commerce": "e-commerce",
        "car_repair": "automobile repair",
        "machining": "machining",
        "nursing": "nursing",
        "elderly_care": "elderly care",
        "health_services": "health services",
        "modern_services": "modern services",
        "modern_agriculture": "modern agriculture",
        "other": "other major",
    },
    "industry": {
        "agriculture": "agriculture and food processing",
        "manufacturing": "manufacturing",
        "automotive": "automobile services",
        "commerce": "commerce and e-commerce",
        "health": "health care",
        "elderly_care": "elderly care",
        "education": "education and childcare",
        "services": "modern services",
        "other": "other industry",
    },
    "internship_kind": {"cognitive": "orientation visit", "placement": "work placement"},
    "outcome_kind": {
        "x_certificate": "1+X vocational skill level certificate",
        "skill_certificate": "vocational skill certificate",
        "competition": "skills competition award",
        "course": "course completed",
        "training": "training",
    },
    "outcome_level": {"elementary": "elementary", "intermediate": "intermediate", "advanced": "advanced"},
    "credit_status": {
        "converted": "converted",
        "partly": "partly converted",
        "course_full": "course already full",
        "pupil_full": "pupil's limit reached",
        "no_rule": "no rule",
        "below_level": "level too low",
        "too_few_hours": "too few hours",
        "expired": "expired",
    },
    "road_class": {
        "motorway": "expressway",
        "trunk": "national road",
        "primary": "provincial road",
        "secondary": "county road",
        "tertiary": "township road",
        "unclassified": "village road",
        "residential": "street",
        "service": "service road",
        "track": "track",
        "path": "footpath",
    },
}

# Other ways users write a code, accepted on reading (case-insensitive): gender as M/F and as the
# GB/T 2261.1-2003 codes 1 男 / 2 女.
# Titles also as their full names (正高级教师 …, as the demo and most rosters write them) and 未评 for unrated.
CODE_ALIASES: dict[str, dict[str, str]] = {
    "private_classification": {"非营利": "non_profit", "营利": "for_profit"},
    "inspection_result": {"通过": "pass", "不通过": "fail"},
    "gender": {"m": "male", "f": "female", "1": "male", "2": "female"},
    # a programme's boarding condition as offices write it
    "programme_boarding": {"全寄宿": "required", "寄宿": "required", "可寄宿": "optional", "走读": "none"},
    "title": {
        "正高级教师": "senior_full",
        "高级教师": "senior",
        "一级教师": "first",
        "二级教师": "second",
        "三级教师": "third",
        "未评": "unrated",
        "无": "unrated",
    },
    # quality: the exams and subjects as offices write them
    "exam_kind": {
        "学业水平考试": "zhongkao",
        "初中学业水平考试": "zhongkao",
        "监测": "monitoring",
        "县质量监测": "monitoring",
        "质量监测考试": "monitoring",
    },
    "exam_subject": {
        "道德与法治": "politics",
        "思想政治": "politics",
        "文综": "comprehensive",
        "理综": "comprehensive",
    },
}

# Grades a class may have in a school of each stage. Primary schools and teaching points may
# run attached preschool classes (附设幼儿班, which 第1条 asks to separate), so K1–K3 are allowed
# there; the validator does not guess any other combination.
_K = ("K1", "K2", "K3")
_P = ("P1", "P2", "P3", "P4", "P5", "P6")
_J = ("J1", "J2", "J3")
_H = ("H1", "H2", "H3")
_V = ("V1", "V2", "V3")
# a special-education school (特殊教育学校) declares its own grades, S1–S12 (its years of schooling:
# 1–9 compulsory, 10–12 beyond), all of the stage 特殊教育
_S = tuple(f"S{i}" for i in range(1, 13))
GRADES_BY_STAGE: dict[str, tuple[str, ...]] = {
    "kindergarten": _K,
    "primary": _K + _P,
    "teaching_point": _K + _P,
    "junior": _J,
    "nine_year": _P + _J,
    "complete_secondary": _J + _H,
    "high": _H,
    "twelve_year": _P + _J + _H,
    "vocational": _V,
    "special_education": _S,
}

# Ranges of the issue: ages 0–25, years 1949–2100, coordinates inside China (bounding box).
YEAR_MIN, YEAR_MAX = 1949, 2100
LAT_MIN, LAT_MAX = 18.0, 54.0
LON_MIN, LON_MAX = 73.0, 135.5


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its code, labels, kind, allowed values and the note users see."""

    name: str
    zh: str
    kind: Kind
    note_zh: str
    note_en: str
    codes: str | None = None
    nullable: bool = False  # nullable columns may also be left out of a sheet
    min: float | None = None
    max: float | None = None
    bureau: bool = False  # decided by the bureau: a school's own submission may not change it (census/bureau.py)

    @property
    def header(self) -> str:
        """The header the template and export write: Chinese label and code."""
        return f"{self.zh} ({self.name})"


@dataclass(frozen=True)
class Sheet:
    """One sheet of the exchange format."""

    name: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    yearly: bool = False
    # extra columns accepted by pattern, e.g. choice_1 … choice_N on candidates
    repeating: str | None = None
    repeating_zh: str | None = None
    note_en: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    # a file's rows replace the stored sheet as a whole (the road network: an edge left out is gone)
    whole: bool = False

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, zh: str, kind: Kind, note_zh: str, note_en: str, **kw: object) -> Column:
    return Column(name, zh, kind, note_zh, note_en, **kw)  # type: ignore[arg-type]


def _year(name: str = "year", zh: str = "学年", nullable: bool = False, bureau: bool = False) -> Column:
    return _c(
        name,
        zh,
        "year",
        "学年按开始的年份记（2019 即 2019/20 学年）",
        "school year named by the calendar year it starts in (2019 = 2019/20)",
        nullable=nullable,
        bureau=bureau,
    )


def _count(name: str, zh: str, note_zh: str, note_en: str, nullable: bool = False) -> Column:
    return _c(name, zh, "int", note_zh, note_en, min=0, nullable=nullable)


def _bool(name: str, zh: str, note_zh: str, note_en: str, nullable: bool = False, bureau: bool = False) -> Column:
    return _c(
        name, zh, "bool", note_zh + "（是/否）", note_en + " (true/false, 是/否)", nullable=nullable, bureau=bureau
    )


_LAT = _c("lat", "纬度", "float", "WGS84 纬度", "latitude, WGS84", min=LAT_MIN, max=LAT_MAX, nullable=True)
_LON = _c("lon", "经度", "float", "WGS84 经度", "longitude, WGS84", min=LON_MIN, max=LON_MAX, nullable=True)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "townships",
        "乡镇",
        ("township_id",),
        (
            _c("township_id", "乡镇代码", "id", "乡镇唯一代码", "unique township id"),
            _c("name", "乡镇名称", "str", "乡镇名称", "township name"),
            _c("kind", "类型", "code", "镇 或 乡", "town (镇) or township (乡)", codes="township_kind"),
            _bool("urban_core", "县城城区", "是否属于县城中心城区", "in the county seat's urban area"),
        ),
    ),
    Sheet(
        "communities",
        "社区村",
        ("community_id",),
        (
            _c("community_id", "社区村代码", "id", "城镇社区或行政村唯一代码", "unique community or village id"),
            _c("township_id", "乡镇代码", "id", "所属乡镇代码（须在乡镇表中）", "township it belongs to"),
            _c("name", "名称", "str", "社区或行政村名称", "name"),
            _c("kind", "类型", "code", "社区 或 行政村", "urban_community or village", codes="community_kind"),
            _count("households", "户数", "常住户数", "resident households", nullable=True),
            _count("residents", "常住人口", "常住人口", "resident population", nullable=True),
            _count("registered_residents", "户籍人口", "户籍人口", "registered (户籍) population", nullable=True),
            _LAT,
            _LON,
        ),
    ),
    Sheet(
        "population",
        "人口",
        ("community_id", "year", "age"),
        (
            _c("community_id", "社区村代码", "id", "社区或行政村代码", "community or village id"),
            _year("year", "年份"),
            _c("age", "年龄", "int", "单岁年龄 0–25", "single year of age, 0–25", min=0, max=25),
            _count("persons", "人数", "该年龄人数", "persons of that age"),
        ),
        yearly=True,
    ),
    Sheet(
        "schools",
        "学校",
        ("school_id",),
        (
            _c("school_id", "学校代码", "id", "学校或教学点唯一代码", "unique school or teaching point id"),
            _c("name", "学校名称", "str", "学校全称", "school name", bureau=True),
            _c(
                "stage",
                "学段类型",
                "code",
                "幼儿园/小学/初中/九年一贯制/完全中学/高中/十二年一贯制/中职/教学点",
                "stage or kind of school",
                codes="stage",
                bureau=True,
            ),
            _c("ownership", "办学性质", "code", "公办 或 民办", "public or private", codes="ownership", bureau=True),
            _bool(
                "inclusive",
                "普惠性",
                "民办园是否为普惠性（公办填是）",
                "inclusive (普惠性); public schools: true",
                bureau=True,
            ),
            _bool(
                "community_supporting",
                "小区配套园",
                "是否为小区配套幼儿园",
                "community-supporting kindergarten (小区配套园)",
                bureau=True,
            ),
            _c("township_id", "乡镇代码", "id", "所在乡镇代码", "township it is in", bureau=True),
            _c(
                "community_id",
                "社区村代码",
                "id",
                "所在社区或行政村代码",
                "community or village it is in",
                nullable=True,
                bureau=True,
            ),
            _bool("urban", "城区", "是否位于城区", "in an urban area", bureau=True),
            _bool("boarding", "寄宿制", "是否为寄宿制学校", "boarding school"),
            _bool("central", "中心校", "是否为乡镇中心学校", "township central school", bureau=True),
            _LAT,
            _LON,
            _year("opened_year", "建校年份", nullable=True),
            _year("closed_year", "停办年份", nullable=True, bureau=True),
            _c(
                "partner_school_id",
                "对口帮扶学校代码",
                "id",
                "城乡对口帮扶的学校代码（第6条）",
                "urban partner school (第6条)",
                nullable=True,
                bureau=True,
            ),
            _c(
                "group_id",
                "教育集团",
                "str",
                "集团化办学的集团名称或代码",
                "school group (集团化办学)",
                nullable=True,
                bureau=True,
            ),
        ),
    ),
    Sheet(
        "school_years",
        "学校年度",
        ("school_id", "year"),
        (
            _c("school_id", "学校代码", "id", "学校代码", "school id"),
            _year(),
            _count("seats", "学位数", "核定学位数", "approved seats"),
            _c(
                "teaching_area_m2",
                "教学及辅助用房面积",
                "float",
                "教学及辅助用房面积（平方米）",
                "teaching and auxiliary floor area, m²",
                min=0,
                nullable=True,
            ),
            _c(
                "sports_area_m2",
                "体育运动场馆面积",
                "float",
                "体育运动场馆面积（平方米）",
                "sports ground and hall area, m²",
                min=0,
                nullable=True,
            ),
            _c(
                "equipment_value",
                "教学仪器设备值",
                "float",
                "教学仪器设备资产值（元）",
                "teaching equipment value, yuan",
                min=0,
                nullable=True,
            ),
            _count(
                "multimedia_classrooms",
                "网络多媒体教室",
                "网络多媒体教室间数",
                "networked multimedia classrooms",
                nullable=True,
            ),
            _count("boarders", "寄宿生数", "寄宿学生数", "boarding pupils", nullable=True),
            _count(
                "disabled_pupils", "残疾学生数", "随班就读及在校残疾学生数", "disabled pupils enrolled", nullable=True
            ),
            _count("dropouts", "辍学人数", "本学年辍学人数", "dropouts this year", nullable=True),
            _c(
                "public_funding",
                "公用经费",
                "float",
                "实际拨付的生均公用经费总额（元）",
                "per-pupil operating funds received, total yuan",
                min=0,
                nullable=True,
            ),
        ),
        yearly=True,
    ),
    Sheet(
        "classes",
        "班级",
        ("school_id", "year", "grade", "class_no"),
        (
            _c("school_id", "学校代码", "id", "学校代码", "school id"),
            _year(),
            _c(
                "grade",
                "年级",
                "code",
                "K1–K3 小中大班，P1–P6 小学，J1–J3 初中，H1–H3 高中，V1–V3 中职，S1–S12 特殊教育学校自定年级",
                "grade (S1–S12: the years a special-education school declares)",
                codes="grade",
            ),
            _c("class_no", "班号", "int", "年级内班号，从 1 起", "class number within the grade, from 1", min=1),
            _count("pupils", "学生数", "班级学生数", "pupils in the class"),
        ),
        yearly=True,
    ),
    Sheet(
        "teachers",
        "教师",
        ("teacher_id", "year"),
        (
            _c("teacher_id", "教师编号", "id", "教师唯一编号（跨年不变）", "teacher id, stable across years"),
            _c("school_id", "学校代码", "id", "任教学校代码", "school id"),
            _year(),
            _c("birth_year", "出生年份", "year", "出生年份", "birth year"),
            _c(
                "gender",
                "性别",
                "code",
                "男 或 女（也可填 M/F，或 GB/T 2261.1 的 1/2）",
                "male or female (M/F, or GB/T 2261.1's 1/2, accepted)",
                codes="gender",
            ),
            _c(
                "education",
                "最高学历",
                "code",
                "高中及以下/专科/本科/硕士/博士",
                "highest education",
                codes="education",
            ),
            _bool("normal_major", "师范专业", "是否师范专业毕业", "graduated in a normal (teacher-training) major"),
            _bool("certified", "教师资格证", "是否持有教师资格证", "holds a teacher certificate"),
            _c("subject", "任教学科", "code", "主要任教学科", "main subject taught", codes="subject"),
            _c(
                "title",
                "职称",
                "code",
                "职称：正高级/高级/一级/二级/三级/未定级（也可填“高级教师”等全称）",
                "professional title (正高级 … 三级, 未定级; full names such as 高级教师 accepted)",
                codes="title",
                nullable=True,
            ),
            _c(
                "backbone",
                "骨干教师",
                "code",
                "骨干教师级别：无/校级/县级/市级/省级/国家级",
                "backbone teacher level",
                codes="backbone",
            ),
            _c(
                "backbone_year",
                "骨干认定年份",
                "year",
                "骨干教师最近一次认定（或复审）的年份",
                "year the backbone level was last named (or reviewed)",
                nullable=True,
            ),
            _bool("dual_qualified", "双师型", "是否双师型教师（中职）", "dual-qualified (双师型, vocational)"),
            _count("years_at_school", "本校任教年限", "在本校连续任教年数", "consecutive years at this school"),
            _c(
                "training_hours_5y",
                "五年培训学时",
                "float",
                "近五年培训学时",
                "training hours in the last five years",
                min=0,
                nullable=True,
            ),
            _bool("full_time", "专任教师", "是否专任教师", "full-time teacher"),
            _c("annual_salary", "年平均工资", "float", "年工资收入（元）", "annual pay, yuan", min=0, nullable=True),
        ),
        yearly=True,
    ),
    Sheet(
        "rotation_exemptions",
        "轮岗豁免",
        ("teacher_id", "year"),
        (
            _c(
                "teacher_id",
                "教师编号",
                "id",
                "教师编号（须在该学年的教师表中）",
                "teacher id (in that year's teachers sheet)",
            ),
            _year(),
            _c(
                "reason",
                "豁免原因",
                "code",
                "孕期/重病/家庭特殊困难/其他",
                "reason: pregnancy, serious illness, family hardship or other",
                codes="rotation_exemption_reason",
            ),
            _c("note", "说明", "str", "说明（如证明材料）", "remarks (e.g. the evidence)", nullable=True),
        ),
        yearly=True,
        note_en="personal exemptions from the exchange rotation (RT) of the school year's plan",
    ),
    Sheet(
        "catchments",
        "划片",
        ("year", "stage", "community_id", "school_id"),
        (
            _year(),
            _c("stage", "学段", "code", "小学 或 初中", "primary or junior", codes="education_stage"),
            _c(
                "community_id",
                "社区村代码",
                "id",
                "划入片区的社区或行政村代码",
                "community or village in the catchment",
            ),
            _c("school_id", "学校代码", "id", "片区对应的学校代码", "the catchment's school"),
            _count(
                "pupils",
                "划入学生数",
                "该社区该学段划入该校的适龄学生数",
                "the community's pupils of the stage the plan sends to the school",
            ),
        ),
        yearly=True,
        note_en="the catchment plan (划片招生, 第4条; QB-G13): which school each community's pupils of a stage go "
        "to, as the county adopts it (countyedu plan catchments solves one)",
    ),
    Sheet(
        "finance",
        "财政",
        ("year", "item"),
        (
            _year(),
            _c(
                "item",
                "项目",
                "str",
                "政策包中定义的财政项目代码，如 education_expenditure",
                "finance item code named in the policy pack",
            ),
            _c("amount", "金额", "float", "金额（元；增长率填小数）", "amount, yuan (growth rates as fractions)"),
        ),
        yearly=True,
    ),
    Sheet(
        "after_school",
        "课后服务",
        ("school_id", "year", "term"),
        (
            _c("school_id", "学校代码", "id", "学校代码", "school id"),
            _year(),
            _c(
                "term",
                "学期",
                "code",
                "秋季学期/春季学期/暑期托管（2019 学年的春季学期即 2020 年春季）",
                "term of the school year: autumn, spring (2019 spring = spring 2020) or summer care",
                codes="term",
            ),
            _c(
                "fee_standard",
                "核定收费标准",
                "float",
                "发改、教育部门核定的收费标准（元/生·学期，第30条）",
                "fee per pupil and term approved by the development-reform and education departments, yuan (第30条)",
                min=0,
            ),
            _c(
                "fee_charged",
                "实际收费标准",
                "float",
                "学校实际向每名学生收取的费用（元/生·学期）",
                "fee the school actually charged per pupil and term, yuan",
                min=0,
            ),
            _count("participants", "参加学生数", "自愿参加课后服务的学生数", "pupils taking part (voluntary)"),
            _c("collected", "收费金额", "float", "学校本学期收取的课后服务费总额（元）", "fees collected, yuan", min=0),
            _c(
                "paid_in",
                "缴入国库金额",
                "float",
                "上缴县财政国库的金额（元，收支两条线）",
                "paid into the county treasury, yuan (收支两条线)",
                min=0,
            ),
            _c(
                "returned",
                "返还学校金额",
                "float",
                "财政返还学校的金额（元）",
                "returned by the treasury to the school, yuan",
                min=0,
            ),
            _c(
                "teacher_hours",
                "教师服务课时",
                "float",
                "参与课后服务教师的服务课时合计",
                "teachers' after-school service hours, total",
                min=0,
                nullable=True,
            ),
            _c(
                "teacher_subsidy",
                "教师补助金额",
                "float",
                "按课时和服务内容发放给教师的补助总额（元）",
                "subsidies paid to teachers by hours and content, yuan",
                min=0,
                nullable=True,
            ),
            _c("note", "备注", "str", "说明（如退费、减免）", "remarks (refunds, waivers)", nullable=True),
        ),
        yearly=True,
        note_en="after-school services ledger (第30条): fees collected, paid in, returned, teacher subsidies",
    ),
    Sheet(
        "projects",
        "项目",
        ("project_id",),
        (
            _c("project_id", "项目代码", "id", "建设项目唯一代码", "unique project id"),
            _c("name", "项目名称", "str", "项目名称", "project name"),
            _c("school_id", "学校代码", "id", "受益学校代码", "school the project builds or extends", nullable=True),
            _c("stage", "学段", "code", "学段类型", "stage", codes="stage"),
            _count("seats_added", "新增学位", "新增学位数", "seats added"),
            _year("start_year", "开工年份"),
            _year("end_year", "竣工年份"),
            _c("status", "状态", "code", "规划/在建/竣工", "planned, building or done", codes="project_status"),
        ),
    ),
    Sheet(
        "candidates",
        "考生",
        ("candidate_id", "year"),
        (
            _c("candidate_id", "考生号", "id", "考生唯一编号", "candidate id"),
            _year(),
            _c("junior_school_id", "毕业学校代码", "id", "初中毕业学校代码", "junior school graduated from"),
            _bool(
                "took_exam",
                "参加学业水平考试",
                "是否参加初中学业水平考试（第7条）",
                "sat the academic level exam (第7条)",
            ),
            _c("exam_score", "考试成绩", "float", "学业水平考试总分", "exam total score", min=0, nullable=True),
            _c(
                "quality_grade",
                "综合素质评价",
                "code",
                "综合素质评价等级 A–D",
                "comprehensive quality grade A–D",
                codes="quality_grade",
                nullable=True,
            ),
            *(
                _c(
                    f"score_{code}",
                    f"{zh}成绩",
                    "float",
                    f"学业水平考试{zh}成绩（同分排序用）",
                    f"exam score in {en} (orders ties)",
                    min=0,
                    nullable=True,
                )
                for code, zh, en in (
                    ("chinese", "语文", "Chinese"),
                    ("math", "数学", "mathematics"),
                    ("english", "英语", "English"),
                )
            ),
            _c(
                "pe_score",
                "体育成绩",
                "float",
                "体育考试成绩（计入总分）",
                "PE exam score (part of the total)",
                min=0,
                nullable=True,
            ),
            _bool(
                "three_years_at_school",
                "三年完整学籍",
                "七至九年级是否均在该初中就读（指标到校资格）",
                "enrolled at that junior school for grades 7–9 (qualifies for 指标到校)",
                nullable=True,
            ),
            _c(
                "bonus",
                "政策性加分",
                "float",
                "政策性加分（分，计入总分排序）",
                "policy bonus points (added to the total)",
                min=0,
                nullable=True,
            ),
            _c(
                "bonus_reason",
                "加分原因",
                "code",
                "加分原因：少数民族考生/烈士子女/现役军人子女/归侨及华侨子女/台湾省籍考生/其他",
                "reason for the bonus",
                codes="bonus_reason",
                nullable=True,
            ),
            _c(
                "gender",
                "性别",
                "code",
                "考生性别（仅用于规定了性别条件的招生计划）",
                "candidate's gender (used only by programmes with a gender condition)",
                codes="gender",
                nullable=True,
            ),
            _bool(
                "boarding",
                "申请住校",
                "是否申请住校（是：不能录取到不提供住宿的计划；否：不能录取到要求全部住校的计划；空：不限）",
                "applies to board (yes: no day-only programme; no: no boarding-only programme; empty: either)",
                nullable=True,
            ),
        ),
        yearly=True,
        repeating=r"choice_(\d+)",
        repeating_zh=r"志愿(\d+)",
    ),
    Sheet(
        "programmes",
        "招生计划",
        ("programme_id", "year"),
        (
            _c("programme_id", "计划代码", "id", "招生计划（专业）代码", "programme id"),
            _year(),
            _c("school_id", "学校代码", "id", "招生学校代码", "admitting school"),
            _c("track", "类别", "code", "普通高中 或 中职", "general or vocational", codes="track"),
            _count("quota", "计划数", "招生计划数", "places"),
            _c(
                "quota_to_schools",
                "指标到校比例",
                "float",
                "分配到初中学校的名额比例（小数）",
                "share reserved for 指标到校 (fraction)",
                min=0,
                max=1,
                nullable=True,
            ),
            _c(
                "batch",
                "录取批次",
                "code",
                "提前批/统招/职校（空：按类别，普通高中为统招，中职为职校；统招计划的指标到校名额另按比例）",
                "admission batch: early, unified or vocational (empty: by track); a unified programme's quota places run in 指标到校",
                codes="admission_batch",
                nullable=True,
            ),
            _c(
                "min_score",
                "最低控制线",
                "float",
                "该计划的最低录取控制线（总分；指标到校线为其减去规定分差）",
                "minimum line (total score); the quota batch's line is this less the margin",
                min=0,
                nullable=True,
            ),
            _c(
                "min_quality_grade",
                "综合素质评价要求",
                "code",
                "报考条件：综合素质评价不低于该等级（A 最高）",
                "condition: comprehensive quality grade at least this (A best)",
                codes="quality_grade",
                nullable=True,
            ),
            _c(
                "name",
                "计划名称",
                "str",
                "招生计划或专业名称，如 普通班、学前教育",
                "programme or major name",
                nullable=True,
            ),
            _c(
                "boarding",
                "住宿条件",
                "code",
                "报考条件：全部住校/可住校/不提供住宿（空：可住校）",
                "condition: boarding required, offered or day pupils only (empty: offered)",
                codes="programme_boarding",
                nullable=True,
            ),
            _c(
                "gender",
                "性别条件",
                "code",
                "报考条件：仅招收该性别（仅限法律允许的计划，且规则参数 gender_conditions 开启时生效）",
                "condition: this gender only (only where law allows; applies when the rule gender_conditions is on)",
                codes="gender",
                nullable=True,
            ),
        ),
        yearly=True,
    ),
    Sheet(
        "tasks",
        "任务",
        ("task_id",),
        (
            _c("task_id", "任务编号", "id", "政策任务编号", "task id"),
            _c("clause", "条款", "str", "政策条款编号，如 第4条", "policy clause id"),
            _c("title", "任务", "str", "任务内容", "task"),
            _c("owner", "责任单位", "str", "责任单位", "responsible unit"),
            _year("due_year", "完成年限"),
            _c("status", "进展", "code", "未开始/进行中/已完成/逾期", "status", codes="task_status"),
            _c("evidence", "佐证材料", "str", "佐证材料说明", "evidence", nullable=True),
            # issue 15 item 1 (第33条): who owns the task, who leads it, when it is due, how it is measured
            _c(
                "owner_kind",
                "责任单位类型",
                "code",
                "教体局股室/乡镇/学校/县直部门（乡镇、学校的负责人可在网页上报进展）",
                "owner unit kind: bureau office, township, school or county department (township officials and "
                "school clerks update their own tasks on the web)",
                codes="task_owner_kind",
                nullable=True,
            ),
            _c(
                "owner_id",
                "责任单位编号",
                "id",
                "乡镇填乡镇编号，学校填学校编号；股室、部门可空",
                "the township's or school's id (township or school owners); may be empty for offices and departments",
                nullable=True,
            ),
            _c("lead", "牵头负责人", "str", "牵头负责人姓名及职务", "lead: name and post", nullable=True),
            _c("contact", "联系方式", "str", "联系电话", "contact telephone", nullable=True),
            _c(
                "due_date",
                "完成时限",
                "date",
                "具体完成日期，如 2025-06-30（空：完成年限当年12月31日）",
                "due date, e.g. 2025-06-30 (empty: 31 December of the due year)",
                nullable=True,
            ),
            _c(
                "milestones",
                "节点目标",
                "str",
                "阶段节点，日期加内容，用分号隔开，如 2025-03-01 开工；2025-08-31 投入使用",
                "milestones: date and step, separated by semicolons, e.g. 2025-03-01 开工; 2025-08-31 投入使用",
                nullable=True,
            ),
            _c(
                "indicators",
                "关联指标",
                "str",
                "任务对应的指标编号，用逗号隔开，如 T-PRE-5, QB-G1（填写后任务状态按指标达标情况确定）",
                "indicator ids the task answers for, comma separated (then its status follows them)",
                nullable=True,
            ),
        ),
    ),
    Sheet(
        "inspectors",
        "责任督学",
        ("inspector_id",),
        (
            _c("inspector_id", "督学编号", "id", "责任督学唯一编号", "unique inspector id"),
            _c("name", "姓名", "str", "责任督学姓名", "inspector's name"),
            _c(
                "employment",
                "专兼职",
                "code",
                "专职 或 兼职",
                "full-time (专职) or part-time (兼职)",
                codes="inspector_employment",
            ),
            _c(
                "former_school_id",
                "原工作学校代码",
                "id",
                "曾任职（或现任职）的学校代码：不得担任该校责任督学（回避）",
                "school the inspector worked at (or works at): never their responsible inspector (conflict of interest)",
                nullable=True,
            ),
            _c("phone", "联系电话", "str", "挂牌公示的联系电话", "contact telephone shown on the plaque"),
            _c(
                "township_id",
                "所在乡镇代码",
                "id",
                "督学驻地所在乡镇（计算路程的起点，未填经纬度时取该乡镇学校的中心）",
                "township the inspector is based in (where travel starts when no coordinates are given)",
                nullable=True,
            ),
            _c(
                "zone",
                "督导责任区",
                "str",
                "所属督导责任区（同一责任区的学校合计不超过 20 所；空：按所在乡镇）",
                "inspection zone (its schools together at most 20; empty: the township)",
                nullable=True,
            ),
            _LAT,
            _LON,
            _count(
                "max_schools",
                "最多负责学校数",
                "该督学最多负责的学校数（空：按政策包参数）",
                "most schools this inspector takes (empty: the pack's parameter)",
                nullable=True,
            ),
            _bool(
                "active",
                "在岗",
                "是否在岗（否：已离任，其学校重新分配；空：在岗）",
                "serving (false: has left, their schools are reassigned; empty: serving)",
                nullable=True,
            ),
        ),
        note_en="the register of responsible inspectors (责任督学, SV): who may be assigned to schools",
    ),
    # quality (issue 16 item 1; 第7、8、29条): one row per pupil (or candidate) x exam x subject
    Sheet(
        "results",
        "考试成绩",
        ("year", "exam", "person_id", "subject"),
        (
            _c(
                "year",
                "学年",
                "year",
                "考试所在学年，按开始的年份记（2025 年 6 月的中考记 2024）",
                "school year the exam is sat in, named by the year it starts (the June 2025 zhongkao is 2024)",
            ),
            _c(
                "exam",
                "考试",
                "code",
                "中考（学业水平考试）/高考/质量监测",
                "exam: zhongkao, gaokao or monitoring test",
                codes="exam_kind",
            ),
            _c(
                "grade",
                "年级",
                "code",
                "考试时所在年级，如 七年级、九年级、高三",
                "grade the pupil is in",
                codes="grade",
            ),
            _c(
                "person_id",
                "学籍号",
                "id",
                "学生（考生）唯一编号，各次考试相同：用于把入口成绩与出口成绩对应起来",
                "the pupil's (candidate's) id, the same in every exam: links intake and exit results",
            ),
            _c("school_id", "学校代码", "id", "考试时就读学校代码", "school the pupil is at when sitting the exam"),
            _c(
                "subject",
                "科目",
                "code",
                "语文、数学、英语…；总分 填考生总分",
                "subject; 总分 for the total",
                codes="exam_subject",
            ),
            _c("score", "成绩", "float", "该科成绩（不高于满分）", "score (at most the full marks)", min=0),
            _c("full_marks", "满分", "float", "该科满分，如 120、150", "full marks, e.g. 120 or 150", min=1),
            _count(
                "province_rank",
                "全省排名",
                "高考考生全省位次（填在总分行，T-HS-3 据此统计前 100 名）",
                "the gaokao candidate's place in the province (on the total row; T-HS-3 counts the top 100)",
                nullable=True,
            ),
        ),
        yearly=True,
        note_en="exam results (第8、29条): the county's quality monitoring, value added and T-HS-3",
    ),
    # registers (issue 16 items 2 and 4): the private-school register and the housing-development register
    Sheet(
        "private_schools",
        "民办学校",
        ("school_id", "year"),
        (
            _c(
                "school_id",
                "学校代码",
                "id",
                "民办学校代码（须为学校表中的民办学校）",
                "a private school of the schools sheet",
            ),
            _year(),
            _c("licence_no", "办学许可证号", "str", "民办学校办学许可证编号", "school licence number"),
            _c(
                "licence_expiry",
                "许可证有效期至",
                "date",
                "办学许可证有效期截止日期，如 2026-08-31",
                "licence valid until",
            ),
            _c(
                "classification",
                "营利性质",
                "code",
                "非营利性 或 营利性（实施义务教育的不得为营利性）",
                "non-profit or for-profit (a school of compulsory education may not be for-profit)",
                codes="private_classification",
            ),
            _c("sponsor", "举办者", "str", "举办者名称（个人或单位）", "sponsor (person or organisation)"),
            _c(
                "inspection_result",
                "年检结果",
                "code",
                "本学年年度检查结果：合格/基本合格/不合格（空：未检）",
                "this year's annual inspection: passed, basically passed or failed (empty: not inspected)",
                codes="inspection_result",
                nullable=True,
            ),
            _c("inspection_date", "年检日期", "date", "年度检查日期", "date of the annual inspection", nullable=True),
            _c(
                "fee_standard",
                "收费标准",
                "float",
                "保教费或学费标准（元/生·学期）",
                "tuition (or care) fee per pupil and term, yuan",
                min=0,
                nullable=True,
            ),
            _bool(
                "fee_approved",
                "收费已核准",
                "收费标准是否经价格主管部门核准（非营利性）或备案（营利性）",
                "fee approved by the price authority (non-profit) or filed (for-profit)",
                nullable=True,
            ),
            _c(
                "fee_approval_no",
                "收费核准文号",
                "str",
                "收费核准或备案文号",
                "approval or filing reference",
                nullable=True,
            ),
            _count("staff", "教职工数", "在职教职工人数", "staff employed"),
            _count(
                "staff_contracted", "签订劳动合同人数", "与学校签订劳动合同的教职工数", "staff with a labour contract"
            ),
            _count(
                "staff_insured",
                "缴纳社会保险人数",
                "学校依法缴纳社会保险的教职工数",
                "staff whose social insurance the school pays",
            ),
            _bool(
                "inclusive",
                "普惠性认定",
                "本学年是否认定为普惠性民办幼儿园（仅幼儿园；空：否）",
                "recognised as an inclusive (普惠性) private kindergarten this year (kindergartens only; empty: no)",
                nullable=True,
            ),
            _c(
                "inclusive_until",
                "普惠认定有效期至",
                "date",
                "普惠性认定有效期截止日期",
                "the inclusive recognition is valid until",
                nullable=True,
            ),
            _c(
                "subsidy",
                "普惠补助",
                "float",
                "本学年拨付的普惠性民办园补助（元，第3条）",
                "inclusive-kindergarten subsidy paid this year, yuan (第3条)",
                min=0,
                nullable=True,
            ),
        ),
        yearly=True,
        note_en="the private-school register (民办学校, 第16条): licence, classification, sponsor, annual inspection, "
        "fees, staff contracts and insurance, 普惠 recognition and subsidy, one row per school and year",
    ),
    Sheet(
        "housing_projects",
        "住宅项目",
        ("project_id",),
        (
            _c("project_id", "项目编号", "id", "住宅开发项目唯一编号", "unique housing project id"),
            _c("name", "项目名称", "str", "住宅小区（项目）名称", "housing project (estate) name"),
            _c("developer", "开发企业", "str", "开发建设单位", "developer", nullable=True),
            _c("township_id", "乡镇代码", "id", "所在乡镇代码", "township it is in"),
            _c(
                "community_id",
                "社区村代码",
                "id",
                "所在社区或行政村代码",
                "community or village it is in",
                nullable=True,
            ),
            _count("households", "规划户数", "规划住宅户数", "planned households"),
            _c(
                "facility",
                "规划配套",
                "code",
                "规划要求配建的学校：无/幼儿园/小学/幼儿园和小学/初中/九年一贯制学校（第2、19条）",
                "the school the plan requires the project to build (第2、19条)",
                codes="housing_facility",
            ),
            _count(
                "facility_classes",
                "配套班数",
                "规划配套幼儿园（学校）的班数",
                "classes of the planned facility",
                nullable=True,
            ),
            _c(
                "facility_school_id",
                "配套学校代码",
                "id",
                "配套园（校）建成后在学校表中的代码",
                "the facility's id in the schools sheet once it exists",
                nullable=True,
            ),
            _c(
                "permit_date",
                "施工许可日期",
                "date",
                "住宅施工许可证发放日期",
                "construction permit of the housing",
                nullable=True,
            ),
            _c(
                "facility_start",
                "配套开工日期",
                "date",
                "配套园（校）开工日期",
                "construction of the facility started",
                nullable=True,
            ),
            _c(
                "facility_due",
                "约定交付日期",
                "date",
                "配套园（校）约定移交日期（与住宅同步建设、验收、交付）",
                "the facility is due to be handed over (built, accepted and handed over with the housing)",
                nullable=True,
            ),
            _c(
                "housing_acceptance",
                "住宅竣工验收日期",
                "date",
                "住宅竣工验收（备案）日期",
                "completion acceptance (filing) of the housing",
                nullable=True,
            ),
            _c(
                "facility_acceptance",
                "配套验收日期",
                "date",
                "配套园（校）竣工验收日期",
                "completion acceptance of the facility",
                nullable=True,
            ),
            _c(
                "handover_date",
                "移交日期",
                "date",
                "配套园（校）移交县教育部门的日期",
                "handed over to the county education department",
                nullable=True,
            ),
            _c(
                "handed_to",
                "移交后性质",
                "code",
                "移交后办成：公办/普惠性民办/非普惠民办/挪作他用",
                "run after the handover as: public, inclusive private, non-inclusive private, or used otherwise",
                codes="handover_use",
                nullable=True,
            ),
        ),
        note_en="the housing-development register (住宅项目, 第2、19条): households, the kindergarten or school "
        "the plan requires, its construction, acceptance and handover",
    ),
    # ------------------------------------------------------------------ vocational (第12、13、15条)
    Sheet(
        "majors",
        "专业",
        ("school_id", "major_id", "year"),
        (
            _c("school_id", "学校代码", "id", "中职学校代码", "vocational school id"),
            _c(
                "major_id",
                "专业代码",
                "id",
                "专业代码（与招生计划的专业代码一致）",
                "major id (as in the programmes sheet)",
            ),
            _year(),
            _c("name", "专业名称", "str", "专业名称，如 护理", "major name"),
            _c(
                "category",
                "专业类别",
                "code",
                "学前教育/电子商务/汽车运用与维修/机械加工/护理/老年服务/健康服务/现代服务/现代农艺/其他专业",
                "kind of major (第12条)",
                codes="major_category",
            ),
            _count(
                "enrolled", "在校生数", "该专业本学年在校生数（一至三年级）", "pupils enrolled in the major (V1–V3)"
            ),
            _count(
                "new_entrants", "招生数", "该专业本学年招收的一年级新生数", "new entrants (V1) this year", nullable=True
            ),
            _count("graduates", "毕业生数", "本学年该专业毕业生数", "graduates of the major this year", nullable=True),
            _count(
                "employed",
                "就业人数",
                "毕业生中就业人数（不含升学）",
                "graduates employed (not further study)",
                nullable=True,
            ),
            _count(
                "employed_locally",
                "县内就业人数",
                "毕业生中在本县就业人数（第15条）",
                "graduates employed in the county (第15条)",
                nullable=True,
            ),
            _count(
                "further_study",
                "升学人数",
                "毕业生中升入高职、本科人数",
                "graduates going on to further study",
                nullable=True,
            ),
        ),
        yearly=True,
        note_en="majors of the vocational schools with enrolment and graduates' destinations per year (第12、15条; T-VOC-1)",
    ),
    Sheet(
        "enterprises",
        "合作企业",
        ("enterprise_id",),
        (
            _c("enterprise_id", "企业代码", "id", "合作企业唯一代码（如统一社会信用代码）", "unique enterprise id"),
            _c("name", "企业名称", "str", "企业名称", "enterprise name"),
            _c(
                "industry",
                "所属行业",
                "code",
                "农业及农产品加工/制造业/汽车服务/商贸与电子商务/医疗卫生/养老服务/教育与托育/现代服务业/其他行业",
                "industry",
                codes="industry",
            ),
            _bool("local", "县内企业", "是否为本县企业（第15条本地就业）", "an enterprise in the county (第15条)"),
            _c("school_id", "合作学校代码", "id", "签订校企合作协议的学校代码", "school of the cooperation agreement"),
            _c(
                "agreement_date",
                "协议签订日期",
                "date",
                "校企合作协议签订日期，如 2021-09-01",
                "date the agreement was signed",
            ),
            _c(
                "ended_date",
                "协议终止日期",
                "date",
                "合作终止日期（空：仍在合作）",
                "date the cooperation ended (empty: still partners)",
                nullable=True,
            ),
        ),
        note_en="partner enterprises of school–enterprise cooperation (校企合作, 第15条)",
    ),
    Sheet(
        "order_classes",
        "订单班",
        ("order_class_id", "year"),
        (
            _c("order_class_id", "订单班代码", "id", "订单班代码", "order class id"),
            _year(),
            _c("school_id", "学校代码", "id", "开办学校代码", "school running it"),
            _c("major_id", "专业代码", "id", "所属专业代码（须在专业表中）", "its major (in the majors sheet)"),
            _c("enterprise_id", "企业代码", "id", "订单企业代码（须在合作企业表中）", "the ordering enterprise"),
            _count("pupils", "学生数", "订单班学生数", "pupils in the class"),
            _count("jobs_promised", "承诺岗位数", "企业承诺提供的就业岗位数", "jobs the enterprise promised"),
            _count(
                "hired",
                "录用人数",
                "毕业后被该企业录用人数（毕业当年填写）",
                "graduates the enterprise hired",
                nullable=True,
            ),
        ),
        yearly=True,
        note_en="order-based classes (订单班, 第15条): a class trained for an enterprise that promises jobs",
    ),
    Sheet(
        "internships",
        "实习",
        ("pupil_id", "year", "enterprise_id", "start_date"),
        (
            _c("pupil_id", "学生编号", "id", "学生学籍号", "pupil id (学籍号)"),
            _year(),
            _c("school_id", "学校代码", "id", "学生所在学校代码", "the pupil's school"),
            _c("major_id", "专业代码", "id", "学生所学专业代码", "the pupil's major"),
            _c(
                "enterprise_id",
                "企业代码",
                "id",
                "实习单位代码（须在合作企业表中）",
                "the enterprise (in the enterprises sheet)",
            ),
            _c(
                "kind",
                "实习类型",
                "code",
                "认识实习 或 岗位实习",
                "orientation visit or work placement",
                codes="internship_kind",
            ),
            _c("start_date", "开始日期", "date", "实习开始日期，如 2024-03-01", "first day"),
            _c(
                "end_date",
                "结束日期",
                "date",
                "实习结束日期（空：仍在实习）",
                "last day (empty: still there)",
                nullable=True,
            ),
        ),
        yearly=True,
        note_en="pupils' internships at partner enterprises (第15条; 职业学校学生实习管理规定 2021)",
    ),
    Sheet(
        "learning_outcomes",
        "学习成果",
        ("outcome_id",),
        (
            _c("outcome_id", "成果编号", "id", "学习成果唯一编号", "unique outcome id"),
            _c("pupil_id", "学生编号", "id", "学生学籍号", "pupil id (学籍号)"),
            _c("school_id", "学校代码", "id", "学生所在学校代码", "the pupil's school"),
            _c("major_id", "专业代码", "id", "学生所学专业代码", "the pupil's major"),
            _c(
                "kind",
                "成果类型",
                "code",
                "1+X职业技能等级证书/职业技能证书/技能竞赛获奖/课程学习/培训",
                "kind of learning outcome (第13条)",
                codes="outcome_kind",
            ),
            _c(
                "name",
                "成果名称",
                "str",
                "证书、竞赛或课程名称，如 老年照护",
                "certificate, competition or course name",
            ),
            _c(
                "level",
                "等级",
                "code",
                "初级/中级/高级（无等级可空）",
                "level (empty: none)",
                codes="outcome_level",
                nullable=True,
            ),
            _c("date", "取得日期", "date", "取得日期，如 2024-06-15", "date obtained"),
            _c(
                "hours",
                "学时",
                "float",
                "培训或课程学时（其他可空）",
                "hours of a training or course",
                min=0,
                nullable=True,
            ),
        ),
        note_en="learning outcomes the credit bank records (学分银行, 第13条): 1+X and skill certificates, awards, courses",
    ),
    Sheet(
        "roads",
        "道路",
        ("road_id",),
        (
            _c(
                "road_id",
                "路段编号",
                "id",
                "路段唯一编号（两个路口之间的一段路）",
                "unique id of a road segment (between two junctions)",
            ),
            _c(
                "from_lat",
                "起点纬度",
                "float",
                "路段起点 WGS84 纬度",
                "latitude of the segment's start, WGS84",
                min=LAT_MIN,
                max=LAT_MAX,
            ),
            _c(
                "from_lon",
                "起点经度",
                "float",
                "路段起点 WGS84 经度",
                "longitude of the segment's start, WGS84",
                min=LON_MIN,
                max=LON_MAX,
            ),
            _c(
                "to_lat",
                "终点纬度",
                "float",
                "路段终点 WGS84 纬度",
                "latitude of the segment's end, WGS84",
                min=LAT_MIN,
                max=LAT_MAX,
            ),
            _c(
                "to_lon",
                "终点经度",
                "float",
                "路段终点 WGS84 经度",
                "longitude of the segment's end, WGS84",
                min=LON_MIN,
                max=LON_MAX,
            ),
            _c(
                "km",
                "里程（公里）",
                "float",
                "沿道路量得的路段长度（公里）",
                "length of the segment along the road (km)",
                min=0,
            ),
            _c(
                "road_class",
                "道路等级",
                "code",
                "道路等级（决定步行与校车速度）",
                "road class (sets the walking and school-bus speeds)",
                codes="road_class",
            ),
            _c(
                "max_kmh",
                "限速（公里/小时）",
                "float",
                "路段限速（空：按道路等级的默认速度）",
                "speed limit in km/h (empty: the road class's default speed)",
                min=0,
                nullable=True,
            ),
            _c(
                "name", "道路名称", "str", "道路名称或编号（如 G206）", "road name or number (e.g. G206)", nullable=True
            ),
        ),
        note_en="the county's road network (countyedu roads import): planning's road distances and travel times",
        whole=True,
    ),
)

SHEET_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
SHEET_ALIASES: dict[str, str] = {**{s.name: s.name for s in SHEETS}, **{s.zh: s.name for s in SHEETS}}


def clean_text(value: str) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII) and trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def sheet_name_for(label: str) -> str | None:
    """The format's sheet code for a sheet or file name given as code or Chinese label."""
    return SHEET_ALIASES.get(clean_text(label).lower()) or SHEET_ALIASES.get(clean_text(label))


# Sheets every census must hold once merged with what is stored (everything refers to them).
CORE_SHEETS = ("townships", "schools")


def code_labels(codes: str) -> dict[str, str]:
    """code → Chinese label for a code list."""
    return CODES[codes]

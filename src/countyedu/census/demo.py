"""The demo county: a synthetic census of 南丰县 (Nanfeng County, 抚州市, 江西省), school years 2019–2025.

SYNTHETIC DATA. Only the public facts of NANFENG.md are real: the 12 townships and their kinds,
琴城镇's 11 urban communities and 14 villages, the population totals (271,900 in 2020, 266,500 at
the end of 2023, 琴城镇 about 90,000), and the schools and projects the policy names (第4条).
Every other name, count and value — village names, pupils, classes, teachers, money, scores,
tasks — is invented here to look plausible, and every frame carries ``attrs["synthetic"]`` saying
so. Numbers taken from the policy cite their clause (POLICY.md) or standard (STANDARDS.md).

``generate(seed)`` returns one DataFrame per sheet of the exchange format (census.schema.SHEETS),
columns in schema order, values as codes. It is deterministic for a seed: one
``numpy.random.default_rng(seed)`` drawn in a fixed order, no clock, no hashing of strings.

How the county is made:
- communities get residents (2023) and a single-year age profile 0–25 for 2019 that is aged one
  year at a time (age a+1 in year y+1 = age a in year y × a small migration factor; births fall
  after 2017 as in China), so Hamilton–Perry style projections make sense on it;
- each year the children of each township, by grade age, are enrolled at the rates below and
  shared among the township's schools by fixed weights (a share of rural children goes to the
  county seat); classes are cut from the grade totals, and the 大班额 of 2019–2021 are injected;
- teachers are simulated year by year: retirement at 60, in-service degrees, exchange rotation,
  redeployment of surplus posts, new hires filling the posts the pupil–teacher norms call for;
- school facilities, funding, admission programmes and candidates follow from pupils.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.census.schema import GRADES_BY_STAGE, SHEET_BY_NAME, SHEETS

SYNTHETIC_LABEL = (
    "演示数据：除 NANFENG.md 所列公开事实外，全部为虚构的南丰县数据 / "
    "synthetic demo data: apart from the public facts of NANFENG.md, everything is invented"
)

FIRST_YEAR, LAST_YEAR = 2019, 2025
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
N_AGES = 26  # single years of age 0–25 (schema: population.age)
URBAN_TOWNSHIP = "NF01"  # 琴城镇, the county seat
N_CHOICES = 5  # candidates.choice_1 … choice_5

Rng = np.random.Generator

# ------------------------------------------------------------------------------ townships

# (id, name, kind, residents 2023, seat latitude, seat longitude). Names and kinds: NANFENG.md;
# residents: 琴城镇 ≈ 90,000 (NANFENG.md), the rest invented to sum to ≈ 266,000 (end of 2023).
TOWNSHIPS: tuple[tuple[str, str, str, int, float, float], ...] = (
    ("NF01", "琴城镇", "town", 90_000, 27.218, 116.532),
    ("NF02", "太和镇", "town", 28_000, 27.110, 116.590),
    ("NF03", "白舍镇", "town", 24_000, 27.370, 116.470),
    ("NF04", "市山镇", "town", 22_000, 27.070, 116.460),
    ("NF05", "洽湾镇", "town", 14_000, 27.000, 116.560),
    ("NF06", "桑田镇", "town", 17_000, 27.300, 116.630),
    ("NF07", "紫霄镇", "town", 16_000, 27.160, 116.380),
    ("NF08", "三溪乡", "township", 13_000, 27.310, 116.380),
    ("NF09", "东坪乡", "township", 9_000, 27.210, 116.710),
    ("NF10", "莱溪乡", "township", 11_000, 27.050, 116.350),
    ("NF11", "太源乡", "township", 8_000, 26.960, 116.670),
    ("NF12", "傅坊乡", "township", 14_000, 27.430, 116.580),
)
COUNTY_LAT = (26.91, 27.49)
COUNTY_LON = (116.31, 116.79)

# 琴城镇's urban communities (NANFENG.md) with their resident households (invented; T-PRE-2 and
# 第1条 look at communities of ≥ 1000 and ≥ 1200 households).
QINCHENG_HOUSEHOLDS: dict[str, int] = {
    "人民路": 2850,
    "解放路": 2400,
    "建设路": 1950,
    "新建路": 880,
    "仓山路": 1150,
    "桔都东路": 2600,
    "桔都西路": 1320,
    "琴湖路": 2200,
    "国安路": 1080,
    "琴台路": 1900,
    "沿江路": 1020,
}
QINCHENG_VILLAGES = (
    "大堡",
    "下坊",
    "水北",
    "桥背",
    "徐家边",
    "茅店",
    "富溪",
    "游军",
    "艾源",
    "瑶浦",
    "水南",
    "杨梅",
    "果园",
    "朝先",
)
PERSONS_PER_HOUSEHOLD = (2.9, 3.25)
SEAT_COMMUNITY_SHARE = (0.08, 0.13)  # share of a rural township living in its seat 社区
PERSONS_PER_VILLAGE = 2000  # villages per township = residents / this, within 6–14
VILLAGES_PER_TOWNSHIP = (6, 14)
# registered (户籍) / resident: rural places lose people to out-migration, the county seat gains
REGISTERED_RATIO = {"urban": (0.82, 0.97), "seat": (1.00, 1.10), "periurban": (1.00, 1.15), "rural": (1.12, 1.38)}

# Invented village names are built from these characters (NANFENG.md lists no rural village).
VILLAGE_FIRST = "石黄罗上下新高双枫长杨李陈吴曾邹龙桃梅竹莲洋樟杉白青金马官中塘里源坪岭湖港溪桥田"
VILLAGE_SECOND = "坊家田源港塘湖岭坑溪洲坪湾口山桥岗陂埠背"
LAIXI_VILLAGE = "大源"  # 莱溪乡大源村教学点, the example the brief gives

# ------------------------------------------------------------------------------ population

# Resident persons of the county in 2019 by birth year (ages 0–25): the cohorts of 2012–2017 are
# larger (two-child policy 2016), births fall after 2017 as China's did; young adults have left.
COHORT_2019: dict[int, int] = {
    1994: 2500,
    1995: 2500,
    1996: 2550,
    1997: 2550,
    1998: 2600,
    1999: 2600,
    2000: 2650,
    2001: 2700,
    2002: 2750,
    2003: 2800,
    2004: 2850,
    2005: 2850,
    2006: 2900,
    2007: 2900,
    2008: 2950,
    2009: 2950,
    2010: 3000,
    2011: 3050,
    2012: 3850,
    2013: 3950,
    2014: 3900,
    2015: 3850,
    2016: 4100,
    2017: 4150,
    2018: 3350,
    2019: 2950,
}
BIRTHS: dict[int, int] = {2020: 2500, 2021: 2250, 2022: 2050, 2023: 1950, 2024: 2000, 2025: 1850}
# Yearly survival-and-migration factor by setting, for children, young adults (16–22), others.
MIGRATION = {
    "urban": (1.008, 1.015, 1.0),
    "periurban": (1.002, 1.0, 0.998),
    "seat": (1.0, 0.985, 0.995),
    "rural": (0.992, 0.965, 0.99),
}
BIRTH_FACTOR = {"urban": 1.05, "periurban": 1.0, "seat": 1.0, "rural": 0.97}
CHILD_SHARE_SPREAD = 0.08  # lognormal spread of communities' share of children

# ------------------------------------------------------------------------------ enrolment

GRADE_AGE = {
    "K1": 3,
    "K2": 4,
    "K3": 5,
    "P1": 6,
    "P2": 7,
    "P3": 8,
    "P4": 9,
    "P5": 10,
    "P6": 11,
    "J1": 12,
    "J2": 13,
    "J3": 14,
    "H1": 15,
    "H2": 16,
    "H3": 17,
    "V1": 15,
    "V2": 16,
    "V3": 17,
}
LEVEL_GRADES = {
    "K": ("K1", "K2", "K3"),
    "P": ("P1", "P2", "P3", "P4", "P5", "P6"),
    "J": ("J1", "J2", "J3"),
    "H": ("H1", "H2", "H3"),
    "V": ("V1", "V2", "V3"),
}
KG_GER = (0.85, 0.92)  # 学前三年毛入园率 2019 → 2025 (T-PRE-5 asks ≥ 90%)
COMPULSORY_RATE = {"P": 1.02, "J": 0.99}  # primary: some pupils from outside the county (随迁子女)
HIGH_STAGE_GER = (0.905, 0.955)  # 高中阶段毛入学率 2019 → 2025 (T-HS-1 asks ≥ 95%)
VOCATIONAL_SHARE = (0.37, 0.39)  # of the high-school stage (T-HS-2: about 40%)
# Share of rural children schooled in the county seat, rising by URBAN_PULL_GROWTH a year.
URBAN_PULL = {"K": 0.08, "P": 0.18, "J": 0.22}
URBAN_PULL_GROWTH = 0.008
WEIGHT_NOISE = 0.08  # lognormal spread of a school's yearly share of a grade
NEW_SCHOOL_RAMP = (0.6, 0.85)  # share of its full weight a new school draws in its 1st, 2nd year
TEACHING_POINT_MIN_GRADE = 3  # pupils in a grade a teaching point keeps running
TEACHING_POINT_MIN_TOTAL = 5
TEACHING_POINT_MAX_GRADE = 18  # a teaching point has at most ~60 pupils

# Class norms (STANDARDS.md CS, PP-4): pupils per class before the grade is split into classes.
CLASS_NORM = {"K1": 25, "K2": 30, "K3": 35, "P": 45, "P_rural": 40, "J": 50, "H": 50, "V": 45}
# 大班额 (≥ 56, STANDARDS.md CS) in the county seat's compulsory classes: 第4条 wanted ≤ 10% in
# 2019 and none in 2020; the demo county shows ~13.5% in 2019, a handful in 2020–21, none after.
BIG_CLASS_SHARE_2019 = 0.135
BIG_CLASS_COUNT = {2020: 6, 2021: 3}
HUGE_CLASSES_2019 = 2  # 超大班额, ≥ 66
BIG_CLASS_SIZE = (56, 63)
HUGE_CLASS_SIZE = (66, 71)
SIBLING_FLOOR = 30  # a class giving pupils to a big sibling keeps at least this many

# ------------------------------------------------------------------------------ schools

GROUP_YIZHONG = "南丰一中教育集团"
GROUP_JUDU = "桔都小学教育集团"
GROUP_SHIYAN = "南丰县实验小学教育集团"


@dataclass(frozen=True)
class _UrbanSchool:
    name: str
    stage: str
    place: str  # community or village of 琴城镇
    opened: int
    weights: dict[str, float]  # share of the county seat's (H, V: the county's) pupils per level
    options: dict[str, Any] = field(default_factory=dict)


def _u(name: str, stage: str, place: str, opened: int, weights: dict[str, float], **options: Any) -> _UrbanSchool:
    return _UrbanSchool(name, stage, place, opened, weights, options)


# 琴城镇. The new schools of 第4条 stand in the seat's expansion area (桥背, 朝先) and count as urban.
URBAN_SCHOOLS: tuple[_UrbanSchool, ...] = (
    _u("南丰一中", "high", "琴湖路", 1950, {"H": 5.0}, boarding=True, group_id=GROUP_YIZHONG),
    _u("南丰二中", "complete_secondary", "解放路", 1958, {"J": 2.0, "H": 3.0}, boarding=True),
    _u("南丰县职业中等专业学校", "vocational", "沿江路", 1984, {"V": 1.0}, boarding=True),
    _u("河东区高中", "high", "桥背", 2021, {"H": 2.6}, boarding=True, urban=True, group_id=GROUP_YIZHONG),
    _u("桥背学校", "nine_year", "桥背", 2021, {"P": 1.5, "J": 1.0}, urban=True),
    _u("三湾学校", "nine_year", "沿江路", 2023, {"P": 1.2, "J": 0.8}, group_id=GROUP_SHIYAN),
    _u("朝先学校", "nine_year", "朝先", 2024, {"P": 1.2, "J": 0.8}, urban=True),
    _u("美好家园学校", "nine_year", "桔都东路", 2025, {"P": 1.0, "J": 0.6}),
    _u("南丰县实验小学", "primary", "人民路", 1950, {"P": 3.0}, group_id=GROUP_SHIYAN),
    _u("琴城小学", "primary", "新建路", 1956, {"P": 2.5}),
    _u("桔都小学", "primary", "桔都西路", 1995, {"P": 2.5}, group_id=GROUP_JUDU),
    _u("桔都小学分校", "primary", "桔都东路", 2020, {"P": 1.6}, group_id=GROUP_JUDU),
    _u("琴台小学", "primary", "琴台路", 1978, {"P": 2.0}),
    _u("仓山小学", "primary", "仓山路", 1965, {"P": 1.8}),
    _u("建设路小学", "primary", "建设路", 1988, {"P": 1.6}),
    _u("南丰县育才学校(民办)", "primary", "琴湖路", 2008, {"P": 0.6}, ownership="private", inclusive=False),
    _u("南丰县第三中学", "junior", "新建路", 1970, {"J": 2.4}),
    _u("琴城中学", "junior", "国安路", 1985, {"J": 2.0}),
    # kindergartens: public (第1条: 2–3 more in the urban area), 小区配套园 (第2条), private
    _u("南丰县机关幼儿园", "kindergarten", "人民路", 1956, {"K": 2.0}),
    _u("琴城镇第一幼儿园", "kindergarten", "解放路", 1980, {"K": 1.8}),
    _u("琴城镇第二幼儿园", "kindergarten", "桔都西路", 1998, {"K": 1.5}),
    _u("南丰县第三幼儿园", "kindergarten", "琴湖路", 2021, {"K": 1.5}),
    _u("南丰县第四幼儿园", "kindergarten", "国安路", 2023, {"K": 1.5}),
    _u("琴湖名苑幼儿园", "kindergarten", "琴湖路", 2020, {"K": 1.0}, community_supporting=True),
    _u("盱江首府幼儿园", "kindergarten", "沿江路", 2022, {"K": 1.0}, community_supporting=True),
    _u(
        "桔都花园幼儿园(民办)",
        "kindergarten",
        "桔都东路",
        2017,
        {"K": 1.3},
        ownership="private",
        community_supporting=True,
    ),
    _u("南丰县蜜桔幼儿园(民办)", "kindergarten", "建设路", 2005, {"K": 1.3}, ownership="private"),
    _u("南丰县阳光幼儿园(民办)", "kindergarten", "新建路", 2008, {"K": 1.3}, ownership="private"),
    _u("南丰县童心幼儿园(民办)", "kindergarten", "仓山路", 2010, {"K": 1.3}, ownership="private"),
    _u("南丰县小太阳幼儿园(民办)", "kindergarten", "琴台路", 2012, {"K": 1.3}, ownership="private"),
    _u("南丰县英才双语幼儿园(民办)", "kindergarten", "国安路", 2014, {"K": 0.8}, ownership="private", inclusive=False),
    _u("南丰县贝贝佳幼儿园(民办)", "kindergarten", "解放路", 2011, {"K": 0.8}, ownership="private", inclusive=False),
    _u("南丰县爱弥儿幼儿园(民办)", "kindergarten", "桔都西路", 2016, {"K": 0.8}, ownership="private", inclusive=False),
    # 琴城镇's village schools
    _u("琴城镇中心小学", "primary", "徐家边", 1958, {"P": 0.8}, central=True, boarding=True),
    _u("琴城镇水南小学", "primary", "水南", 1962, {"P": 0.4}),
    _u("琴城镇大堡小学", "primary", "大堡", 1965, {"P": 0.4}, grades=LEVEL_GRADES["P"][:4]),
    _u("琴城镇艾源村教学点", "teaching_point", "艾源", 1968, {"P": 0.08}),
    _u("琴城镇杨梅村教学点", "teaching_point", "杨梅", 1970, {"P": 0.08}),
)


@dataclass(frozen=True)
class _RuralPlan:
    """The schools of a rural township (第5条: a boarding central primary plus a junior or nine-year school)."""

    secondary: str  # "junior" or "nine_year"
    full_primaries: int  # village primaries with P1–P6
    small_primaries: int  # village primaries with P1–P4
    teaching_points: int
    kg_opened: int | None  # independent public kindergarten opened (None: before 2019); T-PRE-3
    second_public_kg: bool  # 第1条: larger townships several
    private_kgs: tuple[bool, ...]  # inclusive flag of each private kindergarten
    central_boarding: bool


RURAL_PLANS: dict[str, _RuralPlan] = {
    "NF02": _RuralPlan("junior", 2, 2, 5, None, True, (True, False), True),
    "NF03": _RuralPlan("junior", 2, 2, 5, None, True, (True,), True),
    "NF04": _RuralPlan("junior", 2, 1, 4, None, False, (True,), True),
    "NF05": _RuralPlan("junior", 1, 1, 3, None, False, (False,), True),
    "NF06": _RuralPlan("junior", 1, 2, 4, None, False, (), True),
    "NF07": _RuralPlan("junior", 1, 2, 4, None, False, (True,), True),
    "NF08": _RuralPlan("junior", 1, 1, 3, 2021, False, (True,), True),
    "NF09": _RuralPlan("nine_year", 0, 1, 3, 2020, False, (), False),
    "NF10": _RuralPlan("junior", 1, 1, 3, None, False, (), True),
    "NF11": _RuralPlan("nine_year", 0, 1, 2, 2022, False, (), False),
    "NF12": _RuralPlan("nine_year", 1, 1, 3, 2021, False, (), True),
}
RURAL_WEIGHTS = {
    "central_P": 3.0,
    "central_K": 1.5,
    "village_P": 1.0,
    "village_K": 0.3,
    "nine_year_P": 1.5,
    "secondary_J": 1.0,
    "public_kg": 1.6,
    "second_kg": 1.0,
    "private_kg": 1.3,
    "private_kg_excl": 0.9,
    "tp_K": 0.04,
}
TEACHING_POINT_WEIGHT = (0.08, 0.30)
VILLAGE_PRIMARY_WITH_K = ("NF02", "NF04", "NF07")  # first full village primary keeps 附设幼儿班
TEACHING_POINT_WITH_K = ("NF03", "NF06", "NF10")  # first teaching point keeps a preschool class
# Teaching points merged (第5条, three-year transition: no new intake for the last two years).
TEACHING_POINT_CLOSING = {"NF02": 2021, "NF03": 2022, "NF06": 2022, "NF12": 2023}
TRANSITION_YEARS = 3
WITHOUT_PARTNER = ("NF08", "NF09", "NF11")  # first teaching point there still lacks a partner (第6条)
PRIVATE_KG_WORDS = ("小天使", "育苗", "启智", "小博士", "星星", "红苹果", "快乐宝贝", "金太阳")
GROUP_MEMBERS = {GROUP_JUDU: ("紫霄镇中心小学", "洽湾镇中心小学"), GROUP_SHIYAN: ("太和镇中心小学",)}
OPENED_RANGE = {
    "central": (1950, 1985),
    "secondary": (1956, 1982),
    "village": (1950, 1990),
    "teaching_point": (1950, 1985),
    "public_kg": (1985, 2010),
    "private_kg": (2005, 2017),
}

# ------------------------------------------------------------------------------ projects

# (id, name, school, stage, seats, start, end). 第4条 names the first seven and their seats;
# the split of 9,360 and 8,000 between schools is invented. Kindergarten projects serve T-PRE-4.
PROJECTS: tuple[tuple[str, str, str, str, int, int, int], ...] = (
    ("PJ01", "南丰二中新教学楼", "南丰二中", "complete_secondary", 1000, 2019, 2019),
    ("PJ02", "桔都小学分校新建工程", "桔都小学分校", "primary", 1260, 2019, 2020),
    ("PJ03", "河东区高中新建工程", "河东区高中", "high", 4200, 2019, 2021),
    ("PJ04", "桥背学校新建工程", "桥背学校", "nine_year", 5160, 2019, 2021),
    ("PJ05", "三湾学校新建工程", "三湾学校", "nine_year", 2700, 2020, 2023),
    ("PJ06", "朝先学校新建工程", "朝先学校", "nine_year", 2700, 2021, 2024),
    ("PJ07", "美好家园学校新建工程", "美好家园学校", "nine_year", 2600, 2023, 2025),
    ("PJ08", "琴湖名苑小区配套幼儿园", "琴湖名苑幼儿园", "kindergarten", 270, 2019, 2020),
    ("PJ09", "东坪乡中心幼儿园新建工程", "东坪乡中心幼儿园", "kindergarten", 300, 2019, 2020),
    ("PJ10", "南丰县第三幼儿园新建工程", "南丰县第三幼儿园", "kindergarten", 360, 2020, 2021),
    ("PJ11", "三溪乡中心幼儿园新建工程", "三溪乡中心幼儿园", "kindergarten", 300, 2020, 2021),
    ("PJ12", "傅坊乡中心幼儿园新建工程", "傅坊乡中心幼儿园", "kindergarten", 300, 2020, 2021),
    ("PJ13", "盱江首府小区配套幼儿园", "盱江首府幼儿园", "kindergarten", 270, 2021, 2022),
    ("PJ14", "太源乡中心幼儿园新建工程", "太源乡中心幼儿园", "kindergarten", 270, 2021, 2022),
    ("PJ15", "南丰县第四幼儿园新建工程", "南丰县第四幼儿园", "kindergarten", 360, 2022, 2023),
    ("PJ16", "琴城镇第一幼儿园扩建工程", "琴城镇第一幼儿园", "kindergarten", 180, 2025, 2026),
    ("PJ17", "太和镇中心幼儿园扩建工程", "太和镇中心幼儿园", "kindergarten", 270, 2025, 2026),
    ("PJ18", "南丰县职业中等专业学校实训楼", "南丰县职业中等专业学校", "vocational", 600, 2024, 2026),
    ("PJ19", "白舍镇中心幼儿园扩建工程", "白舍镇中心幼儿园", "kindergarten", 180, 2026, 2027),
)
# Seats of schools open before 2019 = pupils of their first year × this (the county seat is full).
SEATS_PER_PUPIL = {
    "urban_compulsory": (0.92, 1.0),
    "rural": (1.15, 1.6),
    "kindergarten": (1.05, 1.3),
    "other": (1.0, 1.12),
}
SEATS_PER_CLASSROOM = 30  # a small school still has its classrooms

# ------------------------------------------------------------------------------ facilities and funds

# Per-pupil standards by level: teaching floor m², sports m², equipment yuan, multimedia rooms per
# 100 pupils. P and J: STANDARDS.md QB-R4..R7; K: PP-7; H and V: assumed, not from a standard.
FACILITY_STANDARD = {
    "K": (8.17, 4.0, 600.0, 1.0),
    "P": (4.5, 7.5, 2000.0, 2.3),
    "J": (5.8, 10.2, 2500.0, 2.4),
    "H": (6.5, 10.2, 3000.0, 2.4),
    "V": (8.0, 8.0, 5000.0, 2.4),
}
FACILITY_RATIO = (1.0, 1.7)  # most schools are above the standard by this much
WEAK_FACILITY = (0.2, (0.65, 0.97))  # a fifth of school indicators start below it
FACILITY_UPGRADE = (0.4, (1.15, 1.4))  # chance a below-standard item is upgraded next year, factor
EQUIPMENT_GROWTH = 1.05
# Per-pupil public funding, yuan: Jiangxi baseline primary 600 / junior 800 (STANDARDS.md FD,
# assumed), raised 10% every two years from 2019 (第22条 schedule ×1.10, 1.21, 1.331, 1.4641);
# the demo county falls short of the schedule in 2023 and 2025.
FUNDING_BASE = {"P": 600.0, "J": 800.0, "K": 500.0, "H": 1000.0, "V": 1200.0}
FUNDING_FACTOR = {2019: 1.10, 2020: 1.10, 2021: 1.21, 2022: 1.21, 2023: 1.30, 2024: 1.331, 2025: 1.42}
FUNDED_MINIMUM = {"P": 100, "J": 500}  # 第22条: rural primary < 100 funded as 100, junior < 500 as 500
BOARDER_SUPPLEMENT = 200.0  # 第5条: +200 yuan per boarder per year
INCLUSIVE_PRIVATE_KG_FUNDING = 300.0  # assumed 普惠 subsidy per child
BOARDING_SHARE = {"P": (0.3, 0.5), "J": (0.4, 0.7), "H": (0.5, 0.7), "V": (0.6, 0.8)}
DISABLED_RATE = 0.004
DROPOUT_RATE = {"P": 0.0008, "J": 0.003, "H": 0.005, "V": 0.012, "K": 0.0}
DROPOUT_DECLINE = 0.85  # per year

# ------------------------------------------------------------------------------ teachers

PUPILS_PER_TEACHER = {"K": 15.0, "P": 17.0, "J": 12.5, "H": 13.0, "V": 16.0}  # STANDARDS.md TW, PP-5
TEACHERS_PER_CLASS = {"K": 1.0, "P": 1.0, "J": 1.8, "H": 2.0, "V": 1.5}  # small schools
SCHOOL_STAFFING_SPREAD = (0.92, 1.15)
NON_FULL_TIME_SHARE = 0.05
SURPLUS_TOLERANCE = 0.08
RETIREMENT_AGE = 60
QUIT_RATE = {"public": 0.005, "private": 0.08}
ROTATION_RATE = (0.02, 0.045)  # per year, teachers with < 6 / ≥ 6 years at the school (QB-G11)
ROTATION_ELIGIBLE_YEARS = 6
TEACHER_AGE = {"K": (34, 8), "P": (43, 9), "J": (41, 8), "H": (40, 8), "V": (42, 8), "TP": (50, 7)}
FEMALE_SHARE = {"K": 0.97, "P": 0.70, "J": 0.55, "H": 0.45, "V": 0.45}
EDUCATION_LEVELS = ("below_associate", "associate", "bachelor", "master", "doctorate")
EDUCATION_2019 = {
    "K": {"below_associate": 0.10, "associate": 0.60, "bachelor": 0.30},
    "P": {"below_associate": 0.03, "associate": 0.50, "bachelor": 0.45, "master": 0.02},
    "J": {"associate": 0.10, "bachelor": 0.84, "master": 0.06},
    "H": {"bachelor": 0.89, "master": 0.11},
    "V": {"associate": 0.08, "bachelor": 0.84, "master": 0.08},
}
EDUCATION_HIRED = {  # new teachers, better qualified (第26条 direction)
    "K": {"associate": 0.50, "bachelor": 0.50},
    "P": {"associate": 0.15, "bachelor": 0.77, "master": 0.08},
    "J": {"bachelor": 0.86, "master": 0.14},
    "H": {"bachelor": 0.70, "master": 0.30},
    "V": {"bachelor": 0.75, "master": 0.25},
}
# yearly chance of an in-service degree: one step up from below_associate / associate, and
# bachelor → master by level
DEGREE_UPGRADE = {"below_associate": 0.10, "associate": 0.05}
MASTER_UPGRADE = {"K": 0.0, "P": 0.003, "J": 0.005, "H": 0.007, "V": 0.005}
DOCTORATE_HIRES = {2023: "南丰一中", 2025: "河东区高中"}  # 第26条: "some doctorates"
SUBJECTS = {
    "K": {"preschool": 1.0},
    "P": {
        "chinese": 0.34,
        "math": 0.28,
        "english": 0.08,
        "pe": 0.07,
        "music": 0.06,
        "fine_art": 0.06,
        "science": 0.05,
        "moral": 0.03,
        "it": 0.03,
    },
    "TP": {"chinese": 0.5, "math": 0.5},
    "J": {
        "chinese": 0.16,
        "math": 0.16,
        "english": 0.15,
        "physics": 0.08,
        "chemistry": 0.05,
        "biology": 0.05,
        "history": 0.06,
        "geography": 0.05,
        "moral": 0.07,
        "pe": 0.07,
        "music": 0.03,
        "fine_art": 0.03,
        "it": 0.04,
    },
    "H": {
        "chinese": 0.14,
        "math": 0.14,
        "english": 0.14,
        "physics": 0.10,
        "chemistry": 0.09,
        "biology": 0.08,
        "history": 0.07,
        "geography": 0.07,
        "politics": 0.07,
        "pe": 0.05,
        "it": 0.03,
        "music": 0.01,
        "fine_art": 0.01,
    },
    "V": {"specialty": 0.60, "chinese": 0.10, "math": 0.10, "english": 0.07, "politics": 0.05, "pe": 0.05, "it": 0.03},
}
NORMAL_MAJOR = {"K": 0.75, "P": 0.75, "J": 0.70, "H": 0.68, "V": 0.45}
CERTIFIED = (0.975, 0.85, 0.6)  # 2019 stock, new hires, yearly chance to get certified later
TITLES = ("三级教师", "二级教师", "一级教师", "高级教师", "正高级教师")
TITLE_PAY_2019 = {
    None: 40_000,
    "三级教师": 66_000,
    "二级教师": 70_000,
    "一级教师": 78_000,
    "高级教师": 88_000,
    "正高级教师": 96_000,
}
PAY_PER_YEAR_OF_AGE = 200
PAY_GROWTH = 0.03
PRIVATE_UNTITLED = 0.6  # private-school teachers without a title
PROMOTION = {"三级教师": (24, 0.4), "二级教师": (30, 0.12), "一级教师": (40, 0.06), "高级教师": (50, 0.004)}
BACKBONE_2019 = {"county": 0.095, "city": 0.035, "province": 0.012}  # among teachers aged ≥ 28
BACKBONE_SELECTION_YEARS = (2021, 2024)  # 第24条: selected every 3–5 years
BACKBONE_PROMOTION = {"none": ("county", 0.03), "county": ("city", 0.08), "city": ("province", 0.06)}
DUAL_QUALIFIED = (0.42, 0.50, 0.03)  # vocational specialty teachers: 2019, new hires, yearly gain
TRAINING_HOURS = (400, 45, (200, 500))  # mean, sd, clip of 近五年培训学时 (QB-G9 asks 360)

# ------------------------------------------------------------------------------ admissions

# General programmes (track general): (programme id, school, share of the school's H1 places);
# a school's programmes start the year its first H1 class is enrolled (河东区高中: 2021).
GENERAL_PROGRAMMES = (
    ("YZ01", "南丰一中", 0.95),
    ("YZ02", "南丰一中", 0.05),
    ("EZ01", "南丰二中", 1.0),
    ("HD01", "河东区高中", 1.0),
)
SPECIALTY_PROGRAMMES = ("YZ02",)  # 艺体特长班 (第9条): no 指标到校
# Majors of the vocational school (第12条; 现代农艺 for the Nanfeng tangerine, 第14条):
# (programme id, major, share of the V1 places, first year). The sheet has no name column.
VOCATIONAL_PROGRAMMES = (
    ("ZZ01", "学前教育", 0.20, 2019),
    ("ZZ02", "电子商务", 0.18, 2019),
    ("ZZ03", "汽车运用与维修", 0.18, 2019),
    ("ZZ04", "机械加工技术", 0.16, 2019),
    ("ZZ05", "护理", 0.16, 2020),
    ("ZZ06", "老年人服务与管理", 0.07, 2021),
    ("ZZ07", "现代农艺技术(蜜桔)", 0.05, 2022),
)
# 指标到校 share of the quality high schools (QB-G14: ≥ 50%); 南丰一中 raises it to 60% by 2022
QUOTA_TO_SCHOOLS: dict[str, dict[int, float]] = {
    "YZ01": {y: 0.50 if y == 2019 else 0.55 if y < 2022 else 0.60 for y in YEARS},
    "EZ01": dict.fromkeys(YEARS, 0.50),
    "HD01": dict.fromkeys(YEARS, 0.50),
}
GRADUATION_RATE = 0.99
TOOK_EXAM = 0.99  # 第7条: every graduate sits the exam; a few do not
EXAM_SCORE = (470.0, 105.0, 25.0, 18.0, (50.0, 740.0))  # mean, sd, urban bonus, school sd, clip
QUALITY_GRADES = (("A", 0.30), ("B", 0.45), ("C", 0.20), ("D", 0.05))
CHOICE_COUNTS = ((2, 0.15), (3, 0.25), (4, 0.30), (5, 0.30))

# ------------------------------------------------------------------------------ finance

FISCAL_REVENUE_2019 = 1.56e9
FISCAL_GROWTH = {2020: 0.02, 2021: 0.085, 2022: 0.03, 2023: 0.06, 2024: 0.055, 2025: 0.05}
FISCAL_REVENUE_2018 = 1.48e9  # for the 2019 education foundation (第23条)
GENERAL_BUDGET_SHARE = 0.58
GENERAL_EDU_2019 = 0.70e9
PROVINCE_EDU_GROWTH = {2019: 0.072, 2020: 0.051, 2021: 0.046, 2022: 0.058, 2023: 0.043, 2024: 0.039, 2025: 0.041}
COUNTY_EDU_GROWTH_GAP = {2020: 0.010, 2021: 0.008, 2022: -0.012, 2023: 0.005, 2024: 0.010, 2025: 0.004}
GENERAL_EDU_SHARE = 0.84  # general-budget education / all education expenditure
CIVIL_SERVANT_PAY_RATIO = {2019: 1.02, 2020: 0.99, 2021: 0.985, 2022: 0.99, 2023: 0.98, 2024: 0.985, 2025: 0.98}
INFORMATIZATION = {2019: 4.2e6, 2020: 5.1e6, 2021: 5.6e6, 2022: 4.8e6, 2023: 6.0e6, 2024: 6.3e6, 2025: 6.5e6}
SUPERVISION_FUNDS = {2019: 3.0e5, 2020: 4.0e5, 2021: 4.2e5, 2022: 4.2e5, 2023: 4.5e5, 2024: 4.5e5, 2025: 4.8e5}
EDUCATION_FOUNDATION_RATE = 0.0005  # 第23条: 万分之五 of last year's fiscal revenue
FOUNDATION_SHORTFALL = {2022: 0.9}  # the demo county paid 90% in 2022
COMMUNITY_EDU_PER_REGISTERED = {2019: 1.0, 2020: 1.5, 2021: 1.5, 2022: 1.5, 2023: 2.0, 2024: 2.0, 2025: 2.0}  # 第17条
TEMPORARY_STAFF_WAGES = {2019: 3.0e6}  # 第22条: 3,500,000 a year; 2019 short
TEMPORARY_STAFF_WAGES_DEFAULT = 3.5e6
SPECIAL_FUNDS = 5.0e6  # 第22条
TRAINING_SHARE_OF_FUNDING = (0.045, 0.065)  # QB-Q: ≥ 5% of operating funds
REGULAR_REVENUE_SHARE = 0.62  # 财政经常性收入 / total fiscal revenue (三个增长, STANDARDS.md FD); invented

# 第30条 after-school services (invented): approved fee per pupil and term, uptake, hours, pay per hour.
AFTER_SCHOOL_SEED_OFFSET = 30  # its own generator, seed + 30: the other sheets stay as they were
AFTER_SCHOOL_FIRST_YEAR = 2021  # services became general with 双减 (2021)
AFTER_SCHOOL_FEE = {"urban": 300.0, "rural": 200.0}  # yuan per pupil and term
AFTER_SCHOOL_UPTAKE = {"urban": (0.55, 0.9), "rural": (0.3, 0.7)}
AFTER_SCHOOL_GROUP = 30  # pupils per after-school group
AFTER_SCHOOL_HOURS_PER_GROUP = 160  # 2 h × 5 days × 16 weeks a term
AFTER_SCHOOL_PAY_PER_HOUR = (40.0, 60.0)
AFTER_SCHOOL_RETURNED = (0.9, 1.0)  # share of the paid-in fees returned to the school

# ------------------------------------------------------------------------------ tasks

# (clause, title, owner, due year, status, evidence) — status as known at the end of 2025.
TASKS: tuple[tuple[str, str, str, int, str, str | None], ...] = (
    (
        "第1条",
        "城区新建2–3所公办幼儿园",
        "县教体局",
        2023,
        "done",
        "南丰县第三幼儿园（2021）、第四幼儿园（2023）建成招生",
    ),
    (
        "第1条",
        "每个乡镇至少办好1所独立公办中心幼儿园（一乡一园）",
        "各乡镇人民政府",
        2022,
        "done",
        "东坪、三溪、傅坊、太源乡中心幼儿园2020–2022年相继开园",
    ),
    ("第1条", "乡镇小学附设幼儿班剥离为独立幼儿园", "县教体局", 2022, "done", "4所中心小学附设幼儿班已剥离"),
    ("第2条", "小区配套幼儿园同步建设、验收并移交教育部门", "县住建局", 2021, "overdue", "桔都花园小区配套园仍为民办"),
    ("第3条", "普惠性民办幼儿园认定与扶持", "县教体局", 2020, "done", "认定普惠性民办幼儿园10所"),
    ("第4条", "南丰二中新建教学楼，新增学位1000个", "县教体局", 2019, "done", "2019年秋季投入使用"),
    ("第4条", "桔都小学分校建设，新增学位1260个", "琴城镇人民政府", 2019, "done", "2020年秋季开学，较计划推迟一年"),
    ("第4条", "河东区高中、桥背学校建设，新增学位9360个", "县发改委", 2021, "done", "2021年秋季两校开学"),
    (
        "第4条",
        "三湾、朝先、美好家园学校建设，新增学位8000个",
        "县发改委",
        2025,
        "done",
        "三校分别于2023、2024、2025年开学",
    ),
    ("第4条", "2020年秋季全面消除大班额", "县教体局", 2020, "overdue", "2022年秋季起城区无56人以上班级"),
    ("第4条", "城区义务教育划片招生、免试就近入学", "县教体局", 2019, "done", "每年公布学区划分方案"),
    ("第5条", "撤并生源过少的教学点（3年过渡期）", "县教体局", 2023, "done", "2021–2023年撤并教学点4个"),
    ("第5条", "每个乡镇建好1所寄宿制中心小学和1所初中或九年一贯制学校", "各乡镇人民政府", 2025, "in_progress", None),
    ("第6条", "每所农村学校建立城区对口帮扶学校", "县教体局", 2020, "overdue", "尚有3个教学点未结对"),
    ("第6条", "推进城乡一体化和集团化办学", "县教体局", 2022, "done", "组建南丰一中、桔都小学、实验小学3个教育集团"),
    ("第7条", "全体初中毕业生参加学业水平考试", "县招生考试中心", 2021, "done", None),
    ("第7条", "优质普通高中指标到校比例不低于50%", "县教体局", 2020, "done", "2022年起南丰一中指标到校60%"),
    ("第10条", "县职业中专创建为南丰中等专业学校", "县教体局", 2023, "overdue", None),
    (
        "第12条",
        "增设护理、老年服务与管理等专业",
        "南丰县职业中等专业学校",
        2021,
        "done",
        "2020年开设护理，2021年开设老年人服务与管理",
    ),
    ("第13条", "建立职业教育学分银行，开展1+X证书试点", "县教体局", 2025, "not_started", None),
    ("第14条", "开展南丰蜜桔种植加工等技能培训", "县人社局", 2025, "in_progress", "年培训约2000人次"),
    ("第17条", "按户籍人口每人每年1–2元安排社区教育经费", "县财政局", 2019, "done", None),
    ("第20条", "教育信息化每年投入不少于500万元", "县财政局", 2025, "in_progress", "2019、2022年未达500万元"),
    ("第21条", "教师平均工资不低于当地公务员平均工资", "县财政局", 2019, "done", None),
    ("第22条", "义务教育生均公用经费每两年提高10%", "县财政局", 2025, "in_progress", "2023年提高幅度不足"),
    ("第23条", "按上年财政总收入万分之五注入教育基金", "县财政局", 2020, "done", None),
    ("第26条", "提升教师学历（小学研究生10%、初中20%、高中40%）", "县教体局", 2025, "in_progress", None),
    ("第34条", "每年安排教育督导经费不少于40万元", "县财政局", 2019, "overdue", "2019年安排30万元，2020年起达标"),
    ("第34条", "责任督学挂牌督导全覆盖", "县政府教育督导室", 2020, "done", "聘任责任督学30名"),
    ("第33条", "乡镇党委政府履行教育职责评价", "县委县政府督查室", 2025, "in_progress", None),
)


# ====================================================================================== API


def generate(seed: int = 2019) -> dict[str, pd.DataFrame]:
    """The synthetic demo census of 南丰县: one frame per sheet of census.schema.SHEETS, as codes."""
    rng = np.random.default_rng(seed)
    communities = _build_communities(rng)
    persons = _project_population(rng, communities)
    schools = _build_schools(rng, communities)
    pupils = _allocate_pupils(rng, schools, communities, persons)
    classes = _build_classes(rng, schools, pupils)
    teachers = _simulate_teachers(rng, schools, classes)
    school_years = _school_year_rows(rng, schools, classes)
    programmes = _programme_rows(schools, classes)
    candidates = _candidate_rows(rng, schools, classes, programmes)
    public = {s.school_id for s in schools if s.ownership == "public"}
    finance = _finance_rows(rng, teachers, school_years, communities, public)
    after_school = _after_school_rows(np.random.default_rng(seed + AFTER_SCHOOL_SEED_OFFSET), schools, classes)
    rows: dict[str, Any] = {
        "townships": _township_rows(),
        "communities": [c.row() for c in communities],
        "population": [],  # built column-wise below
        "schools": [s.row() for s in schools],
        "school_years": school_years,
        "classes": [
            {"school_id": sid, "year": y, "grade": g, "class_no": i + 1, "pupils": n}
            for (sid, y, g), sizes in classes.items()
            for i, n in enumerate(sizes)
        ],
        "teachers": teachers,
        "finance": finance,
        "after_school": after_school,
        "projects": _project_rows(schools),
        "candidates": candidates,
        "programmes": programmes,
        "tasks": _task_rows(),
    }
    frames: dict[str, pd.DataFrame] = {}
    for sheet in SHEETS:
        if sheet.name == "population":
            frame = _population_frame(communities, persons)
        else:
            extra = [f"choice_{i}" for i in range(1, N_CHOICES + 1)] if sheet.name == "candidates" else []
            frame = _frame(sheet.name, rows[sheet.name], extra)
        frame.attrs["synthetic"] = SYNTHETIC_LABEL
        frames[sheet.name] = frame
    return frames


# ====================================================================================== helpers


def _frame(
    name: str, rows: list[dict[str, Any]] | dict[str, list[Any]], extra: list[str] | None = None
) -> pd.DataFrame:
    """Rows (or columns) in the schema's column order and dtypes: int64 (Int64 if nullable), float64,
    bool, object (ids, codes, text; missing = None)."""
    sheet = SHEET_BY_NAME[name]
    columns = [c.name for c in sheet.columns] + list(extra or [])
    frame = pd.DataFrame(rows, columns=columns)
    for c in sheet.columns:
        s = frame[c.name]
        if c.kind in ("int", "year"):
            frame[c.name] = s.astype("Int64") if c.nullable else s.astype("int64")
        elif c.kind == "float":
            frame[c.name] = s.astype("float64")
        elif c.kind == "bool":
            frame[c.name] = s.astype(bool)
        else:
            frame[c.name] = s.astype(object).where(s.notna(), None)
    for name_ in extra or []:
        frame[name_] = frame[name_].astype(object).where(frame[name_].notna(), None)
    return frame


def _pick(rng: Rng, dist: dict[str, float]) -> str:
    """One key of a probability table (weights need not sum to 1)."""
    u = rng.random() * sum(dist.values())
    last = ""
    for key, p in dist.items():
        u -= p
        last = key
        if u < 0:
            return key
    return last


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _between(rng: Rng, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _jitter(rng: Rng, lat: float, lon: float, radius: float) -> tuple[float, float]:
    """A point near (lat, lon), kept inside the county."""
    angle = rng.uniform(0, 2 * math.pi)
    r = radius * math.sqrt(rng.uniform(0.1, 1.0))
    lat2 = _clamp(lat + r * math.sin(angle), COUNTY_LAT)
    lon2 = _clamp(lon + r * math.cos(angle) * 1.12, COUNTY_LON)
    return round(lat2, 5), round(lon2, 5)


def _year_fraction(y: int) -> float:
    return (y - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)


def _ramp(bounds: tuple[float, float], y: int) -> float:
    return bounds[0] + (bounds[1] - bounds[0]) * _year_fraction(y)


# ====================================================================================== townships


def _township_rows() -> list[dict[str, Any]]:
    return [
        {"township_id": tid, "name": name, "kind": kind, "urban_core": tid == URBAN_TOWNSHIP}
        for tid, name, kind, *_ in TOWNSHIPS
    ]


# ====================================================================================== communities


@dataclass(frozen=True)
class _Community:
    community_id: str
    township_id: str
    name: str
    kind: str
    households: int
    residents: int
    registered_residents: int
    lat: float
    lon: float
    setting: str  # urban, periurban (琴城镇's villages), seat (rural township seat) or rural

    def row(self) -> dict[str, Any]:
        return {
            "community_id": self.community_id,
            "township_id": self.township_id,
            "name": self.name,
            "kind": self.kind,
            "households": self.households,
            "residents": self.residents,
            "registered_residents": self.registered_residents,
            "lat": self.lat,
            "lon": self.lon,
        }


def _village_names(rng: Rng) -> Iterator[str]:
    """Invented two-character village names, each used once, none clashing with 琴城镇's real ones."""
    reserved = set(QINCHENG_VILLAGES) | {LAIXI_VILLAGE}
    pairs = [a + b for a in VILLAGE_FIRST for b in VILLAGE_SECOND if a != b and a + b not in reserved]
    for i in rng.permutation(len(pairs)):
        yield pairs[int(i)]


def _community(
    rng: Rng,
    cid: str,
    tid: str,
    name: str,
    kind: str,
    residents: int,
    setting: str,
    lat: float,
    lon: float,
    households: int | None = None,
) -> _Community:
    if households is None:
        households = round(residents / _between(rng, PERSONS_PER_HOUSEHOLD))
    registered = round(residents * _between(rng, REGISTERED_RATIO[setting]))
    return _Community(cid, tid, name, kind, households, residents, registered, lat, lon, setting)


def _build_communities(rng: Rng) -> list[_Community]:
    names = _village_names(rng)
    out: list[_Community] = []
    for tid, tname, _kind, residents, lat, lon in TOWNSHIPS:
        if tid == URBAN_TOWNSHIP:
            out += _qincheng_communities(rng, tid, residents, lat, lon)
        else:
            out += _rural_communities(rng, tid, tname, residents, lat, lon, names)
    return out


def _qincheng_communities(rng: Rng, tid: str, total: int, lat: float, lon: float) -> list[_Community]:
    out = []
    for i, (name, households) in enumerate(QINCHENG_HOUSEHOLDS.items(), start=1):
        residents = round(households * _between(rng, PERSONS_PER_HOUSEHOLD))
        la, lo = _jitter(rng, lat, lon, 0.012)
        out.append(
            _community(
                rng, f"{tid}U{i:02d}", tid, f"{name}社区", "urban_community", residents, "urban", la, lo, households
            )
        )
    village_total = total - sum(c.residents for c in out)
    weights = rng.lognormal(0.0, 0.3, len(QINCHENG_VILLAGES))
    sizes = _split_total(village_total, weights)
    for i, (name, residents) in enumerate(zip(QINCHENG_VILLAGES, sizes, strict=True), start=1):
        la, lo = _jitter(rng, lat, lon, 0.045)
        out.append(_community(rng, f"{tid}V{i:02d}", tid, f"{name}村", "village", residents, "periurban", la, lo))
    return out


def _rural_communities(
    rng: Rng, tid: str, tname: str, total: int, lat: float, lon: float, names: Iterator[str]
) -> list[_Community]:
    short = tname[:-1]
    seat = round(total * _between(rng, SEAT_COMMUNITY_SHARE))
    la, lo = _jitter(rng, lat, lon, 0.004)
    out = [_community(rng, f"{tid}U01", tid, f"{short}社区", "urban_community", seat, "seat", la, lo)]
    n = int(np.clip(round(total / PERSONS_PER_VILLAGE), *VILLAGES_PER_TOWNSHIP))
    weights = rng.lognormal(0.0, 0.35, n)
    village_names = [next(names) for _ in range(n)]
    if tid == "NF10":  # 莱溪乡大源村: a small remote village with a teaching point
        village_names[-1] = LAIXI_VILLAGE
        weights[-1] = weights.min() * 0.8
    for i, (name, residents) in enumerate(zip(village_names, _split_total(total - seat, weights), strict=True), 1):
        la, lo = _jitter(rng, lat, lon, 0.06)
        out.append(_community(rng, f"{tid}V{i:02d}", tid, f"{name}村", "village", residents, "rural", la, lo))
    return out


def _split_total(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to weights summing exactly to total (largest remainder)."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - out), kind="stable")[: total - int(out.sum())]:
        out[i] += 1
    return [int(v) for v in out]


# ====================================================================================== population


def _project_population(rng: Rng, communities: list[_Community]) -> np.ndarray:
    """Persons (community × year × age 0–25), ints, cohorts aged year by year (Hamilton–Perry friendly)."""
    residents = np.array([c.residents for c in communities], dtype=float)
    child = rng.lognormal(0.0, CHILD_SHARE_SPREAD, len(communities))
    share = residents * child
    share /= share.sum()
    settings = [c.setting for c in communities]
    factor = np.ones((len(communities), N_AGES))
    for i, s in enumerate(settings):
        kid, young, other = MIGRATION[s]
        factor[i, 1:16] = kid
        factor[i, 16:23] = young
        factor[i, 23:] = other
    births = np.array([BIRTH_FACTOR[s] for s in settings])
    births = births / (births * share).sum()
    out = np.zeros((len(communities), len(YEARS), N_AGES))
    out[:, 0, :] = np.outer(share, [COHORT_2019[FIRST_YEAR - a] for a in range(N_AGES)])
    for yi, y in enumerate(YEARS[1:], start=1):
        out[:, yi, 0] = BIRTHS[y] * share * births
        out[:, yi, 1:] = out[:, yi - 1, :-1] * factor[:, 1:]
    return np.rint(out).astype(np.int64)


def _population_frame(communities: list[_Community], persons: np.ndarray) -> pd.DataFrame:
    n_c, n_y, n_a = persons.shape
    frame = pd.DataFrame(
        {
            "community_id": np.repeat([c.community_id for c in communities], n_y * n_a).astype(object),
            "year": np.tile(np.repeat(np.array(YEARS, dtype=np.int64), n_a), n_c),
            "age": np.tile(np.arange(n_a, dtype=np.int64), n_c * n_y),
            "persons": persons.reshape(-1).astype(np.int64),
        }
    )
    return frame[[c.name for c in SHEET_BY_NAME["population"].columns]]


# ====================================================================================== schools


@dataclass
class _School:
    school_id: str
    name: str
    stage: str
    township_id: str
    community_id: str
    urban: bool
    lat: float
    lon: float
    opened_year: int
    weights: dict[str, float]  # enrolment weight per level (K, P, J, H, V)
    grades: tuple[str, ...]
    ownership: str = "public"
    inclusive: bool = True
    community_supporting: bool = False
    boarding: bool = False
    central: bool = False
    closed_year: int | None = None
    partner_school_id: str | None = None
    group_id: str | None = None
    k_until: int | None = None  # attached preschool classes (附设幼儿班) run while year < k_until

    def open_in(self, y: int) -> bool:
        return self.opened_year <= y and (self.closed_year is None or y < self.closed_year)

    def grades_in(self, y: int) -> tuple[str, ...]:
        """Grades the school runs in year y (new high schools fill up; merging teaching points empty)."""
        grades = self.grades
        if self.k_until is not None and y >= self.k_until:
            grades = tuple(g for g in grades if g[0] != "K")
        if self.stage == "high" and self.opened_year > FIRST_YEAR:
            grades = grades[: y - self.opened_year + 1]
        if self.closed_year is not None:
            stopped = y - (self.closed_year - TRANSITION_YEARS)  # 第5条: no intake during the transition
            if stopped > 0:
                grades = tuple(g for g in grades if g[0] == "P" and int(g[1]) > stopped)
        return grades

    def row(self) -> dict[str, Any]:
        return {
            "school_id": self.school_id,
            "name": self.name,
            "stage": self.stage,
            "ownership": self.ownership,
            "inclusive": self.inclusive,
            "community_supporting": self.community_supporting,
            "township_id": self.township_id,
            "community_id": self.community_id,
            "urban": self.urban,
            "boarding": self.boarding,
            "central": self.central,
            "lat": self.lat,
            "lon": self.lon,
            "opened_year": self.opened_year,
            "closed_year": self.closed_year,
            "partner_school_id": self.partner_school_id,
            "group_id": self.group_id,
        }


def _default_grades(stage: str) -> tuple[str, ...]:
    if stage in ("primary",):
        return LEVEL_GRADES["P"]
    if stage == "teaching_point":
        return LEVEL_GRADES["P"][:3]
    return GRADES_BY_STAGE[stage]


class _SchoolMaker:
    """Numbers schools S001, S002, … in the order they are made and places them near their community."""

    def __init__(self, rng: Rng, communities: list[_Community]) -> None:
        self.rng = rng
        self.communities = {c.community_id: c for c in communities}
        self.schools: list[_School] = []

    def add(
        self, name: str, stage: str, community: _Community, opened: int, weights: dict[str, float], **options: Any
    ) -> _School:
        grades = options.pop("grades", None) or _default_grades(stage)
        urban = options.pop("urban", community.setting == "urban")
        options.setdefault("inclusive", True)  # public schools are 普惠; private ones say so when not
        lat, lon = _jitter(self.rng, community.lat, community.lon, 0.004)
        school = _School(
            f"S{len(self.schools) + 1:03d}",
            name,
            stage,
            community.township_id,
            community.community_id,
            urban,
            lat,
            lon,
            opened,
            weights,
            tuple(grades),
            **options,
        )
        self.schools.append(school)
        return school


def _build_schools(rng: Rng, communities: list[_Community]) -> list[_School]:
    maker = _SchoolMaker(rng, communities)
    by_township: dict[str, list[_Community]] = defaultdict(list)
    for c in communities:
        by_township[c.township_id].append(c)
    qincheng = {c.name.removesuffix("社区").removesuffix("村"): c for c in by_township[URBAN_TOWNSHIP]}
    for spec in URBAN_SCHOOLS:
        maker.add(spec.name, spec.stage, qincheng[spec.place], spec.opened, dict(spec.weights), **dict(spec.options))
    for tid, tname, *_ in TOWNSHIPS:
        if tid != URBAN_TOWNSHIP:
            _add_rural_schools(rng, maker, tid, tname, RURAL_PLANS[tid], by_township[tid])
    _assign_partners_and_groups(maker.schools)
    return maker.schools


def _add_rural_schools(
    rng: Rng, maker: _SchoolMaker, tid: str, tname: str, plan: _RuralPlan, communities: list[_Community]
) -> None:
    short = tname[:-1]
    seat = communities[0]
    villages = sorted(communities[1:], key=lambda c: -c.residents)  # biggest villages keep primaries
    w = RURAL_WEIGHTS

    def opened(kind: str) -> int:
        lo, hi = OPENED_RANGE[kind]
        return int(rng.integers(lo, hi + 1))

    central_weights = {"P": w["central_P"]} | ({"K": w["central_K"]} if plan.kg_opened else {})
    central_grades = (LEVEL_GRADES["K"] if plan.kg_opened else ()) + LEVEL_GRADES["P"]
    maker.add(
        f"{tname}中心小学",
        "primary",
        seat,
        opened("central"),
        central_weights,
        central=True,
        boarding=plan.central_boarding,
        grades=central_grades,
        k_until=plan.kg_opened,
    )
    if plan.secondary == "junior":
        maker.add(f"{short}中学", "junior", seat, opened("secondary"), {"J": w["secondary_J"]}, boarding=True)
    else:
        maker.add(
            f"{short}学校",
            "nine_year",
            seat,
            opened("secondary"),
            {"P": w["nine_year_P"], "J": w["secondary_J"]},
            boarding=True,
        )
    maker.add(f"{tname}中心幼儿园", "kindergarten", seat, plan.kg_opened or opened("public_kg"), {"K": w["public_kg"]})
    village_iter = iter(villages)
    if plan.second_public_kg:
        maker.add(f"{tname}第二幼儿园", "kindergarten", villages[0], opened("public_kg"), {"K": w["second_kg"]})
    for i, inclusive in enumerate(plan.private_kgs):
        word = PRIVATE_KG_WORDS[int(rng.integers(len(PRIVATE_KG_WORDS)))]
        maker.add(
            f"{tname}{word}幼儿园(民办)",
            "kindergarten",
            villages[i] if i else seat,
            opened("private_kg"),
            {"K": w["private_kg"] if inclusive else w["private_kg_excl"]},
            ownership="private",
            inclusive=inclusive,
        )
    for i in range(plan.full_primaries + plan.small_primaries):
        village = next(village_iter)
        full = i < plan.full_primaries
        with_k = full and i == 0 and tid in VILLAGE_PRIMARY_WITH_K
        grades = (LEVEL_GRADES["K"] if with_k else ()) + (LEVEL_GRADES["P"] if full else LEVEL_GRADES["P"][:4])
        weights = {"P": w["village_P"]} | ({"K": w["village_K"]} if with_k else {})
        maker.add(
            f"{tname}{village.name.removesuffix('村')}小学",
            "primary",
            village,
            opened("village"),
            weights,
            grades=grades,
        )
    remote = sorted(village_iter, key=lambda c: c.residents)[: plan.teaching_points]
    for i, village in enumerate(remote):
        with_k = i == 0 and tid in TEACHING_POINT_WITH_K
        closing = TEACHING_POINT_CLOSING.get(tid) if i == len(remote) - 1 else None
        weights = {"P": _between(rng, TEACHING_POINT_WEIGHT)} | ({"K": w["tp_K"]} if with_k else {})
        grades = (LEVEL_GRADES["K"] if with_k else ()) + LEVEL_GRADES["P"][:3]
        maker.add(
            f"{tname}{village.name}教学点",
            "teaching_point",
            village,
            opened("teaching_point"),
            weights,
            grades=grades,
            closed_year=closing,
        )


def _assign_partners_and_groups(schools: list[_School]) -> None:
    """第6条: every rural compulsory school gets an urban partner (a few teaching points still lack one)."""
    urban_primaries = [
        s
        for s in schools
        if s.urban and s.stage == "primary" and s.ownership == "public" and s.opened_year <= FIRST_YEAR
    ]
    urban_secondary = [s for s in schools if s.urban and s.stage in ("junior", "complete_secondary")]
    without = {
        next(s.school_id for s in schools if s.township_id == tid and s.stage == "teaching_point")
        for tid in WITHOUT_PARTNER
    }
    i_p = i_s = 0
    for s in schools:
        if s.urban or s.stage not in ("primary", "teaching_point", "junior", "nine_year") or s.ownership != "public":
            continue
        if s.school_id in without:
            continue
        if s.stage in ("junior", "nine_year"):
            s.partner_school_id = urban_secondary[i_s % len(urban_secondary)].school_id
            i_s += 1
        else:
            s.partner_school_id = urban_primaries[i_p % len(urban_primaries)].school_id
            i_p += 1
    by_name = {s.name: s for s in schools}
    for group, members in GROUP_MEMBERS.items():
        for name in members:
            by_name[name].group_id = group


# ====================================================================================== pupils


def _allocate_pupils(
    rng: Rng, schools: list[_School], communities: list[_Community], persons: np.ndarray
) -> dict[tuple[str, int, str], int]:
    """Pupils per (school, year, grade): each township's children of the grade's age, enrolled at the
    year's rate and shared among its schools (the county seat also takes a share of rural children)."""
    township_ids = [t[0] for t in TOWNSHIPS]
    t_index = {tid: i for i, tid in enumerate(township_ids)}
    by_township = np.zeros((len(township_ids), len(YEARS), N_AGES))
    for ci, c in enumerate(communities):
        by_township[t_index[c.township_id]] += persons[ci]
    out: dict[tuple[str, int, str], int] = {}
    for yi, y in enumerate(YEARS):
        for level in ("K", "P", "J"):
            rate = _ramp(KG_GER, y) if level == "K" else COMPULSORY_RATE[level]
            pull = URBAN_PULL[level] + URBAN_PULL_GROWTH * (y - FIRST_YEAR)
            for g in LEVEL_GRADES[level]:
                demand = by_township[:, yi, GRADE_AGE[g]] * rate
                moved = demand * pull
                moved[t_index[URBAN_TOWNSHIP]] = 0.0
                demand = demand - moved
                demand[t_index[URBAN_TOWNSHIP]] += moved.sum()
                for tid in township_ids:
                    local = [s for s in schools if s.township_id == tid]
                    _share(rng, out, local, y, g, level, float(demand[t_index[tid]]))
        county = by_township[:, yi, :].sum(axis=0)
        stage_rate = _ramp(HIGH_STAGE_GER, y)
        vocational = _ramp(VOCATIONAL_SHARE, y)
        for level, share in (("H", 1 - vocational), ("V", vocational)):
            for g in LEVEL_GRADES[level]:
                _share(rng, out, schools, y, g, level, float(county[GRADE_AGE[g]] * stage_rate * share))
    return out


def _share(
    rng: Rng,
    out: dict[tuple[str, int, str], int],
    schools: list[_School],
    y: int,
    grade: str,
    level: str,
    demand: float,
) -> None:
    """Share a grade's demand among the schools running it that year, by weight (new schools ramp up);
    teaching points keep a few pupils in every grade they run and never more than ~60 in all."""
    providers = [s for s in schools if s.open_in(y) and level in s.weights and grade in s.grades_in(y)]
    if not providers or demand <= 0:
        return
    weights = np.array([s.weights[level] * _opening_ramp(s, y) for s in providers])
    weights *= rng.lognormal(0.0, WEIGHT_NOISE, len(providers))
    alloc = demand * weights / weights.sum()
    for s, n in zip(providers, alloc, strict=True):
        pupils = round(n)
        if s.stage == "teaching_point":
            pupils = max(pupils, TEACHING_POINT_MIN_GRADE if len(s.grades_in(y)) > 1 else TEACHING_POINT_MIN_TOTAL)
            pupils = min(pupils, TEACHING_POINT_MAX_GRADE)
        if pupils > 0:
            out[(s.school_id, y, grade)] = pupils


def _opening_ramp(s: _School, y: int) -> float:
    age = y - s.opened_year
    if s.opened_year <= FIRST_YEAR or age >= len(NEW_SCHOOL_RAMP):
        return 1.0
    return NEW_SCHOOL_RAMP[age]


# ====================================================================================== classes


def _class_norm(school: _School, grade: str) -> int:
    level = grade[0]
    if school.stage == "teaching_point":
        return 10**6  # one class per grade
    if level == "K":
        return CLASS_NORM[grade]
    if level == "P":
        return CLASS_NORM["P"] if school.urban else CLASS_NORM["P_rural"]
    return CLASS_NORM[level]


def _split_classes(rng: Rng, pupils: int, norm: int) -> list[int]:
    """A grade's pupils in ceil(pupils / norm) classes of nearly equal size (±2 moved between neighbours)."""
    n = max(1, math.ceil(pupils / norm))
    base, extra = divmod(pupils, n)
    sizes = [base + (1 if i < extra else 0) for i in range(n)]
    for i in range(n - 1):
        d = int(rng.integers(-2, 3))
        if sizes[i] + d >= 1 and sizes[i + 1] - d >= 1:
            sizes[i] += d
            sizes[i + 1] -= d
    return sizes


def _build_classes(
    rng: Rng, schools: list[_School], pupils: dict[tuple[str, int, str], int]
) -> dict[tuple[str, int, str], list[int]]:
    by_id = {s.school_id: s for s in schools}
    order = {g: i for i, g in enumerate(GRADE_AGE)}
    keys = sorted(pupils, key=lambda k: (k[1], k[0], order[k[2]]))
    classes = {k: _split_classes(rng, pupils[k], _class_norm(by_id[k[0]], k[2])) for k in keys}
    urban_compulsory = [k for k in keys if by_id[k[0]].urban and k[2][0] in "PJ"]
    for y in YEARS:
        candidates = [(k, i) for k in urban_compulsory if k[1] == y for i in range(len(classes[k]))]
        if y == FIRST_YEAR:
            count = round(BIG_CLASS_SHARE_2019 * len(candidates))
        else:
            count = BIG_CLASS_COUNT.get(y, 0)
        _inject_big_classes(rng, classes, candidates, count, HUGE_CLASSES_2019 if y == FIRST_YEAR else 0)
    return classes


def _inject_big_classes(
    rng: Rng,
    classes: dict[tuple[str, int, str], list[int]],
    candidates: list[tuple[tuple[str, int, str], int]],
    count: int,
    huge: int,
) -> None:
    """Make `count` of the candidate classes 大班额 (the first `huge` of them ≥ 66), taking the extra
    pupils from their sibling classes in the same grade where those can spare them."""
    if count <= 0 or not candidates:
        return
    chosen = sorted(int(i) for i in rng.choice(len(candidates), size=min(count, len(candidates)), replace=False))
    picked: dict[tuple[str, int, str], set[int]] = defaultdict(set)
    for i in chosen:
        key, idx = candidates[i]
        picked[key].add(idx)
    for k, i in enumerate(chosen):
        key, idx = candidates[i]
        sizes = classes[key]
        bounds = HUGE_CLASS_SIZE if k < huge else BIG_CLASS_SIZE
        target = int(rng.integers(bounds[0], bounds[1]))
        delta = target - sizes[idx]
        sizes[idx] = target
        siblings = [j for j in range(len(sizes)) if j not in picked[key]]
        for j in siblings:
            give = min(max(sizes[j] - SIBLING_FLOOR, 0), math.ceil(delta / len(siblings)), delta)
            sizes[j] -= give
            delta -= give


def _school_pupils(classes: dict[tuple[str, int, str], list[int]]) -> dict[tuple[str, int], dict[str, list[int]]]:
    """(school, year) → grade → class sizes."""
    out: dict[tuple[str, int], dict[str, list[int]]] = defaultdict(dict)
    for (sid, y, g), sizes in classes.items():
        out[(sid, y)][g] = sizes
    return out


def _level_load(grades: dict[str, list[int]]) -> dict[str, tuple[int, int]]:
    """level → (pupils, classes)."""
    out: dict[str, tuple[int, int]] = {}
    for g, sizes in grades.items():
        p, c = out.get(g[0], (0, 0))
        out[g[0]] = (p + sum(sizes), c + len(sizes))
    return out


# ====================================================================================== teachers


@dataclass
class _Teacher:
    teacher_id: str
    school_id: str
    level: str
    birth_year: int
    gender: str
    education: str
    normal_major: bool
    certified: bool
    subject: str
    title: str | None
    backbone: str
    dual_qualified: bool
    years_at_school: int
    training: float
    full_time: bool
    pay_factor: float
    last_post: tuple[str, int] | None = None  # (school, years there) at the end of last year

    def row(self, y: int) -> dict[str, Any]:
        pay: float = TITLE_PAY_2019[self.title] + PAY_PER_YEAR_OF_AGE * (y - self.birth_year - 22)
        pay *= (1 + PAY_GROWTH) ** (y - FIRST_YEAR) * self.pay_factor
        return {
            "teacher_id": self.teacher_id,
            "school_id": self.school_id,
            "year": y,
            "birth_year": self.birth_year,
            "gender": self.gender,
            "education": self.education,
            "normal_major": self.normal_major,
            "certified": self.certified,
            "subject": self.subject,
            "title": self.title,
            "backbone": self.backbone,
            "dual_qualified": self.dual_qualified,
            "years_at_school": self.years_at_school,
            "training_hours_5y": round(self.training, 1),
            "full_time": self.full_time,
            "annual_salary": round(pay, -1),
        }


class _Staffing:
    """The county's teachers, simulated one school year after another."""

    def __init__(self, rng: Rng, schools: list[_School]) -> None:
        self.rng = rng
        self.schools = {s.school_id: s for s in schools}
        self.by_name = {s.name: s for s in schools}
        self.factor = {s.school_id: _between(rng, SCHOOL_STAFFING_SPREAD) for s in schools}
        self.active: list[_Teacher] = []
        self.count = 0

    # ---- posts
    def needs(self, y: int, load: dict[tuple[str, int], dict[str, list[int]]]) -> dict[tuple[str, str], int]:
        """Teachers each (school, level) needs in year y: pupil–teacher norms, at least per class."""
        out: dict[tuple[str, str], int] = {}
        for (sid, year), grades in sorted(load.items()):
            if year != y:
                continue
            school = self.schools[sid]
            levels = _level_load(grades)
            if school.stage == "teaching_point":
                pupils = sum(p for p, _ in levels.values())
                out[(sid, "P")] = 1 if pupils < 15 else 2 if pupils < 35 else 3
                continue
            for level, (pupils, n_classes) in sorted(levels.items()):
                if level == "K" and school.stage != "kindergarten":
                    need = n_classes  # attached preschool class: one teacher each
                else:
                    by_ratio = math.ceil(pupils / (PUPILS_PER_TEACHER[level] * self.factor[sid]))
                    need = max(by_ratio, math.ceil(n_classes * TEACHERS_PER_CLASS[level]), 1)
                if need >= 10:
                    need += round(need * NON_FULL_TIME_SHARE)
                out[(sid, level)] = need
        return out

    # ---- people
    def hire(self, sid: str, level: str, y: int, initial: bool = False, education: str | None = None) -> _Teacher:
        rng = self.rng
        school = self.schools[sid]
        tp = school.stage == "teaching_point"
        if initial:
            mean, sd = TEACHER_AGE["TP" if tp else level]
            age = int(_clamp(round(rng.normal(mean, sd)), (22, RETIREMENT_AGE - 1)))
            years = int(rng.integers(0, min(age - 22, 25) + 1))
            education = education or _pick(rng, EDUCATION_2019[level])
            if age >= 50 and education != "below_associate" and rng.random() < 0.3:
                education = EDUCATION_LEVELS[max(EDUCATION_LEVELS.index(education) - 1, 0)]
            certified = rng.random() < CERTIFIED[0]
            dual = rng.random() < DUAL_QUALIFIED[0]
            training = _clamp(rng.normal(TRAINING_HOURS[0], TRAINING_HOURS[1]), TRAINING_HOURS[2])
        else:
            age = int(rng.integers(22, 31)) if education != "doctorate" else int(rng.integers(30, 36))
            years = 0
            education = education or _pick(rng, EDUCATION_HIRED[level])
            certified = rng.random() < CERTIFIED[1]
            dual = rng.random() < DUAL_QUALIFIED[1]
            training = float(rng.uniform(TRAINING_HOURS[2][0], 320))
        subject = _pick(rng, SUBJECTS["TP" if tp else level])
        self.count += 1
        female = rng.random() < FEMALE_SHARE[level]
        t = _Teacher(
            teacher_id=f"T{self.count:05d}",
            school_id=sid,
            level=level,
            birth_year=y - age,
            gender="female" if female else "male",
            education=education,
            normal_major=bool(rng.random() < NORMAL_MAJOR[level]),
            certified=bool(certified),
            subject=subject,
            title=self._initial_title(age, level, school, education),
            backbone="none",
            dual_qualified=bool(dual and level == "V" and subject == "specialty"),
            years_at_school=years,
            training=training,
            full_time=tp or bool(rng.random() >= NON_FULL_TIME_SHARE),
            pay_factor=_between(rng, (0.95, 1.05)),
        )
        if initial and age >= 28 and not tp:
            t.backbone = _pick(rng, BACKBONE_2019 | {"none": 1 - sum(BACKBONE_2019.values())})
        self.active.append(t)
        return t

    def _initial_title(self, age: int, level: str, school: _School, education: str) -> str | None:
        rng = self.rng
        if school.ownership == "private" and rng.random() < PRIVATE_UNTITLED:
            return None
        if age < 26:
            return "三级教师" if education in ("below_associate", "associate") or rng.random() < 0.4 else "二级教师"
        if age < 35:
            return "二级教师" if rng.random() < 0.7 else "一级教师"
        if age < 45:
            return _pick(rng, {"二级教师": 0.25, "一级教师": 0.60, "高级教师": 0.15})
        senior = 0.45 if level in ("J", "H", "V") else 0.30
        top = 0.02 if level == "H" else 0.0
        return _pick(rng, {"一级教师": 1 - senior - top, "高级教师": senior, "正高级教师": top})

    def qualify_specialty_teachers(self, share: float) -> None:
        """Exactly `share` of the vocational specialty teachers are 双师型 (T-VOC-2 asks 50%)."""
        specialty = [t for t in self.active if t.level == "V" and t.subject == "specialty"]
        chosen = set(self.rng.choice(len(specialty), size=round(share * len(specialty)), replace=False).tolist())
        for i, t in enumerate(specialty):
            t.dual_qualified = i in chosen

    def age_one_year(self, y: int) -> None:
        """Retirement, leaving, degrees, certificates, titles, backbone selection, training."""
        rng = self.rng
        stay: list[_Teacher] = []
        for t in self.active:
            school = self.schools[t.school_id]
            if y - t.birth_year >= RETIREMENT_AGE or rng.random() < QUIT_RATE[school.ownership]:
                continue
            t.years_at_school += 1
            chance = MASTER_UPGRADE[t.level] if t.education == "bachelor" else DEGREE_UPGRADE.get(t.education, 0.0)
            if y - t.birth_year < 50 and rng.random() < chance:
                t.education = EDUCATION_LEVELS[EDUCATION_LEVELS.index(t.education) + 1]
            if not t.certified and rng.random() < CERTIFIED[2]:
                t.certified = True
            if t.title in PROMOTION:
                min_age, p = PROMOTION[t.title]
                if y - t.birth_year >= min_age and rng.random() < p and (t.title != "高级教师" or t.level == "H"):
                    t.title = TITLES[TITLES.index(t.title) + 1]
            if y in BACKBONE_SELECTION_YEARS and t.backbone in BACKBONE_PROMOTION:
                nxt, p = BACKBONE_PROMOTION[t.backbone]
                if y - t.birth_year >= 28 and school.stage != "teaching_point" and rng.random() < p:
                    t.backbone = nxt
            if t.level == "V" and t.subject == "specialty" and not t.dual_qualified:
                t.dual_qualified = bool(rng.random() < DUAL_QUALIFIED[2])
            t.training = _clamp(t.training + rng.uniform(-15, 35), TRAINING_HOURS[2])
            t.last_post = (t.school_id, t.years_at_school)
            stay.append(t)
        self.active = stay

    def rotate(self, needs: dict[tuple[str, str], int]) -> None:
        """Exchange rotation (第6条, QB-G11): a few teachers a year move to another school of their level."""
        rng = self.rng
        posts: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (sid, level), n in needs.items():
            if n > 0:
                posts[level].append((sid, n))
        for t in self.active:
            p = ROTATION_RATE[1] if t.years_at_school >= ROTATION_ELIGIBLE_YEARS else ROTATION_RATE[0]
            if rng.random() >= p or len(posts[t.level]) < 2:
                continue
            options = [(sid, n) for sid, n in posts[t.level] if sid != t.school_id]
            weights = np.array([n for _, n in options], dtype=float)
            t.school_id = options[int(rng.choice(len(options), p=weights / weights.sum()))][0]
            t.years_at_school = 0

    def balance(self, needs: dict[tuple[str, str], int], y: int) -> None:
        """Surplus posts redeployed to schools short of teachers of the same level; the rest hired."""
        rng = self.rng
        by_post: dict[tuple[str, str], list[_Teacher]] = defaultdict(list)
        for t in self.active:
            by_post[(t.school_id, t.level)].append(t)
        spare: dict[str, list[_Teacher]] = defaultdict(list)
        for post in sorted(by_post):
            staff = by_post[post]
            need = needs.get(post, 0)
            limit = need + int(need * SURPLUS_TOLERANCE)
            if len(staff) > limit:
                order = sorted(rng.permutation(len(staff)), key=lambda i: staff[i].education == "doctorate")
                for i in order[: len(staff) - limit]:
                    spare[post[1]].append(staff[int(i)])
                by_post[post] = [staff[int(i)] for i in order[len(staff) - limit :]]
        for post in sorted(needs):
            sid, level = post
            have = len(by_post[post])
            while have < needs[post]:
                if spare[level]:
                    t = spare[level].pop()
                    t.school_id, t.years_at_school = sid, 0
                else:
                    self.hire(sid, level, y)
                have += 1
        leaving = {id(t) for ts in spare.values() for t in ts}
        self.active = [t for t in self.active if id(t) not in leaving]
        for t in self.active:  # rotated out and redeployed back: never left
            if t.last_post is not None and t.last_post[0] == t.school_id:
                t.years_at_school = t.last_post[1]


def _simulate_teachers(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> list[dict[str, Any]]:
    load = _school_pupils(classes)
    staff = _Staffing(rng, schools)
    rows: list[dict[str, Any]] = []
    for y in YEARS:
        needs = staff.needs(y, load)
        if y == FIRST_YEAR:
            for (sid, level), n in sorted(needs.items()):
                for _ in range(n):
                    staff.hire(sid, level, y, initial=True)
            staff.qualify_specialty_teachers(DUAL_QUALIFIED[0])
        else:
            staff.age_one_year(y)
            staff.rotate(needs)
            staff.balance(needs, y)
        if y in DOCTORATE_HIRES:
            staff.hire(staff.by_name[DOCTORATE_HIRES[y]].school_id, "H", y, education="doctorate")
        rows += [t.row(y) for t in sorted(staff.active, key=lambda t: t.teacher_id)]
    return rows


# ====================================================================================== school years


def _school_year_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> list[dict[str, Any]]:
    load = _school_pupils(classes)
    project_seats = _project_seats(schools)
    rows = []
    for s in schools:
        years = [y for y in YEARS if s.open_in(y) and (s.school_id, y) in load]
        if not years:
            continue
        first = _level_load(load[(s.school_id, years[0])])
        base_seats = _base_seats(rng, s, first, project_seats)
        facility = _Facilities(rng, s, first, base_seats)
        boarding_share = {lv: _between(rng, b) for lv, b in BOARDING_SHARE.items()}
        for y in years:
            grades = load[(s.school_id, y)]
            levels = _level_load(grades)
            pupils = sum(p for p, _ in levels.values())
            n_classes = sum(c for _, c in levels.values())
            seats = base_seats + sum(
                n for end, n in project_seats.get(s.school_id, []) if s.opened_year <= FIRST_YEAR and end <= y
            )
            area, sports, equipment, rooms = facility.year(y, pupils, n_classes, levels)
            boarders = _boarders(s, grades, boarding_share)
            rows.append(
                {
                    "school_id": s.school_id,
                    "year": y,
                    "seats": int(seats),
                    "teaching_area_m2": area,
                    "sports_area_m2": sports,
                    "equipment_value": equipment,
                    "multimedia_classrooms": rooms,
                    "boarders": boarders,
                    "disabled_pupils": int(rng.poisson(pupils * DISABLED_RATE)) if s.stage != "kindergarten" else 0,
                    "dropouts": _dropouts(rng, levels, y),
                    "public_funding": _public_funding(s, levels, boarders, y),
                }
            )
    return rows


def _project_seats(schools: list[_School]) -> dict[str, list[tuple[int, int]]]:
    """school id → [(end year, seats added)] from the projects."""
    by_name = {s.name: s for s in schools}
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for _pid, _name, school, _stage, seats, _start, end in PROJECTS:
        out[by_name[school].school_id].append((end, seats))
    return out


def _base_seats(
    rng: Rng, s: _School, first: dict[str, tuple[int, int]], project_seats: dict[str, list[tuple[int, int]]]
) -> int:
    """Seats a school had when the series starts: a new school's project seats, else a multiple of pupils."""
    if s.opened_year > FIRST_YEAR:
        seats = sum(n for end, n in project_seats.get(s.school_id, []) if end <= s.opened_year)
        if seats:
            return seats
    pupils = sum(p for p, _ in first.values())
    if s.stage == "kindergarten":
        kind = "kindergarten"
    elif s.urban and s.stage in ("primary", "junior", "complete_secondary", "nine_year"):
        kind = "urban_compulsory"
    elif not s.urban:
        kind = "rural"
    else:
        kind = "other"
    classrooms = sum(c for _, c in first.values()) * SEATS_PER_CLASSROOM
    return max(int(round(pupils * _between(rng, SEATS_PER_PUPIL[kind]), -1)), classrooms)


class _Facilities:
    """A school's floor areas, equipment and multimedia rooms; weak items are upgraded over the years."""

    def __init__(self, rng: Rng, s: _School, first: dict[str, tuple[int, int]], seats: int) -> None:
        self.rng = rng
        pupils = max(sum(p for p, _ in first.values()), 1)
        if s.opened_year > FIRST_YEAR:
            pupils = max(pupils, seats)  # new schools are built for their seats
        std = np.zeros(4)
        for level, (p, _c) in first.items():
            std += np.array(FACILITY_STANDARD[level]) * p
        std /= max(sum(p for p, _ in first.values()), 1)
        ratio = np.array([self._ratio() for _ in range(4)])
        if s.opened_year > FIRST_YEAR:
            ratio = np.maximum(ratio, 1.1)
        self.std = std
        self.area = float(pupils * std[0] * ratio[0])
        self.sports = float(pupils * std[1] * ratio[1])
        self.equipment = float(pupils * std[2] * ratio[2])
        self.rooms_per_class = float(ratio[3] * std[3] / 100 * 45)

    def _ratio(self) -> float:
        share, weak = WEAK_FACILITY
        return _between(self.rng, weak if self.rng.random() < share else FACILITY_RATIO)

    def year(
        self, y: int, pupils: int, n_classes: int, levels: dict[str, tuple[int, int]]
    ) -> tuple[float, float, float, int]:
        if y > FIRST_YEAR:
            chance, bounds = FACILITY_UPGRADE
            if pupils and self.area / pupils < self.std[0] and self.rng.random() < chance:
                self.area *= _between(self.rng, bounds)
            if pupils and self.sports / pupils < self.std[1] and self.rng.random() < chance:
                self.sports *= _between(self.rng, bounds)
            self.equipment *= EQUIPMENT_GROWTH
            if pupils and self.equipment / pupils < self.std[2] and self.rng.random() < chance:
                self.equipment *= _between(self.rng, bounds)
            if self.rooms_per_class * n_classes / max(pupils, 1) * 100 < self.std[3] and self.rng.random() < chance:
                self.rooms_per_class *= _between(self.rng, bounds)
        rooms = max(1, round(self.rooms_per_class * n_classes))
        return round(self.area, 1), round(self.sports, 1), round(self.equipment, -2), int(rooms)


def _boarders(s: _School, grades: dict[str, list[int]], share: dict[str, float]) -> int:
    if not s.boarding:
        return 0
    total = 0.0
    for g, sizes in grades.items():
        level = g[0]
        if level == "K" or (level == "P" and g < "P4"):
            continue  # boarding starts in grade 4 (第5条: upper grades move to the central school)
        total += sum(sizes) * share[level]
    return round(total)


def _dropouts(rng: Rng, levels: dict[str, tuple[int, int]], y: int) -> int:
    rate = {lv: r * DROPOUT_DECLINE ** (y - FIRST_YEAR) for lv, r in DROPOUT_RATE.items()}
    return int(sum(rng.poisson(p * rate[lv]) for lv, (p, _c) in levels.items()))


def _public_funding(s: _School, levels: dict[str, tuple[int, int]], boarders: int, y: int) -> float | None:
    """生均公用经费 received (第22条, 第5条); non-inclusive private kindergartens receive none."""
    if s.stage == "kindergarten":
        if s.ownership == "public":
            return float(levels["K"][0] * FUNDING_BASE["K"])
        return float(levels["K"][0] * INCLUSIVE_PRIVATE_KG_FUNDING) if s.inclusive else 0.0
    total = 0.0
    for level, (pupils, _c) in levels.items():
        if level in ("P", "J"):
            funded = max(pupils, FUNDED_MINIMUM[level]) if not s.urban and s.ownership == "public" else pupils
            total += funded * FUNDING_BASE[level] * FUNDING_FACTOR[y]
        else:
            total += pupils * FUNDING_BASE[level]
    return round(total + boarders * BOARDER_SUPPLEMENT, 2)


# ====================================================================================== projects


def _project_status(start: int, end: int) -> str:
    if end <= LAST_YEAR:
        return "done"
    return "building" if start <= LAST_YEAR else "planned"


def _project_rows(schools: list[_School]) -> list[dict[str, Any]]:
    by_name = {s.name: s for s in schools}
    return [
        {
            "project_id": pid,
            "name": name,
            "school_id": by_name[school].school_id,
            "stage": stage,
            "seats_added": seats,
            "start_year": start,
            "end_year": end,
            "status": _project_status(start, end),
        }
        for pid, name, school, stage, seats, start, end in PROJECTS
    ]


# ====================================================================================== admissions


def _programme_rows(schools: list[_School], classes: dict[tuple[str, int, str], list[int]]) -> list[dict[str, Any]]:
    """General programmes of the high schools and the vocational school's majors, quotas from grade 1."""
    by_name = {s.name: s for s in schools}
    vocational = next(s for s in schools if s.stage == "vocational")
    rows = []
    for y in YEARS:
        for pid, school_name, share in GENERAL_PROGRAMMES:
            school = by_name[school_name]
            h1 = sum(classes.get((school.school_id, y, "H1"), []))
            if not school.open_in(y) or not h1:
                continue
            rows.append(
                {
                    "programme_id": pid,
                    "year": y,
                    "school_id": school.school_id,
                    "track": "general",
                    "quota": round(h1 * share),
                    "quota_to_schools": _quota_to_schools(pid, y),
                }
            )
        v1 = sum(classes.get((vocational.school_id, y, "V1"), []))
        majors = [(pid, w) for pid, _major, w, first in VOCATIONAL_PROGRAMMES if first <= y]
        total_w = sum(w for _, w in majors)
        for pid, w in majors:
            rows.append(
                {
                    "programme_id": pid,
                    "year": y,
                    "school_id": vocational.school_id,
                    "track": "vocational",
                    "quota": round(v1 * w / total_w),
                    "quota_to_schools": None,
                }
            )
    return rows


def _quota_to_schools(pid: str, y: int) -> float | None:
    if pid in SPECIALTY_PROGRAMMES:
        return None
    return QUOTA_TO_SCHOOLS[pid][y]


def _candidate_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]], programmes: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    """Junior graduates of each year (≈ the J3 pupils), their exam, quality grade and choices (columns)."""
    mean, sd, urban_bonus, school_sd, clip = EXAM_SCORE
    school_effect = {s.school_id: rng.normal(0, school_sd) + (urban_bonus if s.urban else 0) for s in schools}
    choice_names = [f"choice_{k}" for k in range(1, N_CHOICES + 1)]
    cols: dict[str, list[Any]] = {
        name: []
        for name in [
            "candidate_id",
            "year",
            "junior_school_id",
            "took_exam",
            "exam_score",
            "quality_grade",
            *choice_names,
        ]
    }
    for y in YEARS:
        general = [p["programme_id"] for p in programmes if p["year"] == y and p["track"] == "general"]
        majors = [p["programme_id"] for p in programmes if p["year"] == y and p["track"] == "vocational"]
        graduates = [
            (s.school_id, round(sum(classes[(s.school_id, y, "J3")]) * GRADUATION_RATE))
            for s in schools
            if (s.school_id, y, "J3") in classes
        ]
        sids = [sid for sid, n in graduates for _ in range(n)]
        n = len(sids)
        took = rng.random(n) < TOOK_EXAM
        score = np.clip(rng.normal(mean, sd, n) + np.array([school_effect[s] for s in sids]), *clip).round()
        grades = _quality_grades(rng, score)
        percentile = (np.argsort(np.argsort(score, kind="stable"), kind="stable") + 0.5) / n
        n_choices = rng.choice([c for c, _ in CHOICE_COUNTS], size=n, p=[p for _, p in CHOICE_COUNTS])
        coin = rng.random((n, 3))
        voc_order = np.argsort(rng.random((n, len(majors))), axis=1)
        cols["candidate_id"] += [f"C{y}{i:05d}" for i in range(1, n + 1)]
        cols["year"] += [y] * n
        cols["junior_school_id"] += sids
        cols["took_exam"] += took.tolist()
        cols["exam_score"] += [float(v) if t else None for v, t in zip(score, took, strict=True)]
        cols["quality_grade"] += [g if t else None for g, t in zip(grades, took, strict=True)]
        for i in range(n):
            choices = _choices(bool(took[i]), float(percentile[i]), coin[i], general, [majors[j] for j in voc_order[i]])
            padded: list[str | None] = [*choices[: int(n_choices[i])]]
            padded += [None] * (N_CHOICES - len(padded))
            for name, c in zip(choice_names, padded, strict=True):
                cols[name].append(c)
    return cols


def _quality_grades(rng: Rng, score: np.ndarray) -> list[str]:
    """综合素质评价 A–D by rank of a noisy score (A 30%, B 45%, C 20%, D 5%)."""
    z = (score - score.mean()) / (score.std() or 1.0) + rng.normal(0, 0.8, len(score))
    rank = np.argsort(np.argsort(-z, kind="stable"), kind="stable") / max(len(score), 1)
    cuts = np.cumsum([p for _, p in QUALITY_GRADES])[:-1]
    letters = np.array([g for g, _ in QUALITY_GRADES], dtype=object)
    return list(letters[np.searchsorted(cuts, rank, side="right")])


def _choices(took: bool, percentile: float, coin: np.ndarray, general: list[str], majors: list[str]) -> list[str]:
    """Choices in order: strong candidates aim at 南丰一中, middling ones at the other high schools,
    the rest (and everyone without the exam, 第7条) at vocational majors."""
    regular = [p for p in general if p not in SPECIALTY_PROGRAMMES]
    top, others = regular[:1], regular[1:]
    if coin[0] < 0.5:
        others = others[::-1]
    if not took:
        return majors
    if coin[2] < 0.03 and len(general) > len(regular):
        return [p for p in general if p in SPECIALTY_PROGRAMMES] + regular + majors
    if percentile >= 0.55:
        return top + others + majors
    if percentile >= 0.25:
        return (top + others if coin[1] < 0.3 else others) + majors
    return (others[:1] if coin[1] < 0.3 else []) + majors


# ====================================================================================== finance


def _finance_rows(
    rng: Rng,
    teachers: list[dict[str, Any]],
    school_years: list[dict[str, Any]],
    communities: list[_Community],
    public_schools: set[str],
) -> list[dict[str, Any]]:
    """County finance items (POLICY.md 第17, 20–23, 34条); money in yuan, growth as a fraction."""
    registered = sum(c.registered_residents for c in communities)
    pay: dict[int, list[float]] = defaultdict(list)
    for r in teachers:
        if r["school_id"] in public_schools:  # 第21条 compares public teachers' pay
            pay[r["year"]].append(r["annual_salary"])
    funding: dict[int, float] = defaultdict(float)
    for r in school_years:
        funding[r["year"]] += r["public_funding"] or 0.0
    rows: list[dict[str, Any]] = []
    fiscal = FISCAL_REVENUE_2019
    previous_fiscal = FISCAL_REVENUE_2018
    general_edu = GENERAL_EDU_2019
    for y in YEARS:
        if y > FIRST_YEAR:
            previous_fiscal = fiscal
            fiscal *= 1 + FISCAL_GROWTH[y]
            general_edu *= 1 + PROVINCE_EDU_GROWTH[y] + COUNTY_EDU_GROWTH_GAP[y]
        teacher_pay = float(np.mean(pay[y]))
        items = {
            "fiscal_revenue_total": fiscal,
            "general_budget_revenue": fiscal * GENERAL_BUDGET_SHARE * rng.uniform(0.98, 1.02),
            "education_expenditure": general_edu / GENERAL_EDU_SHARE,
            "general_budget_education_expenditure": general_edu,
            "province_education_expenditure_growth": PROVINCE_EDU_GROWTH[y],
            "civil_servant_avg_salary": teacher_pay * CIVIL_SERVANT_PAY_RATIO[y],
            "teacher_avg_salary": teacher_pay,
            "informatization_spending": INFORMATIZATION[y],
            "supervision_funds": SUPERVISION_FUNDS[y],
            "teacher_training_spending": funding[y] * _between(rng, TRAINING_SHARE_OF_FUNDING),
            "education_foundation": previous_fiscal * EDUCATION_FOUNDATION_RATE * FOUNDATION_SHORTFALL.get(y, 1.0),
            "community_education_funds": registered * COMMUNITY_EDU_PER_REGISTERED[y],
            "temporary_staff_wages": TEMPORARY_STAFF_WAGES.get(y, TEMPORARY_STAFF_WAGES_DEFAULT),
            "special_funds": SPECIAL_FUNDS,
        }
        for item, amount in items.items():
            digits = 4 if item == "province_education_expenditure_growth" else 2
            rows.append({"year": y, "item": item, "amount": round(float(amount), digits)})
    # Added with the funding rules (三个增长): after every other row, so those rows keep their places.
    total = {r["year"]: r["amount"] for r in rows if r["item"] == "fiscal_revenue_total"}
    for y in YEARS:
        rows.append({"year": y, "item": "regular_fiscal_revenue", "amount": round(total[y] * REGULAR_REVENUE_SHARE, 2)})
    return rows


# ====================================================================================== after school


def _after_school_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> list[dict[str, Any]]:
    """第30条 ledger of the public primary, junior and nine-year schools, autumn and spring terms.

    Fees are collected at the approved standard, paid into the treasury in full and mostly returned;
    teachers are paid by hours. Four rows break one rule each, so the ledger's checks show something:
    fees not all paid in, more returned than paid in, a fee above the standard, more participants
    than pupils."""
    enrolled: dict[tuple[str, int], int] = defaultdict(int)
    for (sid, y, g), sizes in classes.items():
        if g[0] in ("P", "J"):
            enrolled[(sid, y)] += sum(sizes)
    rows: list[dict[str, Any]] = []
    for s in schools:
        if s.ownership != "public" or s.stage not in ("primary", "junior", "nine_year"):
            continue
        kind = "urban" if s.urban else "rural"
        for y in YEARS:
            n = enrolled.get((s.school_id, y), 0)
            if y < AFTER_SCHOOL_FIRST_YEAR or n == 0:
                continue
            for term in ("autumn", "spring"):
                fee = AFTER_SCHOOL_FEE[kind]
                participants = round(n * _between(rng, AFTER_SCHOOL_UPTAKE[kind]))
                collected = participants * fee
                hours = math.ceil(participants / AFTER_SCHOOL_GROUP) * AFTER_SCHOOL_HOURS_PER_GROUP
                returned = round(collected * _between(rng, AFTER_SCHOOL_RETURNED), 2)
                subsidy = min(round(hours * _between(rng, AFTER_SCHOOL_PAY_PER_HOUR), 2), returned)
                rows.append(
                    {
                        "school_id": s.school_id,
                        "year": y,
                        "term": term,
                        "fee_standard": fee,
                        "fee_charged": fee,
                        "participants": participants,
                        "collected": float(collected),
                        "paid_in": float(collected),
                        "returned": returned,
                        "teacher_hours": float(hours),
                        "teacher_subsidy": subsidy,
                        "note": None,
                    }
                )
    _after_school_breaches(rows, enrolled)
    return rows


def _after_school_breaches(rows: list[dict[str, Any]], enrolled: dict[tuple[str, int], int]) -> None:
    """One deliberate breach of each 第30条 check, at fixed places of the ledger."""
    if len(rows) < 8:
        return
    a, b, c, d = rows[len(rows) // 5], rows[2 * len(rows) // 5], rows[3 * len(rows) // 5], rows[4 * len(rows) // 5]
    a["paid_in"] = round(a["collected"] - 1200.0, 2)  # 1,200 yuan kept back: not all paid in
    a["returned"] = min(a["returned"], a["paid_in"])
    a["note"] = "部分收费未及时上缴 (synthetic breach)"
    b["returned"] = round(b["paid_in"] + 3000.0, 2)  # more returned than paid in
    b["note"] = "返还金额超过缴入金额 (synthetic breach)"
    c["fee_charged"] = c["fee_standard"] + 50.0  # above the approved standard
    c["collected"] = c["paid_in"] = float(c["participants"] * c["fee_charged"])
    c["note"] = "超标准收费 (synthetic breach)"
    d["participants"] = enrolled[(d["school_id"], d["year"])] + 12  # more participants than pupils
    d["note"] = "参加人数超过在校生数 (synthetic breach)"


# ====================================================================================== tasks


def _task_rows() -> list[dict[str, Any]]:
    return [
        {
            "task_id": f"TK{i:02d}",
            "clause": clause,
            "title": title,
            "owner": owner,
            "due_year": due,
            "status": status,
            "evidence": evidence,
        }
        for i, (clause, title, owner, due, status, evidence) in enumerate(TASKS, start=1)
    ]


__all__ = ["SYNTHETIC_LABEL", "generate"]

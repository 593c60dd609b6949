"""The demo county's school building projects (第4条 names the first seven and their seats)."""

from __future__ import annotations

from typing import Any

from countyedu.census.demo.county import LAST_YEAR
from countyedu.census.demo.schools import _School

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

"""The demo's registers (issue 16 items 2 and 4): the private-school register (民办学校, 第16条) for the
school years 2023–2025 and the housing-development register (住宅项目, 第2、19条) of the county seat.

Every private school open in a year has a row: its licence, classification, sponsor, annual
inspection, fee standard and approval, staff (its teachers that year) with contracts and social
insurance, and — for kindergartens — the 普惠 recognition the schools sheet gives (so the PP and
T-PRE numbers stay as they were) with its subsidy (第3条). A few rows are made to be flagged: a
licence that expired, one that expires within weeks of the end of 2025, a failed and a missing
inspection, staff without insurance, a fee not approved, a recognition that runs out.

The housing projects are 琴城镇's estates (names invented) and their 小区配套园: handed over as
public, as 普惠, late, not yet, or as a non-inclusive private kindergarten; one plan requires no
kindergarten though it is over 1,200 households. Names, dates and numbers are invented. Nothing is
drawn from the generator: the rest of the demo stays as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from countyedu.census.demo.schools import _School

REGISTER_YEARS = (2023, 2024, 2025)
SPONSORS = ("南丰县育英教育咨询有限公司", "江西桔乡教育投资有限公司", "抚州市启明教育发展中心", "个人举办")
# kindergarten fee per term (yuan): 普惠 ones are capped by the price authority (assumed figures)
INCLUSIVE_FEE, OTHER_KG_FEE, SCHOOL_FEE = 1600.0, 3200.0, 5800.0
SUBSIDY_PER_CLASS = 12000.0  # yuan a year (assumed)


def _private_row(i: int, s: _School, year: int, staff: int) -> dict[str, Any]:
    kg = s.stage == "kindergarten"
    expiry_year = 2027 + i % 3
    row: dict[str, Any] = {
        "school_id": s.school_id,
        "year": year,
        "licence_no": f"教民136102{3 if kg else 1}{i + 1:04d}号",
        "licence_expiry": f"{expiry_year}-08-31",
        "classification": "for_profit" if kg and not s.inclusive and i % 2 else "non_profit",
        "sponsor": SPONSORS[i % len(SPONSORS)],
        "inspection_result": "pass",
        "inspection_date": f"{year}-11-{10 + i % 15:02d}",
        "fee_standard": (INCLUSIVE_FEE if s.inclusive else OTHER_KG_FEE) if kg else SCHOOL_FEE,
        "fee_approved": True,
        "fee_approval_no": f"丰发改价字〔{year}〕{20 + i}号",
        "staff": staff,
        "staff_contracted": staff,
        "staff_insured": staff,
        "inclusive": bool(kg and s.inclusive),
        "inclusive_until": "2026-08-31" if kg and s.inclusive else None,  # recognised for 2023–2025
        "subsidy": SUBSIDY_PER_CLASS * max(3, staff // 3) if kg and s.inclusive else None,
    }
    return row


def _flagged(rows: list[dict[str, Any]]) -> None:
    """Make the rows a register really shows flagged (in the last year, by position)."""
    last = [r for r in rows if r["year"] == REGISTER_YEARS[-1]]
    if len(last) < 6:
        return
    last[0]["licence_expiry"] = "2025-08-31"  # expired before the end of 2025
    last[1]["licence_expiry"] = "2026-01-31"  # expires within weeks
    last[2]["inspection_result"] = "fail"
    last[3]["inspection_result"], last[3]["inspection_date"] = None, None  # not inspected yet
    last[4]["staff_insured"] = max(0, last[4]["staff"] - 4)
    last[4]["staff_contracted"] = max(0, last[4]["staff"] - 1)
    last[5]["fee_approved"], last[5]["fee_approval_no"] = False, None
    for r in last:  # a recognition that ran out in the summer and was not renewed
        if r["inclusive"]:
            r["inclusive_until"] = "2025-08-31"
            break


def _private_rows(schools: Sequence[_School], teachers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The private-school register, 2023–2025."""
    staff = Counter((t["school_id"], t["year"]) for t in teachers)
    private = [s for s in schools if s.ownership == "private"]
    rows = [
        _private_row(i, s, y, staff[(s.school_id, y)] + 2)  # teachers and two other staff
        for y in REGISTER_YEARS
        for i, s in enumerate(private)
        if s.open_in(y)
    ]
    _flagged(rows)
    return rows


# name, community, households, facility, classes, facility school (by name), permit, facility start,
# facility due, housing accepted, facility accepted, handover, handed to
HOUSING: tuple[tuple[Any, ...], ...] = (
    (
        "桔都花园",
        "桔都东路",
        1250,
        "kindergarten",
        6,
        "桔都花园幼儿园(民办)",
        "2014-04-20",
        "2015-03-01",
        "2017-06-30",
        "2016-12-28",
        "2016-12-20",
        "2017-03-01",
        "inclusive",
    ),
    (
        "琴湖名苑",
        "琴湖路",
        1350,
        "kindergarten",
        6,
        "琴湖名苑幼儿园",
        "2017-05-10",
        "2018-03-15",
        "2020-06-30",
        "2019-12-20",
        "2019-12-10",
        "2020-06-20",
        "public",
    ),
    (
        "盱江首府",
        "沿江路",
        1620,
        "kindergarten",
        9,
        "盱江首府幼儿园",
        "2019-03-18",
        "2020-04-01",
        "2021-12-31",
        "2021-11-26",
        "2022-05-16",
        "2022-06-30",
        "public",
    ),  # late, housing accepted first
    (
        "琴台雅苑",
        "琴台路",
        1280,
        "none",
        None,
        None,
        "2019-09-02",
        None,
        None,
        "2022-10-30",
        None,
        None,
        None,
    ),  # over 1,200 households, no kindergarten planned
    (
        "国安华府",
        "国安路",
        1460,
        "kindergarten",
        6,
        None,
        "2020-06-08",
        "2021-05-10",
        "2023-08-31",
        "2023-06-18",
        "2023-06-10",
        "2023-08-25",
        "private",
    ),  # run as a non-普惠 private one
    (
        "朝先新城",
        "朝先",
        2600,
        "kindergarten_primary",
        36,
        "朝先学校",
        "2021-08-16",
        "2022-03-01",
        "2024-08-15",
        "2024-06-28",
        "2024-06-20",
        "2024-08-10",
        "public",
    ),
    (
        "沿江壹号",
        "沿江路",
        1100,
        "kindergarten",
        6,
        None,
        "2022-04-11",
        "2023-09-01",
        "2025-06-30",
        "2024-12-28",
        None,
        None,
        None,
    ),  # housing accepted, kindergarten not built
    (
        "美好家园",
        "桔都东路",
        3800,
        "nine_year",
        45,
        "美好家园学校",
        "2021-10-09",
        "2022-09-01",
        "2025-08-31",
        "2025-06-30",
        "2025-06-25",
        "2025-08-28",
        "public",
    ),  # no kindergarten for 3,800
    ("建设新村", "建设路", 820, "none", None, None, "2020-11-02", None, None, "2022-12-15", None, None, None),
    (
        "桔乡名邸",
        "仓山路",
        2100,
        "kindergarten",
        9,
        None,
        "2024-04-22",
        "2024-10-08",
        "2026-08-31",
        None,
        None,
        None,
        None,
    ),  # under construction, on time
)
DEVELOPERS = ("南丰县城投置业有限公司", "江西桔都房地产开发有限公司", "抚州盱江置业有限公司")


def _housing_rows(schools: Sequence[_School], community_ids: dict[str, str]) -> list[dict[str, Any]]:
    """The housing-development register of 琴城镇."""
    by_name = {s.name: s.school_id for s in schools}
    rows = []
    for i, h in enumerate(HOUSING):
        name, place, households, facility, classes, school, *dates, handed_to = h
        permit, start, due, housing_ok, facility_ok, handover = dates
        rows.append(
            {
                "project_id": f"HP{i + 1:02d}",
                "name": name,
                "developer": DEVELOPERS[i % len(DEVELOPERS)],
                "township_id": "NF01",
                "community_id": community_ids[place],
                "households": households,
                "facility": facility,
                "facility_classes": classes,
                "facility_school_id": by_name[school] if school else None,
                "permit_date": permit,
                "facility_start": start,
                "facility_due": due,
                "housing_acceptance": housing_ok,
                "facility_acceptance": facility_ok,
                "handover_date": handover,
                "handed_to": handed_to,
            }
        )
    return rows

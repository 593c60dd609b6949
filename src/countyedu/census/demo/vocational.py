"""The demo county's vocational records (第12、13、15条; issue 16 item 3), all invented: the
vocational school's majors with their students per year (its V1–V3 classes shared among the majors
open when each cohort entered, the admission programmes' shares), graduates' destinations, partner
enterprises, order classes, work placements and the learning outcomes its credit bank records (1+X
and skill certificates, trainings, awards). Drawn from their own generator (seed + 1213): every other
sheet stays as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from countyedu.census.demo.admissions import VOCATIONAL_PROGRAMMES
from countyedu.census.demo.county import YEARS, Rng, _ramp
from countyedu.census.demo.schools import _School

VOCATIONAL_SEED_OFFSET = 1213
CATEGORY = {
    "ZZ01": "preschool_education",
    "ZZ02": "e_commerce",
    "ZZ03": "car_repair",
    "ZZ04": "machining",
    "ZZ05": "nursing",
    "ZZ06": "elderly_care",
    "ZZ07": "modern_agriculture",
}
# the school's first four majors are older than the policy; 护理 opens 2020, 老年服务 2021, 现代农艺 2022 (第12条)
FIRST_YEAR = {"ZZ01": 1990, "ZZ02": 1990, "ZZ03": 1990, "ZZ04": 1990}
GRADUATION = 0.96  # of a V3 class graduates
EMPLOYED = (0.60, 0.66)  # of the graduates, 2019 → 2025
FURTHER_STUDY = 0.75  # of the others (高职 and 本科 through 对口升学)
LOCAL = (0.36, 0.58)  # of the employed, in the county (第15条 subsidies)
# partner enterprises: id, name, industry, in the county, agreement signed, ended
ENTERPRISES = (
    ("E01", "南丰县康宁医院", "health", True, "2020-09-01", None),
    ("E02", "琴城颐养院", "elderly_care", True, "2021-03-15", None),
    ("E03", "南丰蜜桔产业园专业合作社", "agriculture", True, "2019-10-10", None),
    ("E04", "桔乡电子商务有限公司", "commerce", True, "2019-11-20", None),
    ("E05", "盱江汽车服务有限公司", "automotive", True, "2019-09-20", None),
    ("E06", "琴湖精密机械有限公司", "manufacturing", True, "2020-04-01", None),
    ("E07", "童乐幼教管理有限公司", "education", True, "2019-09-01", None),
    ("E08", "抚州恒通汽车销售服务有限公司", "automotive", False, "2021-05-10", None),
    ("E09", "南昌华信数控设备有限公司", "manufacturing", False, "2019-12-01", "2023-06-30"),
    ("E10", "厦门海泰电子有限公司", "manufacturing", False, "2022-03-01", None),
    ("E11", "江西康养健康服务有限公司", "health", False, "2023-09-01", None),
    ("E12", "南丰桔都物流有限公司", "services", True, "2024-03-01", None),
)
# where each major's pupils do their work placement (in turn)
PLACEMENTS = {
    "ZZ01": ("E07",),
    "ZZ02": ("E04", "E12"),
    "ZZ03": ("E05", "E08"),
    "ZZ04": ("E06", "E10"),
    "ZZ05": ("E01", "E11"),
    "ZZ06": ("E02",),
    "ZZ07": ("E03",),
}
# order classes (订单班, 第15条): id, major, enterprise, entry year, pupils, jobs promised
ORDER_CLASSES = (
    ("OC2001", "ZZ05", "E01", 2020, 40, 30),
    ("OC2101", "ZZ06", "E02", 2021, 30, 25),
    ("OC2102", "ZZ03", "E08", 2021, 35, 35),
    ("OC2201", "ZZ05", "E01", 2022, 45, 30),
    ("OC2202", "ZZ07", "E03", 2022, 25, 20),
    ("OC2301", "ZZ02", "E04", 2023, 40, 30),
    ("OC2401", "ZZ06", "E02", 2024, 35, 30),
    ("OC2402", "ZZ05", "E11", 2024, 40, 40),
    ("OC2501", "ZZ01", "E07", 2025, 30, 25),
)
PLACEMENT_YEARS = (2023, 2024, 2025)  # V3's autumn work placements, recorded since the register began
OVER_LIMIT = 0.03  # placements kept on past six months (flagged)
# the 1+X certificate (and a skill certificate) of each major, and the shares of its pupils who get them
X_CERTIFICATE = {
    "ZZ01": "幼儿照护",
    "ZZ02": "网店运营推广",
    "ZZ03": "汽车运用与维修",
    "ZZ04": "数控车铣加工",
    "ZZ05": "母婴护理",
    "ZZ06": "老年照护",
    "ZZ07": "农产品电商运营",
}
SKILL_CERTIFICATE = {"ZZ01": "保育员", "ZZ06": "养老护理员", "ZZ05": "养老护理员"}
X_ELEMENTARY, X_INTERMEDIATE, SKILL, AWARD = 0.55, 0.25, 0.35, 0.02
NO_RULE = ("ZZ02", "直播电商", 0.05)
TRAINING = ("ZZ07", "蜜桔种植技术培训", (8, 56))  # hours
COMPETITIONS = ("抚州市中职学校技能大赛", "江西省职业院校技能大赛")
OUTCOMES_UNTIL = "2025-12-31"  # the demo's records stop here


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` shared by weights, largest remainders (sums to total)."""
    if not weights:
        return []
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def vocational_rows(
    rng: Rng, schools: list[_School], classes: dict[tuple[str, int, str], list[int]]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of the majors, enterprises, order_classes, internships and learning_outcomes sheets."""
    school = next(s for s in schools if s.stage == "vocational")
    sid = school.school_id
    names = {pid: name for pid, name, _w, _first in VOCATIONAL_PROGRAMMES}
    weight = {pid: w for pid, _name, w, _first in VOCATIONAL_PROGRAMMES}
    first = {pid: FIRST_YEAR.get(pid, f) for pid, _name, _w, f in VOCATIONAL_PROGRAMMES}

    def cohort(y: int, grade: int) -> dict[str, int]:
        """The V{grade} pupils of year y per major open when they entered."""
        entry = y - grade + 1
        majors = [m for m in names if first[m] <= entry]
        total = sum(classes.get((sid, y, f"V{grade}"), []))
        return dict(zip(majors, _split(total, [weight[m] for m in majors]), strict=True))

    majors: list[dict[str, Any]] = []
    for y in YEARS:
        per = [cohort(y, g) for g in (1, 2, 3)]
        for m in names:
            enrolled = sum(c.get(m, 0) for c in per)
            if not enrolled:
                continue
            grads = int(rng.binomial(per[2].get(m, 0), GRADUATION)) if per[2].get(m, 0) else None
            row: dict[str, Any] = {
                "school_id": sid,
                "major_id": m,
                "year": y,
                "name": names[m],
                "category": CATEGORY[m],
                "enrolled": enrolled,
                "new_entrants": per[0].get(m, 0),
                "graduates": grads,
                "employed": None,
                "employed_locally": None,
                "further_study": None,
            }
            if grads:
                employed = int(rng.binomial(grads, _ramp(EMPLOYED, y)))
                row["employed"] = employed
                row["further_study"] = int(rng.binomial(grads - employed, FURTHER_STUDY))
                row["employed_locally"] = int(rng.binomial(employed, _ramp(LOCAL, y)))
            majors.append(row)

    enterprises = [
        {
            "enterprise_id": e,
            "name": n,
            "industry": ind,
            "local": local,
            "school_id": sid,
            "agreement_date": start,
            "ended_date": end,
        }
        for e, n, ind, local, start, end in ENTERPRISES
    ]
    order_classes = []
    for oc, m, e, entry, pupils, jobs in ORDER_CLASSES:
        for y in range(entry, entry + 3):
            if y not in YEARS:
                continue
            hired = int(rng.binomial(min(pupils, jobs), 0.85)) if y == entry + 2 else None
            order_classes.append(
                {
                    "order_class_id": oc,
                    "year": y,
                    "school_id": sid,
                    "major_id": m,
                    "enterprise_id": e,
                    "pupils": pupils,
                    "jobs_promised": jobs,
                    "hired": hired,
                }
            )

    internships = []
    for y in PLACEMENT_YEARS:
        v3 = cohort(y, 3)
        for m, n in v3.items():
            places = PLACEMENTS[m]
            for i in range(n):
                start = date(y, 9, 1) + timedelta(days=int(rng.integers(0, 15)))
                months = 7 if rng.random() < OVER_LIMIT else int(rng.integers(4, 7))
                end = date(y + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1, start.day)
                end -= timedelta(days=1)  # the agreement's period (实习协议), planned for this year's
                internships.append(
                    {
                        "pupil_id": _pupil(y - 2, m, i),
                        "year": y,
                        "school_id": sid,
                        "major_id": m,
                        "enterprise_id": places[i % len(places)],
                        "kind": "placement",
                        "start_date": start.isoformat(),
                        "end_date": end.isoformat(),
                    }
                )
        for i in range(cohort(y, 1).get("ZZ07", 0)):  # 现代农艺 first-years visit the tangerine park
            visit = date(y, 11, 12).isoformat()
            internships.append(
                {
                    "pupil_id": _pupil(y, "ZZ07", i),
                    "year": y,
                    "school_id": sid,
                    "major_id": "ZZ07",
                    "enterprise_id": "E03",
                    "kind": "cognitive",
                    "start_date": visit,
                    "end_date": visit,
                }
            )

    outcomes: list[dict[str, Any]] = []

    def add(pupil: str, m: str, kind: str, name: str, level: str | None, when: date, hours: float | None) -> None:
        if when.isoformat() <= OUTCOMES_UNTIL:
            outcomes.append(
                {
                    "outcome_id": f"LO{len(outcomes) + 1:05d}",
                    "pupil_id": pupil,
                    "school_id": sid,
                    "major_id": m,
                    "kind": kind,
                    "name": name,
                    "level": level,
                    "date": when.isoformat(),
                    "hours": hours,
                }
            )

    for entry in range(2020, YEARS[-1] + 1):
        for m, n in cohort(entry, 1).items():
            for i in range(n):
                p = _pupil(entry, m, i)
                if m == TRAINING[0]:
                    lo, hi = TRAINING[2]
                    add(p, m, "training", TRAINING[1], None, date(entry + 1, 4, 20), float(rng.integers(lo, hi + 1)))
                if m in SKILL_CERTIFICATE and rng.random() < SKILL:
                    add(p, m, "skill_certificate", SKILL_CERTIFICATE[m], None, date(entry + 1, 6, 10), None)
                if rng.random() < X_ELEMENTARY:  # the December sittings of V2 and V3
                    add(p, m, "x_certificate", X_CERTIFICATE[m], "elementary", date(entry + 1, 12, 15), None)
                    if rng.random() < X_INTERMEDIATE / X_ELEMENTARY:
                        add(p, m, "x_certificate", X_CERTIFICATE[m], "intermediate", date(entry + 2, 12, 15), None)
                if m == NO_RULE[0] and rng.random() < NO_RULE[2]:  # a certificate the bank has no rule for yet
                    add(p, m, "x_certificate", NO_RULE[1], "elementary", date(entry + 2, 6, 20), None)
                if rng.random() < AWARD:
                    award = COMPETITIONS[int(rng.integers(0, len(COMPETITIONS)))]
                    add(p, m, "competition", award, None, date(entry + 2, 4, 28), None)
    return {
        "majors": majors,
        "enterprises": enterprises,
        "order_classes": order_classes,
        "internships": internships,
        "learning_outcomes": outcomes,
    }


def _pupil(entry: int, major: str, i: int) -> str:
    """A pupil's 学籍号 (invented, digits only): entry year, the major's number and the pupil's."""
    return f"{entry}{major[2:]}{i + 1:04d}"

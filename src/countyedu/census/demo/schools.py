"""The demo county's schools: the county seat's (第4条 names the new ones), each rural township's
(第5条), partners and groups (第6条)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from countyedu.census.demo.county import FIRST_YEAR, LEVEL_GRADES, TOWNSHIPS, URBAN_TOWNSHIP, Rng, _between, _jitter
from countyedu.census.demo.geography import _Community
from countyedu.census.schema import GRADES_BY_STAGE

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

"""Backbone teachers and titles (第24、25条; QB-R2; RT's Jiangxi 2018 rule).

- The backbone register: every teacher holding a backbone level in the year, with the year the
  level was named (the first year of the teacher's unbroken run at that level in the census; a run
  that starts in the census's first year was named then or before) and whether the teacher is due
  for review: the county selects backbone teachers every 3–5 years (第24条), parameter
  `review_years` (default 3).
- Per school: county-level-or-higher backbone teachers, their share of the full-time teachers and
  per 100 pupils (QB-R2, ≥ 1.0), and the schools with none.
- Titles (职称) against the post structure (岗位结构比例, 第25条): per school, the posts of each title
  band are the band's share (parameter `post_ratios` by kind of school) of its full-time teachers,
  rounded down; holders of a band beyond its posts are 已评未聘 (titled, not appointed).
- The rural-service rule (Jiangxi 2018): a teacher applying for a senior title (高级) needs ≥ 1 year
  (`rural_years`) at a rural or weak school (`weak_schools`, ids). Candidates are the holders of 一级;
  their years are counted from the census (each year at a rural or weak school, and the years at
  school before the census's first year when that school was rural or weak).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.census.schema import CODE_ALIASES, CODES
from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, Num
from countyedu.policy.pack import Pack
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding
from countyedu.teachers.qualifications import over_defaults

CLAUSE_BACKBONE = "第24条; QB-R2"
CLAUSE_TITLES = "第25条"
CLAUSE_RURAL = "RT"
TITLES = tuple(CODES["title"])  # senior_full 正高级, senior 高级, first 一级, second 二级, third 三级, unrated 未定级
# a title as written (a code, its label, a full name such as 中学高级教师) → its code
_TITLE_WORDS = {**{v: k for k, v in CODES["title"].items()}, **CODE_ALIASES["title"], **{k: k for k in TITLES}}
COUNTY_OR_HIGHER = ("county", "city", "province", "national")

DEFAULTS: dict[str, Any] = {
    # 第24条: backbone teachers and subject leaders are selected every 3–5 years
    "review_years": 3,
    # QB-R2: county-level-or-higher backbone teachers per 100 pupils
    "backbone_per_100": 1.0,
    # 第25条 post structure (岗位结构比例) by kind of school: the largest share of senior and 一级 posts
    "post_ratios": {
        "kindergarten": {"senior": 0.10, "first": 0.45},
        "primary": {"senior": 0.10, "first": 0.50},
        "teaching_point": {"senior": 0.10, "first": 0.50},
        "nine_year": {"senior": 0.18, "first": 0.45},
        "junior": {"senior": 0.25, "first": 0.45},
        "complete_secondary": {"senior": 0.28, "first": 0.45},
        "twelve_year": {"senior": 0.28, "first": 0.45},
        "high": {"senior": 0.30, "first": 0.45},
        "vocational": {"senior": 0.30, "first": 0.45},
    },
    # RT, Jiangxi 2018: years at a rural or weak school before applying for a senior title
    "rural_years": 1,
    # weak schools (ids) besides the rural ones, e.g. by QB-R score
    "weak_schools": [],
}


class BackboneError(CountyEduError):
    """A backbone or title question that cannot be answered (no teachers that year, a bad parameter)."""


@dataclass(frozen=True)
class BackboneParams:
    review_years: int
    backbone_per_100: float
    post_ratios: Mapping[str, Mapping[str, float]]
    rural_years: int
    weak_schools: frozenset[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "review_years": self.review_years,
            "backbone_per_100": self.backbone_per_100,
            "post_ratios": {k: dict(v) for k, v in self.post_ratios.items()},
            "rural_years": self.rural_years,
            "weak_schools": sorted(self.weak_schools),
        }


def backbone_params(packs: Sequence[Pack], **changes: Any) -> BackboneParams:
    """The packs' `parameters.teachers.backbone` over the defaults, then `changes`."""
    merged = over_defaults(DEFAULTS, packs, "backbone", changes, Msg("unknown backbone parameter {name}"))
    if not 1 <= int(merged["review_years"]) <= 10:
        raise BackboneError(
            Msg("review_years: {v} is outside {lo}–{hi}", v=str(merged["review_years"]), lo="1", hi="10"),
            parameter="review_years",
        )
    return BackboneParams(
        int(merged["review_years"]),
        float(merged["backbone_per_100"]),
        merged["post_ratios"],
        int(merged["rural_years"]),
        frozenset(str(s) for s in merged["weak_schools"]),
    )


def title_code(value: Any) -> str:
    """A title as its code (census.schema's title codes): codes, labels (正高级 … 未定级) and full names
    such as 一级教师, 中学高级教师 or 小学一级 are accepted; empty or unknown is unrated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unrated"
    text = str(value).strip()
    for prefix in ("中学", "小学", "幼儿园", "中职", "中等职业学校"):
        text = text.removeprefix(prefix)
    return _TITLE_WORDS.get(text) or _TITLE_WORDS.get(text.removesuffix("教师")) or "unrated"


# ---------------------------------------------------------------------------------- result


@dataclass(frozen=True)
class BackboneResult:
    census_version: str
    year: int
    params: BackboneParams
    register: pd.DataFrame  # teacher_id, school_id, subject, level, year_named, named_in_first_year, due
    schools: pd.DataFrame  # school_id, name, stage, township_id, full_time, pupils, backbone, share, per_100
    titles: pd.DataFrame  # school_id, name, stage, full_time, <title counts>, senior_posts, first_posts, unappointed_*
    rural: pd.DataFrame  # teacher_id, school_id, title, rural_years, meets

    @property
    def without_backbone(self) -> list[str]:
        s = self.schools
        return sorted(s.loc[(s["backbone"] == 0) & (s["full_time"] > 0), "school_id"].tolist())

    @property
    def due(self) -> pd.DataFrame:
        return self.register[self.register["due"]]

    def as_dict(self) -> dict[str, Any]:
        def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
            # numpy scalars as Python's; a share of no teachers or pupils (NaN) as null (JSON has no NaN)
            return [
                {k: _f(v) if isinstance(v, float) else _plain(v) for k, v in r.items()} for r in df.to_dict("records")
            ]

        return {
            "census_version": self.census_version,
            "year": self.year,
            "params": self.params.as_dict(),
            "register": rows(self.register),
            "due_for_review": self.due["teacher_id"].tolist(),
            "schools": rows(self.schools),
            "schools_without_backbone": self.without_backbone,
            "titles": rows(self.titles),
            "rural_service": rows(self.rural),
        }

    def blocks(self, lang: str | None = None) -> list[Block]:
        from countyedu.runs.blocks import worded

        return worded(backbone_blocks(self), lang)

    def summary(self) -> dict[str, Any]:
        """Headline numbers (keys prefixed with the part's name)."""
        return {
            "backbone_teachers": len(self.register),
            "backbone_due": len(self.due),
            "backbone_schools_without": len(self.without_backbone),
        }


# ---------------------------------------------------------------------------------- computing


def _named_years(history: pd.DataFrame, year: int, first_year: int) -> pd.DataFrame:
    """teacher_id → the first year of the unbroken run at the level held in `year`."""
    h = history[history["year"] <= year].sort_values(["teacher_id", "year"])
    now = h[h["year"] == year].set_index("teacher_id")["backbone"]
    h = h[h["teacher_id"].isin(now.index)]
    h = h.assign(now=h["teacher_id"].map(now))
    # the last year before `year` at another level (or absent): the run starts after it
    other = h[h["backbone"] != h["now"]].groupby("teacher_id")["year"].max()
    present = h.groupby("teacher_id")["year"].apply(lambda ys: _run_start(sorted(ys), year))
    start = present.copy()
    for tid, y in other.items():
        start[tid] = max(int(start[tid]), int(y) + 1)
    out = start.rename("year_named").reset_index()
    out["named_in_first_year"] = out["year_named"] <= first_year
    return out


def _run_start(years: list[int], year: int) -> int:
    """The first year of the unbroken run of years ending at `year`."""
    start = year
    for y in reversed(years):
        if y == start - 1:
            start = y
        elif y < start - 1:
            break
    return start


def compute(
    frames: Mapping[str, pd.DataFrame],
    packs: Sequence[Pack],
    year: int | None = None,
    params: BackboneParams | None = None,
    census_version: str = "",
) -> BackboneResult:
    """The backbone register with its review cycle, backbone teachers per school, titles against the
    post structure and the rural-service rule, in `year` (default the latest with teachers)."""
    prm = params or backbone_params(packs)
    t = frames["teachers"]
    years = sorted(int(y) for y in t["year"].unique())
    if not years:
        raise BackboneError(Msg("the census has no teachers"))
    y = year if year is not None else years[-1]
    if y not in years:
        raise BackboneError(Msg("the census has no teachers in {year}", year=y), year=y)
    schools = frames["schools"].set_index("school_id")
    now = t[t["year"] == y]
    ft = now[now["full_time"].astype(bool)]
    register = _register(t, ft, y, years[0], prm)
    per_school = _per_school(frames, ft, y, schools)
    titles = _titles(ft, schools, prm)
    rural = _rural(t, ft, y, years[0], schools, prm)
    return BackboneResult(census_version, y, prm, register, per_school, titles, rural)


def _register(t: pd.DataFrame, ft: pd.DataFrame, y: int, first: int, prm: BackboneParams) -> pd.DataFrame:
    held = ft[~ft["backbone"].isin(["none", "", None])]
    named = _named_years(t[t["teacher_id"].isin(held["teacher_id"])][["teacher_id", "year", "backbone"]], y, first)
    if "backbone_year" in held.columns:  # a census that records the year named is believed
        given = held.set_index("teacher_id")["backbone_year"].dropna()
        named = named.set_index("teacher_id").astype({"year_named": "int64"})
        named.loc[given.index, "year_named"] = given.astype("int64")
        named.loc[given.index, "named_in_first_year"] = False
        named = named.reset_index()
    reg = held[["teacher_id", "school_id", "subject", "backbone"]].rename(columns={"backbone": "level"})
    reg = reg.merge(named, on="teacher_id", how="left")
    reg["year_named"] = reg["year_named"].fillna(y).astype(int)
    reg["named_in_first_year"] = reg["named_in_first_year"].fillna(False).astype(bool)
    reg["due"] = (y - reg["year_named"]) >= prm.review_years
    order = {lv: i for i, lv in enumerate(("national", "province", "city", "county", "school"))}
    reg = reg.assign(_o=reg["level"].map(order).fillna(9)).sort_values(["_o", "school_id", "teacher_id"])
    return reg.drop(columns="_o").reset_index(drop=True)


def _per_school(frames: Mapping[str, pd.DataFrame], ft: pd.DataFrame, y: int, schools: pd.DataFrame) -> pd.DataFrame:
    c = frames["classes"]
    pupils = c[c["year"] == y].groupby("school_id")["pupils"].sum()
    n = ft.groupby("school_id").size()
    bb = ft[ft["backbone"].isin(COUNTY_OR_HIGHER)].groupby("school_id").size()
    ids = sorted(set(n.index) | set(pupils.index))
    ids = [s for s in ids if s in schools.index]
    out = pd.DataFrame(
        {
            "school_id": ids,
            "name": [schools.at[s, "name"] for s in ids],
            "stage": [schools.at[s, "stage"] for s in ids],
            "township_id": [schools.at[s, "township_id"] for s in ids],
            "full_time": [int(n.get(s, 0)) for s in ids],
            "pupils": [int(pupils.get(s, 0)) for s in ids],
            "backbone": [int(bb.get(s, 0)) for s in ids],
        }
    )
    out["share"] = (out["backbone"] / out["full_time"]).where(out["full_time"] > 0)
    out["per_100"] = (out["backbone"] * 100 / out["pupils"]).where(out["pupils"] > 0)
    return out


def _titles(ft: pd.DataFrame, schools: pd.DataFrame, prm: BackboneParams) -> pd.DataFrame:
    codes = ft.assign(code=ft["title"].map(title_code))
    counts = codes.pivot_table(index="school_id", columns="code", values="teacher_id", aggfunc="count", fill_value=0)
    counts = counts.reindex(columns=list(TITLES), fill_value=0)
    rows = []
    for sid, r in counts.iterrows():
        stage = schools.at[sid, "stage"] if sid in schools.index else ""
        total = int(r.sum())
        ratio = prm.post_ratios.get(str(stage)) or {"senior": 0.0, "first": 0.0}
        senior_posts = math.floor(ratio.get("senior", 0.0) * total + 1e-9)
        first_posts = math.floor(ratio.get("first", 0.0) * total + 1e-9)
        senior = int(r["senior_full"] + r["senior"])
        rows.append(
            {
                "school_id": sid,
                "name": schools.at[sid, "name"] if sid in schools.index else sid,
                "stage": stage,
                "full_time": total,
                **{code: int(r[code]) for code in TITLES},
                "senior_posts": senior_posts,
                "first_posts": first_posts,
                "unappointed_senior": max(0, senior - senior_posts),
                "unappointed_first": max(0, int(r["first"]) - first_posts),
            }
        )
    return pd.DataFrame(rows)


def _rural(
    t: pd.DataFrame, ft: pd.DataFrame, y: int, first: int, schools: pd.DataFrame, prm: BackboneParams
) -> pd.DataFrame:
    cand = ft[ft["title"].map(title_code) == "first"]
    h = t[t["teacher_id"].isin(cand["teacher_id"]) & (t["year"] <= y)]
    urban = schools["urban"].astype(bool)
    h = h.assign(rural=~h["school_id"].map(urban).fillna(True).astype(bool) | h["school_id"].isin(prm.weak_schools))
    years = h.groupby("teacher_id")["rural"].sum()
    # before the census: the years at the school the teacher held in the census's first year
    start = h[(h["year"] == h.groupby("teacher_id")["year"].transform("min")) & h["rural"]]
    before = (start.set_index("teacher_id")["years_at_school"].astype(int) - 1).clip(lower=0)
    total = years.add(before, fill_value=0).astype(int)
    out = cand[["teacher_id", "school_id", "subject"]].copy()
    out["title"] = "first"
    out["rural_years"] = out["teacher_id"].map(total).fillna(0).astype(int)
    out["meets"] = out["rural_years"] >= prm.rural_years
    return out.sort_values(["meets", "school_id", "teacher_id"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------- blocks


def backbone_blocks(r: BackboneResult) -> list[Block]:
    """The report chapter's blocks: backbone teachers (register, review, per school) and titles."""
    s = r.schools
    county_bb = int(s["backbone"].sum())
    pupils = int(s["pupils"].sum())
    per_100 = county_bb * 100 / pupils if pupils else None
    none = r.without_backbone
    findings = [
        Finding(
            "QB-R2",
            Msg("County-level-or-higher backbone teachers per 100 pupils ≥ {n}", n=Num(r.params.backbone_per_100)),
            Num(per_100, "", 2),
            "no_data" if per_100 is None else ("met" if per_100 + 1e-9 >= r.params.backbone_per_100 else "not_met"),
            Msg("{n} schools have no county-level-or-higher backbone teacher", n=len(none)),
        ),
        Finding(
            "第24条",
            Msg("Backbone teachers are reviewed every {n} years", n=r.params.review_years),
            Num(len(r.due), "count"),
            "met" if r.due.empty else "at_risk",
            Msg("{n} backbone teachers are due for review in {year}", n=len(r.due), year=r.year),
        ),
    ]
    names = s.set_index("school_id")["name"].to_dict()
    register = BlockTable(
        Msg("Backbone register"),
        [
            BlockColumn("teacher_id", Msg("Teacher")),
            BlockColumn("level", Msg("Level")),
            BlockColumn("subject", Msg("Subject")),
            BlockColumn("school", Msg("School")),
            BlockColumn("named", Msg("Year named"), "year"),
            BlockColumn("due", Msg("Due for review")),
        ],
        [
            [
                x.teacher_id,
                Code("backbone", x.level),
                Code("subject", x.subject),
                names.get(x.school_id, x.school_id),
                Msg("{year} or before", year=int(x.year_named)) if x.named_in_first_year else int(x.year_named),
                bool(x.due),
            ]
            for x in r.register.itertuples()
        ],
        clause="第24条",
    )
    schools = BlockTable(
        Msg("Backbone teachers per school"),
        [
            BlockColumn("school", Msg("School")),
            BlockColumn("stage", Msg("Kind of school")),
            BlockColumn("full_time", Msg("Full-time teachers"), "count"),
            BlockColumn("backbone", Msg("County-level-or-higher backbone teachers"), "count"),
            BlockColumn("share", Msg("Share of teachers"), "share"),
            BlockColumn("per_100", Msg("Per 100 pupils")),
        ],
        [
            [x.name, Code("stage", x.stage), x.full_time, x.backbone, _f(x.share), _f(x.per_100)]
            for x in s.sort_values(["backbone", "school_id"]).itertuples()
        ],
        clause="QB-R2",
    )
    backbone = Block(
        "teachers.backbone",
        Msg("Backbone teachers"),
        CLAUSE_BACKBONE,
        paragraphs=[
            Msg("Schools without a backbone teacher: {schools}", schools=tuple(names.get(i, i) for i in none) or "—")
        ],
        findings=findings,
        tables=[register, schools],
    )
    return [backbone, _titles_block(r)]


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _f(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)


def _titles_block(r: BackboneResult) -> Block:
    t = r.titles
    over_senior = int(t["unappointed_senior"].sum()) if len(t) else 0
    over_first = int(t["unappointed_first"].sum()) if len(t) else 0
    short = r.rural[~r.rural["meets"]]
    findings = [
        Finding(
            CLAUSE_TITLES,
            Msg("Titles within the post structure of each school"),
            Num(over_senior + over_first, "count"),
            "met" if over_senior + over_first == 0 else "not_met",
            Msg(
                "{senior} senior and {first} first-grade title holders without a post (titled, not appointed)",
                senior=over_senior,
                first=over_first,
            ),
        ),
        Finding(
            CLAUSE_RURAL,
            Msg("A senior title needs ≥ {n} year at a rural or weak school", n=r.params.rural_years),
            Num(len(short), "count"),
            "met" if short.empty else "at_risk",
            Msg(
                "{n} of {m} first-grade teachers have not served at a rural or weak school",
                n=len(short),
                m=len(r.rural),
            ),
        ),
    ]
    table = BlockTable(
        Msg("Titles against the post structure"),
        [
            BlockColumn("school", Msg("School")),
            BlockColumn("stage", Msg("Kind of school")),
            BlockColumn("full_time", Msg("Full-time teachers"), "count"),
            *[BlockColumn(f"t_{c}", Code("title", c), "count") for c in TITLES],
            BlockColumn("senior_posts", Msg("Senior posts"), "count"),
            BlockColumn("first_posts", Msg("First-grade posts"), "count"),
            BlockColumn("unappointed_senior", Msg("Senior holders without a post"), "count"),
            BlockColumn("unappointed_first", Msg("First-grade holders without a post"), "count"),
        ],
        [
            [
                x["name"],
                Code("stage", x["stage"]),
                x["full_time"],
                *[x[c] for c in TITLES],
                x["senior_posts"],
                x["first_posts"],
                x["unappointed_senior"],
                x["unappointed_first"],
            ]
            for x in t.to_dict("records")
        ],
        clause=CLAUSE_TITLES,
    )
    names = r.schools.set_index("school_id")["name"].to_dict()
    rural = BlockTable(
        Msg("First-grade teachers without the rural service a senior title needs"),
        [
            BlockColumn("teacher_id", Msg("Teacher")),
            BlockColumn("school", Msg("School")),
            BlockColumn("subject", Msg("Subject")),
            BlockColumn("rural_years", Msg("Years at rural or weak schools"), "count"),
        ],
        [
            [x.teacher_id, names.get(x.school_id, x.school_id), Code("subject", x.subject), x.rural_years]
            for x in short.itertuples()
        ],
        clause=CLAUSE_RURAL,
    )
    return Block(
        "teachers.titles",
        Msg("Titles and posts"),
        f"{CLAUSE_TITLES}; {CLAUSE_RURAL}",
        findings=findings,
        tables=[table, rural],
    )


# ---------------------------------------------------------------------------------- the teachers run's part


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The line `countyedu demo` prints (both languages, as the other kinds' lines)."""
    if "backbone_teachers" not in s:
        return []
    n, due, without = s["backbone_teachers"], s["backbone_due"], s["backbone_schools_without"]
    return [
        f"骨干教师 {n} 人，{due} 人到期复核，{without} 所学校没有县级及以上骨干教师"
        f" / backbone teachers: {n}, {due} due for review, {without} schools without one"
    ]


def part(ctx: Any) -> BackboneResult | None:
    """The teachers run's part (teachers.parts): backbone and titles in the run's year, None without teachers."""
    t = ctx.frames["teachers"]
    if t.empty or (ctx.year is not None and ctx.year not in set(t["year"])):
        return None
    return compute(ctx.frames, ctx.packs, ctx.year, backbone_params(ctx.packs, **ctx.params.section("backbone")))

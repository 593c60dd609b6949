"""Staffing (编制) per school and year (issue 13 item 1; STANDARDS.md TW, RT; POLICY.md 第5、21条).

A school's norm is the sum over its parts (the education stages its classes belong to):
- 小学, 初中, 高中, 中职: pupils / the stage's pupils-per-teacher ratio (TW: 19, 13.5, 12.5; 中职 20);
- 学前 (a kindergarten, or a primary school's attached classes): classes × teachers per class (2);
- the primary part of a village school or a teaching point: at least its class floor, classes ×
  `floor_per_class` + a share of a subject teacher for each of PE, music and art (1 at a village
  school, ½ at a teaching point);
- plus boarding schools' extra staff (boarders / `boarders_per_extra_staff`) and, when the pack says
  so, kindergartens' caregivers (classes × 1);
rounded to whole posts (`norm_rounding`). A school's class floor (what the allocation never goes
below) is the floor of its covered part and one teacher per class elsewhere.

Actual staff are the school's teachers of the year: full-time ones count 1, the others
`part_time_fraction`. Surplus = actual − norm when positive, shortage = norm − actual when positive.

By subject: the teaching part of the norm is shared among subjects in proportion to the weekly periods
the school's classes have in each (the national curriculum plans, `weekly_periods`); kindergarten posts
are `preschool` posts. A subject's surplus or shortage is its teachers against its posts.

The county's totals set its public schools' norms (with caregivers) against the 编制 the county holds (RT: the county
holds the total; the finance sheet's `teacher_staffing_quota`, or the pack's `county_quota`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from countyedu.census.vocabulary import STAGE_OF_GRADE, order, sort_key
from countyedu.census.years import years_of
from countyedu.messages import Code, Msg, Num
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value
from countyedu.teachers.params import TeachersParams
from countyedu.teachers.parts import Context

EPS = 1e-9


def whole(x: float, rounding: str) -> float:
    """Posts of a norm: round half up, ceil, or as it is."""
    if rounding == "ceil":
        return float(math.ceil(x - EPS))
    if rounding == "round":
        return float(math.floor(x + 0.5 + EPS))
    return round(x, 2)


def teacher_weight(full_time: Any, fraction: float) -> float:
    """A teacher's share of a post: 1 full-time, `fraction` otherwise."""
    return 1.0 if bool(full_time) else fraction


def school_year(frames: dict[str, pd.DataFrame], year: int | None) -> int:
    """`year`, or the latest with classes (0 when there is none)."""
    if year is not None:
        return int(year)
    ys = years_of(frames, ("classes",))
    return ys[-1] if ys else 0


def floor_kind(school: pd.Series, p: TeachersParams) -> str | None:
    """The floor a school's primary part has: teaching_point, village, or None."""
    if school.get("stage") == "teaching_point":
        return "teaching_point"
    if bool(school.get("urban", False)):
        return None
    if p.floor_applies_to == "village" and bool(school.get("central", False)):
        return None
    return "village"


@dataclass(frozen=True)
class Staffing:
    """Per school and per school × subject; county totals."""

    year: int
    schools: pd.DataFrame  # school_id, name, township_id, stage, urban, pupils, classes, ratio_norm,
    # floor, boarding_extra, caregivers, norm, actual, surplus, shortage, floor_kind
    subjects: pd.DataFrame  # school_id, subject, posts, actual, surplus, shortage
    county: dict[str, Any]

    def contract(self) -> list[dict[str, Any]]:
        """The schools of the JSON contract (README): school_id, stage, pupils, classes, norm, actual,
        surplus, shortage."""
        cols = ["school_id", "stage", "pupils", "classes", "norm", "actual", "surplus", "shortage"]
        rows = self.schools[cols].to_dict("records")
        return [
            {
                **r,
                "pupils": int(r["pupils"]),
                "classes": int(r["classes"]),
                "norm": _num(r["norm"]),
                "actual": _num(r["actual"]),
                "surplus": _num(r["surplus"]),
                "shortage": _num(r["shortage"]),
            }
            for r in rows
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "schools": self.contract(),
            "subjects": [
                {k: _num(v) if isinstance(v, float) else v for k, v in r.items()}
                for r in self.subjects.to_dict("records")
            ],
            "county": self.county,
        }

    def summary(self) -> dict[str, Any]:
        s = self.schools
        return {
            "staffing.norm": _num(float(s["norm"].sum())),
            "staffing.actual": _num(float(s["actual"].sum())),
            "staffing.schools_over": int((s["surplus"] > EPS).sum()),
            "staffing.schools_short": int((s["shortage"] > EPS).sum()),
        }

    def blocks(self) -> list[Block]:
        return [self._norms_block(), self._subjects_block()]

    def _norms_block(self) -> Block:
        c = self.county
        findings = []
        if c.get("quota") is not None:
            need = c["need"]
            findings.append(
                Finding(
                    "RT",
                    Msg("the county's 编制 covers the staffing norms"),
                    Num(c["quota"], "count"),
                    "met" if c["quota"] >= need - EPS else "not_met",
                    Msg(
                        "the county holds {quota} posts; the norms need {need} ({teachers} teachers, {caregivers}"
                        " caregivers); teachers in post: {actual}",
                        quota=Num(c["quota"], "count"),
                        need=Num(need, "count"),
                        teachers=Num(c["norm"], "count"),
                        caregivers=Num(c["caregivers"], "count"),
                        actual=Num(c["actual"], "", 1),
                    ),
                )
            )
        else:
            findings.append(
                Finding(
                    "RT",
                    Msg("the county's 编制 covers the staffing norms"),
                    Msg("not known"),
                    "no_data",
                    Msg(
                        "the finance sheet has no item {item} for {year}: the norms need {need} posts",
                        item=c["quota_item"],
                        year=self.year,
                        need=Num(c["need"], "count"),
                    ),
                )
            )
        rows: list[list[Value]] = [
            [
                r.name,
                Code("stage", r.stage),
                int(r.pupils),
                int(r.classes),
                _num(r.ratio_norm),
                _num(r.floor),
                _num(r.boarding_extra),
                _num(r.norm),
                _num(r.actual),
                _num(r.surplus),
                _num(r.shortage),
            ]
            for r in self.schools.itertuples()
        ]
        table = BlockTable(
            Msg("Staffing norms (编制) per school, {year}", year=self.year),
            [
                BlockColumn("school", Msg("school")),
                BlockColumn("stage", Msg("type")),
                BlockColumn("pupils", Msg("pupils"), "count"),
                BlockColumn("classes", Msg("classes"), "count"),
                BlockColumn("ratio_norm", Msg("by the ratios")),
                BlockColumn("floor", Msg("class floor")),
                BlockColumn("boarding_extra", Msg("boarding staff")),
                BlockColumn("norm", Msg("norm")),
                BlockColumn("actual", Msg("actual")),
                BlockColumn("surplus", Msg("surplus")),
                BlockColumn("shortage", Msg("shortage")),
            ],
            rows,
            Msg(
                "norm = pupils / the stage's ratio (primary 1:19, junior 1:13.5, high 1:12.5), at least the class"
                " floor of village schools and teaching points, kindergartens by class, plus boarding staff;"
                " part-time teachers count {fraction}",
                fraction=Num(_fraction(self.county), "share"),
            ),
            "TW",
        )
        return Block(
            "teachers.staffing",
            Msg("Teacher staffing (编制)"),
            "TW; RT; 第5条",
            findings=findings,
            tables=[table],
        )

    def _subjects_block(self) -> Block:
        names = dict(zip(self.schools["school_id"], self.schools["name"], strict=True))
        gaps = self.subjects[(self.subjects["shortage"] >= 0.5) | (self.subjects["surplus"] >= 1.0)]
        rows: list[list[Value]] = [
            [
                names.get(r.school_id, r.school_id),
                Code("subject", r.subject),
                _num(r.posts),
                _num(r.actual),
                _num(r.surplus),
                _num(r.shortage),
            ]
            for r in gaps.itertuples()
        ]
        totals = self.subjects.groupby("subject", sort=False)[["posts", "actual", "surplus", "shortage"]].sum()
        county_rows: list[list[Value]] = [
            [Code("subject", s), _num(t.posts), _num(t.actual), _num(t.surplus), _num(t.shortage)]
            for s, t in totals.iterrows()
        ]
        cols = [
            BlockColumn("posts", Msg("posts")),
            BlockColumn("actual", Msg("actual")),
            BlockColumn("surplus", Msg("surplus")),
            BlockColumn("shortage", Msg("shortage")),
        ]
        return Block(
            "teachers.subjects",
            Msg("Teachers by subject against the curriculum's periods"),
            "TW; 义务教育课程方案 2022",
            paragraphs=[
                Msg(
                    "A school's teaching posts are shared among subjects in proportion to the weekly periods its"
                    " classes have in each; a surplus or shortage is the subject's teachers against its posts."
                )
            ],
            tables=[
                BlockTable(
                    Msg("County by subject"),
                    [BlockColumn("subject", Msg("subject")), *cols],
                    county_rows,
                ),
                BlockTable(
                    Msg("Schools' subject surplus (≥ 1) and shortage (≥ 0.5)"),
                    [BlockColumn("school", Msg("school")), BlockColumn("subject", Msg("subject")), *cols],
                    rows,
                ),
            ],
        )


def _fraction(county: dict[str, Any]) -> float:
    return float(county.get("part_time_fraction", 0.5))


def _num(x: Any) -> float | int:
    """A figure as JSON writes it: whole numbers as int, others to 2 decimals."""
    v = round(float(x), 2)
    return int(v) if v == int(v) else v


def _frame(frames: dict[str, pd.DataFrame], name: str, year: int | None = None) -> pd.DataFrame:
    f = frames.get(name)
    if f is None:
        return pd.DataFrame()
    if year is not None and "year" in f.columns:
        f = f[f["year"] == year]
    return f


def compute_staffing(frames: dict[str, pd.DataFrame], p: TeachersParams, year: int | None = None) -> Staffing:
    """Norms, actual staff, surplus and shortage per school and subject in `year` (default the latest)."""
    y = school_year(frames, year)
    schools = _frame(frames, "schools")
    classes = _frame(frames, "classes", y)
    teachers = _frame(frames, "teachers", y)
    sy = _frame(frames, "school_years", y)
    boarders = (
        dict(zip(sy["school_id"], pd.to_numeric(sy["boarders"]).fillna(0), strict=True))
        if "boarders" in sy.columns
        else {}
    )
    cls = classes.assign(stage=classes["grade"].str[0].map(STAGE_OF_GRADE)) if len(classes) else classes
    active = set(cls["school_id"]) if len(cls) else set()
    if len(teachers):
        active |= set(teachers["school_id"])
    rows: list[dict[str, Any]] = []
    subject_rows: list[dict[str, Any]] = []
    by_school = {sid: g for sid, g in cls.groupby("school_id")} if len(cls) else {}
    staff = _actual(teachers, p)
    for school in schools[schools["school_id"].isin(active)].itertuples(index=False):
        s = pd.Series(school._asdict())
        g = by_school.get(s.school_id, pd.DataFrame(columns=["grade", "pupils", "stage"]))
        row, posts = _school_norm(s, g, p, float(boarders.get(s.school_id, 0) or 0))
        have = staff.get(s.school_id, {})
        row["actual"] = round(sum(have.values()), 4)
        row["surplus"] = max(0.0, row["actual"] - row["norm"])
        row["shortage"] = max(0.0, row["norm"] - row["actual"])
        rows.append(row)
        for subject in sorted(set(posts) | set(have), key=lambda c: sort_key("subject", c)):
            need, got = posts.get(subject, 0.0), have.get(subject, 0.0)
            subject_rows.append(
                {
                    "school_id": s.school_id,
                    "subject": subject,
                    "posts": round(need, 4),
                    "actual": round(got, 4),
                    "surplus": round(max(0.0, got - need), 4),
                    "shortage": round(max(0.0, need - got), 4),
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "school_id",
            "name",
            "township_id",
            "stage",
            "ownership",
            "urban",
            "central",
            "lat",
            "lon",
            "pupils",
            "classes",
            "ratio_norm",
            "floor",
            "floor_kind",
            "boarding_extra",
            "caregivers",
            "teaching_norm",
            "norm",
            "actual",
            "surplus",
            "shortage",
        ],
    )
    stage_rank = {c: i for i, c in enumerate(order("stage"))}
    table = table.sort_values(["stage", "school_id"], key=lambda c: c.map(stage_rank) if c.name == "stage" else c)
    table = table.reset_index(drop=True)
    subjects = pd.DataFrame(subject_rows, columns=["school_id", "subject", "posts", "actual", "surplus", "shortage"])
    return Staffing(y, table, subjects, _county(frames, table, p, y))


def _actual(teachers: pd.DataFrame, p: TeachersParams) -> dict[str, dict[str, float]]:
    """school → subject → posts held (full-time 1, others the fraction)."""
    out: dict[str, dict[str, float]] = {}
    if not len(teachers):
        return out
    ft = teachers["full_time"] if "full_time" in teachers.columns else pd.Series(True, index=teachers.index)
    for sid, subject, full in zip(teachers["school_id"], teachers["subject"], ft, strict=True):
        have = out.setdefault(sid, {})
        have[subject] = have.get(subject, 0.0) + teacher_weight(full, p.part_time_fraction)
    return out


def _school_norm(
    s: pd.Series, g: pd.DataFrame, p: TeachersParams, boarders: float
) -> tuple[dict[str, Any], dict[str, float]]:
    """One school's norm row and its teaching posts by subject."""
    ratio_norm = floor = caregivers = teaching = 0.0
    posts: dict[str, float] = {}
    kind = floor_kind(s, p)
    for stage, part in g.groupby("stage", sort=False):
        pupils, n_classes = float(part["pupils"].sum()), float(len(part))
        if stage == "kindergarten":
            v = n_classes * p.kindergarten_teachers_per_class
            ratio_norm += v
            floor += v
            caregivers += n_classes * p.kindergarten_caregivers_per_class
            posts["preschool"] = posts.get("preschool", 0.0) + v
            teaching += v
            continue
        ratio = p.ratio(str(stage))
        by_ratio = pupils / ratio if ratio else 0.0
        if stage == "primary" and kind is not None:
            share = p.floor_subject_share.get(kind, 0.0)
            part_floor = n_classes * p.floor_per_class + len(p.floor_subjects) * share
        else:
            part_floor = n_classes * p.floor_per_class
        ratio_norm += by_ratio
        floor += part_floor
        v = max(by_ratio, part_floor) if (stage == "primary" and kind is not None) else by_ratio
        teaching += v
        periods: dict[str, float] = {}
        for grade in part["grade"]:
            for subject, n in p.weekly_periods.get(str(grade), {}).items():
                periods[subject] = periods.get(subject, 0.0) + float(n)
        total = sum(periods.values())
        for subject, n in periods.items():
            posts[subject] = posts.get(subject, 0.0) + (v * n / total if total else 0.0)
    extra = (
        boarders / p.boarders_per_extra_staff if bool(s.get("boarding", False)) and p.boarders_per_extra_staff else 0.0
    )
    raw = teaching + extra + (caregivers if p.caregivers_in_norm else 0.0)
    row = {
        "school_id": s.school_id,
        "name": s.get("name", s.school_id),
        "township_id": s.get("township_id"),
        "stage": s.get("stage"),
        "ownership": s.get("ownership") if isinstance(s.get("ownership"), str) else "public",
        "urban": bool(s.get("urban", False)),
        "central": bool(s.get("central", False)),
        "lat": s.get("lat"),
        "lon": s.get("lon"),
        "pupils": int(g["pupils"].sum()) if len(g) else 0,
        "classes": len(g),
        "ratio_norm": round(ratio_norm, 4),
        "floor": float(math.ceil(floor - EPS)),
        "floor_kind": kind if (len(g) and (g["stage"] == "primary").any()) else None,
        "boarding_extra": round(extra, 4),
        "caregivers": round(caregivers, 4),
        "teaching_norm": round(teaching, 4),
        "norm": whole(raw, p.norm_rounding) if raw > 0 else 0.0,
    }
    return row, posts


def _county(frames: dict[str, pd.DataFrame], table: pd.DataFrame, p: TeachersParams, year: int) -> dict[str, Any]:
    """County totals against the 编制 the county holds."""
    finance = _frame(frames, "finance", year)
    quota: float | None = p.county_quota
    if len(finance) and "item" in finance.columns:
        hit = finance[finance["item"] == p.county_quota_item]
        if len(hit) and pd.notna(hit["amount"].iloc[0]):
            quota = float(hit["amount"].iloc[0])
    public = table[table["ownership"] == "public"]  # the county's 编制 staffs its public schools
    norm = float(public["norm"].sum())
    caregivers = 0.0 if p.caregivers_in_norm else float(public["caregivers"].sum())
    need = norm + caregivers
    return {
        "quota_item": p.county_quota_item,
        "quota": _num(quota) if quota is not None else None,
        "norm": _num(norm),
        "caregivers": _num(caregivers),
        "need": _num(need),
        "actual": _num(float(public["actual"].sum())),
        "private_norm": _num(float(table["norm"].sum()) - norm),
        "balance": _num(quota - need) if quota is not None else None,
        "part_time_fraction": p.part_time_fraction,
    }


def part(ctx: Context) -> Staffing:
    """The run's staffing part."""
    return compute_staffing(dict(ctx.frames), ctx.params, ctx.year)


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The staffing headline: norms, teachers in post, schools over and short."""
    if "staffing.norm" not in s:
        return []
    return [
        f"教师编制 / teacher staffing: 核定 norm {s['staffing.norm']:,}，在岗 in post {s['staffing.actual']:,}；"
        f"超编 {s['staffing.schools_over']} 所 / schools over, 缺编 {s['staffing.schools_short']} 所 / schools short"
    ]

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

import numpy as np
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
                    Msg("the county's staff establishment covers the staffing norms"),
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
                    Msg("the county's staff establishment covers the staffing norms"),
                    Msg("not known"),
                    "no_data",
                    Msg(
                        "the finance sheet has no item {item} for {year}: the norms need {need} posts",
                        item=Msg("the county's staff establishment (teacher_staffing_quota)")
                        if c["quota_item"] == "teacher_staffing_quota"
                        else c["quota_item"],
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
            Msg("Staffing norms per school, {year}", year=self.year),
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
            Msg("Teacher staffing"),
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


COLUMNS = [
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
]


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column (False where missing)."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].astype("boolean").fillna(False).astype(bool)


def floor_kinds(schools: pd.DataFrame, p: TeachersParams) -> pd.Series:
    """The floor each school's primary part has: teaching_point, village, or None."""
    rural = ~_flag(schools, "urban")
    if p.floor_applies_to == "village":
        rural &= ~_flag(schools, "central")
    tp = schools["stage"] == "teaching_point"
    out = pd.Series(None, index=schools.index, dtype=object)
    out[rural] = "village"
    out[tp] = "teaching_point"
    return out


def compute_staffing(frames: dict[str, pd.DataFrame], p: TeachersParams, year: int | None = None) -> Staffing:
    """Norms, actual staff, surplus and shortage per school and subject in `year` (default the latest)."""
    y = school_year(frames, year)
    schools = _frame(frames, "schools")
    classes = _frame(frames, "classes", y)[["school_id", "grade", "pupils"]]
    teachers = _frame(frames, "teachers", y)
    classes = classes.assign(
        stage=classes["grade"].map({g: STAGE_OF_GRADE.get(str(g)[:1]) for g in classes["grade"].unique()}),
        pupils=pd.to_numeric(classes["pupils"]).astype(float),
    )
    active = set(classes["school_id"]) | (set(teachers["school_id"]) if len(teachers) else set())
    sch = schools[schools["school_id"].isin(active)].reset_index(drop=True)
    sch = sch.assign(floor_kind=floor_kinds(sch, p))
    kind_of = dict(zip(sch["school_id"], sch["floor_kind"], strict=True))

    # parts: school × stage
    parts = classes.groupby(["school_id", "stage"], sort=False).agg(pupils=("pupils", "sum"), n=("pupils", "size"))
    parts = parts.reset_index()
    kind = parts["school_id"].map(kind_of)
    k = parts["stage"] == "kindergarten"
    covered = (parts["stage"] == "primary") & kind.notna()
    share = kind.map(p.floor_subject_share).fillna(0.0).astype(float)
    by_ratio = parts["pupils"] / parts["stage"].map(p.pupils_per_teacher).astype(float)
    by_ratio = by_ratio.where(~k, parts["n"] * p.kindergarten_teachers_per_class).fillna(0.0)
    floor = parts["n"] * p.floor_per_class + np.where(covered, len(p.floor_subjects) * share, 0.0)
    floor = floor.where(~k, parts["n"] * p.kindergarten_teachers_per_class)
    value = by_ratio.where(~covered, np.maximum(by_ratio, floor))
    parts = parts.assign(
        by_ratio=by_ratio,
        floor=floor,
        value=value,
        caregivers=np.where(k, parts["n"] * p.kindergarten_caregivers_per_class, 0.0),
        is_primary=parts["stage"] == "primary",
    )
    per = parts.groupby("school_id").agg(
        pupils=("pupils", "sum"),
        classes=("n", "sum"),
        ratio_norm=("by_ratio", "sum"),
        floor=("floor", "sum"),
        teaching_norm=("value", "sum"),
        caregivers=("caregivers", "sum"),
        has_primary=("is_primary", "max"),
    )
    table = sch.merge(per, left_on="school_id", right_index=True, how="left")
    for c in ("pupils", "classes", "ratio_norm", "floor", "teaching_norm", "caregivers"):
        table[c] = table[c].fillna(0.0)
    table["has_primary"] = table["has_primary"].astype("boolean").fillna(False).astype(bool)
    sy = _frame(frames, "school_years", y)
    boarders = (
        table["school_id"].map(dict(zip(sy["school_id"], pd.to_numeric(sy["boarders"]), strict=True))).fillna(0.0)
        if "boarders" in sy.columns
        else pd.Series(0.0, index=table.index)
    )
    extra = boarders.astype(float) / p.boarders_per_extra_staff if p.boarders_per_extra_staff else boarders * 0.0
    extra = extra.where(_flag(table, "boarding"), 0.0)
    raw = table["teaching_norm"] + extra + (table["caregivers"] if p.caregivers_in_norm else 0.0)
    if p.norm_rounding == "ceil":
        norm = np.ceil(raw - EPS)
    elif p.norm_rounding == "round":
        norm = np.floor(raw + 0.5 + EPS)
    else:
        norm = raw.round(2)
    subjects, held = _subjects(classes, parts, teachers, p)
    actual = table["school_id"].map(held).fillna(0.0)
    table = table.assign(
        ownership=table["ownership"].where(table["ownership"].notna(), "public")
        if "ownership" in table.columns
        else "public",
        urban=_flag(table, "urban"),
        central=_flag(table, "central"),
        pupils=table["pupils"].astype(int),
        classes=table["classes"].astype(int),
        ratio_norm=table["ratio_norm"].round(4),
        floor=np.ceil(table["floor"] - EPS),
        floor_kind=table["floor_kind"].where(table["has_primary"], None),
        boarding_extra=extra.round(4),
        caregivers=table["caregivers"].round(4),
        teaching_norm=table["teaching_norm"].round(4),
        norm=np.where(raw > 0, norm, 0.0),
        actual=actual.round(4),
    )
    table = table.assign(
        surplus=(table["actual"] - table["norm"]).clip(lower=0.0),
        shortage=(table["norm"] - table["actual"]).clip(lower=0.0),
    )
    for c in ("name", "township_id", "lat", "lon"):
        if c not in table.columns:
            table[c] = table["school_id"] if c == "name" else None
    stage_rank = {c: i for i, c in enumerate(order("stage"))}
    table = table[COLUMNS].sort_values(
        ["stage", "school_id"], key=lambda c: c.map(stage_rank) if c.name == "stage" else c
    )
    table = table.reset_index(drop=True)
    return Staffing(y, table, subjects, _county(frames, table, p, y))


def _subjects(
    classes: pd.DataFrame, parts: pd.DataFrame, teachers: pd.DataFrame, p: TeachersParams
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Subject posts (each part's norm shared by its classes' weekly periods; kindergarten classes'
    posts are preschool posts) against the teachers of each subject; and each school's posts held."""
    periods = pd.DataFrame(
        [(g, subject, float(n)) for g, row in p.weekly_periods.items() for subject, n in row.items()],
        columns=["grade", "subject", "periods"],
    )
    per_grade = classes.groupby(["school_id", "stage", "grade"], sort=False).size().rename("n").reset_index()
    need = per_grade.merge(periods, on="grade")
    need = need.assign(periods=need["n"] * need["periods"])
    need = need.groupby(["school_id", "stage", "subject"], sort=False)["periods"].sum().reset_index()
    need = need.merge(parts[["school_id", "stage", "value"]], on=["school_id", "stage"])
    total = need.groupby(["school_id", "stage"])["periods"].transform("sum")
    need = need.assign(posts=need["value"] * need["periods"] / total)
    k = parts[parts["stage"] == "kindergarten"]
    kg = pd.DataFrame({"school_id": k["school_id"], "subject": "preschool", "posts": k["value"]})
    posts = pd.concat([need[["school_id", "subject", "posts"]], kg]).groupby(["school_id", "subject"])["posts"].sum()
    if len(teachers):
        w = np.where(
            _flag(teachers, "full_time") if "full_time" in teachers.columns else True, 1.0, p.part_time_fraction
        )
        have = teachers.assign(w=w).groupby(["school_id", "subject"])["w"].sum()
    else:
        have = pd.Series(dtype=float, index=pd.MultiIndex.from_tuples([], names=["school_id", "subject"]))
    both = pd.concat([posts.rename("posts"), have.rename("actual")], axis=1).fillna(0.0).reset_index()
    both.columns = ["school_id", "subject", "posts", "actual"]
    both = both.assign(
        posts=both["posts"].round(4),
        actual=both["actual"].round(4),
        surplus=(both["actual"] - both["posts"]).clip(lower=0.0).round(4),
        shortage=(both["posts"] - both["actual"]).clip(lower=0.0).round(4),
        _rank=both["subject"].map({c: sort_key("subject", c) for c in both["subject"].unique()}),
    )
    both = both.sort_values(["school_id", "_rank"]).drop(columns="_rank").reset_index(drop=True)
    held = have.groupby(level=0).sum().to_dict() if len(have) else {}
    return both, held


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

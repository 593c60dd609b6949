"""The exchange-rotation plan's parameters, the county as the model reads it, and the plan's result
(moves, checks, before and after); `teachers.rotation` makes it (`plan_rotation`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from countyedu.census.vocabulary import STAGE_OF_GRADE
from countyedu.errors import CountyEduError
from countyedu.messages import Msg
from countyedu.runs.registry import Param
from countyedu.teachers.params import teachers_params
from countyedu.teachers.staffing import Staffing

EPS = 1e-9
EDUCATION_RANK = {"below_associate": 0, "associate": 1, "bachelor": 2, "master": 3, "doctorate": 4}
INDICATORS = ("QB-R1", "QB-R2", "QB-R3")
# QB-R standards per stage (STANDARDS.md QB-R [text]) when no pack gives them.
STANDARDS = {
    "QB-R1": {"primary": 4.2, "junior": 5.3},
    "QB-R2": {"primary": 1.0, "junior": 1.0},
    "QB-R3": {"primary": 0.9, "junior": 0.9},
}
CV_TARGETS = {"primary": 0.50, "junior": 0.45}  # QB-R-CV [text]


class RotationParams(BaseModel):
    """The rotation's parameters (pack key `parameters.teachers.rotation`), each with its clause."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stages: list[str] = Field(default_factory=lambda: ["primary", "junior"])  # QB-G11 (compulsory stages)
    # the kinds of school that rotate (a complete secondary school's teachers are mostly high-school
    # teachers, whom QB-G11 does not cover: assumed)
    school_stages: list[str] = Field(default_factory=lambda: ["primary", "junior", "nine_year", "teaching_point"])
    eligible_years: int = Field(6, ge=1)  # QB-G11, RT [practice]: 6 years at the same school
    retirement_age: dict[str, int] = Field(default_factory=lambda: {"male": 60, "female": 55})  # RT [practice]
    retirement_within: int = Field(5, ge=0)  # RT exemptions: men ≥ 55, women ≥ 50 [practice]
    exempt_reasons: list[str] | None = None  # RT: reasons of the exemptions sheet that exempt (None: all)
    move_share: float = Field(0.10, ge=0, le=1)  # RT, QB-G11 [text]
    move_rounding: Literal["ceil", "round", "floor"] = "ceil"  # "at least 10 %" (assumed: rounded up)
    max_move_share: float = Field(0.30, ge=0, le=1)  # at most this share of a school's eligible move (assumed)
    backbone_share: float = Field(0.20, ge=0, le=1)  # RT, QB-G11 [text]
    backbone_of: Literal["moved", "eligible"] = "moved"  # RT: some provinces count the eligible
    backbone_scope: Literal["county", "township", "school"] = "county"  # QB-G11 is county-wide (assumed)
    backbone_levels: list[str] = Field(default_factory=lambda: ["county", "city", "province", "national"])  # QB-R2
    stint_years: int = Field(3, ge=1)  # RT: exchange routine within 3–5 years [practice]
    strong_score: float = 1.4  # strong school: QB-R1–R3 score ≥ this (assumed)
    # … among schools of at least this many pupils: a small school's per-100-pupil values are high for
    # its size, not its strength (assumed)
    strong_min_pupils: int = Field(500, ge=0)
    weak_score: float = 1.0  # weak school: score below this, i.e. short of the standards on average (assumed)
    central_same_township: bool = True  # RT: a central school → its own township's village schools
    subject_need_min: float = Field(0.5, ge=0)  # a school "needs the subject" when short ≥ this (assumed)
    required_education: dict[str, str] = Field(
        default_factory=lambda: {"primary": "associate", "junior": "bachelor"}
    )  # QB-R1
    arts_subjects: list[str] = Field(default_factory=lambda: ["pe", "music", "fine_art"])  # QB-R3
    exclude_teaching_points_under: int = 50  # QB scope [practice]
    w_cv: float = Field(100.0, ge=0)  # objective weights (assumed): per unit of squared CV,
    w_short: float = Field(1.0, ge=0)  # per post short,
    w_km: float = Field(0.01, ge=0)  # per km travelled,
    w_move: float = Field(0.1, ge=0)  # per move
    # a class of teachers is offered its nearest receiving schools only (the model's size; assumed)
    max_targets: int = Field(20, ge=1)
    time_limit_s: float = Field(20.0, gt=0)
    gap: float = Field(0.005, ge=0, le=1)  # the relative gap at which the solver stops


CLAUSES = {
    "eligible_years": "QB-G11; RT",
    "retirement_age": "RT (practice)",
    "retirement_within": "RT (practice)",
    "move_share": "RT; QB-G11",
    "backbone_share": "RT; QB-G11",
    "backbone_of": "RT",
    "stint_years": "RT",
    "strong_score": "RT (assumed)",
    "weak_score": "RT (assumed)",
}

# Run parameters (`countyedu run teachers --param …`, the web's form): the pack's value when None.
PARAMS: tuple[Param, ...] = (
    Param("rotation_eligible_years", Msg("rotation: years at the same school to be eligible"), int, None, 1, 30),
    Param("rotation_move_share", Msg("rotation: least share of eligible teachers moved"), float, None, 0, 1),
    Param("rotation_backbone_share", Msg("rotation: least backbone share"), float, None, 0, 1),
    Param("rotation_stint_years", Msg("rotation: years of a stint"), int, None, 1, 10),
)


class RotationInfeasible(CountyEduError):
    """No plan meets the rules (with the locks and vetoes given); `reasons` are the numbers why."""

    def __init__(self, reasons: list[Msg]) -> None:
        super().__init__(Msg("No rotation plan meets the rules: {reasons}", reasons=tuple(reasons)))
        self.reasons = reasons


def rotation_params(packs: Sequence[Any] = (), given: Mapping[str, Any] | None = None) -> RotationParams:
    """The packs' `parameters.teachers.rotation`, changed by `given`; a bad value is a CountyEduError."""
    raw = {
        **teachers_params(list(packs)).section("rotation"),
        **{k: v for k, v in (given or {}).items() if v is not None},
    }
    try:
        return RotationParams(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CountyEduError(
            Msg("parameters.teachers.{field}: {problem}", field=f"rotation.{where}", problem=first["msg"]), field=where
        ) from None


def standards(packs: Sequence[Any], year: int) -> dict[tuple[str, str], float]:
    """QB-R1–R3's standard per stage: the packs' targets in force in `year`, else STANDARDS.md's."""
    out = {(k, s): v for k, by in STANDARDS.items() for s, v in by.items()}
    for pack in packs:
        for k in INDICATORS:
            try:
                item = pack.item(k)
            except (KeyError, AttributeError):
                continue
            for s in ("primary", "junior"):
                t = item.target_for(year, s)
                if t is not None:
                    out[(k, s)] = float(t.value)
    return out


# ---------------------------------------------------------------------- the census, as the model reads it
@dataclass
class County:
    """Schools in scope with their parts, teachers with their flags, indicator counts."""

    year: int
    schools: pd.DataFrame  # index school_id: name, township_id, urban, central, village, lat, lon, norm, floor,
    # actual, school_pupils, parts (tuple), cv_parts (tuple), score, strong, weak
    part_pupils: dict[tuple[str, str], float]
    teachers: pd.DataFrame  # teacher_id, school_id, subject, backbone, bb, keys, eligible, reason, years
    posts: dict[tuple[str, str], float]
    have: dict[tuple[str, str], float]
    shortage: dict[tuple[str, str], float]
    standards: dict[tuple[str, str], float]
    township_names: dict[str, str] = field(default_factory=dict)


def _keys(t: pd.Series, p: RotationParams) -> frozenset[tuple[str, str]]:
    """The (indicator, stage) counts a full-time teacher adds to wherever they teach."""
    if not bool(t["full_time"]):
        return frozenset()
    out = set()
    rank = EDUCATION_RANK.get(str(t["education"]), -1)
    for s in p.stages:
        need = p.required_education.get(s)
        if need is not None and rank >= EDUCATION_RANK[need]:
            out.add(("QB-R1", s))
        if t["backbone"] in p.backbone_levels:
            out.add(("QB-R2", s))
        if t["subject"] in p.arts_subjects:
            out.add(("QB-R3", s))
    return frozenset(out)


def read_county(
    frames: Mapping[str, pd.DataFrame], packs: Sequence[Any], staffing: Staffing, p: RotationParams
) -> County:
    """The schools of the rotation's stages in the staffing year, their teachers and QB-R1–R3 counts."""
    y = staffing.year
    classes = frames["classes"]
    classes = classes[classes["year"] == y]
    stage = classes["grade"].str[0].map(STAGE_OF_GRADE)
    by_part = classes.assign(part=stage).groupby(["school_id", "part"])["pupils"].sum()
    school_pupils = classes.groupby("school_id")["pupils"].sum()
    part_pupils = {(str(s), str(k)): float(v) for (s, k), v in by_part.items()}
    st = staffing.schools.set_index("school_id")
    rows = []
    for sid, r in st.iterrows():
        parts = tuple(s for s in p.stages if (sid, s) in part_pupils)
        if not parts:
            continue
        sp = float(school_pupils.get(sid, 0))
        small = r["stage"] == "teaching_point" and sp < p.exclude_teaching_points_under
        rows.append(
            {
                "school_id": sid,
                "name": r["name"],
                "township_id": r["township_id"],
                "stage": r["stage"],
                "urban": bool(r["urban"]),
                "central": bool(r["central"]),
                "village": (not bool(r["urban"])) and (not bool(r["central"])),
                "lat": r["lat"],
                "lon": r["lon"],
                "norm": float(r["norm"]),
                "floor": float(r["floor"]),
                "actual": float(r["actual"]),
                "school_pupils": sp,
                "parts": parts,
                "cv_parts": () if small or sp <= 0 else parts,
                # schools of other kinds (a complete secondary school's junior part) count in the CVs only
                "rotates": r["stage"] in p.school_stages,
            }
        )
    schools = pd.DataFrame(rows).set_index("school_id") if rows else pd.DataFrame()
    t = frames["teachers"]
    t = t[(t["year"] == y) & t["school_id"].isin(set(schools.index))].copy() if len(schools) else t.iloc[:0].copy()
    t["keys"] = [_keys(r, p) for _, r in t.iterrows()]
    t["bb"] = t["backbone"].isin(p.backbone_levels)
    _eligibility(t, frames, y, p)
    outside = ~t["school_id"].isin(set(schools.index[schools["rotates"]])) if len(schools) else t["eligible"]
    t.loc[outside, "reason"] = "school_stage"
    t.loc[outside, "eligible"] = False
    subj = staffing.subjects
    subj = subj[subj["school_id"].isin(set(schools.index))]
    posts = {(r.school_id, r.subject): float(r.posts) for r in subj.itertuples()}
    have = {(r.school_id, r.subject): float(r.actual) for r in subj.itertuples()}
    shortage = {(r.school_id, r.subject): float(r.shortage) for r in subj.itertuples()}
    tw = frames.get("townships")
    names = dict(zip(tw["township_id"].astype(str), tw["name"].astype(str), strict=True)) if tw is not None else {}
    county = County(y, schools, part_pupils, t, posts, have, shortage, standards(packs, y), names)
    if len(schools):
        _scores(county)
        big = schools["school_pupils"] >= p.strong_min_pupils
        schools["strong"] = big & schools["score"].map(lambda v: v is not None and v >= p.strong_score - EPS)
        schools["weak"] = schools["score"].map(lambda v: v is not None and v < p.weak_score - EPS)
        schools["score"] = schools["score"].astype(object).where(schools["score"].notna(), None)
    return county


def _eligibility(t: pd.DataFrame, frames: Mapping[str, pd.DataFrame], y: int, p: RotationParams) -> None:
    """Mark each teacher eligible or not, with the reason (RT): the first that applies."""
    ex = frames.get("rotation_exemptions")
    exempt: dict[str, str] = {}
    if ex is not None and len(ex):
        rows = ex[ex["year"] == y]
        if p.exempt_reasons is not None:
            rows = rows[rows["reason"].isin(p.exempt_reasons)]
        exempt = dict(zip(rows["teacher_id"].astype(str), rows["reason"].astype(str), strict=True))
    reasons = []
    for r in t.itertuples():
        retire = p.retirement_age.get(str(r.gender))
        age = y + 1 - int(r.birth_year)
        if not bool(r.full_time):
            reasons.append("part_time")
        elif int(r.years_at_school) < p.eligible_years:
            reasons.append("years")
        elif retire is not None and age >= retire - p.retirement_within:
            reasons.append("near_retirement")
        elif str(r.teacher_id) in exempt:
            reasons.append("exempt:" + exempt[str(r.teacher_id)])
        else:
            reasons.append("")
    t["reason"] = reasons
    t["eligible"] = t["reason"] == ""


def _scores(c: County) -> None:
    """Each school's QB-R1–R3 values per part and its score (mean of value ÷ standard)."""
    counts = _counts(c.teachers)
    scores = []
    for sid, s in c.schools.iterrows():
        ratios = [
            _value(counts.get((sid, k, part), 0), s["school_pupils"]) / c.standards[(k, part)]
            for part in s["cv_parts"]
            for k in INDICATORS
            if c.standards.get((k, part))
        ]
        scores.append(round(float(np.mean(ratios)), 4) if ratios else None)
    c.schools["score"] = scores


def _counts(teachers: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    """(school, indicator, stage) → qualifying full-time teachers."""
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for sid, keys in zip(teachers["school_id"], teachers["keys"], strict=True):
        for k, s in keys:
            out[(sid, k, s)] += 1
    return out


def _value(q: float, pupils: float) -> float:
    return 100.0 * q / pupils if pupils > 0 else 0.0


# ---------------------------------------------------------------------- the plan
@dataclass
class Move:
    teacher_id: str
    from_school_id: str
    to_school_id: str
    subject: str
    backbone: bool
    level: str
    km: float
    locked: bool
    why: Msg

    def contract(self) -> dict[str, Any]:
        return {
            "teacher_id": self.teacher_id,
            "from_school_id": self.from_school_id,
            "to_school_id": self.to_school_id,
            "subject": self.subject,
            "backbone": self.backbone,
        }


@dataclass
class Check:
    rule: str
    school_id: str | None
    value: float
    target: float
    status: str  # met | not_met
    op: str = ">="

    def contract(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "school_id": self.school_id,
            "value": _num(self.value),
            "target": _num(self.target),
            "status": self.status,
        }


@dataclass
class RotationPlan:
    """The plan: moves, checks, schools and CVs before and after, the solver's figures, the greedy
    baseline's; `contract(census_version)` is the CLI's JSON, `blocks()` the report chapter."""

    year: int
    params: dict[str, Any]
    eligible: list[str]
    exempt: list[dict[str, Any]]
    moves: list[Move]
    checks: list[Check]
    schools: pd.DataFrame  # school rows × part: before/after staff, shortage, QB-R1–R3
    cvs: list[dict[str, Any]]  # indicator, stage, before, after, greedy
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    greedy: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)
    locks: list[tuple[str, str]] = field(default_factory=list)
    vetoes: list[tuple[str, str]] = field(default_factory=list)
    shortfalls: list[Msg] = field(default_factory=list)  # why rules are not met (a request no plan meets)
    distance_basis: dict[str, Any] = field(default_factory=dict)  # roads.travel.Basis.as_dict(): road or straight

    def contract(self, census_version: str | None) -> dict[str, Any]:
        """The JSON contract of `countyedu teachers rotation --format json` (README)."""
        return {
            "census_version": census_version,
            "year": self.year,
            "params": self.params,
            "eligible": self.eligible,
            "moves": [m.contract() for m in self.moves],
            "checks": [c.contract() for c in self.checks],
            "objective": _num(self.objective),
            "bound": _num(self.bound),
            "gap": _num(self.gap, 6),
            "distance_basis": self.distance_basis or {"basis": "straight"},
        }

    def as_dict(self) -> dict[str, Any]:
        """Everything (the run kind's JSON): the contract's fields and the moves' details, schools
        before and after, CVs, the greedy baseline."""
        return {
            **self.contract(None),
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "moves": [
                {**m.contract(), "level": m.level, "km": round(m.km, 2), "locked": m.locked, "why": m.why.as_dict()}
                for m in self.moves
            ],
            "checks": [{**c.contract(), "op": c.op} for c in self.checks],
            "exempt": self.exempt,
            "schools": [{k: _plain(v) for k, v in r.items()} for r in self.schools.to_dict("records")],
            "cvs": self.cvs,
            "greedy": self.greedy,
            "locks": [list(x) for x in self.locks],
            "vetoes": [list(x) for x in self.vetoes],
            "shortfalls": [m.as_dict() for m in self.shortfalls],
        }

    def summary(self) -> dict[str, Any]:
        met = sum(c.status == "met" for c in self.checks)
        return {
            "rotation.moves": len(self.moves),
            "rotation.eligible": len(self.eligible),
            "rotation.backbone": sum(m.backbone for m in self.moves),
            "rotation.checks_met": met,
            "rotation.checks": len(self.checks),
            "rotation.gap": _num(self.gap, 6),
            "rotation.objective": _num(self.objective),
            "rotation.greedy_objective": _num(self.greedy.get("objective", float("nan"))),
            "rotation.cvs": self.cvs,
        }

    def blocks(self) -> list[Any]:
        from countyedu.teachers.rotation_words import rotation_blocks

        return rotation_blocks(self)


def _num(x: Any, digits: int = 4) -> Any:
    if x is None:
        return None
    v = float(x)
    if math.isnan(v):
        return None
    v = round(v, digits)
    return int(v) if v == int(v) and abs(v) < 1e15 else v


def _plain(v: Any) -> Any:
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return _num(v)
    return v

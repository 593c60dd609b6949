"""The evaluation rubric (第34条; STANDARDS SV): the yearly school target-management evaluation and the
township leaders' education-duty evaluation, read from the pack (`parameters.supervision.evaluation`).

A rubric is rows in areas; each row has its points and says what it reads:

- ``indicator``: an indicator's status for the unit (school, township) in the year: met → all its
  points, at risk → `at_risk_share` of them, not met → none; no data or needs evidence → not scored;
- ``findings``: the visits' findings with a problem at the unit's schools in the year (`items`: the
  routine item codes of `supervision.records`, ``safety`` or ``other``; empty: every item), each
  taking `per_item` points off (safety findings by severity: `per_severity`), never below zero; not
  scored when no visit to the unit's schools is recorded in the year;
- ``rectifications``: rectification items of the year not closed by their deadline (as of the date
  evaluated), `per_item` points off each;
- ``tasks``: the unit's own tasks due in the year or before (by the date evaluated): the share done (met or accepted) of its
  points; a unit with no task: not scored;
- ``schools`` (townships): the mean score of the township's schools, as a share of the row's points;
- ``manual``: a score the supervision office enters (clipped to the row's points); none: not scored.

Rows not scored leave the score out of the other rows' points (`no_data: scale`, the default:
score = points won × total / points of the rows scored) or score zero (`no_data: zero`). Every weight
is a parameter; the default rubrics are 100 points each [assumed: the SV areas with local weights].

Vetoes (一票否决: pay arrears, misused funds, a major safety accident) cap the grade at `veto_grade`
(不合格); a veto is entered by the supervision office (manual) or read from the findings (a veto row
with `source: findings` and a severity, off by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg, register_codes
from countyedu.policy.pack import Pack
from countyedu.runs.store import parameters

GRADES = ("excellent", "good", "pass", "fail")  # 优秀 / 良好 / 合格 / 不合格
GRADE_WORDS = {
    "excellent": ("优秀", "excellent"),
    "good": ("良好", "good"),
    "pass": ("合格", "pass"),
    "fail": ("不合格", "fail"),
}
Source = Literal["indicator", "findings", "rectifications", "tasks", "schools", "manual"]


class Row(BaseModel):
    """One rubric row: its points and what it reads."""

    model_config = ConfigDict(extra="forbid")
    id: str
    area: str
    name_zh: str
    name_en: str
    points: float = Field(gt=0)
    source: Source
    ref: str | None = None  # the indicator id (source indicator)
    items: list[str] = Field(default_factory=list)  # finding items counted (empty: all)
    per_item: float = 1.0  # points off per finding / overdue rectification
    per_severity: dict[str, float] = Field(default_factory=dict)  # safety findings: points off by severity
    clause: str = "第34条"

    @model_validator(mode="after")
    def _ref(self) -> Row:
        if self.source == "indicator" and not self.ref:
            raise ValueError(f"rubric row {self.id}: an indicator row names its indicator (ref)")
        return self


class Veto(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name_zh: str
    name_en: str
    source: Literal["manual", "findings"] = "manual"
    severity: str | None = None  # source findings: a safety finding of this severity vetoes
    clause: str = "第34条; SV"


def _r(id: str, area: str, zh: str, en: str, points: float, source: Source, **kw: Any) -> dict[str, Any]:
    return {"id": id, "area": area, "name_zh": zh, "name_en": en, "points": points, "source": source, **kw}


SAFETY = {"general": 3.0, "major": 5.0, "grave": 15.0}  # 一般 / 较大 / 重大 [assumed]

# The school target-management evaluation, 100 points [assumed weights over the SV areas].
SCHOOL_RUBRIC = [
    _r("S-C1", "conditions", "学校办学条件综合达标", "School meets the resource indicators", 10, "indicator", ref="QB-R-SCHOOL"),
    _r("S-C2", "conditions", "生均教学及辅助用房面积", "Teaching floor area per pupil", 5, "indicator", ref="QB-R4"),
    _r("S-C3", "conditions", "学校规模不超标", "School size within the limit", 5, "indicator", ref="QB-G4"),
    _r("S-C4", "conditions", "班额达标", "Class size within the standard", 5, "indicator", ref="QB-G5"),
    _r("S-T1", "teachers", "高于规定学历教师数", "Teachers above the required education", 5, "indicator", ref="QB-R1"),
    _r("S-T2", "teachers", "骨干教师数", "Backbone teachers", 5, "indicator", ref="QB-R2"),
    _r("S-T3", "teachers", "教师五年培训360学时", "Teachers' 360 training hours", 5, "indicator", ref="QB-G9"),
    _r("S-T4", "teachers", "教师持证上岗", "Teachers holding a certificate", 5, "indicator", ref="QB-G12"),
    _r("S-M1", "management", "规范办学（督导发现问题）", "Lawful operation (visit findings)", 20, "findings",
       items=["management", "admission", "teaching", "workload", "teachers", "campus_safety", "hygiene", "ethos", "other"],
       per_item=2.0),
    _r("S-S1", "safety", "校园安全（安全隐患）", "Campus safety (hazards found)", 15, "findings", items=["safety"],
       per_severity=SAFETY, clause="第31条"),
    _r("S-R1", "rectification", "问题按期整改", "Problems rectified on time", 10, "rectifications", per_item=2.0),
    _r("S-K1", "tasks", "目标任务完成", "Target tasks done", 5, "tasks", clause="第33条"),
    _r("S-E1", "ethos", "校风与办学特色（评定）", "School ethos and character (rated)", 5, "manual"),
]  # fmt: skip

# The township leaders' education-duty evaluation, 100 points (SV: leadership, education
# development, funding, conditions, management) [assumed weights].
TOWNSHIP_RUBRIC = [
    _r("T-L1", "leadership", "教育目标任务完成", "Education tasks done", 15, "tasks", clause="第33条"),
    _r("T-L2", "leadership", "组织领导（评定）", "Leadership of education (rated)", 10, "manual"),
    _r("T-D1", "development", "辖区学校考核平均分", "Mean evaluation score of its schools", 15, "schools"),
    _r("T-D2", "development", "学校规模不超标", "School size within the limit", 5, "indicator", ref="QB-G4"),
    _r("T-D3", "development", "班额达标", "Class size within the standard", 5, "indicator", ref="QB-G5"),
    _r("T-F1", "funding", "经费保障与投入（评定）", "Funding of education (rated)", 10, "manual"),
    _r("T-C1", "conditions", "生均教学及辅助用房面积", "Teaching floor area per pupil", 5, "indicator", ref="QB-R4"),
    _r("T-C2", "conditions", "生均体育运动场馆面积", "Sports area per pupil", 5, "indicator", ref="QB-R5"),
    _r("T-C3", "conditions", "生均教学仪器设备值", "Equipment value per pupil", 5, "indicator", ref="QB-R6"),
    _r("T-C4", "conditions", "每百名学生网络多媒体教室数", "Multimedia classrooms per 100 pupils", 5, "indicator", ref="QB-R7"),
    _r("T-M1", "management", "校园安全（安全隐患）", "Campus safety (hazards found)", 10, "findings", items=["safety"],
       per_severity=SAFETY, clause="第31条"),
    _r("T-M2", "management", "问题按期整改", "Problems rectified on time", 10, "rectifications", per_item=1.0),
]  # fmt: skip

VETOES = [
    {"id": "pay_arrears", "name_zh": "拖欠教师工资", "name_en": "Teachers' pay in arrears"},
    {"id": "misused_funds", "name_zh": "挤占挪用教育经费", "name_en": "Education funds misused"},
    {"id": "major_safety_accident", "name_zh": "发生重大安全责任事故", "name_en": "A major safety accident"},
]


class EvaluationParams(BaseModel):
    """`parameters.supervision.evaluation`: the rubrics, grades, vetoes and the 约谈 rules."""

    model_config = ConfigDict(extra="forbid")
    total: float = 100.0  # the scale a score is given on (第34条: 100 points) [assumed]
    grades: dict[str, float] = Field(default_factory=lambda: {"excellent": 90.0, "good": 80.0, "pass": 60.0})
    veto_grade: Literal["pass", "fail"] = "fail"  # SV: vetoes cap the grade
    at_risk_share: float = Field(default=0.5, ge=0, le=1)  # an at-risk indicator's share of its points [assumed]
    no_data: Literal["scale", "zero"] = "scale"  # rows not scored [assumed]
    serious_overdue_tasks: int = Field(default=1, ge=1)  # how many such tasks put a unit on the 约谈 list [assumed]
    repeat_accountability: int = Field(default=2, ge=2)  # 问责办法: held to account this many times in a year
    talk_days: int = Field(
        default=14, ge=0
    )  # the 约谈 letter names a date this many days after the evaluation [assumed]
    school: list[Row] = Field(default_factory=lambda: [Row.model_validate(r) for r in SCHOOL_RUBRIC])
    township: list[Row] = Field(default_factory=lambda: [Row.model_validate(r) for r in TOWNSHIP_RUBRIC])
    vetoes: list[Veto] = Field(default_factory=lambda: [Veto.model_validate(v) for v in VETOES])

    @model_validator(mode="after")
    def _check(self) -> EvaluationParams:
        for level in ("school", "township"):
            ids = [r.id for r in getattr(self, level)]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{level} rubric: a row id appears twice")
        if not set(self.grades) <= set(GRADES[:-1]):
            raise ValueError(f"grades: only {', '.join(GRADES[:-1])} have a lower bound")
        return self

    def grade(self, score: float | None, vetoed: bool) -> str:
        """优秀 / 良好 / 合格 / 不合格 by the grades' lower bounds; a veto caps it at veto_grade."""
        g = "fail"
        if score is not None:
            for name in GRADES[:-1]:
                if name in self.grades and score >= self.grades[name] - 1e-9:
                    g = name
                    break
        if vetoed and GRADES.index(g) < GRADES.index(self.veto_grade):
            g = self.veto_grade
        return g


_NAMES: dict[str, tuple[str, str]] = {}


def _label(code: str, lang: str) -> str:
    zh, en = _NAMES.get(code) or GRADE_WORDS.get(code) or (code, code)
    return zh if lang.startswith("zh") else en


def _remember(p: EvaluationParams) -> None:
    for r in [*p.school, *p.township]:
        _NAMES[r.id] = (r.name_zh, r.name_en)
    for v in p.vetoes:
        _NAMES[v.id] = (v.name_zh, v.name_en)


register_codes("rubric", _label)
register_codes("evaluation_grade", _label)  # not "grade": the census's grade codes (P5 → 五年级) go by that name
_remember(EvaluationParams())


def row_label(row_id: str) -> Code:
    return Code("rubric", row_id)


def evaluation_params(packs: Sequence[Pack]) -> EvaluationParams:
    """The rubric of the first pack that sets `parameters.supervision.evaluation` (else the default)."""
    raw = parameters(packs, "supervision").get("evaluation") or {}
    try:
        p = EvaluationParams.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise CountyEduError(
            Msg("The evaluation rubric is not valid ({where}): {why}", where=where, why=first["msg"])
        ) from e
    _remember(p)
    return p

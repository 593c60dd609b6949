"""A quality run: the measures, the between-school spread, value added and T-HS-3 of one results
sheet, with the report chapter's blocks and a school's own report (school_report)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from countyedu.census.vocabulary import order
from countyedu.messages import Code, Msg, Num
from countyedu.quality.measures import GROUP, frame_of, measures, spread
from countyedu.quality.params import CLAUSES, QualityParams
from countyedu.quality.top100 import top_candidates
from countyedu.quality.value_added import CohortResult, value_added
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, Finding, Value, worded

JUDGEMENTS: dict[str, Msg] = {
    "above": Msg("above expectation"),
    "expected": Msg("as expected"),
    "below": Msg("below expectation"),
    "too_few": Msg("too few pupils to estimate"),
}
METHOD = Msg(
    "Value added: each pupil's exit score (the mean of their standardised subject scores) is compared with "
    "what the county's line through all matched pupils predicts from their intake score; a school's value "
    "added is the mean difference of its pupils, with an interval of ± {q} × s / √n ({confidence} "
    "confidence; s the county's residual spread, n the school's pupils). A school is above or below "
    "expectation only when its whole interval is; where intervals overlap no single rank is given, only the "
    "range of ranks it could take."
)


def _r(v: Any, digits: int = 6) -> Any:
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else round(float(v), digits)
    if isinstance(v, np.integer | np.bool_):
        return v.item()
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON records (floats rounded to 6 places)."""
    return [{k: _r(v) for k, v in row.items()} for row in df.to_dict("records")]


@dataclass
class QualityRun:
    year: int | None
    params: QualityParams
    measures: pd.DataFrame
    spread: pd.DataFrame
    cohorts: list[CohortResult]
    top100: list[dict[str, Any]]
    school_names: dict[str, str] = field(default_factory=dict)
    school_towns: dict[str, str] = field(default_factory=dict)
    township_names: dict[str, str] = field(default_factory=dict)
    results: int = 0

    # JSON -----------------------------------------------------------------------------------------
    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "results": self.results,
            "parameters": {**self.params.model_dump(mode="json"), "clauses": CLAUSES},
            "measures": records(self.measures),
            "spread": records(self.spread),
            "value_added": [c.as_dict() for c in self.cohorts],
            "top100": self.top100,
        }

    def summary(self) -> dict[str, Any]:
        judged = [j for c in self.cohorts for j in c.schools["judgement"]]
        return {
            "quality_results": self.results,
            "quality_years": sorted({int(y) for y in self.measures["year"]}) if len(self.measures) else [],
            "quality_va_above": judged.count("above"),
            "quality_va_below": judged.count("below"),
            "quality_va_expected": judged.count("expected"),
            "t_hs_3": {str(t["year"]): t["count"] for t in self.top100},
        }

    # names ----------------------------------------------------------------------------------------
    def school(self, sid: str) -> str:
        return self.school_names.get(sid, sid)

    def township_of(self, sid: str) -> str:
        tid = self.school_towns.get(sid, "")
        return self.township_names.get(tid, tid)

    def latest(self) -> list[tuple[int, str, str]]:
        """(year, exam, grade) of the latest year of each exam and grade, in exam order."""
        if self.measures.empty:
            return []
        last = self.measures.groupby(["exam", "grade"], observed=True)["year"].max()
        return sorted(((int(y), e, g) for (e, g), y in last.items()), key=lambda t: (_exam_order(t[1]), t[2]))

    # blocks ---------------------------------------------------------------------------------------
    def blocks(self, lang: str | None = None) -> list[Block]:
        if self.results == 0:
            nothing = Block(
                "quality.nothing",
                Msg("Exam results and quality monitoring"),
                "第8、29条",
                [Msg("This census holds no exam results: import the results sheet of the exchange format.")],
            )
            return worded([nothing], lang)
        out = [self._county_block(), self._units_block("township"), self._units_block("school")]
        if self.cohorts:
            out.append(self._value_added_block())
        if self.top100:
            out.append(self._top_block())
        return worded(out, lang)

    def _county_block(self) -> Block:
        county = self.measures[self.measures["level"] == "county"].merge(self.spread, on=GROUP, how="left")
        cols = [
            *exam_columns(),
            BlockColumn("full_marks", Msg("Full marks")),
            BlockColumn("pass_rate", Msg("Pass rate"), "share"),
            BlockColumn("excellent_rate", Msg("Excellent rate"), "share"),
            BlockColumn("low_rate", Msg("Low-score rate"), "share"),
            BlockColumn("cv", Msg("Between-school difference (CV)")),
            BlockColumn("between_share", Msg("Share of variance between schools"), "share"),
        ]
        rows: list[list[Value]] = [
            [
                int(r.year),
                Code("exam_kind", r.exam),
                Code("grade", r.grade),
                Code("exam_subject", r.subject),
                int(r.n),
                round(float(r.mean), 1),
                float(r.full_marks),
                float(r.pass_rate),
                float(r.excellent_rate),
                float(r.low_rate),
                round(float(r.cv), 3),
                float(r.between_share),
            ]
            for r in _ordered(county).itertuples()
        ]
        p = self.params
        table = BlockTable(
            Msg("Results of the county by year, exam and subject"),
            cols,
            rows,
            Msg(
                "Pass: at least {p} of the full marks; excellent: at least {e}; low score: below {lo}. The "
                "between-school difference is the pupil-weighted coefficient of variation of the school means.",
                p=Num(p.pass_share, "share"),
                e=Num(p.excellent_share, "share"),
                lo=Num(p.low_share, "share"),
            ),
            "第29条; QB-Q9",
        )
        findings = []
        for y, exam, grade in self.latest():
            s = self.spread[
                (self.spread["year"] == y)
                & (self.spread["exam"] == exam)
                & (self.spread["grade"] == grade)
                & (self.spread["subject"] != "total")
            ]
            if s.empty:
                continue
            worst = s.sort_values(["cv", "subject"], ascending=[False, True]).iloc[0]
            findings.append(
                Finding(
                    "QB-Q9",
                    Msg(
                        "{year} {exam} ({grade}): the between-school difference is below {limit} in every subject",
                        year=y,
                        exam=Code("exam_kind", exam),
                        grade=Code("grade", grade),
                        limit=Num(p.spread_limit, "", 2),
                    ),
                    Num(float(worst["cv"]), "", 3),
                    "met" if bool(s["met"].all()) else "not_met",
                    Msg("largest in {subject}", subject=Code("exam_subject", str(worst["subject"]))),
                )
            )
        return Block(
            "quality.county", Msg("Exam results of the county"), "第8、29条; QB-Q9", findings=findings, tables=[table]
        )

    def _units_block(self, level: str) -> Block:
        """Per township or school, the latest year of each exam and grade: subjects averaged."""
        tables = []
        for y, exam, grade in self.latest():
            m = self.measures[
                (self.measures["level"] == level)
                & (self.measures["year"] == y)
                & (self.measures["exam"] == exam)
                & (self.measures["grade"] == grade)
                & (self.measures["subject"] != "total")
            ]
            per = (
                m.groupby("unit", sort=True)
                .agg(
                    n=("n", "max"),
                    z=("z", "mean"),
                    pass_rate=("pass_rate", "mean"),
                    excellent_rate=("excellent_rate", "mean"),
                    low_rate=("low_rate", "mean"),
                )
                .reset_index()
                .sort_values(["z", "unit"], ascending=[False, True], kind="mergesort")
            )
            name = Msg("School") if level == "school" else Msg("Township")
            cols = [BlockColumn("unit", name)]
            if level == "school":
                cols.append(BlockColumn("township", Msg("Township")))
            cols += [
                BlockColumn("n", Msg("Pupils"), "count"),
                BlockColumn("z", Msg("Standardised score")),
                BlockColumn("pass_rate", Msg("Pass rate"), "share"),
                BlockColumn("excellent_rate", Msg("Excellent rate"), "share"),
                BlockColumn("low_rate", Msg("Low-score rate"), "share"),
            ]
            rows: list[list[Value]] = []
            for r in per.itertuples():
                head: list[Any] = (
                    [self.school(r.unit), self.township_of(r.unit)]
                    if level == "school"
                    else [self.township_names.get(r.unit, r.unit)]
                )
                rows.append(
                    [
                        *head,
                        int(r.n),
                        round(float(r.z), 2),
                        float(r.pass_rate),
                        float(r.excellent_rate),
                        float(r.low_rate),
                    ]
                )
            tables.append(
                BlockTable(
                    Msg("{year} {exam}, {grade}", year=y, exam=Code("exam_kind", exam), grade=Code("grade", grade)),
                    cols,
                    rows,
                    Msg(
                        "The mean over the exam's subjects of the standardised score (0 = the county's mean, in "
                        "standard deviations) and of each rate."
                    ),
                    "第29条",
                )
            )
        title = Msg("Exam results by school") if level == "school" else Msg("Exam results by township")
        return Block(f"quality.{level}s", title, "第29条", tables=tables)

    def _value_added_block(self) -> Block:
        p = self.params
        tables = []
        for c in self.cohorts:
            rows: list[list[Value]] = [
                [
                    self.school(r.school_id),
                    self.township_of(r.school_id),
                    int(r.n),
                    _r(r.intake, 2),
                    _r(r.exit, 2),
                    _r(r.va, 2),
                    _r(r.lo, 2),
                    _r(r.hi, 2),
                    JUDGEMENTS[r.judgement],
                    rank_text(r.best, r.worst),
                ]
                for r in c.schools.itertuples()
            ]
            cols = [
                BlockColumn("school", Msg("School")),
                BlockColumn("township", Msg("Township")),
                BlockColumn("n", Msg("Matched pupils"), "count"),
                BlockColumn("intake", Msg("Intake (standardised)")),
                BlockColumn("exit", Msg("Exit (standardised)")),
                BlockColumn("va", Msg("Value added")),
                BlockColumn("lo", Msg("Interval from")),
                BlockColumn("hi", Msg("Interval to")),
                BlockColumn("judgement", Msg("Judgement")),
                BlockColumn("rank", Msg("Possible ranks")),
            ]
            tables.append(
                BlockTable(
                    cohort_title(c),
                    cols,
                    rows,
                    Msg(
                        "{pupils} matched pupils; county line: exit = {a} + {b} × intake; residual spread s = {s}.",
                        pupils=c.pupils,
                        a=Num(c.a, "", 3),
                        b=Num(c.b, "", 3),
                        s=Num(c.s, "", 3),
                    ),
                    "第29条",
                )
            )
        method = Msg(METHOD.key, q=Num(self.cohorts[0].q, "", 2), confidence=Num(p.confidence, "share"))
        return Block("quality.value_added", Msg("Value added by school"), "第29条", [method], tables=tables)

    def _top_block(self) -> Block:
        findings = [
            Finding(
                "T-HS-3",
                Msg(
                    "{year}: at least {target} candidates in the province's top {n} of the gaokao",
                    year=t["year"],
                    target=t["target"],
                    n=t["top_n"],
                ),
                Num(t["count"], "persons"),
                "met" if t["met"] else "not_met",
                Msg("{candidates} candidates sat the gaokao", candidates=Num(t["candidates"], "count")),
            )
            for t in self.top100
        ]
        rows = [
            [t["year"], c["person_id"], self.school(c["school_id"]), c["rank"]] for t in self.top100 for c in t["top"]
        ]
        table = BlockTable(
            Msg("Candidates in the province's top {n}", n=self.params.top_n),
            [
                BlockColumn("year", Msg("School year"), "year"),
                BlockColumn("person_id", Msg("Candidate")),
                BlockColumn("school", Msg("School")),
                BlockColumn("rank", Msg("Place in the province"), "count"),
            ],
            rows,
            clause="T-HS-3",
        )
        return Block(
            "quality.top100",
            Msg("Top candidates of the gaokao (T-HS-3)"),
            "第8条; T-HS-3",
            findings=findings,
            tables=[table],
        )


def exam_columns() -> list[BlockColumn]:
    """The columns naming a result row and its size: year, exam, grade, subject, pupils, mean."""
    return [
        BlockColumn("year", Msg("School year"), "year"),
        BlockColumn("exam", Msg("Exam")),
        BlockColumn("grade", Msg("Grade")),
        BlockColumn("subject", Msg("Subject")),
        BlockColumn("n", Msg("Pupils"), "count"),
        BlockColumn("mean", Msg("Mean score")),
    ]


def cohort_title(c: CohortResult) -> Msg:
    k = c.cohort
    return Msg(
        "{intake_year} {intake_exam} ({intake_grade}) → {exit_year} {exit_exam} ({exit_grade})",
        intake_year=c.year - k.years,
        intake_exam=Code("exam_kind", k.intake_exam),
        intake_grade=Code("grade", k.intake_grade),
        exit_year=c.year,
        exit_exam=Code("exam_kind", k.exit_exam),
        exit_grade=Code("grade", k.exit_grade),
    )


def rank_text(best: Any, worst: Any) -> str | None:
    """ "3" for a definite rank, "2–7" for a range, None without an estimate."""
    if best is None or best is pd.NA or pd.isna(best):
        return None
    return str(int(best)) if int(best) == int(worst) else f"{int(best)}–{int(worst)}"


def _exam_order(exam: str) -> int:
    known = order("exam_kind")
    return known.index(exam) if exam in known else len(known)


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    subjects = {s: i for i, s in enumerate(order("exam_subject"))}
    exams = {s: i for i, s in enumerate(order("exam_kind"))}
    key = df.assign(_e=df["exam"].map(exams), _s=df["subject"].map(subjects))
    return key.sort_values(["year", "_e", "grade", "_s"], kind="mergesort")


def run_quality(frames: Mapping[str, pd.DataFrame], p: QualityParams, year: int | None = None) -> QualityRun:
    """The quality run on a census's results (every year, or those up to `year`: the measures of each
    year, the cohorts leaving by then, T-HS-3 of each year)."""
    every = frame_of(frames, "results")
    schools = frame_of(frames, "schools")
    towns = frame_of(frames, "townships")
    if not every.empty and year is not None:  # the results up to the year: its exams and the years before
        every = every[every["year"] <= year]
    results = every
    if schools.empty:
        schools = pd.DataFrame(columns=["school_id", "name", "township_id"])
    has_results = not results.empty
    return QualityRun(
        year,
        p,
        measures(results, schools, p) if has_results else measures(pd.DataFrame(), schools, p),
        spread(results, p) if has_results else spread(pd.DataFrame(columns=[*GROUP, "score", "school_id"]), p),
        value_added(results, p) if has_results else [],
        top_candidates(results, p) if has_results else [],
        dict(zip(schools["school_id"], schools["name"], strict=True)),
        dict(zip(schools["school_id"], schools["township_id"], strict=True)),
        dict(zip(towns["township_id"], towns["name"], strict=True)) if not towns.empty else {},
        len(results),
    )

"""A school's own report (第29条: a principal reads about their own school only): its results beside
its township's and the county's, its value added with the interval, its candidates in the province's
top 100. Nothing of another school is in it but the number of schools a rank range is out of."""

from __future__ import annotations

from typing import Any

import pandas as pd

from countyedu.errors import CountyEduError
from countyedu.messages import Code, Msg
from countyedu.quality.measures import GROUP
from countyedu.quality.run import JUDGEMENTS, QualityRun, _ordered, _r, cohort_title, exam_columns, rank_text
from countyedu.runs.blocks import Block, BlockColumn, BlockTable, worded


def school_report(run: QualityRun, school_id: str) -> dict[str, Any]:
    """The school's report as JSON; a CountyEduError when the census has no such school."""
    if school_id not in run.school_names:
        raise CountyEduError(Msg("no school {school_id} in this census", school_id=school_id), school_id=school_id)
    m = run.measures
    own = m[(m["level"] == "school") & (m["unit"] == school_id)]
    tid = run.school_towns.get(school_id, "")
    town = m[(m["level"] == "township") & (m["unit"] == tid)][[*GROUP, "mean", "pass_rate"]]
    county = m[m["level"] == "county"][[*GROUP, "mean", "pass_rate", "excellent_rate", "low_rate"]]
    rows = own.merge(town, on=GROUP, how="left", suffixes=("", "_township")).merge(
        county, on=GROUP, how="left", suffixes=("", "_county")
    )
    results = []
    for r in _ordered(rows).to_dict("records"):
        results.append(
            {
                **{k: r[k] for k in GROUP},
                **{k: _r(r[k]) for k in ("n", "mean", "full_marks", "pass_rate", "excellent_rate", "low_rate", "z")},
                "township": {"mean": _r(r["mean_township"]), "pass_rate": _r(r["pass_rate_township"])},
                "county": {k: _r(r[f"{k}_county"]) for k in ("mean", "pass_rate", "excellent_rate", "low_rate")},
            }
        )
    value_added = []
    for c in run.cohorts:
        mine = c.schools[c.schools["school_id"] == school_id]
        if mine.empty:
            continue
        r = mine.iloc[0]
        value_added.append(
            {
                **c.cohort.model_dump(),
                "intake_year": c.year - c.cohort.years,
                "exit_year": c.year,
                "schools_estimated": int((c.schools["judgement"] != "too_few").sum()),
                **{k: _r(r[k]) for k in ("n", "intake", "exit", "va", "se", "lo", "hi")},
                "judgement": r["judgement"],
                "best": None if pd.isna(r["best"]) else int(r["best"]),
                "worst": None if pd.isna(r["worst"]) else int(r["worst"]),
            }
        )
    top = [
        {"year": t["year"], "top_n": t["top_n"], "candidates": [c for c in t["top"] if c["school_id"] == school_id]}
        for t in run.top100
    ]
    return {
        "school_id": school_id,
        "name": run.school(school_id),
        "township_id": tid,
        "township": run.township_names.get(tid, tid),
        "results": results,
        "value_added": value_added,
        "top100": top,
    }


def school_blocks(run: QualityRun, school_id: str, lang: str | None = None) -> list[Block]:
    """The school's report as blocks (its page, `countyedu quality school`)."""
    rep = school_report(run, school_id)
    res_cols = [
        *exam_columns(),
        BlockColumn("mean_township", Msg("Township mean")),
        BlockColumn("mean_county", Msg("County mean")),
        BlockColumn("pass_rate", Msg("Pass rate"), "share"),
        BlockColumn("pass_county", Msg("County pass rate"), "share"),
        BlockColumn("excellent_rate", Msg("Excellent rate"), "share"),
        BlockColumn("low_rate", Msg("Low-score rate"), "share"),
        BlockColumn("z", Msg("Standardised score")),
    ]
    res_rows = [
        [
            r["year"],
            Code("exam_kind", r["exam"]),
            Code("grade", r["grade"]),
            Code("exam_subject", r["subject"]),
            r["n"],
            _r(r["mean"], 1),
            _r(r["township"]["mean"], 1),
            _r(r["county"]["mean"], 1),
            r["pass_rate"],
            r["county"]["pass_rate"],
            r["excellent_rate"],
            r["low_rate"],
            _r(r["z"], 2),
        ]
        for r in rep["results"]
    ]
    blocks = [
        Block(
            "quality.school",
            Msg("Exam results of {school}", school=rep["name"]),
            "第29条",
            tables=[BlockTable(Msg("Results beside the township and the county"), res_cols, res_rows, clause="第29条")],
        )
    ]
    if rep["value_added"]:
        va_rows = []
        for v, c in zip(
            rep["value_added"], [c for c in run.cohorts if (c.schools["school_id"] == school_id).any()], strict=True
        ):
            va_rows.append(
                [
                    cohort_title(c),
                    v["n"],
                    _r(v["va"], 2),
                    _r(v["lo"], 2),
                    _r(v["hi"], 2),
                    JUDGEMENTS[v["judgement"]],
                    rank_text(v["best"], v["worst"]),
                    v["schools_estimated"],
                ]
            )
        blocks.append(
            Block(
                "quality.school_value_added",
                Msg("Value added of {school}", school=rep["name"]),
                "第29条",
                [
                    Msg(
                        "0 means the pupils finished where their intake results predicted; the interval shows how "
                        "precisely the school's figure is known: the fewer pupils, the wider it is."
                    )
                ],
                tables=[
                    BlockTable(
                        Msg("Value added with its interval"),
                        [
                            BlockColumn("cohort", Msg("Cohort")),
                            BlockColumn("n", Msg("Matched pupils"), "count"),
                            BlockColumn("va", Msg("Value added")),
                            BlockColumn("lo", Msg("Interval from")),
                            BlockColumn("hi", Msg("Interval to")),
                            BlockColumn("judgement", Msg("Judgement")),
                            BlockColumn("rank", Msg("Possible ranks")),
                            BlockColumn("schools", Msg("Schools compared"), "count"),
                        ],
                        va_rows,
                        clause="第29条",
                    )
                ],
            )
        )
    tops = [(t["year"], c) for t in rep["top100"] for c in t["candidates"]]
    if tops:
        blocks.append(
            Block(
                "quality.school_top100",
                Msg("Candidates in the province's top {n}", n=run.params.top_n),
                "T-HS-3",
                tables=[
                    BlockTable(
                        Msg("Candidates in the province's top {n}", n=run.params.top_n),
                        [
                            BlockColumn("year", Msg("School year"), "year"),
                            BlockColumn("person_id", Msg("Candidate")),
                            BlockColumn("rank", Msg("Place in the province"), "count"),
                        ],
                        [[y, c["person_id"], int(c["rank"])] for y, c in tops],
                        clause="T-HS-3",
                    )
                ],
            )
        )
    return worded(blocks, lang)

"""The yearly evaluations (第34条) on a hand county whose scores were computed by hand: a small rubric,
three schools in two townships, grades, ranking, vetoes, the rows behind every point and the 约谈 list."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from countyedu.errors import CountyEduError
from countyedu.messages import translate
from countyedu.supervision.evaluate import Inputs, evaluate, manual_frame
from countyedu.supervision.reports import ReportInputs, county_report, school_report, township_report
from countyedu.supervision.rubric import EvaluationParams, evaluation_params

RUBRIC = {
    "school": [
        {"id": "A1", "area": "conditions", "name_zh": "条件", "name_en": "Conditions", "points": 40, "source": "indicator", "ref": "X"},
        {"id": "A2", "area": "management", "name_zh": "管理", "name_en": "Management", "points": 30, "source": "findings",
         "items": ["management"], "per_item": 5},
        {"id": "A3", "area": "ethos", "name_zh": "校风", "name_en": "Ethos", "points": 30, "source": "manual"},
    ],
    "township": [
        {"id": "B1", "area": "development", "name_zh": "学校", "name_en": "Schools", "points": 50, "source": "schools"},
        {"id": "B2", "area": "leadership", "name_zh": "任务", "name_en": "Tasks", "points": 50, "source": "tasks"},
    ],
}  # fmt: skip


def inputs(**over: pd.DataFrame) -> Inputs:
    base = dict(
        schools=pd.DataFrame(
            {"school_id": ["S1", "S2", "S3"], "name": ["一小", "二小", "三小"], "township_id": ["T1", "T1", "T2"]}
        ),
        townships=pd.DataFrame({"township_id": ["T1", "T2"], "name": ["甲镇", "乙乡"]}),
        indicators=pd.DataFrame(
            {
                "indicator": ["X"] * 4,
                "level": ["school"] * 4,
                "unit": ["S1", "S2", "S3", "S1"],
                "year": [2024, 2024, 2024, 2023],
                "status": ["met", "at_risk", "not_met", "not_met"],
                "value": [1.0, 0.8, 0.2, 0.1],
            }
        ),
        findings=pd.DataFrame(
            {
                "finding_id": ["F1", "F2", "F3", "F4", "F5"],
                "school_id": ["S1", "S2", "S2", "S2", "S3"],
                # F4 is in the next school year; F5 is a safety finding (not a management one)
                "date": ["2024-10-01", "2024-11-02", "2025-03-04", "2025-09-10", "2025-01-05"],
                "item": ["management", "management", "management", "management", "safety"],
                "severity": [None, None, None, None, "grave"],
                "visit_id": ["V1", "V2", "V3", "V9", "V8"],
                "problem": ["台账不全", "作息超时", "作业量大", "课表不符", "围墙开裂"],
            }
        ),
        tasks=pd.DataFrame(
            {
                "task_id": ["K1", "K2", "K3"],
                "owner_kind": ["township", "township", "township"],
                "owner_id": ["T1", "T1", "T2"],
                "title": ["建成甲镇中心幼儿园", "消除甲镇大班额", "乙乡学校改薄"],
                "due": ["2024-12-31", "2025-03-01", "2024-10-01"],
                "done": [True, False, False],
                "seriously_overdue": [False, True, True],  # the register's rule, as of 31 August 2025
            }
        ),
        manual=manual_frame({"S1": {"A3": 25}, "S3": {"A3": 30}}),
        vetoes=pd.DataFrame({"unit_id": ["S3"], "veto": ["misused_funds"], "note": ["挪用公用经费"]}),
        # the bureau's notice on S2 (a second overdue rectification) in January: S2 and T1 held to account
        rectifications=pd.DataFrame(
            {
                "rectification_id": ["R1"],
                "school_id": ["S2"],
                "deadline": ["2024-12-01"],
                "closed_on": [None],
                "status": ["open"],
                "responsible": ["张校长"],
            }
        ),
        followups=pd.DataFrame({"rectification_id": ["R1"], "date": ["2025-01-10"], "action": ["notice"]}),
    )
    return Inputs(**(base | over))


P = EvaluationParams.model_validate(RUBRIC)


def test_it_scores_grades_and_ranks_schools_by_hand() -> None:
    e = evaluate(inputs(), P, 2024)
    by = {u.unit_id: u for u in e.schools}
    # S1: met 40 + (30 − 1 finding × 5) + manual 25 = 90 → 优秀
    assert by["S1"].score == 90.0 and by["S1"].grade == "excellent"
    # S2: at risk 20 + (30 − 2 × 5) + not scored → 40 of 70 scaled to 100 = 57.14 → 不合格
    assert by["S2"].score == pytest.approx(57.14) and by["S2"].grade == "fail"
    assert [r.points for r in by["S2"].rows] == [20.0, 20.0, None]
    # S3: not met 0 + 30 + 30 = 60 (合格) but vetoed (misused funds) → 不合格, ranked last
    assert by["S3"].score == 60.0 and by["S3"].vetoes == ("misused_funds",) and by["S3"].grade == "fail"
    assert [(u.unit_id, u.rank) for u in e.schools] == [("S1", 1), ("S2", 2), ("S3", 3)]


def test_it_scores_townships_from_their_schools_and_tasks() -> None:
    e = evaluate(inputs(), P, 2024)
    by = {u.unit_id: u for u in e.townships}
    # T1: its schools' published scores' mean (90 + 57.14) / 2 = 73.57 → 36.785 of 50; tasks 1 of 2 done → 25
    assert by["T1"].score == pytest.approx(61.785, abs=0.006) and by["T1"].grade == "pass"
    # T2: its school's 60 → 30 of 50; its one task not done → 0
    assert by["T2"].score == 30.0 and by["T2"].grade == "fail"
    rows = {r["rubric_id"]: r for r in e.as_dict()["townships"][0]["rows"]}
    assert rows["B2"]["source"] == {"kind": "tasks", "count": 2, "done": 1}
    assert rows["B1"]["max"] == 50 and rows["B1"]["points"] == pytest.approx(36.785)


def test_the_interview_list_says_why() -> None:
    e = evaluate(inputs(), P, 2024)
    got = {i.unit_id: i.codes for i in e.interviews}
    assert got == {
        "T1": ("overdue_tasks", "repeat_accountability"),  # K2 seriously overdue; the notice on S2 in January
        "T2": ("fail_grade", "overdue_tasks"),
        "S2": ("fail_grade", "repeat_accountability"),  # a notice in January, this talk the second
        "S3": ("fail_grade",),
    }
    s3 = next(i for i in e.interviews if i.unit_id == "S3")
    letter = "\n".join(translate(m, "zh") for m in s3.letter(2024))
    assert "三小" in letter and "挤占挪用教育经费" in letter and "2025-09-14" in letter
    t2 = next(i for i in e.interviews if i.unit_id == "T2")
    assert "乙乡学校改薄" in translate(t2.reasons[1], "zh")


def test_as_of_earlier_in_the_year_counts_only_what_was_due() -> None:
    e = evaluate(inputs(), P, 2024, as_of=dt.date(2025, 1, 15))
    t1 = next(u for u in e.townships if u.unit_id == "T1")
    assert next(r for r in t1.rows if r.rubric_id == "B2").source == {"kind": "tasks", "count": 1, "done": 1}
    s2 = next(u for u in e.schools if u.unit_id == "S2")
    assert s2.rows[1].source["count"] == 1  # the March finding is after the date evaluated


def test_the_json_contract() -> None:
    d = evaluate(inputs(), P, 2024).as_dict()
    assert d["year"] == 2024
    t = d["townships"][0]
    assert {"township_id", "score", "grade", "vetoes", "rows"} <= set(t)
    assert {"rubric_id", "points", "max", "source"} <= set(t["rows"][0])
    assert {"school_id", "township_id", "score", "grade", "vetoes", "rows"} <= set(d["schools"][0])


def test_the_default_rubrics_are_100_points_and_a_bad_one_is_refused() -> None:
    p = evaluation_params([])
    assert sum(r.points for r in p.school) == 100 and sum(r.points for r in p.township) == 100
    assert p.grade(89.99, False) == "good" and p.grade(95, True) == "fail" and p.grade(None, False) == "fail"
    with pytest.raises(Exception, match="indicator"):
        EvaluationParams.model_validate({"school": [{**RUBRIC["school"][0], "ref": None}]})

    pack = SimpleNamespace(parameters={"supervision": {"evaluation": {"grades": {"best": 95}}}})
    with pytest.raises(CountyEduError):
        evaluation_params([pack])  # type: ignore[list-item]


def test_blocks_are_worded_without_raw_codes() -> None:
    from countyedu.runs.blocks import localize

    blocks = localize(evaluate(inputs(), P, 2024).blocks(), "zh")
    assert [b.id for b in blocks] == ["supervision.evaluation", "supervision.interviews"]
    cells = [str(c) for b in blocks for t in b.tables for r in t.rows for c in r]
    assert "不合格" in cells and "misused_funds" not in " ".join(cells)


def _report_inputs() -> ReportInputs:
    return ReportInputs(
        visits=pd.DataFrame(
            {
                "visit_id": ["V1", "V2", "V3"],
                "school_id": ["S1", "S2", "S2"],
                "inspector_id": ["I1", "I1", "I1"],
                "date": ["2024-10-01", "2024-11-02", "2025-03-04"],
                "kind": ["routine", "routine", "random"],
                "feedback_given": [True, True, False],
            }
        ),
        assignments=pd.DataFrame(
            {"school_id": ["S1", "S2"], "inspector_id": ["I1", "I1"], "since": ["2024-09-01"] * 2}
        ),
        inspectors=pd.DataFrame({"inspector_id": ["I1"], "name": ["王督学"]}),
    )


def test_the_reports_of_a_school_a_township_and_the_county() -> None:
    from countyedu.runs.blocks import localize

    data = inputs(
        indicators=pd.concat(
            [
                inputs().indicators,
                pd.DataFrame(
                    [
                        {
                            "indicator": "B-34-FUNDS",
                            "level": "county",
                            "unit": "C",
                            "year": 2024,
                            "status": "met",
                            "value": 450000.0,
                        }
                    ]
                ),
            ]
        )
    )
    e = evaluate(data, P, 2024)
    r = _report_inputs()
    school = localize(school_report(e, data, r, "S2"), "zh")[0]
    assert "王督学" in school.paragraphs[0]
    assert [len(t.rows) for t in school.tables[:3]] == [2, 2, 1]  # 2 visits, 2 problems, 1 rectification
    assert school.tables[2].rows[0][-1] is True  # R1 past its deadline, not closed
    town = localize(township_report(e, data, "T2"), "zh")[0]
    assert "不合格" in town.paragraphs[0] and town.tables[1].rows == [["乙乡学校改薄", "2024-10-01", False, True]]
    county = localize(county_report(e, data, r), "zh")
    head = county[0].paragraphs[0]
    # 3 visits to 2 of 3 schools; school-months: S1 Oct, S2 Nov, S2 Mar = 3 of 3 × 12 = 8.3%
    assert head.startswith(
        "督导 3 次，覆盖 3 所学校中的 2 所；8.3% 的校·月有督导；发现问题 4 个；到期整改 1 项，逾期 1 项"
    )
    assert county[0].findings[0].status == "met" and "450,000" in county[0].findings[0].value
    words = " ".join(str(c) for b in county for t in b.tables for row in t.rows for c in row)
    assert "management" not in words and "学校管理" in words


def test_it_reads_the_records_frames_and_the_task_register() -> None:
    from types import SimpleNamespace as NS

    from countyedu.supervision.evaluate import inputs_from
    from countyedu.supervision.records import Records

    recs = Records.from_rows(
        findings=[
            {"finding_id": "F1", "visit_id": "V1", "school_id": "S1", "date": "2024-10-01", "item": "management", "problem": "台账不全"},
            {"finding_id": "F2", "visit_id": "V1", "school_id": "S1", "date": "2024-10-01", "item": "hygiene", "problem": None},
        ]
    )  # fmt: skip
    task = NS(
        task_id="K1",
        title="任务",
        owner_kind="township",
        owner_id="T1",
        due=dt.date(2024, 12, 31),
        done=True,
        seriously_overdue=False,
    )
    base = inputs()
    frames = {"schools": base.schools, "townships": base.townships}
    got = inputs_from(frames, recs, base.indicators, NS(tasks=[task]), {"manual": base.manual})
    assert got is not None
    e = evaluate(got, P, 2024)
    s1 = next(u for u in e.schools if u.unit_id == "S1")
    assert s1.rows[1].source["count"] == 1  # the finding without a problem is no problem
    assert next(u for u in e.townships if u.unit_id == "T1").rows[1].source == {"kind": "tasks", "count": 1, "done": 1}


def test_a_school_never_visited_is_not_scored_on_findings() -> None:
    # no findings at all: the findings row is left out, not full marks (S1: 40 + manual 25 of 70 → 92.86)
    e = evaluate(inputs(findings=pd.DataFrame()), P, 2024)
    s1 = next(u for u in e.schools if u.unit_id == "S1")
    assert s1.rows[1].points is None and s1.score == pytest.approx(92.86)

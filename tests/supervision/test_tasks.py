"""The task register (issue 15 item 1) on a hand register of five tasks whose statuses were worked out
by hand: overdue by date (the day passed as a parameter), status from indicators, from accepted
updates, a waiting and a returned update, the views by owner and township."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from countyedu.errors import CountyEduError
from countyedu.supervision import records
from countyedu.supervision.kind import KIND, run_supervision
from countyedu.supervision.params import TasksParams, supervision_params, tasks_params
from countyedu.supervision.parts import county_statuses
from countyedu.supervision.tasks import parse_indicators, parse_milestones, task_register

TASKS = pd.DataFrame(
    [
        # due 2025-06-30, in progress: overdue 184 days on 2025-12-31 (> 180: seriously)
        (
            "K1",
            "第4条",
            "桔都小学分校建设",
            "bureau_office",
            "B-PLAN",
            "县教体局规划股",
            2025,
            "2025-06-30",
            "in_progress",
        ),
        # linked to two indicators: one at risk → at risk; due in 2026: not overdue
        ("K2", "第1条", "学前三年毛入园率", "bureau_office", "B-PRE", "县教体局基教股", 2026, None, "in_progress"),
        # owned by township T1, due 2025 (→ 2025-12-31): not overdue on the 31st, the accepted update says done
        ("K3", "第5条", "建好寄宿制中心小学", "township", "T1", None, 2025, None, "in_progress"),
        # owned by school P1, due 2024-08-31: overdue 487 days; a newer update waits, an older one was returned
        ("K4", "第6条", "建立对口帮扶学校", "school", "P1", None, 2024, "2024-08-31", "not_started"),
        # the register says overdue (due 2026): flagged overdue with 0 days
        ("K5", "第34条", "督导经费", "department", None, "县财政局", 2026, None, "overdue"),
    ],
    columns=["task_id", "clause", "title", "owner_kind", "owner_id", "owner", "due_year", "due_date", "status"],
)
TASKS["indicators"] = [None, "T-PRE-5、T-PRE-6", None, None, None]
TASKS["milestones"] = ["2025-03-01 开工；2025-06-30 投入使用", None, None, None, None]
SCHOOLS = pd.DataFrame({"school_id": ["P1"], "township_id": ["T1"], "name": ["琴城第一小学"]})
TOWNSHIPS = pd.DataFrame({"township_id": ["T1"], "name": ["琴城镇"]})
UPDATES = records.frame(
    "task_updates",
    [
        dict(zip(("task_id", "date", "status", "progress", "note", "evidence", "accepted"), r, strict=True))
        for r in (
            ("K3", "2025-11-01", "in_progress", 80, "主体完工", None, True),
            ("K3", "2025-12-20", "done", 100, "已投入使用", "验收报告.pdf", True),
            ("K4", "2025-10-01", "in_progress", 10, "已联系城区学校", None, False),
            ("K4", "2025-12-01", "in_progress", 30, "已签协议", "协议.pdf", None),
        )
    ],
)
INDICATORS = pd.DataFrame(
    {
        "indicator": ["T-PRE-5", "T-PRE-5", "T-PRE-6"],
        "year": [2024, 2025, 2025],
        "status": ["not_met", "met", "at_risk"],
        "value": [0.8, 0.92, 0.84],
    }
)
DAY = date(2025, 12, 31)


@pytest.fixture(scope="module")
def reg():
    ts = task_register(
        TASKS, DAY, updates=UPDATES, indicators=INDICATORS, year=2025, schools=SCHOOLS, townships=TOWNSHIPS
    )
    return {t.task_id: t for t in ts}


def test_it_flags_a_task_overdue_by_date_and_counts_the_days(reg):
    k1 = reg["K1"]
    assert (k1.overdue, k1.days_overdue, k1.seriously_overdue) == (True, 184, True)
    assert k1.source == "register" and k1.status == "in_progress"
    assert [m.due for m in k1.milestones] == [date(2025, 3, 1), date(2025, 6, 30)]


def test_the_day_is_a_parameter_the_same_task_is_not_overdue_before_its_due_date():
    early = {t.task_id: t for t in task_register(TASKS, date(2025, 6, 30))}
    assert not early["K1"].overdue and early["K1"].days_overdue == 0
    late = {t.task_id: t for t in task_register(TASKS, date(2025, 7, 1))}
    assert late["K1"].overdue and late["K1"].days_overdue == 1 and not late["K1"].seriously_overdue


def test_a_task_linked_to_indicators_takes_the_worst_of_their_latest_statuses(reg):
    k2 = reg["K2"]
    assert k2.source == "indicators" and k2.status == "at_risk"
    assert k2.indicator_status == {"T-PRE-5": "met", "T-PRE-6": "at_risk"}
    assert not k2.overdue
    # in 2024 only T-PRE-5 had a result, not met
    y2024 = {t.task_id: t for t in task_register(TASKS, DAY, indicators=INDICATORS, year=2024)}
    assert y2024["K2"].status == "not_met" and y2024["K2"].indicator_status == {"T-PRE-5": "not_met"}


def test_an_accepted_update_sets_the_status_and_a_waiting_one_changes_nothing(reg):
    k3 = reg["K3"]
    assert (k3.source, k3.status, k3.overdue, k3.progress) == ("updates", "done", False, "已投入使用")
    assert k3.evidence == "验收报告.pdf" and k3.updated == date(2025, 12, 20) and k3.percent == 100
    k4 = reg["K4"]
    assert k4.status == "not_started" and k4.source == "register"  # the returned update was not accepted
    assert k4.pending is not None and (k4.pending.note, k4.pending.progress) == ("已签协议", 30)
    assert k4.returned is not None and k4.returned.date == date(2025, 10, 1)
    assert (k4.overdue, k4.days_overdue) == (True, 487)


def test_the_registers_own_overdue_status_is_kept(reg):
    k5 = reg["K5"]
    assert k5.overdue and k5.days_overdue == 0 and k5.status == "in_progress" and not k5.seriously_overdue


def test_a_task_due_within_the_at_risk_days_is_due_soon():
    on = {t.task_id: t for t in task_register(TASKS, date(2025, 4, 1))}  # K1 due 2025-06-30: 90 days on
    assert on["K1"].due_soon and not on["K1"].overdue
    before = {t.task_id: t for t in task_register(TASKS, date(2025, 3, 31))}  # 91 days
    assert not before["K1"].due_soon


def test_owners_and_places_for_the_views(reg):
    assert (reg["K3"].township_id, reg["K3"].school_id, reg["K3"].owner) == ("T1", None, "琴城镇")
    assert (reg["K4"].township_id, reg["K4"].school_id, reg["K4"].owner) == ("T1", "P1", "琴城第一小学")
    assert reg["K5"].owner == "县财政局" and reg["K5"].township_id is None


def test_the_run_kind_computes_the_register_with_its_views_and_summary():
    frames = {"tasks": TASKS, "schools": SCHOOLS, "townships": TOWNSHIPS}
    run = run_supervision(frames, [], 2025, as_of="2025-12-31", records=records.Records(task_updates=UPDATES))
    r = run.part("tasks")
    assert r.summary() == {
        "tasks_total": 5,
        "tasks_done": 1,
        "tasks_overdue": 3,
        "tasks_seriously_overdue": 2,
        "tasks_pending": 1,
        "tasks_due_soon": 0,
    }
    assert [t.task_id for t in r.late()] == ["K4", "K1", "K5"]
    assert {t.task_id for t in r.of_owner(township_id="T1")} == {"K3", "K4"}
    assert [t.task_id for t in r.owned_by(township_id="T1")] == ["K3"]
    assert [t.task_id for t in r.owned_by(school_id="P1")] == ["K4"]
    by_clause = r.group("clause")
    assert [g["clause"] for g in by_clause] == ["第1条", "第4条", "第5条", "第6条", "第34条"]
    assert [g["tasks"] for g in r.group("township_id")] == [2]
    d = run.as_dict()
    assert d["as_of"] == "2025-12-31" and d["tasks"]["late"] == ["K4", "K1", "K5"]
    assert [b.id for b in run.blocks("zh")][:2] == ["supervision.tasks.late", "supervision.tasks.register"]
    assert "3" in KIND.summary_lines(run.summary())[0]


def test_the_day_defaults_to_the_end_of_the_school_year_and_a_bad_day_is_an_error():
    frames = {"tasks": TASKS}
    assert run_supervision(frames, [], 2025).as_of == date(2025, 12, 31)
    with pytest.raises(CountyEduError) as e:
        run_supervision(frames, [], 2025, {"as_of": "2025-13-01"})
    assert "as_of" in e.value.message_en


def test_pack_parameters_and_a_bad_one_named():
    p = tasks_params(supervision_params({"tasks": {"seriously_overdue_days": 500}}))
    assert p.seriously_overdue_days == 500 and p.at_risk_days == TasksParams().at_risk_days
    ts = {t.task_id: t for t in task_register(TASKS, DAY, p=p)}
    assert ts["K1"].overdue and not ts["K1"].seriously_overdue
    with pytest.raises(CountyEduError) as e:
        tasks_params(supervision_params({"tasks": {"seriously_overdue_days": -1}}))
    assert "parameters.supervision.tasks.seriously_overdue_days" in e.value.message_en


def test_parsers_and_county_statuses():
    assert parse_indicators("T-PRE-5, QB-G1；QB-G2") == ("T-PRE-5", "QB-G1", "QB-G2")
    assert [m.text for m in parse_milestones("2025-08-31 竣工；2025-03-01：开工")] == ["开工", "竣工"]
    table = pd.DataFrame(
        {
            "level": ["county", "county", "school"],
            "indicator": ["X", "X", "X"],
            "year": [2025, 2025, 2025],
            "status": ["met", "not_met", "at_risk"],
            "value": [1.0, 0.5, 0.2],
        }
    )
    assert county_statuses(table).to_dict("records") == [
        {"indicator": "X", "year": 2025, "status": "not_met", "value": 0.5}
    ]

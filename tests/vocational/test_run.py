"""A vocational run on a hand county (issue 16 item 3): T-VOC-1 per major, the expansion of nursing
and elderly care, the partners and order classes of a year, placements over six months by date, the
share of graduates employed locally and 1+X certificates per pupil — every answer worked out by hand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from countyedu.runs.registry import get
from countyedu.vocational.kind import VocationalRun, run_vocational


def frame(columns: str, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


FRAMES = {
    "schools": frame("school_id name stage", [("V1", "南丰中专", "vocational")]),
    "classes": frame("school_id year grade class_no pupils", [("V1", 2024, "V1", 1, 1300)]),
    "majors": frame(
        "school_id major_id year name category enrolled new_entrants graduates employed employed_locally further_study",
        [
            ("V1", "M1", 2019, "汽修", "car_repair", 900, 300, 250, 150, 60, 80),
            ("V1", "M2", 2019, "护理", "nursing", 100, 100, None, None, None, None),
            ("V1", "M1", 2024, "汽修", "car_repair", 700, 200, 100, 60, 30, 30),
            ("V1", "M2", 2024, "护理", "nursing", 400, 150, 120, 90, 63, 20),
            ("V1", "M3", 2024, "老年服务", "elderly_care", 200, 80, None, None, None, None),
        ],
    ),
    "enterprises": frame(
        "enterprise_id name industry local school_id agreement_date ended_date",
        [
            ("E1", "康宁医院", "health", True, "V1", "2020-09-01", None),
            ("E2", "恒通汽车", "automotive", False, "V1", "2019-09-01", "2024-08-31"),  # ended before 2024's year
            ("E3", "颐养院", "elderly_care", True, "V1", "2025-08-31", None),  # signed on the year's last day
            ("E4", "未来公司", "services", True, "V1", "2025-09-01", None),  # the next year
        ],
    ),
    "order_classes": frame(
        "order_class_id year school_id major_id enterprise_id pupils jobs_promised hired",
        [("OC1", 2024, "V1", "M2", "E1", 40, 30, 27), ("OC0", 2023, "V1", "M2", "E1", 40, 30, None)],
    ),
    "internships": frame(
        "pupil_id year school_id major_id enterprise_id kind start_date end_date",
        [
            ("P1", 2024, "V1", "M2", "E1", "placement", "2024-09-01", "2025-03-01"),  # six months to the day
            ("P2", 2024, "V1", "M2", "E1", "placement", "2024-09-01", "2025-03-02"),  # a day over
            ("P3", 2024, "V1", "M1", "E2", "placement", "2025-01-10", None),  # still there on 2025-08-31
            ("P4", 2024, "V1", "M1", "E2", "cognitive", "2024-10-01", "2025-06-30"),  # a visit: no limit
        ],
    ),
    "learning_outcomes": frame(
        "outcome_id pupil_id school_id major_id kind name level date hours",
        [
            ("O1", "P1", "V1", "M2", "x_certificate", "母婴护理", "elementary", "2024-12-15", None),
            ("O2", "P1", "V1", "M2", "x_certificate", "老年照护", "elementary", "2025-06-15", None),
            ("O3", "P2", "V1", "M2", "x_certificate", "母婴护理", "elementary", "2024-12-15", None),
            ("O4", "P3", "V1", "M1", "x_certificate", "汽车运用与维修", "elementary", "2024-06-15", None),  # 2023's
            ("O5", "P3", "V1", "M1", "skill_certificate", "电工", None, "2024-12-15", None),  # no 1+X
        ],
    ),
}


@pytest.fixture(scope="module")
def run() -> VocationalRun:
    return run_vocational(FRAMES, [], None)


def test_t_voc_1_per_major_and_the_expansion(run: VocationalRun) -> None:
    m = run.as_dict()["majors"]
    assert m["year"] == 2024 and m["enrolled"] == 1300 and m["target"] == 1200
    share = {r["major_id"]: r["share_of_target"] for r in m["majors"]}
    assert share == {"M1": round(700 / 1200, 4), "M2": round(400 / 1200, 4), "M3": round(200 / 1200, 4)}
    # nursing and elderly care: 100 in 2019, 400 + 200 in 2024
    assert (m["expansion"]["base"], m["expansion"]["latest"], m["expansion"]["change"]) == (100, 600, 500)
    findings = {b.id: b.findings for b in run.blocks("en")}
    assert findings["vocational.majors"][0].status == "met"
    assert findings["vocational.expansion"][0].status == "met"


def test_partners_order_classes_and_placements_by_date(run: VocationalRun) -> None:
    c = run.as_dict()["cooperation"]
    assert [e["enterprise_id"] for e in c["enterprises"]] == ["E1", "E3"]  # E2 ended, E4 not yet signed
    assert [o["order_class_id"] for o in c["order_classes"]] == ["OC1"]
    i = c["internships"]
    assert [x["pupil_id"] for x in i["over_limit"]] == ["P2", "P3"]
    assert (i["pupils"], i["placements"], i["at_local_enterprises"]) == (4, 3, 2)
    assert run.summary()["cooperation.over_limit"] == 2


def test_graduates_employed_locally(run: VocationalRun) -> None:
    e = {r["year"]: r for r in run.as_dict()["cooperation"]["employment"]}
    assert e[2019]["local_share"] == round(60 / 250, 4)
    assert e[2024]["local_share"] == round((30 + 63) / (100 + 120), 4)
    assert e[2024]["local_share_of_employed"] == round(93 / 150, 4)


def test_one_plus_x_certificates_per_pupil(run: VocationalRun) -> None:
    x = run.as_dict()["certificates"]
    # 2024's year (2024-09-01 – 2025-08-31): O1, O2, O3 (O4 is 2023's, O5 no 1+X certificate)
    assert (x["certificates"], x["enrolled"], x["per_pupil"]) == (3, 1300, round(3 / 1300, 4))
    per = {r["major_id"]: (r["certificates"], r["pupils"], r["per_pupil"]) for r in x["majors"]}
    assert per["M2"] == (3, 2, round(3 / 400, 4)) and per["M1"] == (0, 0, 0.0)
    assert {r["pupil_id"]: r["certificates"] for r in x["pupils"]} == {"P1": 2, "P2": 1, "P3": 1}


def test_the_kind_is_registered_and_its_blocks_are_the_chapters(run: VocationalRun) -> None:
    kind = get("vocational")
    assert "vocational" in kind.run_roles
    ids = [b.id for b in run.blocks()]
    assert ids[:2] == ["vocational.majors", "vocational.expansion"] and all(i.startswith("vocational.") for i in ids)
    assert "vocational.credit_bank" in ids  # no rules in these packs: it says nothing converts
    empty = run_vocational({"schools": FRAMES["schools"]}, [], None)
    assert [b.id for b in empty.blocks()] == ["vocational.none"]

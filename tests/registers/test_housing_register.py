"""The housing-development register (第2、19条, issue 16 item 4): the sheet imported and checked, what the
norms require of a project, and the flags a day puts on it, worked out by hand."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from census_support import SMALL
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import ValidationFailed
from countyedu.housing.params import HousingParams
from countyedu.housing.register import norm_for, read_register
from countyedu.planning.params import PlanningParams

HEAD = (
    "项目编号,项目名称,开发企业,乡镇代码,社区村代码,规划户数,规划配套,配套班数,配套学校代码,施工许可日期,"
    "配套开工日期,约定交付日期,住宅竣工验收日期,配套验收日期,移交日期,移交后性质\n"
)
GOOD = HEAD + (
    "H1,琴湖名苑,城投置业,T1,C1,1350,幼儿园,6,S4,2017-05-10,2018-03-15,2020-06-30,2019-12-20,2019-12-10,2020-06-20,公办\n"
    "H2,建设新村,,T1,,820,无,,,2020-11-02,,,2022-12-15,,,\n"
)


def folder(tmp_path: Path, register: str) -> Path:
    out = tmp_path / "county"
    shutil.copytree(SMALL, out)
    (out / "housing_projects.csv").write_text(register, encoding="utf-8")
    return out


def test_it_imports_the_register(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path, GOOD), store)
    version = store.latest()
    assert version is not None
    hp = store.frames(version.version_id)["housing_projects"].sort_values("project_id")
    assert list(hp["facility"]) == ["kindergarten", "none"]
    assert list(hp["handed_to"].fillna("")) == ["public", ""]


def test_references_are_checked(tmp_path: Path) -> None:
    bad = GOOD + "H3,桔乡名邸,,T9,C9,2100,幼儿园,9,S99,,,,,,,\n"
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, bad), CensusStore(tmp_path / "data"))
    found = {(p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}
    assert found == {
        (4, "township_id", "reference"),
        (4, "community_id", "reference"),
        (4, "facility_school_id", "reference"),
    }


def test_the_norms_of_a_project() -> None:
    plan = PlanningParams()  # 6 classes per 1,200 households (第1条), a primary from 10,000 residents (第4条)
    assert norm_for(1199, plan, 2.8).kindergarten_classes == 0
    assert norm_for(1200, plan, 2.8).kindergarten_classes == 6
    assert norm_for(2600, plan, 2.8).kindergarten_classes == 12
    assert not norm_for(3571, plan, 2.8).primary  # 9,998.8 residents
    assert norm_for(3572, plan, 2.8).primary  # 10,001.6


def project(**kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "project_id": "H1",
        "name": "琴湖名苑",
        "developer": None,
        "township_id": "T1",
        "community_id": None,
        "households": 1350,
        "facility": "kindergarten",
        "facility_classes": 6,
        "facility_school_id": None,
        "permit_date": "2023-03-01",
        "facility_start": "2023-09-01",
        "facility_due": "2025-06-30",
        "housing_acceptance": None,
        "facility_acceptance": None,
        "handover_date": None,
        "handed_to": None,
    }
    return {**row, **kw}


SCHOOLS = pd.DataFrame({"school_id": ["K1"], "name": ["琴湖名苑幼儿园"]})


def flags(day: date, **kw: object) -> tuple[str, ...]:
    frames = {"schools": SCHOOLS, "housing_projects": pd.DataFrame([project(**kw)])}
    reg = read_register(frames, day, HousingParams(), PlanningParams())
    return reg.projects[0].flags


def test_flags_by_date() -> None:
    # due 30 June 2025: on 1 March 2025 nothing, on 1 April 2025 due within 90 days, on 1 July 2025 late
    assert flags(date(2025, 3, 1)) == ()
    assert flags(date(2025, 4, 1)) == ("due_soon",)
    assert flags(date(2025, 6, 30)) == ("due_soon",)  # its due day is still on time
    assert flags(date(2025, 7, 1)) == ("late",)
    # the housing accepted on 20 May 2025 before its kindergarten (第2条, 第19条): flagged from that day
    accepted = {"housing_acceptance": "2025-05-20"}
    assert flags(date(2025, 5, 19), **accepted) == ("due_soon",)
    assert flags(date(2025, 5, 20), **accepted) == ("due_soon", "accepted_without_facility")
    # both accepted together and handed over on 10 August 2025, 41 days late, as a public kindergarten
    done = {**accepted, "facility_acceptance": "2025-05-20", "handover_date": "2025-08-10", "handed_to": "public"}
    assert flags(date(2025, 8, 1), **done) == ("late",)
    assert flags(date(2025, 8, 10), **done) == ("handed_over_late",)
    # handed over on time but run as a non-inclusive private kindergarten
    private = {**done, "handover_date": "2025-06-01", "handed_to": "private"}
    assert flags(date(2025, 12, 31), **private) == ("not_public_or_inclusive",)
    # a plan of 4 classes for 1,350 households, and none at all for 1,280
    assert flags(date(2025, 3, 1), facility_classes=4) == ("below_norm",)
    assert flags(date(2025, 3, 1), households=1280, facility="none", facility_due=None) == ("below_norm",)


def test_days_late() -> None:
    frames = {"schools": SCHOOLS, "housing_projects": pd.DataFrame([project(handover_date="2025-08-10")])}
    late = read_register(frames, date(2025, 12, 31), HousingParams(), PlanningParams()).projects[0]
    assert late.days_late == 41  # 30 June → 10 August
    open_ = read_register(
        {"schools": SCHOOLS, "housing_projects": pd.DataFrame([project()])},
        date(2025, 7, 10),
        HousingParams(),
        PlanningParams(),
    ).projects[0]
    assert open_.days_late == 10

"""The vocational sheets (issue 16 item 3): imported with the census under Chinese headers and codes,
and every bad row named by sheet, row, column and rule (references, destinations, dates)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from census_support import SMALL
from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.errors import ValidationFailed

MAJORS = """学校代码,专业代码,学年,专业名称,专业类别,在校生数,招生数,毕业生数,就业人数,县内就业人数,升学人数
S3,M1,2019,护理,护理,120,40,38,25,12,10
S3,M2,2019,汽车运用与维修,car_repair,90,30,,,,
"""
ENTERPRISES = """企业代码,企业名称,所属行业,县内企业,合作学校代码,协议签订日期,协议终止日期
E1,康宁医院,医疗卫生,是,S3,2019-09-01,
E2,恒通汽车,automotive,否,S3,2020/3/1,2023-06-30
"""
ORDER_CLASSES = """订单班代码,学年,学校代码,专业代码,企业代码,学生数,承诺岗位数,录用人数
OC1,2019,S3,M1,E1,40,30,
"""
INTERNSHIPS = """学生编号,学年,学校代码,专业代码,企业代码,实习类型,开始日期,结束日期
P1,2019,S3,M1,E1,岗位实习,2019-09-02,2020-02-28
"""
OUTCOMES = """成果编号,学生编号,学校代码,专业代码,成果类型,成果名称,等级,取得日期,学时
O1,P1,S3,M1,1+X职业技能等级证书,老年照护,初级,2019-12-15,
O2,P1,S3,M1,培训,蜜桔种植技术培训,,2020-04-20,32
"""


def folder(tmp_path: Path, **sheets: str) -> Path:
    out = tmp_path / "county"
    shutil.copytree(SMALL, out)
    given = {
        "专业": MAJORS,
        "合作企业": ENTERPRISES,
        "订单班": ORDER_CLASSES,
        "实习": INTERNSHIPS,
        "学习成果": OUTCOMES,
    } | sheets
    for name, text in given.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    return out


def test_it_imports_the_vocational_sheets(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(folder(tmp_path), store)
    version = store.latest()
    assert version is not None
    f = store.frames(version.version_id)
    assert list(f["majors"].sort_values("major_id")["category"]) == ["nursing", "car_repair"]
    ents = f["enterprises"].sort_values("enterprise_id")
    assert list(ents["industry"]) == ["health", "automotive"]
    assert list(ents["agreement_date"]) == ["2019-09-01", "2020-03-01"]
    assert list(f["internships"]["kind"]) == ["placement"]
    assert sorted(f["learning_outcomes"]["kind"]) == ["training", "x_certificate"]


def errors(tmp_path: Path, **sheets: str) -> set[tuple[str, int | None, str | None, str]]:
    with pytest.raises(ValidationFailed) as info:
        import_census(folder(tmp_path, **sheets), CensusStore(tmp_path / "data"))
    assert info.value.message_zh and info.value.message_en
    return {(p.sheet, p.row, p.column, p.rule) for p in info.value.problems if p.severity == "error"}


def test_destinations_must_add_up_and_periods_end_after_they_start(tmp_path: Path) -> None:
    bad = MAJORS + "S3,M3,2019,电子商务,电子商务,60,20,20,15,16,8\n"  # 15 + 8 > 20; 16 local > 15 employed
    late = INTERNSHIPS + "P2,2019,S3,M1,E1,认识实习,2019-09-02,2019-08-01\n"  # ends before it starts
    found = errors(tmp_path, 专业=bad, 实习=late)
    assert found == {
        ("专业.csv", 4, "employed", "graduate_counts"),
        ("专业.csv", 4, "employed_locally", "graduate_counts"),
        ("实习.csv", 3, "end_date", "date_order"),
    }


def test_references_and_codes_are_checked(tmp_path: Path) -> None:
    oc = ORDER_CLASSES + "OC2,2019,S3,M9,E9,30,20,\n"
    outcomes = OUTCOMES + "O3,P2,S99,M1,技能竞赛获奖,市技能大赛,,2020-05-01,\n"
    found = errors(tmp_path, 订单班=oc, 学习成果=outcomes)
    assert found == {
        ("订单班.csv", 3, "major_id", "reference"),
        ("订单班.csv", 3, "enterprise_id", "reference"),
        ("学习成果.csv", 4, "school_id", "reference"),
    }
    bad_kind = errors(tmp_path / "kind", 实习=INTERNSHIPS + "P2,2019,S3,M1,E1,顶岗,2019-09-02,2019-12-01\n")
    assert bad_kind == {("实习.csv", 3, "kind", "code")}  # 顶岗 is no internship kind

"""Facility norms (第1、4、5条; PN): hand-computed small towns and the demo county."""

from __future__ import annotations

import functools
import json

import pandas as pd

from countyedu.planning.norms import KINDS, facility_needs
from countyedu.planning.params import PlanningParams
from demo_support import demo_frames


@functools.cache
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


def school(sid: str, stage: str, town: str, community: str, ownership: str = "public", boarding: bool = False) -> dict:
    return {
        "school_id": sid,
        "name": sid,
        "stage": stage,
        "ownership": ownership,
        "township_id": town,
        "community_id": community,
        "urban": True,
        "boarding": boarding,
        "opened_year": 2000,
        "closed_year": pd.NA,
    }


def small() -> dict[str, pd.DataFrame]:
    """T1 (urban core): U1 urban community 1500 households / 4500 residents, no kindergarten;
    U2 urban community 800 households / 20,500 residents with a public kindergarten; V1 village of
    2500 residents; one primary school (P) and one boarding junior school (J).
    T2: a village V2 of 1500 residents, a public kindergarten and a nine-year school."""
    townships = pd.DataFrame(
        {
            "township_id": ["T1", "T2"],
            "name": ["一镇", "二乡"],
            "kind": ["town", "township"],
            "urban_core": [True, False],
        }
    )
    communities = pd.DataFrame(
        {
            "community_id": ["U1", "U2", "V1", "V2"],
            "township_id": ["T1", "T1", "T1", "T2"],
            "name": ["甲社区", "乙社区", "丙村", "丁村"],
            "kind": ["urban_community", "urban_community", "village", "village"],
            "households": [1500, 800, 700, 400],
            "residents": [4500, 20500, 2500, 1500],
        }
    )
    schools = pd.DataFrame(
        [
            school("KG", "kindergarten", "T1", "U2"),
            school("P", "primary", "T1", "U2"),
            school("J", "junior", "T1", "U2", boarding=True),
            school("KG2", "kindergarten", "T2", "V2"),
            school("N9", "nine_year", "T2", "V2"),
        ]
    )
    classes = pd.DataFrame(columns=["school_id", "year", "grade", "class_no", "pupils"])
    return {"townships": townships, "communities": communities, "schools": schools, "classes": classes}


def by_kind(needs: pd.DataFrame, kind: str) -> pd.DataFrame:
    return needs[needs["kind"] == kind]


def test_it_finds_the_needs_by_hand() -> None:
    n = facility_needs(small(), 2019).needs
    # U1: 1500 households ≥ 1200, no kindergarten → ⌊1500/1200⌋ = 1 of max(6, PN(4500) = 6) = 6 classes
    kg = by_kind(n, "kg_community")
    assert kg[["community_id", "count", "classes", "seats"]].values.tolist() == [["U1", 1, 6, 180]]
    # V1: village of 2500 ≥ 2000 residents, no public kindergarten → PN(2500) = 3 classes; V2 (1500) none
    v = by_kind(n, "kg_village")
    assert v[["community_id", "classes"]].values.tolist() == [["V1", 3]]
    # T1 residents 4500 + 20500 + 2500 = 27,500: primaries ⌊27500/10000⌋ = 2, has 1 → 1 more;
    # juniors ⌊27500/30000⌋ = 0 → none
    pu = by_kind(n, "primary_urban")
    assert pu["count"].tolist() == [1] and pu["township_id"].tolist() == ["T1"]
    assert by_kind(n, "junior_urban").empty
    # small urban communities jointly: U2 (800 households) 20,500 residents → ⌈20500/12000⌉ = 2, has 1
    # → 1 more, sized PN(20500 / 2 = 10,250) = 12 classes
    j = by_kind(n, "kg_joint")
    assert j[["township_id", "count", "classes"]].values.tolist() == [["T1", 1, 12]]
    # T1 has a boarding junior, T2 a nine-year school; both have a public kindergarten
    assert by_kind(n, "boarding_or_nine_year").empty and by_kind(n, "kg_township").empty
    assert n["clause"].str.len().gt(0).all()


def test_it_counts_one_per_n_with_the_rounding_parameter() -> None:
    # a township of 25,000 urban residents with 1 primary: floor → 2 required, 1 more; ceil → 3, 2 more
    f = small()
    f["communities"].loc[f["communities"]["community_id"] == "U2", "residents"] = 18000  # 4500 + 18000 + 2500
    floor = by_kind(facility_needs(f, 2019).needs, "primary_urban")
    assert floor["count"].tolist() == [1] and floor["trigger"].iloc[0].kwargs["required"] == 2
    ceil = by_kind(facility_needs(f, 2019, PlanningParams(school_count_rounding="ceil")).needs, "primary_urban")
    assert ceil["count"].tolist() == [2]


def test_it_finds_townships_lacking_kindergarten_and_boarding_school() -> None:
    f = small()
    f["schools"] = f["schools"][~f["schools"]["school_id"].isin(["KG2", "N9"])]
    n = facility_needs(f, 2019).needs
    assert by_kind(n, "kg_township")["township_id"].tolist() == ["T2"]
    assert by_kind(n, "boarding_or_nine_year")["township_id"].tolist() == ["T2"]
    # a school closed before the year does not count
    f = small()
    f["schools"].loc[f["schools"]["school_id"] == "N9", "closed_year"] = 2019
    assert by_kind(facility_needs(f, 2019).needs, "boarding_or_nine_year")["township_id"].tolist() == ["T2"]


def test_demo_needs_cite_a_clause_and_are_sized() -> None:
    f = demo()
    fn = facility_needs(f, 2025)
    n = fn.needs
    assert not n.empty
    assert n["clause"].str.contains("条|PN|T-").all()
    assert set(n["kind"]) <= set(KINDS)
    assert (n["count"] >= 1).all() and (n["classes"].dropna() >= 1).all()
    # every village ≥ 2000 residents without a public kindergarten in it is listed
    open_kg = f["schools"][(f["schools"]["stage"] == "kindergarten") & (f["schools"]["ownership"] == "public")]
    c = f["communities"]
    expect = set(
        c[(c["kind"] == "village") & (c["residents"] >= 2000) & ~c["community_id"].isin(open_kg["community_id"])][
            "community_id"
        ]
    )
    assert set(by_kind(n, "kg_village")["community_id"]) == expect
    # by 2025 every township has a public kindergarten in the demo (T-PRE-3 met)
    assert by_kind(n, "kg_township").empty
    json.dumps(fn.as_dict())
    for lang in ("zh", "en"):
        b = fn.blocks(lang)
        assert b[0].clause and len(b[0].tables[0].rows) == len(n)


def test_its_triggers_and_rules_are_worded_not_raw_keys() -> None:
    """The village of 3,617 residents without a public kindergarten reads as a sentence (issue 11)."""
    from countyedu.messages import Msg, translate

    f = small()
    needs = facility_needs(f, 2019)
    village = by_kind(needs.needs, "kg_village").iloc[0]
    res = village["trigger"].kwargs["residents"].value
    assert translate(village["trigger"], "zh") == f"常住人口 {res:,} 人，无公办幼儿园"
    assert translate(village["trigger"], "en") == f"{res:,} residents, no public kindergarten"
    assert isinstance(village["rule"], Msg)
    zh, en = needs.blocks("zh")[0], needs.blocks("en")[0]
    for block in (zh, en):
        text = " ".join(str(v) for r in block.tables[0].rows for v in r)
        assert "=" not in text and "residents=" not in text, text
        assert all(isinstance(c.label, str) for c in block.tables[0].columns)
    assert zh.tables[0].columns[0].label == "设施" and en.tables[0].columns[0].label == "facility"
    assert "行政村公办幼儿园" in [r[0] for r in zh.tables[0].rows]
    assert needs.blocks()[0].title == Msg("Facilities required by the planning norms")  # computed once, worded later
    assert needs.as_dict()["needs"][0]["trigger"]["msg"]  # the API keeps the key and its parameters

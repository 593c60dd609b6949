"""The credit bank's conversions (学分银行, 第13条; issue 16 "Done when": the credit conversions by a
small rule set), computed by hand from the rules below and written here."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from countyedu.errors import CountyEduError
from countyedu.messages import translate
from countyedu.vocational.credits import convert, pupil_totals
from countyedu.vocational.params import vocational_params

BANK = vocational_params(
    {
        "credit_bank": {
            "max_credits_per_pupil": 6,
            "valid_years": 3,
            "courses": [
                {"course_id": "A", "name": "老年照护实务", "credits": 4},
                {"course_id": "B", "name": "果树栽培", "credits": 3},
            ],
            "rules": [
                {
                    "rule_id": "R1",
                    "kind": "x_certificate",
                    "name": "老年照护",
                    "min_level": "elementary",
                    "course_id": "A",
                    "credits": 2,
                },
                {
                    "rule_id": "R2",
                    "kind": "x_certificate",
                    "name": "老年照护",
                    "min_level": "intermediate",
                    "course_id": "A",
                    "credits": 4,
                },
                {"rule_id": "R3", "kind": "skill_certificate", "name": "养老护理员", "course_id": "A", "credits": 2},
                {
                    "rule_id": "R4",
                    "kind": "training",
                    "name": "蜜桔种植技术培训",
                    "course_id": "B",
                    "credits": 1,
                    "per_hours": 16,
                },
                {"rule_id": "R5", "kind": "competition", "name": "*", "course_id": "B", "credits": 2},
            ],
        }
    }
).credit_bank
AS_OF = date(2025, 8, 31)

ROWS = [  # outcome_id, pupil, kind, name, level, date, hours
    ("O1", "P1", "x_certificate", "老年照护", "elementary", "2023-12-15", None),
    ("O2", "P1", "x_certificate", "老年照护", "intermediate", "2024-12-15", None),
    ("O3", "P1", "skill_certificate", "养老护理员", None, "2025-01-10", None),
    ("O4", "P2", "training", "蜜桔种植技术培训", None, "2024-04-20", 40.0),
    ("O5", "P2", "competition", "抚州市中职学校技能大赛", None, "2024-05-01", None),
    ("O6", "P2", "x_certificate", "老年照护", "advanced", "2025-06-01", None),
    ("O7", "P2", "x_certificate", "老年照护", "elementary", "2025-07-01", None),
    ("O8", "P3", "x_certificate", "老年照护", None, "2024-01-01", None),
    ("O9", "P3", "x_certificate", "直播电商", "elementary", "2024-02-01", None),
    ("O10", "P3", "training", "蜜桔种植技术培训", None, "2024-03-01", 10.0),
    ("O11", "P3", "x_certificate", "老年照护", "elementary", "2022-01-01", None),
    ("O12", "P3", "x_certificate", "老年照护", "elementary", "2025-09-01", None),  # after the as-of date
]


def outcomes() -> pd.DataFrame:
    cols = ["outcome_id", "pupil_id", "kind", "name", "level", "date", "hours"]
    return pd.DataFrame(ROWS, columns=cols).assign(school_id="S1", major_id="M1")


@pytest.fixture(scope="module")
def conversions() -> dict[str, tuple[str | None, float, str]]:
    return {c.outcome_id: (c.rule_id, c.credits, c.status) for c in convert(outcomes(), BANK, AS_OF)}


def test_it_converts_and_caps_at_the_course(conversions: dict[str, tuple[str | None, float, str]]) -> None:
    # P1: elementary → 2 of A; intermediate → R2's 4, A has 2 left: 2 (capped); the skill certificate finds A full
    assert conversions["O1"] == ("R1", 2.0, "converted")
    assert conversions["O2"] == ("R2", 2.0, "partly")
    assert conversions["O3"] == ("R3", 0.0, "course_full")


def test_hours_the_any_name_rule_and_the_pupils_limit(conversions: dict[str, tuple[str | None, float, str]]) -> None:
    # P2: 40 h // 16 = 2 credits of B; the award (any name, no level) 2 of which B has 1 left;
    # advanced reaches R1 and R2, R2 gives most: 4 of A but the pupil has 3 of 6 left; then nothing more
    assert conversions["O4"] == ("R4", 2.0, "converted")
    assert conversions["O5"] == ("R5", 1.0, "partly")
    assert conversions["O6"] == ("R2", 3.0, "partly")
    assert conversions["O7"] == (None, 0.0, "pupil_full")


def test_what_does_not_convert_says_why(conversions: dict[str, tuple[str | None, float, str]]) -> None:
    assert conversions["O8"] == ("R1", 0.0, "below_level")  # no level: R1 asks elementary
    assert conversions["O9"] == (None, 0.0, "no_rule")
    assert conversions["O10"] == ("R4", 0.0, "too_few_hours")  # 10 h < 16 h
    assert conversions["O11"] == (None, 0.0, "expired")  # 2022-01-01 is before 2022-08-31
    assert "O12" not in conversions  # obtained after the as-of date: not counted yet


def test_each_pupils_totals_and_order() -> None:
    got = convert(outcomes(), BANK, AS_OF)
    assert [c.outcome_id for c in got if c.pupil_id == "P3"] == ["O11", "O8", "O9", "O10"]  # by date
    totals = pupil_totals(got).set_index("pupil_id")
    assert totals["credits"].to_dict() == {"P1": 4.0, "P2": 6.0, "P3": 0.0}
    assert totals["converted"].to_dict() == {"P1": 2, "P2": 3, "P3": 0}


def test_the_explanations_are_worded_in_both_languages() -> None:
    got = {c.outcome_id: c for c in convert(outcomes(), BANK, AS_OF)}
    zh = translate(got["O2"].explanation, "zh")
    assert "老年照护实务" in zh and "R2" in zh and "中级" not in zh
    assert "capped by the course's 4 credits" in translate(got["O2"].explanation, "en")
    assert "R1" in translate(got["O8"].explanation, "zh") and "初级" in translate(got["O8"].explanation, "zh")
    assert "2022-01-01" in translate(got["O11"].explanation, "zh")


def test_a_rule_naming_an_unknown_course_is_refused() -> None:
    bad = {
        "credit_bank": {"courses": [], "rules": [{"rule_id": "R1", "kind": "training", "course_id": "X", "credits": 1}]}
    }
    with pytest.raises(CountyEduError) as info:
        vocational_params(bad)
    assert "parameters.vocational" in info.value.message_en

"""The synthetic demo county (census.demo): deterministic, in the exchange format, plausible, consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from countyedu.admissions.allocate import Instance, allocate
from countyedu.admissions.params import AdmissionParams
from countyedu.census.demo import SYNTHETIC_LABEL, generate
from countyedu.census.readers import RawSheet
from countyedu.census.references import check_references
from countyedu.census.schema import CODES, GRADES_BY_STAGE, SHEETS
from countyedu.census.validate import validate_sheet
from demo_support import demo_frames

YEARS = range(2019, 2026)
COMPULSORY = ("P", "J")


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return demo_frames()


@pytest.fixture(scope="module")
def classes(demo: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Classes with their school's stage and urban flag, and the grade's level letter."""
    out = demo["classes"].merge(demo["schools"][["school_id", "stage", "urban", "township_id"]], on="school_id")
    out["level"] = out["grade"].str[0]
    return out


@pytest.fixture(scope="module")
def typed(demo: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every sheet through the importer's validator; each must come out without errors."""
    out = {}
    for name, df in demo.items():
        frame = df.astype(object).where(df.notna(), None)
        frame["_row"] = range(2, len(frame) + 2)
        result, problems = validate_sheet(RawSheet(name, name, frame))
        errors = [p for p in problems if p.severity == "error"]
        assert not errors, (name, errors[:5])
        out[name] = result
    return out


# ------------------------------------------------------------------------------ format


def test_deterministic() -> None:
    """The same seed gives the same county (its speed is measured by `make bench`, not here)."""
    first = demo_frames()  # this process's first generation
    second = generate()
    assert list(first) == list(second)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)
    other = generate(seed=7)
    assert not other["teachers"].equals(first["teachers"])


def test_sheets_and_columns_follow_the_schema(demo: dict[str, pd.DataFrame]) -> None:
    assert list(demo) == [s.name for s in SHEETS]
    for sheet in SHEETS:
        expected = [c.name for c in sheet.columns]
        if sheet.name == "candidates":
            expected += [f"choice_{i}" for i in range(1, 6)]
        assert list(demo[sheet.name].columns) == expected, sheet.name
        assert not demo[sheet.name].duplicated(list(sheet.key)).any(), sheet.name
        assert demo[sheet.name].attrs["synthetic"] == SYNTHETIC_LABEL
        for c in sheet.columns:
            values = demo[sheet.name][c.name]
            if not c.nullable:
                assert values.notna().all(), (sheet.name, c.name)
            if c.codes:
                assert set(values.dropna()) <= set(CODES[c.codes]), (sheet.name, c.name)
            if c.kind == "id":
                assert values.dropna().map(type).eq(str).all(), (sheet.name, c.name)
            if c.kind == "bool":
                assert values.dtype == bool, (sheet.name, c.name)


def test_every_sheet_validates(typed: dict[str, pd.DataFrame]) -> None:
    assert set(typed) == {s.name for s in SHEETS}


def test_references_hold_for_the_importer(typed: dict[str, pd.DataFrame]) -> None:
    problems = check_references(typed, {name: name for name in typed})
    assert not [p for p in problems if p.severity == "error"], problems[:5]


# ------------------------------------------------------------------------------ places and people


def test_townships_and_communities(demo: dict[str, pd.DataFrame]) -> None:
    t, c = demo["townships"], demo["communities"]
    assert len(t) == 12
    assert t["kind"].value_counts().to_dict() == {"town": 7, "township": 5}
    assert t.loc[t["urban_core"], "name"].tolist() == ["琴城镇"]
    assert set(c["township_id"]) == set(t["township_id"])
    qc = c[c["township_id"] == t.loc[t["name"] == "琴城镇", "township_id"].item()]
    urban = qc[qc["kind"] == "urban_community"]
    assert len(urban) == 11 and (qc["kind"] == "village").sum() == 14
    assert {"人民路社区", "沿江路社区", "桔都东路社区"} <= set(urban["name"])
    assert {"桥背村", "朝先村"} <= set(qc["name"])
    assert urban["households"].between(800, 3000).all()
    assert (urban["households"] >= 1200).any()
    assert urban["households"].between(1000, 1199).any()
    assert 255_000 <= c["residents"].sum() <= 275_000
    assert 85_000 <= qc["residents"].sum() <= 95_000
    villages = c[(c["kind"] == "village") & (c["township_id"] != qc["township_id"].iloc[0])]
    assert (villages["registered_residents"] > villages["residents"]).mean() > 0.9
    assert villages.groupby("township_id").size().between(6, 14).all()
    assert ((c["households"] * 3 - c["residents"]).abs() < c["residents"] * 0.2).all()
    assert c["lat"].between(26.9, 27.5).all() and c["lon"].between(116.3, 116.8).all()
    assert not c["name"].duplicated().any()


def test_population_ages_cohorts(demo: dict[str, pd.DataFrame]) -> None:
    pop = demo["population"]
    assert len(pop) == len(demo["communities"]) * 7 * 26
    assert (pop["persons"] >= 0).all()
    births = pop[pop["age"] == 0].groupby("year")["persons"].sum()
    assert births[2019] > births[2021] > births[2023]
    wide = pop.set_index(["community_id", "year", "age"])["persons"]
    now = wide.reset_index()
    now = now[(now["year"] < 2025) & (now["age"] < 25)]
    later = wide.reindex(pd.MultiIndex.from_arrays([now["community_id"], now["year"] + 1, now["age"] + 1]))
    ratio = later.to_numpy() / now["persons"].to_numpy()
    big = now["persons"].to_numpy() >= 30
    assert np.all((ratio[big] > 0.9) & (ratio[big] < 1.1))
    residents = demo["communities"].set_index("community_id")["residents"]
    young = pop[pop["year"] == 2023].groupby("community_id")["persons"].sum()
    share = (young / residents).dropna()
    assert share.between(0.2, 0.45).all()


# ------------------------------------------------------------------------------ schools and pupils


def test_school_network(demo: dict[str, pd.DataFrame], classes: pd.DataFrame) -> None:
    s = demo["schools"]
    assert 130 <= len(s) <= 150
    names = set(s["name"])
    for name in (
        "南丰一中",
        "南丰二中",
        "南丰县职业中等专业学校",
        "桔都小学",
        "桔都小学分校",
        "桥背学校",
        "河东区高中",
        "三湾学校",
        "朝先学校",
        "美好家园学校",
    ):
        assert name in names, name
    by_name = s.set_index("name")
    assert by_name.loc["南丰二中", "stage"] == "complete_secondary"
    assert by_name.loc["桔都小学分校", "opened_year"] in (2019, 2020)
    assert by_name.loc["桥背学校", "opened_year"] == 2021 == by_name.loc["河东区高中", "opened_year"]
    for name in ("三湾学校", "朝先学校", "美好家园学校"):
        assert by_name.loc[name, "stage"] == "nine_year" and 2022 <= by_name.loc[name, "opened_year"] <= 2025
    tp = s[s["stage"] == "teaching_point"]
    assert 35 <= len(tp) <= 45
    tp_pupils = classes[classes["stage"] == "teaching_point"].groupby(["school_id", "year"])["pupils"].sum()
    assert tp_pupils.between(5, 60).all()
    closed = s[s["closed_year"].notna()]
    assert len(closed) >= 3 and closed["closed_year"].between(2021, 2023).all()
    assert (closed["stage"] == "teaching_point").all()
    central = s[s["central"]]
    assert set(central["township_id"]) == set(demo["townships"]["township_id"])
    assert central["boarding"].mean() > 0.7
    kg = s[s["stage"] == "kindergarten"]
    assert (kg["ownership"] == "private").any() and (~kg["inclusive"]).any() and (kg["community_supporting"]).any()
    assert ((s["stage"] != "kindergarten") & (s["ownership"] == "private")).sum() >= 1
    # T-PRE-3: some townships lack an independent public kindergarten in 2019, none by 2022
    public_kg = kg[kg["ownership"] == "public"]

    def lacking(y: int) -> set[str]:
        open_ = public_kg[(public_kg["opened_year"] <= y) & (public_kg["closed_year"].isna())]
        return set(demo["townships"]["township_id"]) - set(open_["township_id"])

    assert lacking(2019) and not lacking(2022)
    rural = s[~s["urban"] & s["stage"].isin(["primary", "teaching_point", "junior", "nine_year"])]
    assert rural["partner_school_id"].notna().mean() > 0.9
    assert s.set_index("school_id").loc[rural["partner_school_id"].dropna(), "urban"].all()
    assert s["group_id"].notna().sum() >= 4
    assert s["lat"].between(26.9, 27.5).all() and s["lon"].between(116.3, 116.8).all()


def test_grades_fit_the_stage_and_the_school_is_open(demo: dict[str, pd.DataFrame], classes: pd.DataFrame) -> None:
    fits = [g in GRADES_BY_STAGE[st] for g, st in zip(classes["grade"], classes["stage"], strict=True)]
    assert all(fits)
    tp = classes[classes["stage"] == "teaching_point"]
    assert set(tp["grade"]) <= {"K1", "K2", "K3", "P1", "P2", "P3"}
    s = demo["schools"].set_index("school_id")
    for sheet in ("classes", "teachers", "school_years"):
        df = demo[sheet].join(s[["opened_year", "closed_year"]], on="school_id")
        assert (df["year"] >= df["opened_year"]).all(), sheet
        assert (df["closed_year"].isna() | (df["year"] < df["closed_year"])).all(), sheet
    # class numbers run 1..n within each grade
    n = classes.groupby(["school_id", "year", "grade"])["class_no"].agg(["min", "max", "count"])
    assert (n["min"] == 1).all() and (n["max"] == n["count"]).all()
    # one school_years row for each school and year with pupils
    with_pupils = set(zip(classes["school_id"], classes["year"], strict=True))
    assert with_pupils == set(zip(demo["school_years"]["school_id"], demo["school_years"]["year"], strict=True))


def test_enrolment_levels(demo: dict[str, pd.DataFrame], classes: pd.DataFrame) -> None:
    pop = demo["population"]
    by_level = classes.groupby(["year", "level"])["pupils"].sum().unstack()
    compulsory = by_level["P"] + by_level["J"]
    assert 30_000 <= compulsory[2023] <= 35_000
    assert compulsory.between(27_000, 36_000).all()
    aged = pop.groupby(["year", pd.cut(pop["age"], [2, 5, 14, 17])], observed=True)["persons"].sum().unstack()
    kg_ger = by_level["K"] / aged.iloc[:, 0]
    assert 0.83 <= kg_ger[2019] <= 0.87 and 0.90 <= kg_ger[2025] <= 0.94
    hs = by_level["H"] + by_level["V"]
    assert (hs / aged.iloc[:, 2]).between(0.88, 0.97).all()
    assert (by_level["V"] / hs).between(0.35, 0.40).all()


def test_big_classes_disappear(classes: pd.DataFrame) -> None:
    """第4条 / T-CMP-2: 大班额 (≥ 56) in the county seat, ~12–15% in 2019, a handful later, none from 2023."""
    assert classes["pupils"].max() <= 80
    urban = classes[classes["urban"] & classes["level"].isin(COMPULSORY)]
    share = (urban["pupils"] >= 56).groupby(urban["year"]).mean()
    count = (urban["pupils"] >= 56).groupby(urban["year"]).sum()
    assert 0.12 <= share[2019] <= 0.15
    assert ((urban["year"] == 2019) & (urban["pupils"] >= 66)).sum() >= 2
    assert 0 < count[2020] <= 10 and 0 < count[2021] <= 10
    assert count[2021] <= count[2020] < count[2019]
    assert (count.loc[2023:] == 0).all()
    rural = classes[~classes["urban"] & classes["level"].isin(COMPULSORY)]
    assert (rural["pupils"] < 56).all()


def test_school_years_are_plausible(demo: dict[str, pd.DataFrame], classes: pd.DataFrame) -> None:
    sy = demo["school_years"].merge(demo["schools"][["school_id", "stage", "boarding"]], on="school_id")
    pupils = classes.groupby(["school_id", "year"])["pupils"].sum().rename("pupils")
    sy = sy.join(pupils, on=["school_id", "year"])
    assert (sy.loc[~sy["boarding"], "boarders"] == 0).all()
    assert (sy["boarders"] <= sy["pupils"]).all()
    assert (sy["dropouts"] <= np.maximum(sy["pupils"] * 0.05, 2)).all()
    assert sy["dropouts"].sum() < sy["pupils"].sum() * 0.005
    primary = sy[(sy["stage"] == "primary") & (sy["pupils"] >= 100)]
    with_k = set(
        zip(
            classes.loc[classes["level"] == "K", "school_id"], classes.loc[classes["level"] == "K", "year"], strict=True
        )
    )
    only_p = primary[[k not in with_k for k in zip(primary["school_id"], primary["year"], strict=True)]]
    per_pupil = only_p["public_funding"] / only_p["pupils"]  # 第22条: 600 × 1.10 … × 1.4641, boarders +200
    assert per_pupil.between(650, 1000).all()
    # most primary schools meet QB-R4 (4.5 m² per pupil), and more do in 2025 than in 2019
    ok = (primary["teaching_area_m2"] / primary["pupils"] >= 4.5).groupby(primary["year"]).mean()
    assert 0.6 <= ok[2019] < 1.0 and ok[2025] > ok[2019]


def test_projects_of_clause_4(demo: dict[str, pd.DataFrame]) -> None:
    p = demo["projects"].merge(demo["schools"][["school_id", "name"]], on="school_id", suffixes=("", "_school"))
    seats = p.set_index("name_school")["seats_added"]
    assert seats["南丰二中"] == 1000 and seats["桔都小学分校"] == 1260
    assert seats["河东区高中"] + seats["桥背学校"] == 9360
    assert seats["三湾学校"] + seats["朝先学校"] + seats["美好家园学校"] == 8000
    assert p.loc[p["stage"] == "kindergarten", "seats_added"].sum() >= 3000
    assert (p["end_year"] >= p["start_year"]).all()
    expected = np.where(p["end_year"] <= 2025, "done", np.where(p["start_year"] <= 2025, "building", "planned"))
    assert (p["status"] == expected).all()


# ------------------------------------------------------------------------------ teachers


def test_teachers(demo: dict[str, pd.DataFrame], classes: pd.DataFrame) -> None:
    t = demo["teachers"].merge(demo["schools"][["school_id", "stage"]], on="school_id")
    staffed = set(zip(t["school_id"], t["year"], strict=True))
    assert set(zip(classes["school_id"], classes["year"], strict=True)) <= staffed
    age = t["year"] - t["birth_year"]
    assert age.between(22, 60).all()
    # the same teacher across years: years at the school grow by one, or restart at 0 after a move
    t = t.sort_values(["teacher_id", "year"])
    prev = t.groupby("teacher_id")[["school_id", "year", "years_at_school"]].shift()
    seen = prev["year"].notna()
    moved = seen & (prev["school_id"] != t["school_id"])
    stayed = seen & ~moved
    assert (t.loc[moved, "years_at_school"] == 0).all()
    assert (t.loc[stayed, "years_at_school"] == prev.loc[stayed, "years_at_school"] + 1).all()
    move_share = moved.groupby(t["year"]).sum() / t.groupby("year").size()
    assert move_share.loc[2020:].between(0.02, 0.10).all()
    # pupil–teacher ratios near the norms (STANDARDS.md TW, PP-5)
    pupils = classes.groupby(["year", "stage"])["pupils"].sum()
    full = t[t["full_time"]].groupby(["year", "stage"]).size()
    ratio = (pupils / full).unstack()
    assert ratio["primary"].between(15, 19).all()
    assert ratio["junior"].between(11, 14.5).all()
    assert ratio["high"].between(11, 15).all()
    assert ratio["kindergarten"].between(12, 17).all()
    last = t[t["year"] == 2025]
    master = last.groupby("stage")["education"].apply(lambda e: e.isin(["master", "doctorate"]).mean())
    assert 0.02 <= master["primary"] <= 0.06
    assert 0.05 <= master["junior"] <= 0.12
    assert 0.10 <= master["high"] <= 0.25
    assert (last["education"] == "doctorate").sum() >= 1
    assert 0.9 <= t["certified"].mean() <= 0.995 and 0.9 <= t["full_time"].mean() <= 0.98
    assert 0.6 <= t["normal_major"].mean() <= 0.8
    assert set(t.loc[t["stage"] == "kindergarten", "subject"]) == {"preschool"}
    specialty = t[(t["stage"] == "vocational") & (t["subject"] == "specialty")]
    assert specialty.groupby("year")["dual_qualified"].mean().between(0.35, 0.65).all()
    assert not t.loc[t["stage"] != "vocational", "dual_qualified"].any()
    assert t["training_hours_5y"].between(200, 500).all() and (t["training_hours_5y"] >= 360).mean() > 0.6
    pay = t.groupby("year")["annual_salary"].mean()
    assert 70_000 <= pay[2019] <= 90_000 and pay[2025] > pay[2019] * 1.12
    backbone = t["backbone"].value_counts(normalize=True)
    assert backbone["none"] > 0.8 and 0.05 <= backbone["county"] <= 0.12
    # the teachers module's columns: title codes, the year a backbone level was named (第24、25条)
    assert set(t["title"]) <= {"senior_full", "senior", "first", "second", "third", "unrated"}
    assert {"senior", "first", "second", "unrated"} <= set(last["title"])
    named = t[t["backbone"] != "none"]
    assert named["backbone_year"].notna().all() and (named["backbone_year"] <= named["year"]).all()
    assert t.loc[t["backbone"] == "none", "backbone_year"].isna().all()
    assert (last["years_at_school"] >= 6).mean() > 0.3  # many are due for exchange rotation (第28条)


# ------------------------------------------------------------------------------ admissions, money, tasks


def test_admissions(demo: dict[str, pd.DataFrame], classes: pd.DataFrame) -> None:
    c, p = demo["candidates"], demo["programmes"]
    assert not c["candidate_id"].duplicated().any()
    assert c.groupby("year").size().between(2500, 3100).all()
    j3 = set(
        zip(
            classes.loc[classes["grade"] == "J3", "school_id"],
            classes.loc[classes["grade"] == "J3", "year"],
            strict=True,
        )
    )
    assert set(zip(c["junior_school_id"], c["year"], strict=True)) <= j3
    assert 0.97 <= c["took_exam"].mean() < 1.0
    assert c.loc[~c["took_exam"], ["exam_score", "quality_grade"]].isna().all().all()
    assert c.loc[c["took_exam"], "exam_score"].between(0, 750).all()
    known = set(zip(p["programme_id"], p["year"], strict=True))
    for k in range(1, 6):
        given = c[c[f"choice_{k}"].notna()]
        assert set(zip(given[f"choice_{k}"], given["year"], strict=True)) <= known
    assert c["choice_1"].notna().all() and c["choice_5"].isna().any()
    schools = demo["schools"].set_index("school_id")
    general = p[p["track"] == "general"]
    assert set(schools.loc[general["school_id"], "name"]) == {"南丰一中", "南丰二中", "河东区高中"}
    quality = general[general["quota_to_schools"].notna()]
    assert quality["quota_to_schools"].between(0.5, 0.6).all()
    assert set(schools.loc[p.loc[p["track"] == "vocational", "school_id"], "stage"]) == {"vocational"}
    # no general-high-school choice without the exam (第7条)
    no_exam = c[~c["took_exam"]]
    assert not no_exam[[f"choice_{k}" for k in range(1, 6)]].isin(set(general["programme_id"])).any().any()
    # the boarding and gender conditions (issue 14): a day-only school, the 航空班 (boys, boarding)
    assert set(p["boarding"]) == {"optional", "none", "required"}
    gendered = p[p["gender"].notna()]
    assert set(gendered["name"]) == {"空军青少年航空班"} and set(gendered["gender"]) == {"male"}
    assert set(c["gender"]) == {"male", "female"} and c["boarding"].notna().mean() > 0.9
    inst = Instance.from_frames(demo, 2024)
    out = allocate(inst, AdmissionParams(gender_conditions="apply"))
    got = pd.Series(np.append(inst.programme_ids, None)[out.programme], index=inst.candidate_ids)
    year = c[c["year"] == 2024].set_index("candidate_id")
    assert (year.loc[got[got == "YZ03"].index, "gender"] == "male").all() and (got == "YZ03").sum() > 0
    assert (year.loc[year["choice_1"] == "YZ03", "gender"] == "female").any()  # refused: boys only
    assert not year.loc[got[got == "HD01"].index, "boarding"].eq(True).any() and (got == "HD01").sum() > 100


def test_finance_and_tasks(demo: dict[str, pd.DataFrame]) -> None:
    f = demo["finance"].pivot(index="year", columns="item", values="amount")
    assert list(f.index) == list(YEARS)
    assert f.notna().all().all() and len(f.columns) == 16
    assert (f["teacher_staffing_quota"] > 2500).all()  # 编制 the county holds (teachers module, RT)
    assert f["fiscal_revenue_total"].between(1.5e9, 2.2e9).all()
    assert f["education_expenditure"].between(0.8e9, 1.15e9).all()
    assert f["province_education_expenditure_growth"].between(0.0, 0.1).all()
    assert f["teacher_avg_salary"].between(70_000, 110_000).all()
    tasks = demo["tasks"]
    assert 34 <= len(tasks) <= 60
    assert tasks["clause"].str.fullmatch(r"第\d+条").all()
    assert set(tasks["clause"]) == {f"第{i}条" for i in range(1, 35)}  # the 34 articles' tasks (issue 15)
    assert tasks["due_year"].between(2019, 2026).all()
    assert {"done", "in_progress", "overdue", "not_started"} <= set(tasks["status"])
    assert set(tasks["owner_kind"]) == {"bureau_office", "township", "school", "department"}
    own = tasks[tasks["owner_kind"].isin(["township", "school"])]
    known = set(demo["townships"]["township_id"]) | set(demo["schools"]["school_id"])
    assert own["owner_id"].isin(known).all() and tasks["lead"].notna().all()

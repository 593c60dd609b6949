"""School years in collection and closed (census.years) on the hand county (tests/fixtures/hand: nine
schools, all open and reporting in 2024): the state in the store, coverage, what an import does to
the states, and that the engine never mixes a year in collection into trends or at_risk."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.census.years import CLOSED, COLLECTING, YearError, census_years, without_partial
from countyedu.indicators import cache
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import _with_status, assess
from countyedu.policy.pack import load_pack

HAND = Path(__file__).parent / "fixtures" / "hand"
PACKS = ("nanfeng-2019", "national-qb-2017", "national-pp-2020")


def p1_next_year(tmp: Path, year: int = 2025) -> Path:
    """P1's own rows of 2024 (school year, seven classes, its teachers) relabelled as `year`: what one
    school's approved submission adds to the census."""
    out = tmp / f"p1-{year}"
    out.mkdir()
    for sheet in ("school_years", "classes", "teachers"):
        df = pd.read_csv(HAND / f"{sheet}.csv", dtype=str)
        df[df["school_id"] == "P1"].assign(year=str(year)).to_csv(out / f"{sheet}.csv", index=False)
    return out


@pytest.fixture
def store(tmp_path: Path) -> CensusStore:
    s = CensusStore(tmp_path / "data")
    import_census(HAND, s)
    return s


def test_a_whole_census_import_closes_its_years_and_coverage_counts_schools(store: CensusStore) -> None:
    ys = census_years(store, "v1")
    assert [(y.year, y.state, y.reported, y.schools_open) for y in ys] == [(2024, CLOSED, 9, 9)]
    assert store.year_states()[2024][0] == CLOSED and store.year_states()[2024][2] == "import hand"
    assert ys.default() == 2024 and ys.key() == ""


def test_a_store_made_before_the_year_model_reads_every_year_as_closed(store: CensusStore) -> None:
    con = duckdb.connect(str(store.path))
    con.execute("DROP TABLE year_states")
    con.close()
    assert store.year_states() == {}
    assert [(y.year, y.state) for y in census_years(store, "v1")] == [(2024, CLOSED)]


def test_one_school_of_a_year_in_collection_is_partial_and_not_the_default(store: CensusStore, tmp_path: Path) -> None:
    store.set_year_state(2025, COLLECTING, "round opened")
    assert [y.year for y in census_years(store, "v1")] == [2024]  # nothing reported yet
    assert census_years(store, "v1", marked=True).info(2025).as_dict()["coverage_zh"] == "2025：已报 0/9 所"
    v = import_census(p1_next_year(tmp_path), store, schools={"P1"}).version.version_id
    ys = census_years(store, v)
    assert [(y.year, y.state, y.reported, y.schools_open) for y in ys] == [
        (2024, CLOSED, 9, 9),
        (2025, COLLECTING, 1, 9),
    ]
    assert ys.default() == 2024 and ys.partial == {2025} and ys.key() == "p2025"
    assert ys.info(2025).coverage("zh") == "2025：已报 1/9 所"
    assert ys.info(2025).coverage("en") == "2025: 1 of 9 schools reported"
    assert ys.info(2025).label("zh") == "2025（采集中，已报 1/9 所）"
    assert store.year_states()[2025][0] == COLLECTING, "a one-school import leaves the year's state alone"
    with pytest.raises(YearError) as exc:
        ys.choose(2030)
    assert "2030" in exc.value.message_zh and "2024, 2025" in exc.value.message_en
    store.set_year_state(2025, CLOSED, "round closed")
    assert census_years(store, v).default() == 2025


def test_an_import_with_collecting_keeps_its_years_partial(tmp_path: Path) -> None:
    s = CensusStore(tmp_path / "data")
    import_census(HAND, s, collecting=True)
    assert census_years(s, "v1").partial == {2024}


def test_planning_and_funding_frames_leave_out_a_partial_year_unless_named() -> None:
    frames = {"classes": pd.DataFrame({"year": [2024, 2025], "pupils": [30, 5]}), "schools": pd.DataFrame({"x": [1]})}
    assert without_partial(frames, frozenset({2025}))["classes"]["year"].tolist() == [2024]
    assert without_partial(frames, frozenset({2025}), keep=2025)["classes"]["year"].tolist() == [2024, 2025]
    assert without_partial(frames, frozenset())["schools"] is frames["schools"]


# ------------------------------------------------------------------------------------ the engine

RISING = [0.80, 0.82, 0.10, 0.86]  # T-PRE-5 (≥ 0.90 by 2025); 2021 in collection: one school so far


def _status(partial: frozenset[int]) -> pd.DataFrame:
    item = load_pack("nanfeng-2019").item("T-PRE-5")
    df = pd.DataFrame(
        {
            "level": "county",
            "unit": "c",
            "stage": "kindergarten",
            "year": [2019, 2020, 2021, 2022],
            "value": RISING,
            # the status rule decides on num and den (indicators/compare.py): the shares as counts of 100
            "num": [round(v * 100) for v in RISING],
            "den": 100.0,
        }
    )
    return _with_status("p", item, df, None, partial).set_index("year")


def test_a_partial_year_is_no_point_of_a_trend_and_gets_none() -> None:
    mixed, kept_out = _status(frozenset()), _status(frozenset({2021}))
    # mixed in, the one-school 0.10 of 2021 drags 2022's line below the target: at_risk
    assert mixed.loc[2022, "status"] == "at_risk"
    # left out, 2022's line runs through (2019, .80), (2020, .82), (2022, .86): slope .02 → .92 in 2025
    assert kept_out.loc[2022, "trend_at_deadline"] == pytest.approx(0.92)
    assert kept_out.loc[2022, "status"] == "not_met"  # .86 < .90 today, on track
    # the partial year itself: its value against the target, no trend
    assert kept_out.loc[2021, "status"] == "not_met" and pd.isna(kept_out.loc[2021, "trend_at_deadline"])
    assert list(kept_out.loc[[2019, 2020], "status"]) == list(mixed.loc[[2019, 2020], "status"])


def test_one_schools_partial_year_changes_no_closed_result_and_adds_no_at_risk(
    store: CensusStore, tmp_path: Path
) -> None:
    packs = [load_pack(p) for p in PACKS]
    before = cache.get_or_compute(store, "v1").frame()
    store.set_year_state(2025, COLLECTING, "round opened")
    v = import_census(p1_next_year(tmp_path), store, schools={"P1"}).version.version_id
    with open_tables(store, packs, version=v) as ct:
        a = assess(ct, packs)
        ct.years = None  # as before the year model: the year in collection counted like any other
        unmarked = assess(ct, packs)
    t = a.table()
    closed = t[t["year"] == 2024].reset_index(drop=True)
    cols = ["indicator", "level", "unit", "stage", "value", "status", "trend_at_deadline"]
    old = before[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(closed[cols], old, check_dtype=False)
    partial = t[t["year"] == 2025]
    assert len(partial) and partial["trend_at_deadline"].isna().all()
    assert "at_risk" not in set(partial["status"])
    assert a.default_year() == 2024 and unmarked.default_year() == 2025
    # stored apart: the partial key names another file, and closing the year names a third
    cache.save(store, a)
    assert cache.load(store, v, packs) is not None
    store.set_year_state(2025, CLOSED, "round closed")
    assert cache.load(store, v, packs) is None


def test_a_report_defaults_to_the_closed_year_and_labels_a_partial_one(store: CensusStore, tmp_path: Path) -> None:
    import openpyxl

    from countyedu.reports import build_report, write_report

    store.set_year_state(2025, COLLECTING, "round opened")
    v = import_census(p1_next_year(tmp_path), store, schools={"P1"}).version.version_id
    a = cache.get_or_compute(store, v)
    default = build_report(a, lang="zh")
    assert default.year == 2024 and default.years == [2024] and default.partial_note == ""
    partial = build_report(a, lang="en", year=2025)
    assert partial.years == [2024], "the charts and trends of a partial year's report stay on the closed years"
    assert "1 of 9 schools reported" in partial.partial_note and "in collection" in partial.partial_note
    html = write_report(a, tmp_path / "r.html", "html", lang="zh", year=2025).read_text(encoding="utf-8")
    assert "2025 学年仍在采集中（数据不完整）：已报 1/9 所" in html
    xlsx = write_report(a, tmp_path / "r.xlsx", "xlsx", lang="zh", year=2025)
    cells = [c.value for row in openpyxl.load_workbook(xlsx).worksheets[0].iter_rows() for c in row]
    assert any(isinstance(c, str) and "已报 1/9 所" in c for c in cells)


def test_the_years_a_census_holds_are_one_definition(store: CensusStore, tmp_path: Path) -> None:
    """census.years.years_of on frames counts what census_years counts in the store; funding and the
    engine count the years with classes through it."""
    from countyedu.census.years import years_of
    from countyedu.funding.run import census_years as funding_years
    from countyedu.planning.service import latest_year

    import_census(p1_next_year(tmp_path), store, schools={"P1"})
    v = store.latest()
    assert v is not None
    frames = store.census(v.version_id)
    assert years_of(frames) == census_years(store, v.version_id).years
    assert funding_years(frames) == years_of(frames, ("classes",)) == sorted(set(frames["classes"]["year"]))
    only_years = {**frames, "classes": frames["classes"].iloc[0:0]}
    assert years_of(only_years, ("classes",)) == [] and latest_year(only_years) == max(years_of(frames))

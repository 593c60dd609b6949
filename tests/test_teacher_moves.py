"""Teachers' moves between school years (QB-G11, formulas.rotation_share), counted once when a census
version is stored (census.store.write_moves, by pairs of batches) and read by the engine: the same
numbers as counted on the fly by the same SQL where a store lacks them (an older countyedu's store),
on a county small enough to count by hand, and for a school's submission (a version with a new batch
for one year).

The county, 2022–2024; S1 primary (30 pupils), S2 nine-year (30 primary + 10 junior pupils: shares
0.75 / 0.25), S3 junior (40 pupils); eligible: ≥ 6 years at the school (QB-G11):
- M1, S1, 8 years, county backbone: at S3 in 2023 (moved), absent in 2024;
- K1, S1, 9 years: at S1 in 2023 (stayed, 10 years), at S2 in 2024 (moved);
- G1, S1, 10 years: absent in 2023 (not counted);
- Y1, S1, 3 years (below N): at S2 in 2023 (moved, not eligible);
- T1, S2, 7 years, city backbone: at S1 in 2023 (moved; counts 0.75 primary + 0.25 junior);
- T2, S2, 6 years: at S2 in 2023 (7 years) and 2024 (stayed).
2023: eligible M1, K1, T1, T2, moved M1 and T1; 2024: eligible (in 2023) K1 and T2 (M1 at S3 has 0
years), moved K1. Each counts at its part's pupil share (HAND_PARTS), the county by stage (HAND_VALUES).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore, moves_sql, moves_view_sql, stored_columns
from countyedu.indicators.engine import assess
from countyedu.indicators.formulas import rotation_share
from countyedu.indicators.tables import CensusTables, duckdb_tables
from countyedu.policy.pack import Pack, load_pack

TEACHER_COLUMNS = (
    "teacher_id,school_id,year,birth_year,gender,education,normal_major,certified,subject,title,backbone,"
    "dual_qualified,years_at_school,training_hours_5y,full_time,annual_salary"
)
# (teacher, school, year, years at school, backbone)
TEACHERS = [
    ("M1", "S1", 2022, 8, "county"),
    ("K1", "S1", 2022, 9, "none"),
    ("G1", "S1", 2022, 10, "none"),
    ("Y1", "S1", 2022, 3, "none"),
    ("T1", "S2", 2022, 7, "city"),
    ("T2", "S2", 2022, 6, "none"),
    ("M1", "S3", 2023, 0, "county"),
    ("K1", "S1", 2023, 10, "none"),
    ("Y1", "S2", 2023, 0, "none"),
    ("T1", "S1", 2023, 0, "city"),
    ("T2", "S2", 2023, 7, "none"),
    ("K1", "S2", 2024, 0, "none"),
    ("T2", "S2", 2024, 8, "none"),
    ("Y1", "S2", 2024, 1, "none"),
    ("T1", "S1", 2024, 1, "city"),
]
YEARS = (2022, 2023, 2024)


def _teacher_line(tid: str, school: str, year: int, years: int, backbone: str) -> str:
    return f"{tid},{school},{year},1980,female,bachelor,true,true,math,一级教师,{backbone},false,{years},360,true,80000"


def write_county(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "townships.csv").write_text("township_id,name,kind,urban_core\nT1,琴城镇,town,true\n", encoding="utf-8")
    (folder / "communities.csv").write_text(
        "community_id,township_id,name,kind,households,residents,registered_residents,lat,lon\n"
        "C1,T1,人民路社区,urban_community,1500,4800,4600,27.218,116.532\n",
        encoding="utf-8",
    )
    head = "school_id,name,stage,ownership,inclusive,community_supporting,township_id,community_id,urban,boarding,central,lat,lon,opened_year,closed_year,partner_school_id,group_id"
    schools = [("S1", "一小", "primary"), ("S2", "九年一贯制", "nine_year"), ("S3", "一中", "junior")]
    (folder / "schools.csv").write_text(
        head
        + "\n"
        + "".join(f"{s},{n},{k},public,true,false,T1,C1,true,false,false,27.2,116.5,1950,,,\n" for s, n, k in schools),
        encoding="utf-8",
    )
    classes = [("S1", "P1", 30), ("S2", "P1", 30), ("S2", "J1", 10), ("S3", "J1", 40)]
    (folder / "classes.csv").write_text(
        "school_id,year,grade,class_no,pupils\n"
        + "".join(f"{s},{y},{g},1,{n}\n" for y in YEARS for s, g, n in classes),
        encoding="utf-8",
    )
    (folder / "teachers.csv").write_text(
        TEACHER_COLUMNS + "\n" + "".join(_teacher_line(*t) + "\n" for t in TEACHERS), encoding="utf-8"
    )
    return folder


@pytest.fixture
def store(tmp_path: Path) -> CensusStore:
    s = CensusStore(tmp_path / "data")
    import_census(write_county(tmp_path / "county"), s)
    return s


def qb_pack() -> Pack:
    p = load_pack("national-qb-2017")
    return p.model_copy(update={"items": [i for i in p.items if i.formula == "rotation_share"]})


def county_values(ct: CensusTables) -> dict[tuple[str, str | None, int], tuple[float, float, float]]:
    """(item, stage, year) → (value, num, den) at county level, of the years with a value."""
    a = assess(ct, [qb_pack()])
    return {
        (r.indicator, r.stage, r.year): (r.value, r.num, r.den)
        for r in a.results
        if r.level == "county" and r.value is not None
    }


def part_rows(ct: CensusTables) -> list[tuple[str, str, int, float, float]]:
    """QB-G11's contributions: (school, part, year, num, den), sorted."""
    item = next(i for i in qb_pack().items if i.id == "QB-G11")
    df = rotation_share(ct, item).to_pandas().groupby(["school_id", "stage", "year"])[["num", "den"]].sum()
    return sorted((str(s), str(p), int(y), float(r.num), float(r.den)) for (s, p, y), r in df.iterrows())


def reads_stored_moves(store: CensusStore, version: str) -> bool:
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        return "teacher_moves" in moves_view_sql(con, version, stored_columns(con), "census_teachers")
    finally:
        con.close()


def drop_moves(store: CensusStore) -> None:
    """The store as an older countyedu made it: without the moves."""
    con = duckdb.connect(str(store.path))
    try:
        con.execute("DROP TABLE teacher_moves")
        con.execute("DROP TABLE teacher_move_pairs")
    finally:
        con.close()


HAND_VALUES = {  # (item, stage, year): (value, num, den); the county's results are by stage
    ("QB-G11", "primary", 2023): (0.5, 1.75, 3.5),  # S1: M1 of M1, K1; S2: T1 of T1, T2 at 0.75
    ("QB-G11", "junior", 2023): (0.5, 0.25, 0.5),  # S2: T1 of T1, T2 at 0.25
    ("QB-G11", "primary", 2024): (4 / 7, 1.0, 1.75),  # S1: K1 of K1; S2: T2 stayed, at 0.75
    ("QB-G11", "junior", 2024): (0.0, 0.0, 0.25),
    ("QB-G11-BACKBONE", "primary", 2023): (1.0, 1.75, 1.75),  # M1 (county) and T1 (city)
    ("QB-G11-BACKBONE", "junior", 2023): (1.0, 0.25, 0.25),
    ("QB-G11-BACKBONE", "primary", 2024): (0.0, 0.0, 1.0),  # K1, no backbone (junior: no mover, no value)
}
HAND_PARTS = [
    ("S1", "primary", 2023, 1.0, 2.0),  # M1 moved, K1 stayed (G1 absent, Y1 below N)
    ("S1", "primary", 2024, 1.0, 1.0),  # K1 moved
    ("S2", "junior", 2023, 0.25, 0.5),  # T1 moved, T2 stayed, at the junior part's share
    ("S2", "junior", 2024, 0.0, 0.25),  # T2 stayed
    ("S2", "primary", 2023, 0.75, 1.5),
    ("S2", "primary", 2024, 0.0, 0.75),
]


def test_it_counts_the_moves_by_hand_from_the_store_and_on_the_fly(store: CensusStore) -> None:
    assert reads_stored_moves(store, "v1")
    with duckdb_tables(store) as ct:
        stored_values, stored_parts = county_values(ct), part_rows(ct)
    assert stored_values == HAND_VALUES
    assert stored_parts == HAND_PARTS
    drop_moves(store)
    assert not reads_stored_moves(store, "v1")
    with duckdb_tables(store) as ct:
        assert county_values(ct) == stored_values
        assert part_rows(ct) == stored_parts


def test_tables_outside_the_store_count_the_moves_by_the_same_sql(store: CensusStore) -> None:
    """Census tables that are not the store's (Spark's Parquet, the web's in-memory copy for explain:
    here the latter) have no stored moves: they count them by moves_sql over their teachers."""
    import ibis

    from countyedu.census.schema import SHEETS

    con = ibis.duckdb.connect()  # as web.census._memory_tables copies a version
    con.raw_sql(f"ATTACH '{store.path.as_posix()}' AS census_file (READ_ONLY)")
    con.raw_sql("USE census_file")
    for sheet in SHEETS:
        con.raw_sql(f'CREATE TABLE memory.main."{sheet.name}" AS {CensusStore.view_sql(sheet, "v1")}')
    con.raw_sql("USE memory")
    con.raw_sql("DETACH census_file")
    ct = CensusTables("v1", con, {sheet.name: con.table(sheet.name) for sheet in SHEETS}, {})
    assert "moves" not in ct.t
    assert part_rows(ct) == HAND_PARTS


def test_it_stores_each_pair_of_batches_once(store: CensusStore) -> None:
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        pairs = con.execute("SELECT * FROM teacher_move_pairs ORDER BY ALL").fetchall()
        moves = con.execute("SELECT count(*), sum(teachers) FROM teacher_moves").fetchone()
    finally:
        con.close()
    assert pairs == [(1, 1, 2023), (1, 1, 2024)]
    assert moves == (9, 9)  # 2023: M1, K1, Y1, T1, T2; 2024: K1, Y1, T1, T2 (each its own group)


def school_submission(folder: Path) -> Path:
    """S3's 2023 teachers again, without M1 (so M1 is absent in 2023: not counted) and with N1."""
    folder.mkdir()
    (folder / "teachers.csv").write_text(
        TEACHER_COLUMNS + "\n" + _teacher_line("N1", "S3", 2023, 0, "none") + "\n", encoding="utf-8"
    )
    return folder


def test_a_school_submission_gets_the_moves_of_its_new_batch(store: CensusStore, tmp_path: Path) -> None:
    v2 = import_census(school_submission(tmp_path / "s3"), store, schools={"S3"}, year=2023).version.version_id
    assert v2 == "v2"
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        pairs = con.execute("SELECT * FROM teacher_move_pairs ORDER BY ALL").fetchall()
        # the version's moves as stored, and as counted now from its teachers: the same rows
        view = f"({CensusStore.view_sql('teachers', v2)})"
        on_the_fly = con.execute(f"SELECT * FROM ({moves_sql(view, view)}) ORDER BY ALL").fetchall()
        stored = con.execute(
            f"SELECT * FROM ({moves_view_sql(con, v2, stored_columns(con), 'unused')}) ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()
    # v2's 2023 teachers are batch 2 (the other schools' rows and S3's new ones): two new pairs
    assert pairs == [(1, 1, 2023), (1, 1, 2024), (1, 2, 2023), (2, 1, 2024)]
    assert stored == on_the_fly
    with duckdb_tables(store) as ct:  # the latest: v2
        values = county_values(ct)
    # 2023: M1 absent from S3's new rows, so S1's eligible are K1 alone (stayed); S2 as before; 2024 as before
    assert values == {
        **HAND_VALUES,
        ("QB-G11", "primary", 2023): (0.75 / 2.5, 0.75, 2.5),
        ("QB-G11-BACKBONE", "primary", 2023): (1.0, 0.75, 0.75),
    }
    with duckdb_tables(store, "v1") as ct:  # v1 keeps its own pairs
        assert county_values(ct) == HAND_VALUES


def test_an_older_store_gets_the_moves_of_its_next_version(store: CensusStore, tmp_path: Path) -> None:
    """A store made before the moves were stored: its versions are counted on the fly; the next
    import (its write creates the tables) counts the new version's pairs, old batches included."""
    drop_moves(store)
    import_census(school_submission(tmp_path / "s3"), store, schools={"S3"}, year=2023)
    assert reads_stored_moves(store, "v2")
    assert not reads_stored_moves(store, "v1")
    with duckdb_tables(store, "v1") as ct:
        assert county_values(ct) == HAND_VALUES

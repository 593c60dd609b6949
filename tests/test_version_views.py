"""A version's rows of a sheet picked by a filter on its parts' batches and years (what the engine's
tables read: CensusStore.view_sql with the version's parts) are the rows the join with the parts
table picks, for every sheet of every version — a whole census and a school's submission (a new batch
for one year of a few sheets)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from tests.test_teacher_moves import school_submission, write_county

from countyedu.census.importer import import_census
from countyedu.census.schema import SHEETS
from countyedu.census.store import CensusStore, _parts_filter, stored_columns


def test_the_filter_picks_the_rows_the_join_picks(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "data")
    import_census(write_county(tmp_path / "county"), store)
    import_census(school_submission(tmp_path / "s3"), store, schools={"S3"}, year=2023)
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        stored = stored_columns(con)
        compared = 0
        for version in ("v1", "v2"):
            parts = CensusStore.version_parts(con, version)
            for name in [s.name for s in SHEETS if f"s_{s.name}" in stored] + ["candidate_choices"]:
                cols = stored.get(f"s_{name}")
                joined = f"SELECT * FROM ({CensusStore.view_sql(name, version, cols)}) ORDER BY ALL"
                filtered = f"SELECT * FROM ({CensusStore.view_sql(name, version, cols, parts)}) ORDER BY ALL"
                rows = con.execute(joined).fetchall()
                assert con.execute(filtered).fetchall() == rows, (version, name)
                compared += len(rows)
        v1, v2 = CensusStore.version_parts(con, "v1"), CensusStore.version_parts(con, "v2")
    finally:
        con.close()
    assert compared > 50
    assert v1["teachers"] != v2["teachers"]  # the submission's year is a batch of its own


def test_the_filter_of_parts() -> None:
    assert _parts_filter([(2022, 1), (2023, 1), (2023, 2)], True) == (
        "(t._batch = 1 AND t.year IN (2022, 2023)) OR (t._batch = 2 AND t.year IN (2023))"
    )
    assert _parts_filter([(None, 3)], False) == "t._batch = 3"
    assert _parts_filter([], True) == "false"
    assert _parts_filter([], False) == "false"

"""The benchmark's two peers of the engine's QB-R1…R7 (issue 12 item 1): the plain pandas version
(benchmarks/qb_pandas.py, the peer the ratio is taken against) and one hand-written DuckDB query
(benchmarks/qb_sql.py, the database alone: the floor). Each is written apart from the engine; on a
small generated county the two agree with each other and with the engine's values, so the bench
times the same work three ways."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.engine import assess
from countyedu.indicators.tables import duckdb_tables
from countyedu.policy.pack import load_pack

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import qb_pandas, qb_sql  # noqa: E402
from tests.test_result_identity import generated_county  # noqa: E402


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = generated_county(tmp_path_factory.mktemp("county"))
    data = tmp_path_factory.mktemp("data")
    import_census(folder, CensusStore(data))
    return folder, data


def test_the_sql_peer_and_the_pandas_peer_agree(county: tuple[Path, Path]) -> None:
    folder, data = county
    values, cvs = qb_sql.qb_resources(data)
    peer = qb_pandas.qb_resources(folder)
    assert len(values[values["level"] == "school"]) == len(peer[0]) > 0
    assert len(cvs) == len(peer[2]) > 0
    said = qb_sql.differs(values, cvs, peer)
    alone, worst = said.split(" on one side only, values within ")
    assert alone == "0"
    assert float(worst.split()[0]) < 1e-12


def test_the_engine_gives_the_peers_values(county: tuple[Path, Path]) -> None:
    _folder, data = county
    qb = load_pack("national-qb-2017")
    items = [i for i in qb.items if i.id in {f"QB-R{n}" for n in range(1, 8)}]
    with duckdb_tables(CensusStore(data), part_weights=None) as ct:
        t = assess(ct, [qb.model_copy(update={"items": items})]).table()
    values, _cvs = qb_sql.qb_resources(data)
    compared = 0
    for level, unit in (("school", "school_id"), ("township", "township_id")):
        mine = values[values["level"] == level]
        for n in range(1, 8):
            e = t[(t["indicator"] == f"QB-R{n}") & (t["level"] == level)]
            e = e.set_index(["unit", "stage", "year"])["value"].astype(float)
            s = mine.set_index([unit, "part", "year"])[f"QB-R{n}"].astype(float)
            s.index.names = e.index.names
            both = e.index.intersection(s.index)
            assert len(both) == len(s.dropna()), (level, n)  # every value the query has, the engine has
            a, b = e.loc[both].to_numpy(), s.loc[both].to_numpy()
            np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
            compared += len(both)
    assert compared > 1000

"""The PP and T-PRE numbers read from the registers (issue 16 items 2 and 4), on the hand county
(tests/fixtures/hand: K1 public 90 children, K2 private 普惠 60, K3 private not 普惠 40, all in 2024)
with the registers of tests/fixtures/registers, worked out by hand:

- T-PRE-6 / PP-2 (普惠 coverage) = children of public and 普惠 kindergartens / all: the register's
  2024 row decides 普惠 — K2 recognised, K3 not: (90 + 60) / 190; K3 recognised instead of K2:
  (90 + 40) / 190.
- T-PRE-2 (千户小区 with a 普惠 kindergarten), from the housing register: projects of ≥ 1000
  households accepted by 2024 — HP1 (1,350, K2), HP2 (1,100, K3), HP3 (1,020, no kindergarten yet);
  HP4 (820) is not one. Served: HP1 only → 1/3; with K3 recognised and K2 not: HP2 only → 1/3, and
  with both recognised 2/3.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators.backends import open_tables
from countyedu.indicators.engine import Assessment, assess
from countyedu.policy.pack import load_pack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PACKS = ("nanfeng-2019", "national-pp-2020")


def assessed(tmp: Path, recognised: dict[str, str]) -> Assessment:
    county = tmp / "county"
    shutil.copytree(FIXTURES / "hand", county)
    shutil.copy(FIXTURES / "registers" / "housing_projects.csv", county / "housing_projects.csv")
    lines = (FIXTURES / "registers" / "private_schools.csv").read_text("utf-8").splitlines()
    rows = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[14] = recognised[cells[0]]  # 普惠性认定
        cells[16] = "36000" if recognised[cells[0]] == "是" else ""  # its subsidy
        rows.append(",".join(cells))
    (county / "private_schools.csv").write_text("\n".join(rows) + "\n", "utf-8")
    store = CensusStore(tmp / "data")
    import_census(county, store)
    packs = [load_pack(p) for p in PACKS]
    return assess(open_tables(store, packs), packs)


def value(a: Assessment, indicator: str) -> float | None:
    hits = [
        r for r in a.results if (r.indicator, r.level, r.stage, r.year) == (indicator, "county", "kindergarten", 2024)
    ]
    assert len(hits) == 1, indicator
    return hits[0].value


@pytest.mark.parametrize(
    ("recognised", "coverage", "served"),
    [
        ({"K2": "是", "K3": "否"}, 150 / 190, 1 / 3),
        ({"K2": "否", "K3": "是"}, 130 / 190, 1 / 3),
        ({"K2": "是", "K3": "是"}, 1.0, 2 / 3),
    ],
)
def test_the_registers_decide_pp_and_t_pre(
    tmp_path: Path, recognised: dict[str, str], coverage: float, served: float
) -> None:
    a = assessed(tmp_path, recognised)
    assert value(a, "T-PRE-6") == pytest.approx(coverage)
    assert value(a, "PP-2") == pytest.approx(coverage)
    assert value(a, "T-PRE-2") == pytest.approx(served)

"""No workbook the project writes turns a user's text into a formula or a link (issue 10, item 4).

The hand county with names as an attacker would type them: a school named =HYPERLINK(…) opened in
Excel must read as that text, not as a live link. Every workbook is written as a user gets it (the
web downloads, the CLI's exports) and opened with openpyxl: no formula cell, no hyperlink, and the
names are there as text. The CSV of a planning table (opened by planners in Excel) carries such text
behind a leading apostrophe; the exchange-format CSV export stays verbatim (README: 导出与公式).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from collection_support import open_round
from django.contrib.auth.models import User
from django.test import Client

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.indicators import cache
from countyedu.web import census as census_data

HAND = Path(__file__).resolve().parents[1] / "fixtures" / "hand"
SCHOOL_NAMES = {"K1": '=HYPERLINK("http://x","y")', "P1": "+SUM(1,2)", "N1": "-2+3", "J1": "@SUM(1)"}
TOWNSHIP_NAME = "=1+1"
COMMUNITY_NAME = '=HYPERLINK("http://x","c")'
INJECTED = {*SCHOOL_NAMES.values(), TOWNSHIP_NAME, COMMUNITY_NAME}


def _rename(folder: Path, sheet: str, key: str, names: dict[str, str]) -> None:
    path = folder / f"{sheet}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["name"] = [names.get(k, n) for k, n in zip(df[key], df["name"], strict=True)]
    df.to_csv(path, index=False)


@pytest.fixture(scope="module")
def injected_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the hand county with formula-like names, and its assessment."""
    base = tmp_path_factory.mktemp("injection")
    src = base / "source"
    shutil.copytree(HAND, src)
    _rename(src, "schools", "school_id", SCHOOL_NAMES)
    _rename(src, "townships", "township_id", {"T1": TOWNSHIP_NAME})
    _rename(src, "communities", "community_id", {"C1": COMMUNITY_NAME})
    store = CensusStore(base / "data")
    import_census(src, store)
    cache.get_or_compute(store)
    return store.data_dir


@pytest.fixture
def injected(settings: Any, injected_dir: Path) -> Any:
    settings.DATA_DIR = injected_dir
    census_data.forget()
    yield injected_dir
    census_data.forget()


def live_cells(data: bytes) -> list[str]:
    """Every formula or hyperlink cell of a workbook, as sheet!cell value."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [
        f"{ws.title}!{c.coordinate} {c.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" or c.hyperlink is not None
    ]


def texts(data: bytes) -> set[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def body(r: Any) -> bytes:
    return b"".join(r.streaming_content) if r.streaming else r.content


@pytest.mark.parametrize(
    ("user", "url", "names"),
    [
        ("leader", "/report/county/361023.xlsx", INJECTED - {COMMUNITY_NAME}),
        ("t1", "/report/township/T1.xlsx", {TOWNSHIP_NAME, SCHOOL_NAMES["K1"], SCHOOL_NAMES["P1"]}),
        ("clerk_p1", "/report/school/P1.xlsx", {SCHOOL_NAMES["P1"]}),
        ("planner", "/funding/scenario.xlsx?step_rate=0.08", {SCHOOL_NAMES["P1"], SCHOOL_NAMES["N1"]}),
    ],
)
def test_web_downloads_write_names_as_text(
    client: Client, users: dict[str, User], injected: Path, user: str, url: str, names: set[str]
) -> None:
    client.force_login(users[user])
    r = client.get(url)
    assert r.status_code == 200, r.status_code
    data = body(r)
    assert live_cells(data) == []
    assert names <= texts(data)


def test_the_schools_template_writes_its_name_as_text(client: Client, users: dict[str, User], injected: Path) -> None:
    rnd = open_round(users)
    client.force_login(users["admin"])
    r = client.get(f"/collection/{rnd.pk}/schools/K1/template.xlsx")
    assert r.status_code == 200
    assert live_cells(r.content) == []
    assert SCHOOL_NAMES["K1"] in texts(r.content)


def run(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_cli_workbooks_write_names_as_text(injected_dir: Path, tmp_path: Path) -> None:
    d = str(injected_dir)
    run("export", str(tmp_path / "export.xlsx"), "--data-dir", d)
    run("assess", "--format", "xlsx", "--out", str(tmp_path / "assess.xlsx"), "--data-dir", d)
    run("plan", "run", "--out", str(tmp_path / "plan.xlsx"), "--data-dir", d)
    run("funding", "run", "--out", str(tmp_path / "funding.xlsx"), "--data-dir", d)
    run("funding", "scenario", "--set", "step_rate=0.08", "--out", str(tmp_path / "scenario.xlsx"), "--data-dir", d)
    expected = {
        "export.xlsx": INJECTED,
        "assess.xlsx": INJECTED - {COMMUNITY_NAME},
        "plan.xlsx": {SCHOOL_NAMES["N1"], TOWNSHIP_NAME},
        "funding.xlsx": {SCHOOL_NAMES["P1"]},
        "scenario.xlsx": {SCHOOL_NAMES["P1"]},
    }
    for name, names in expected.items():
        data = (tmp_path / name).read_bytes()
        assert live_cells(data) == [], name
        assert names <= texts(data), name


def test_a_planning_csv_puts_an_apostrophe_before_formula_like_text(injected_dir: Path, tmp_path: Path) -> None:
    run(
        "plan",
        "consolidate",
        "--stage",
        "primary",
        "--out",
        str(tmp_path / "plan.csv"),
        "--data-dir",
        str(injected_dir),
    )
    with (tmp_path / "plan.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'" + SCHOOL_NAMES["N1"] in cells

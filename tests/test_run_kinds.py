"""The registry of run kinds (runs.registry) and the one pipeline after a census enters (runs.pipeline),
as users meet them: `countyedu import` stores and assesses the version, and computes every kind with --compute, `countyedu run KIND`
runs one with its parameters, `countyedu demo` prints every kind's summary and its report carries
every kind's chapter — including a kind registered by the test alone (tests/run_kind_support.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from countyedu.census.importer import import_census
from countyedu.census.store import CensusStore
from countyedu.cli import app
from countyedu.errors import CountyEduError
from countyedu.runs import pipeline, registry
from countyedu.runs.registry import RunKind, get, kinds
from countyedu.runs.store import load_packs
from demo_support import built_demo

HAND = Path(__file__).parent / "fixtures" / "hand"


def countyedu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "countyedu", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture
def with_headcount(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, RunKind]]:
    monkeypatch.setattr(registry, "ENTRY_POINTS", (*registry.ENTRY_POINTS, "run_kind_support"))
    registry.kinds.cache_clear()
    yield registry.kinds()
    registry.kinds.cache_clear()


def test_planning_and_funding_are_registered_with_what_they_declare() -> None:
    assert list(kinds())[:3] == ["planning", "funding", "teachers"]  # in registry order; more may follow
    planning, funding = get("planning"), get("funding")
    assert planning.resolve() == {"horizon": 2030} and planning.run_roles == ("bureau_admin", "planning")
    assert funding.resolve()["step_rate"] is None  # None: the pack's value
    assert funding.resolve({"floor_primary": "150"})["floor_primary"] == 150
    assert "leadership" in funding.read_roles and "school" not in funding.read_roles


@pytest.mark.parametrize(
    ("given", "zh"),
    [
        ({"step_rate": "3"}, "step_rate：3 超出 0–1"),
        ({"step_rate": "x"}, "step_rate：x 不是数字"),
        ({"nope": "1"}, "funding 没有参数 nope"),
    ],
)
def test_a_bad_parameter_is_named(given: dict[str, str], zh: str) -> None:
    with pytest.raises(CountyEduError) as e:
        get("funding").resolve(given)
    assert zh in e.value.message_zh


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(CountyEduError) as e:
        get("nosuchkind")
    assert "planning、funding、teachers" in e.value.message_zh
    assert "planning, funding, teachers" in e.value.message_en


def test_import_runs_the_pipeline_when_told_to(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = countyedu("import", str(HAND), "--data-dir", str(data), "--no-compute", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "runs" not in json.loads(proc.stdout)  # stored only
    assert not (data / "assessments").exists() and not (data / "planning").exists()
    proc = countyedu("import", str(HAND), "--data-dir", str(data), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "runs" not in json.loads(proc.stdout)  # assessed (what the pages read); the kinds on first use
    assert list((data / "assessments").glob("v2-*.json")) and not (data / "planning").exists()
    proc = countyedu("import", str(HAND), "--data-dir", str(data), "--compute", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {"planning", "funding", "teachers"} <= set(doc["runs"]) and doc["runs"]["funding"]["year"] == 2024
    store, packs = CensusStore(data), load_packs()
    for kind in kinds().values():
        assert pipeline.stored(store, kind, "v3", packs) is not None, kind.name
    assert list((data / "assessments").glob("v3-*.json"))


def test_run_computes_one_kind_with_its_parameters_and_lists_them(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_census(HAND, CensusStore(data))
    listed = json.loads(countyedu("run", "--list", "--format", "json").stdout)
    assert [k["kind"] for k in listed][:3] == ["planning", "funding", "teachers"]
    base = countyedu("run", "funding", "--data-dir", str(data), "--format", "json")
    more = countyedu("run", "funding", "--param", "boarder_subsidy=4000", "--data-dir", str(data), "--format", "json")
    assert base.returncode == 0 and more.returncode == 0, base.stderr + more.stderr
    a, b = json.loads(base.stdout), json.loads(more.stdout)
    assert a["year"] == b["year"] == 2024
    assert b["budget"] != a["budget"]  # boarders cost more
    assert len(list((data / "funding").glob("v1-*.json"))) == 2  # another parameter, another stored run
    bad = countyedu("run", "funding", "--param", "boarder_subsidy=9999", "--data-dir", str(data))
    assert bad.returncode == 2 and "boarder_subsidy" in bad.stderr and "Traceback" not in bad.stderr
    text = countyedu("run", "planning", "--param", "horizon=2027", "--data-dir", str(data), "--lang", "en")
    assert text.returncode == 0, text.stderr


def test_every_registered_kind_is_in_the_demo_and_its_report(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`countyedu demo --no-pdf --format json` (run once per session, tests/demo_support.py) prints every
    registered kind's summary and its report carries their chapters (a kind registered by a test alone
    reaches the report: the next test)."""
    _data, doc = built_demo(tmp_path_factory)
    for name in kinds():
        assert doc[name], name
    assert doc["planning"]["year"] == doc["funding"]["year"]
    html = Path(doc["assessment"]["reports"][0]).read_text(encoding="utf-8")
    for name in kinds():
        assert f'id="chapter-{name}"' in html, name
    for title in ("学位与布局规划", "经费与预算"):
        assert title in html, title
    lines = CliRunner().invoke(app, ["run", "--list"])
    assert all(name in lines.stdout for name in kinds())


def test_the_report_of_assess_carries_every_kind_computed(tmp_path: Path, with_headcount: dict[str, RunKind]) -> None:
    data = tmp_path / "data"
    store = CensusStore(data)
    import_census(HAND, store)
    pipeline.after_census(store, "v1", load_packs())
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["assess", "--data-dir", str(data), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert [c for c in ("chapter-planning", "chapter-funding", "chapter-headcount") if f'id="{c}"' in html] == [
        "chapter-planning",
        "chapter-funding",
        "chapter-headcount",
    ]

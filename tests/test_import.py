"""Importing good input: formats, normalisation, versions, year replacement, round trips, crashes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from countyedu.census.importer import check_source, import_census
from countyedu.census.readers import read_source
from countyedu.census.schema import SHEETS
from countyedu.census.store import CensusStore
from countyedu.census.writers import write_folder, write_workbook

SMALL = Path(__file__).parent / "fixtures" / "small"


def _census(store: CensusStore, version: str | None = None) -> dict[str, pd.DataFrame]:
    v = store.resolve(version)
    frames = store.census(v.version_id)
    return {
        k: f.sort_values(list(next(s for s in SHEETS if s.name == k).key)).reset_index(drop=True)
        for k, f in frames.items()
        if len(f)
    }


def _typed(path: Path, tmp_path: Path) -> dict[str, pd.DataFrame]:
    typed, _merged, problems = check_source(path, CensusStore(tmp_path / "empty"))
    assert not [p for p in problems if p.severity == "error"], problems
    return {k: f.drop(columns="_row").reset_index(drop=True) for k, f in typed.items()}


def test_it_imports_the_small_county_with_chinese_labels(tmp_path: Path) -> None:
    store = CensusStore(tmp_path)
    result = import_census(SMALL, store)
    assert result.version.version_id == "v1"
    assert result.version.row_counts == {"classes": 9, "schools": 4, "teachers": 5, "townships": 2, "communities": 3}
    c = _census(store)
    schools = c["schools"].set_index("school_id")
    assert schools.loc["S1", "stage"] == "primary"  # 小学
    assert schools.loc["S4", "stage"] == "kindergarten"  # 幼儿园
    assert bool(schools.loc["S1", "urban"]) is True  # 是
    assert bool(schools.loc["S2", "urban"]) is False  # false
    assert schools.loc["S2", "partner_school_id"] == "S1"
    assert set(c["classes"]["grade"]) == {"P1", "P2", "J1", "K1", "K3"}  # 一年级, 七年级, 大班 mapped
    t = c["teachers"].set_index("teacher_id")
    assert t.loc["A1", "education"] == "bachelor" and t.loc["A1", "backbone"] == "county"
    assert t.loc["A5", "subject"] == "preschool"
    assert c["communities"].set_index("community_id").loc["C2", "kind"] == "village"


def test_it_warns_but_imports_a_class_over_56(tmp_path: Path) -> None:
    result = import_census(SMALL, CensusStore(tmp_path))
    assert [w for w in result.warnings if w.rule == "big_class"] == []  # 58 and 66 are ≤ 80: no warning


def test_it_reads_xlsx_csv_and_parquet_the_same(tmp_path: Path) -> None:
    from_csv = _typed(SMALL, tmp_path)
    write_workbook(tmp_path / "small.xlsx", from_csv)
    write_folder(tmp_path / "pq", from_csv, "parquet")
    write_folder(tmp_path / "csv", from_csv, "csv")
    for other in (tmp_path / "small.xlsx", tmp_path / "pq", tmp_path / "csv"):
        got = _typed(other, tmp_path)
        assert got.keys() == from_csv.keys()
        for name in from_csv:
            pd.testing.assert_frame_equal(got[name], from_csv[name], check_dtype=True, obj=f"{other.name}:{name}")


def test_it_normalises_full_width_spaces_labels_and_numbers_stored_as_text(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(SMALL, src)
    text = (src / "classes.csv").read_text(encoding="utf-8")
    text = text.replace("S1,2024,P1,1,58", "\u3000S1\u3000,２０２４, p1 ,1,５８ ")
    text = text.replace("S3,2024,J1,1,50", 'S3,2024,J1,1,"50"')
    (src / "classes.csv").write_text(text, encoding="utf-8")
    store = CensusStore(tmp_path / "d")
    import_census(src, store)
    classes = _census(store)["classes"]
    row = classes[(classes.school_id == "S1") & (classes.grade == "P1") & (classes.class_no == 1)]
    assert row["pupils"].tolist() == [58] and row["year"].tolist() == [2024]


def test_reimporting_a_year_replaces_that_year_only(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "d")
    import_census(SMALL, store)
    later = tmp_path / "y2025"
    later.mkdir()
    classes = pd.read_csv(SMALL / "classes.csv", dtype=str)
    classes.assign(year="2025").to_csv(later / "classes.csv", index=False)
    v2 = import_census(later, store).version
    assert v2.replaced == {"classes": [2025]}
    assert sorted(_census(store)["classes"]["year"].unique()) == [2024, 2025]
    # re-import 2024 with one class changed: 2024 replaced, 2025 kept
    again = tmp_path / "y2024"
    again.mkdir()
    classes[classes.school_id == "S2"].assign(pupils="31").to_csv(again / "classes.csv", index=False)
    import_census(again, store)
    c = _census(store)["classes"]
    assert len(c[c.year == 2024]) == 2 and set(c[c.year == 2024]["pupils"]) == {31}
    assert len(c[c.year == 2025]) == 9
    # every earlier version is still there, unchanged
    assert len(_census(store, "v1")["classes"]) == 9
    assert [v.version_id for v in store.versions()] == ["v1", "v2", "v3"]


def test_a_version_set_aside_is_kept_but_neither_read_nor_built_on(tmp_path: Path) -> None:
    """web/recovery.py marks a version no approval recorded: it stays listed, latest() and the next
    import skip it (the next version holds the versions before it, not its rows)."""
    store = CensusStore(tmp_path / "d")
    import_census(SMALL, store)
    later = tmp_path / "y2025"
    later.mkdir()
    classes = pd.read_csv(SMALL / "classes.csv", dtype=str)
    classes.assign(year="2025").to_csv(later / "classes.csv", index=False)
    v2 = import_census(later, store, origin={"submission": 7, "user": 1}).version
    assert v2.origin == {"submission": 7, "user": 1} and store.versions()[-1].origin == v2.origin
    store.mark_unapproved("v2")
    assert store.latest().version_id == "v1" and store.resolve(None).version_id == "v1"  # type: ignore[union-attr]
    assert [(v.version_id, v.state) for v in store.versions()] == [("v1", None), ("v2", "unapproved")]
    again = tmp_path / "schools"
    again.mkdir()
    shutil.copy(SMALL / "schools.csv", again / "schools.csv")
    import_census(again, store)
    assert sorted(_census(store, "v3")["classes"]["year"].unique()) == [2024]  # v2's 2025 is not in v3
    assert len(_census(store, "v2")["classes"]) == 18  # kept as it was


def test_sheets_without_years_are_merged_by_key(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "d")
    import_census(SMALL, store)
    upd = tmp_path / "u"
    upd.mkdir()
    (upd / "schools.csv").write_text(
        (SMALL / "schools.csv").read_text(encoding="utf-8").splitlines()[0]
        + "\nS5,水北村教学点,教学点,公办,是,否,T1,C2,否,否,否,27.23,116.51,1990,,S1,\n",
        encoding="utf-8",
    )
    import_census(upd, store)
    assert sorted(_census(store)["schools"]["school_id"]) == ["S1", "S2", "S3", "S4", "S5"]


def test_template_fill_import_export_import_is_lossless(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    write_workbook(template)
    wb = openpyxl.load_workbook(template)
    frames = _typed(SMALL, tmp_path)
    sheet_zh = {s.name: s.zh for s in SHEETS}
    for name, frame in frames.items():  # a clerk fills the template: codes typed as codes
        ws = wb[sheet_zh[name]]
        headers = [c.value.split("(")[-1].rstrip(")") for c in ws[1]]
        for i, rec in enumerate(frame.astype(object).where(frame.notna(), None).to_dict("records"), start=2):
            for j, h in enumerate(headers, start=1):
                ws.cell(i, j, rec.get(h))
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    store = CensusStore(tmp_path / "d")
    import_census(filled, store)
    write_workbook(tmp_path / "export.xlsx", store.census("v1"))
    import_census(tmp_path / "export.xlsx", store)
    first, second = _census(store, "v1"), _census(store, "v2")
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], obj=name)
    pd.testing.assert_frame_equal(first["classes"].drop(columns=[]), _census(store)["classes"])


def test_the_template_has_notes_and_dropdowns(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [s.zh for s in SHEETS]
    ws = wb["学校"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["学校代码 (school_id)", "学校名称 (name)", "学段类型 (stage)"]
    assert all(c.comment is not None and c.comment.text for c in ws[1])
    lists = {
        next(iter(dv.sqref.ranges)).min_col: dv.formula1
        for dv in ws.data_validations.dataValidation
        if dv.type == "list"
    }
    stage_col = headers.index("学段类型 (stage)") + 1
    assert "九年一贯制" in lists[stage_col] and "教学点" in lists[stage_col]
    assert lists[headers.index("寄宿制 (boarding)") + 1] == '"是,否"'
    # the empty template itself imports as "no data", not as a crash
    raw = read_source(path)
    assert all(len(s.frame) == 0 for s in raw.sheets.values())


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_kill_half_way_through_an_import_leaves_the_previous_census_intact(tmp_path: Path) -> None:
    data = tmp_path / "d"
    store = CensusStore(data)
    import_census(SMALL, store)
    before = _census(store)
    env = {**os.environ, "COUNTYEDU_TEST_KILL_AFTER_SHEET": "classes"}
    again = tmp_path / "again"
    shutil.copytree(SMALL, again)
    (again / "classes.csv").write_text(
        (SMALL / "classes.csv").read_text(encoding="utf-8").replace(",58\n", ",57\n"), encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "countyedu", "import", str(again), "--data-dir", str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr  # killed by SIGKILL in the middle of the transaction
    assert [v.version_id for v in store.versions()] == ["v1"]
    after = _census(store)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)
    # and the store still takes the next import
    assert import_census(again, store).version.version_id == "v2"


def test_versions_json_has_stable_keys(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from countyedu.cli import app

    data = tmp_path / "d"
    import_census(SMALL, CensusStore(data))
    res = CliRunner().invoke(app, ["versions", "--data-dir", str(data), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    (v,) = doc["versions"]
    assert set(v) == {"version", "created_at", "source", "sha256", "row_counts", "replaced", "state"}
    assert v["source"] == "small" and len(v["sha256"]) == 64 and v["state"] is None  # in use


def test_a_school_submission_replaces_only_that_schools_rows(tmp_path: Path) -> None:
    store = CensusStore(tmp_path / "d")
    import_census(SMALL, store)
    sub = tmp_path / "s1"
    sub.mkdir()
    classes = pd.read_csv(SMALL / "classes.csv", dtype=str)
    classes[classes.school_id == "S1"].assign(pupils="40").to_csv(sub / "classes.csv", index=False)
    import_census(sub, store, schools={"S1"})
    c = _census(store)["classes"]
    assert set(c[c.school_id == "S1"]["pupils"]) == {40}
    assert len(c) == 9  # the other schools' 2024 classes are still there
    assert c[c.school_id == "S3"]["pupils"].tolist() == [50, 66]


def test_a_school_submission_may_not_touch_other_schools_or_sheets(tmp_path: Path) -> None:
    from countyedu.errors import ValidationFailed

    store = CensusStore(tmp_path / "d")
    import_census(SMALL, store)
    with pytest.raises(ValidationFailed) as exc:
        import_census(SMALL, store, schools={"S1"})
    rules = {(p.sheet, p.rule) for p in exc.value.problems}
    assert ("classes.csv", "scope_school") in rules and ("townships.csv", "scope_sheet") in rules
    assert len(store.versions()) == 1


def test_a_store_made_before_a_sheet_existed_reads_it_as_empty(tmp_path: Path) -> None:
    """A data dir from an older countyedu has no table for a newer sheet (after_school, 第30条): reading a
    version gives that sheet with no rows and its columns, and the next import creates the table."""
    import duckdb

    from countyedu.census.schema import SHEET_BY_NAME

    store = CensusStore(tmp_path / "data")
    import_census(SMALL, store)
    con = duckdb.connect(str(store.path))
    con.execute("DROP TABLE s_after_school")
    con.close()
    frames = store.census("v1")
    assert frames["after_school"].empty
    assert list(frames["after_school"].columns) == [c.name for c in SHEET_BY_NAME["after_school"].columns]
    assert not frames["schools"].empty

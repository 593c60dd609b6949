"""One validation (census.importer.check_source) for the web's upload and `countyedu import`: a
school's file holding rows of another school year gets the same located scope_year errors, in
Chinese and English, from both."""

from __future__ import annotations

import json

from collection_support import edit, open_round, template_bytes, upload
from django.urls import reverse
from typer.testing import CliRunner

from countyedu.census.store import CensusStore
from countyedu.cli import app
from countyedu.web.models import Submission


def _scope_year(problems: list[dict]) -> list[dict]:
    return [p for p in problems if p["rule"] == "scope_year"]


def test_the_cli_import_and_the_web_upload_give_the_same_scope_year_errors(client, users, own_census, tmp_path):
    rnd = open_round(users)  # 2025
    data = edit(template_bytes(users, rnd), "教师", 2, "year", 2024)
    data = edit(data, "班级", 3, "year", 2023)
    client.force_login(users["clerk_p1"])
    client.post(reverse("web:submission_upload", args=[rnd.pk, "P1"]), {"file": upload(data)})
    web = _scope_year(Submission.objects.get(round=rnd, school_id="P1").problems)

    path = tmp_path / "P1-2025.xlsx"
    path.write_bytes(data)
    before = [v.version_id for v in own_census.versions()]
    args = ["import", str(path), "--school", "P1", "--year", "2025", "--data-dir", str(own_census.data_dir)]
    res = CliRunner().invoke(app, [*args, "--format", "json"])
    assert res.exit_code == 1, res.output
    cli = _scope_year(json.loads(res.stdout)["problems"])

    assert {(p["sheet"], p["row"], p["column"], p["value"]) for p in web} == {
        ("教师", 2, "year", 2024),
        ("班级", 3, "year", 2023),
    }
    assert cli == web
    assert "不是本次报送的学年（2025）" in web[0]["message_zh"]
    assert "not the school year of this submission (2025)" in web[0]["message_en"]
    assert [v.version_id for v in CensusStore(own_census.data_dir).versions()] == before  # nothing imported


def test_the_cli_import_of_the_rounds_year_passes_the_scope_rule(client, users, own_census, tmp_path):
    rnd = open_round(users)
    path = tmp_path / "P1-2025.xlsx"
    path.write_bytes(template_bytes(users, rnd))
    args = ["import", str(path), "--school", "P1", "--year", "2025", "--data-dir", str(own_census.data_dir)]
    res = CliRunner().invoke(app, [*args, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["ok"] is True

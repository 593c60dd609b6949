"""The limits on input files (census/limits.py): every one documented in the README with its
variable, and settable from the environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from countyedu.census.limits import IMPORT, UPLOAD, Limits, from_environ

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_limit_is_in_the_readme() -> None:
    section = README.split("### Limits on input files", 1)[1].split("\n## ", 1)[0]
    for f in dataclasses.fields(Limits):
        if f.name == "rows":
            for sheet in UPLOAD.rows:
                assert f"`ROWS_{sheet.upper()}`" in section, sheet
        else:
            assert f"`{f.name.upper()}`" in section, f.name


def test_limits_are_read_from_the_environment() -> None:
    env = {
        "COUNTYEDU_UPLOAD_UPLOAD_BYTES": "1024",
        "COUNTYEDU_UPLOAD_ROWS_TEACHERS": "3000",
        "COUNTYEDU_UPLOAD_ISOLATE": "false",
        "COUNTYEDU_IMPORT_PROBLEMS": "5",
    }
    upload = from_environ(env, "COUNTYEDU_UPLOAD", UPLOAD)
    assert (upload.upload_bytes, upload.rows_of("teachers"), upload.rows_of("classes"), upload.isolate) == (
        1024,
        3000,
        500,
        False,
    )
    assert from_environ(env, "COUNTYEDU_IMPORT", IMPORT).problems == 5
    assert from_environ({}, "COUNTYEDU_UPLOAD", UPLOAD) == UPLOAD

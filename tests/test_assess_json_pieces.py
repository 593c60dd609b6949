"""`countyedu assess --format json` writes the JSON's pieces as they are made (issue 12 item 1: a
province's 400 MB are never one text): the file holds to_json's text and a newline, and the text
is handed back to be kept only while it is small enough to be kept."""

from __future__ import annotations

from pathlib import Path

import pytest

import countyedu.cli.kept as kept
from countyedu.cli.assess import _write_json_pieces

PIECES = [b'{"results":[', memoryview(b'{"unit":"S1","stage":"\xe5\x88\x9d\xe4\xb8\xad"}'), b"]}"]
TEXT = '{"results":[{"unit":"S1","stage":"初中"}]}\n'


def test_it_writes_the_pieces_and_a_newline_to_the_file(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    body = _write_json_pieces(iter(PIECES), out)
    assert out.read_text(encoding="utf-8") == TEXT
    assert body is not None and body.decode("utf-8") == TEXT


def test_it_writes_them_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    _write_json_pieces(iter(PIECES), None)
    assert capsys.readouterr().out == TEXT


def test_it_keeps_nothing_of_an_output_too_large_to_be_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kept, "MAX_BYTES", len(TEXT.encode()) - 1)
    out = tmp_path / "a.json"
    assert _write_json_pieces(iter(PIECES), out) is None
    assert out.read_text(encoding="utf-8") == TEXT

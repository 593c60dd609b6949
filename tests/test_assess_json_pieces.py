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


def test_the_pieces_are_written_in_order_while_the_next_are_made() -> None:
    from countyedu.cli.assess import _WriteBehind

    written: list[bytes] = []
    many = [str(i).encode() for i in range(1000)]
    with _WriteBehind(written.append) as behind:
        for piece in many:
            behind.put(piece)
    assert written == many


def test_a_failed_write_stops_the_making_and_is_raised() -> None:
    from countyedu.cli.assess import _WriteBehind

    made: list[int] = []

    def write(piece: bytes) -> None:
        raise OSError(28, "No space left on device")

    def pieces() -> object:
        for i in range(100):
            made.append(i)
            yield b"x"

    with pytest.raises(OSError, match="No space left"), _WriteBehind(write) as behind:
        for piece in pieces():  # type: ignore[attr-defined]
            behind.put(piece)
    assert len(made) < 100  # the making stopped at the error (at most the queue's pieces after it)


def test_an_error_in_the_making_waits_for_the_writer_and_is_raised_itself(tmp_path: Path) -> None:
    out = tmp_path / "a.json"

    def pieces() -> object:
        yield b'{"results":['
        raise ValueError("made wrong")

    with pytest.raises(ValueError, match="made wrong"):
        _write_json_pieces(pieces(), out)
    assert out.read_bytes() == b'{"results":['  # what was made before it is written, the file closed


def test_it_writes_over_a_longer_file_and_cuts_off_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    out.write_bytes(b"x" * 1000)
    _write_json_pieces(iter(PIECES), out)
    assert out.read_text(encoding="utf-8") == TEXT


def test_it_writes_to_a_file_that_cannot_be_cut() -> None:
    import os

    assert _write_json_pieces(iter(PIECES), Path(os.devnull)) is not None

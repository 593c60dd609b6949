"""caches.write_whole, the cache files' writer over the one atomic writer (caches.write_atomic): a file
written whole, and False (no error, nothing left behind) where it cannot be written."""

from __future__ import annotations

from pathlib import Path

from countyedu.caches import write_whole


def test_it_writes_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "sql" / "a.json"
    assert write_whole(path, b"{}") and write_whole(path, b'{"again":1}')
    assert path.read_bytes() == b'{"again":1}'
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]


def test_it_says_false_where_the_file_cannot_be_written(tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_bytes(b"")
    assert write_whole(blocked / "sql" / "a.json", b"{}") is False  # its folder would be inside a file
    assert [p.name for p in tmp_path.iterdir()] == ["a file"]

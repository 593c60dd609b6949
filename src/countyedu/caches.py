"""Files a process keeps for the next one: the user's cache folder, and the one atomic file writer.

Standard library only: the CLI's start-up, the census store and the packs' listing use it without
loading anything else."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def user_cache(*parts: str) -> Path:
    """A folder of this user's cache: $XDG_CACHE_HOME/countyedu/…, by default ~/.cache/countyedu/…"""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "countyedu", *parts)


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write a file through `write(temporary path)` and move it into place in one step (a reader sees
    the old file or the whole new one; a failed write leaves no temporary file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=f".tmp{path.suffix}")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """write_atomic of a file's bytes."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write_atomic(path, write)


def write_whole(path: Path, data: bytes) -> bool:
    """Write a file whole (write_bytes_atomic); False where it cannot be written (a read-only folder: a
    cache that cannot be kept is no error)."""
    try:
        write_bytes_atomic(path, data)
        return True
    except OSError:
        return False

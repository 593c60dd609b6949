"""Files a process keeps for the next one: the user's cache folder, and a file written whole.

Standard library only: the CLI's start-up, the census store and the packs' listing use it without
loading anything else."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def user_cache(*parts: str) -> Path:
    """A folder of this user's cache: $XDG_CACHE_HOME/countyedu/…, by default ~/.cache/countyedu/…"""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "countyedu", *parts)


def write_whole(path: Path, data: bytes) -> bool:
    """Write a file whole (a reader sees the old file or the new one, never a part); False where it cannot
    be written (a read-only folder: a cache that cannot be kept is no error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

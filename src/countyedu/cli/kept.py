"""What a command wrote, kept under the digest of everything it read (issue 12 item 1: `assess`,
`versions` and `packs` answer at the speed of Python's start when nothing they read has changed).

A command that reads only the data dir and the packs (and its own options) writes the same bytes as
long as those are the same. Its output is kept in the data dir (`cache/cli/<digest>`; `packs`,
which reads no data dir, in the user's cache folder) under a key made of:
- the command and every option that changes what it writes (format, language, packs, version);
- the data dir's state: size, modification time and inode of the census store (and its write-ahead
  log) and of every kept run, assessment and evidence snapshot (`<data dir>/*/*.json`): an import,
  a school year opened or closed, a run, an inspector's visit each change one of them;
- the code: size and modification time of every file of the countyedu package, and the Python
  environment it runs in (another version or an edited file is another key);
- for output to a terminal, what Rich draws with (the terminal's width and colour settings, the
  stream's encoding) and the time zone.
A stat of a few hundred files costs milliseconds; a miss costs what the command always cost, plus
writing the kept copy (an output over 64 MiB, a province's JSON, is not kept; 32 are kept a folder,
the oldest pruned). The state is read again after the command ran and the copy is kept only when
it did not change meanwhile (an import running beside it). Only the `countyedu` process keeps and
replays (`main` turns it on; a command called in-process, as tests do, always computes), and
COUNTYEDU_KEEP_OUTPUT=off turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import countyedu
from countyedu.caches import user_cache, write_whole

CLI_CACHE = Path("cache") / "cli"  # under the data dir
# what Rich and click draw with, and the time zone a listing shows times in
_TERMINAL_ENV = (
    "COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TZ"
)  # fmt: skip
MAX_BYTES = 64 << 20  # a larger output (a province's JSON) is not kept: its copies would fill the disk
_code: str | None = None


def enabled() -> bool:
    from countyedu.cli.common import _state

    return _state["keep"] and os.environ.get("COUNTYEDU_KEEP_OUTPUT", "on") != "off"


def _stat(path: str | os.PathLike[str]) -> str:
    try:
        s = os.stat(path)
    except OSError:
        return "-"
    return f"{s.st_ino}:{s.st_size}:{s.st_mtime_ns}"


def _walk(folder: str, h: Any) -> None:
    with os.scandir(folder) as entries:
        for e in sorted(entries, key=lambda e: e.name):
            if e.is_dir(follow_symlinks=False):
                if e.name != "__pycache__":
                    _walk(e.path, h)
            elif not e.name.endswith((".pyc", ".tmp")):
                s = e.stat()
                h.update(f"{e.path}:{s.st_size}:{s.st_mtime_ns}\n".encode())


def code_key() -> str:
    """The countyedu package's files (size and modification time) and the Python that runs them."""
    global _code
    if _code is None:
        h = hashlib.sha256(f"{countyedu.__version__}|{sys.version}|{sys.prefix}\n".encode())
        _walk(os.path.dirname(countyedu.__file__), h)
        _code = h.hexdigest()
    return _code


def data_state(data_dir: Path) -> str:
    """The data dir's state as the commands read it: the census store and every kept JSON document
    one folder down (runs, assessments, the evidence snapshot) and every kept assessment's results
    (Parquet, indicators.cache), but the caches."""
    parts = [_stat(data_dir / "census.duckdb"), _stat(data_dir / "census.duckdb.wal")]
    with contextlib.suppress(OSError):
        with os.scandir(data_dir) as entries:
            folders = sorted(e.path for e in entries if e.is_dir() and e.name != "cache")
        for folder in folders:
            with contextlib.suppress(OSError), os.scandir(folder) as docs:
                parts += sorted(f"{d.name}={_stat(d.path)}" for d in docs if d.name.endswith((".json", ".parquet")))
    return "|".join(parts)


def terminal_key(stream: Any) -> str:
    """What Rich draws a table with on `stream`: a terminal's size and the colour settings."""
    tty = False
    with contextlib.suppress(AttributeError, ValueError, OSError):
        tty = stream.isatty()
    size = ""
    if tty:
        with contextlib.suppress(OSError):
            size = str(tuple(os.get_terminal_size(stream.fileno())))
    encoding = getattr(stream, "encoding", None)
    return json.dumps([tty, size, encoding, [os.environ.get(k) for k in _TERMINAL_ENV]])


def file_key(paths: list[str] | None) -> list[str]:
    """Pack options as given, with the state of those that are files (a shipped pack is code)."""
    return [f"{p}={_stat(p) if os.path.exists(p) else ''}" for p in paths or []]


class Kept:
    """One command's kept output: `get` the bytes kept under the key (None on a miss), `put` them
    after the command ran (kept only if the state read by `state` is still the same)."""

    def __init__(self, folder: Path, parts: list[Any], state: Any = None) -> None:
        self.folder = folder
        self._parts = parts
        self._state_of = state
        self.state = state() if state else ""
        self.path = folder / self._digest(self.state)

    def _digest(self, state: str) -> str:
        doc = json.dumps([code_key(), state, self._parts], ensure_ascii=False, default=str)
        return hashlib.sha256(doc.encode()).hexdigest()[:32]

    def get(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except OSError:
            return None

    def put(self, data: bytes) -> None:
        if len(data) > MAX_BYTES:
            return
        if self._state_of is not None and self._state_of() != self.state:
            return  # the data dir changed while the command ran: this output may be of either state
        if write_whole(self.path, data):
            _prune(self.folder)


KEEP = 32  # kept outputs per folder; the oldest go (another state of the data or the code made them)


def _prune(folder: Path) -> None:
    with contextlib.suppress(OSError):
        files = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-KEEP]:
            old.unlink(missing_ok=True)


def data_dir_of(value: str | os.PathLike[str] | None) -> Path:
    """census.store.data_dir_from without loading the store's module (DuckDB is a tenth of a second)."""
    return Path(value or os.environ.get("COUNTYEDU_DATA") or "countyedu-data")


def for_data_dir(value: str | os.PathLike[str] | None, command: str, *options: Any) -> Kept | None:
    """The kept output of a command on a data dir (None when keeping is off or there is no census)."""
    data_dir = data_dir_of(value)
    if not enabled() or not (data_dir / "census.duckdb").exists():
        return None
    return Kept(data_dir / CLI_CACHE, [command, *options], lambda: data_state(data_dir))


def for_user(command: str, *options: Any) -> Kept | None:
    """The kept output of a command that reads no data dir (in $XDG_CACHE_HOME/countyedu/cli)."""
    if not enabled():
        return None
    return Kept(user_cache("cli"), [command, *options])


def replay(kept: Kept | None) -> bool:
    """Write the kept output to stdout; False on a miss (the command runs)."""
    data = kept.get() if kept is not None else None
    if data is None:
        return False
    if hasattr(sys.stdout, "buffer"):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode())
    sys.stdout.flush()
    return True


def write(kept: Kept | None, text: str) -> None:
    """Write a command's output to stdout and keep it."""
    sys.stdout.write(text)
    if kept is not None:
        kept.put(text.encode())


def printed(console: Any, *renderables: Any) -> str:
    """What a Rich console prints for `renderables`, as text (with its colour codes on a terminal)."""
    with console.capture() as cap:
        for r in renderables:
            console.print(r)
    return str(cap.get())

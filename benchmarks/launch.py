"""A measured child process, started by a small launcher so that its peak memory is its own.

Linux counts into a process's peak (ru_maxrss) the memory of the process it was forked or spawned
from, at its exec: a child of the bench itself (gigabytes once the bench has generated the province)
showed the bench's peak. The launcher is a fresh, small Python that spawns the measured command, waits
for it (os.wait4: its own peak and CPU, its descendants' CPU counted in it) and writes what it measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_LAUNCH = """import json, os, sys, time
t0 = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], dict(os.environ))
_pid, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
with open(sys.argv[1], "w") as fh:
    json.dump([os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime], fh)
"""


def launched(
    args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], tuple[float, float, float]]:
    """Run `args` (args[0] a path) to its end: (the process with its output and exit code, (wall seconds
    from its spawn to its end, its peak MiB, its CPU seconds: user + system))."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp, "usage.json")
        proc = subprocess.run(
            [sys.executable, "-c", _LAUNCH, str(report), *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        if not report.exists():  # the launcher itself failed
            return proc, (0.0, 0.0, 0.0)
        code, seconds, peak_kib, cpu = json.loads(report.read_text())
    proc.returncode = code or proc.returncode
    return proc, (seconds, peak_kib / 1024, cpu)

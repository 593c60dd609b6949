"""Run a parser in a forked child process with a memory and a time limit, so that a parser bug on an
untrusted file (an abort, a runaway allocation, an endless loop) ends that child, never the server
or the command that asked.

The child inherits the imported modules (fork: no start-up cost beyond copying page tables), sets
RLIMIT_AS to its current address space plus the memory allowed, runs the function, sends the
pickled result through a pipe and leaves with os._exit (no atexit handlers, no database sockets of
the parent closed). The parent reads the pipe until the deadline, then kills the child.
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import time
from collections.abc import Callable
from typing import Any


class ChildFailed(Exception):
    """The child died (signal or exit code), ran out of time, or its function raised."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason  # "crashed", "timeout", "raised"
        self.detail = detail


def available() -> bool:
    """Whether this platform can fork (Linux and macOS can)."""
    return hasattr(os, "fork")


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux), else 0."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run_isolated(fn: Callable[..., Any], *args: Any, memory_bytes: int, seconds: float) -> Any:
    """fn(*args) computed in a child with ``memory_bytes`` more address space and ``seconds`` of
    wall-clock time; raises ChildFailed if the child does not answer."""
    return start_isolated(fn, *args, memory_bytes=memory_bytes, seconds=seconds).result()


def start_isolated(fn: Callable[..., Any], *args: Any, memory_bytes: int, seconds: float) -> Child:
    """fn(*args) started in a child as run_isolated computes it, while this process goes on; its
    ``result()`` waits for the answer (the ``seconds`` counted from now)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)  # an abort's message and backtrace are the parent's to report
            faulthandler.disable()  # it would write them to a copy of the parent's stderr
            if memory_bytes and _address_space():
                limit = _address_space() + memory_bytes
                hard = resource.getrlimit(resource.RLIMIT_AS)[1]
                limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
                resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            try:
                payload = pickle.dumps(("ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # everything is reported to the parent
                payload = pickle.dumps(("raised", f"{type(exc).__name__}: {exc}"[:500]))
            view = memoryview(payload)
            while view:
                view = view[os.write(write_end, view) :]
        except BaseException:  # the child must leave by os._exit, whatever happens
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    return Child(pid, read_end, seconds)


class Child:
    """A child of start_isolated: its answer read once, by ``result()``."""

    def __init__(self, pid: int, read_end: int, seconds: float) -> None:
        self.pid, self.read_end, self.seconds = pid, read_end, seconds
        self.deadline = time.monotonic() + seconds

    def result(self) -> Any:
        """The child's fn(*args); raises ChildFailed if the child does not answer."""
        pid, read_end, seconds = self.pid, self.read_end, self.seconds
        chunks: list[bytes] = []
        try:
            while True:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    os.kill(pid, signal.SIGKILL)
                    raise ChildFailed("timeout", f"no answer within {seconds:g} s")
                ready, _, _ = select.select([read_end], [], [], left)
                if ready:
                    chunk = os.read(read_end, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
        finally:
            os.close(read_end)
            _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            raise ChildFailed("crashed", signal.Signals(os.WTERMSIG(status)).name)
        if os.WEXITSTATUS(status) != 0 or not chunks:
            raise ChildFailed("crashed", f"exit code {os.WEXITSTATUS(status)}")
        kind, value = pickle.loads(b"".join(chunks))
        if kind != "ok":
            raise ChildFailed("raised", value)
        return value

"""`countyedu serve` in a child process (a real gunicorn on a free loopback port), for the tests
that need the server as users run it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raw_request(port: int, request_line: str, headers: str = "") -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one HTTP/1.1 request sent as written (no client library in between)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"{request_line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in fields.items()}, body


@contextmanager
def serving(data_dir: Path, *extra: str) -> Iterator[int]:
    """`countyedu serve --data-dir data_dir` until the block ends; yields its port."""
    port = free_port()
    env = {**os.environ, "COUNTYEDU_DATA": str(data_dir), "SECURE_SSL": "false"}
    cmd = [sys.executable, "-m", "countyedu", "serve", "--data-dir", str(data_dir), "--port", str(port), *extra]
    log = (data_dir.parent / f"serve-{port}.log").open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if raw_request(port, "GET /login/ HTTP/1.1")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"countyedu serve did not start: {log.name}")
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()

"""The batch commands keep the memory they free for their next allocations (cli.keep_freed_memory:
glibc's mallopt), the server's commands do not (they run for days and give memory back)."""

from __future__ import annotations

import sys

import pytest

import countyedu.cli as cli


@pytest.mark.parametrize(
    ("argv", "kept"),
    [
        (["assess", "--help"], True),
        (["import", "--help"], True),
        (["serve", "--help"], False),
        (["versions", "--help"], False),
    ],
)
def test_which_commands_keep_freed_memory(argv: list[str], kept: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[bool] = []
    monkeypatch.setattr(cli, "keep_freed_memory", lambda: called.append(True))
    monkeypatch.setattr(sys, "argv", ["countyedu", *argv])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code in (0, None)
    assert bool(called) is kept


def test_it_asks_glibc_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("COUNTYEDU_MALLOC", "system")
    cli.keep_freed_memory()
    assert calls == []
    monkeypatch.delenv("COUNTYEDU_MALLOC")
    cli.keep_freed_memory()
    assert calls == [(-3, 32 << 20), (-1, 2**31 - 1)]  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD

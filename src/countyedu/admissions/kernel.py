"""The serial allocation of one batch as a compiled loop (numba): each tie group of candidates in the
county's order takes the first programme of its list with a place and a cut-off it passes. The same
outcome as the numpy rounds of `allocate.parallel` (the tests compare both), in one pass over the
choices: a million candidates × 10 choices in a few hundredths of a second.

The kernel is compiled on its first call in a process and cached on disk in the user's cache
directory (`$NUMBA_CACHE_DIR` when set, else the platform's user cache dir, e.g.
`~/.cache/numba`), never beside the source; without a writable cache it is compiled in memory on each
process's first call (a second or two), and without numba at all `allocate` uses the numpy rounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_KERNEL: Any = None  # the compiled dispatcher, or False when numba is missing
CACHED: bool | None = None  # whether the kernel has a disk cache (None: not built yet)

# tie rules as the kernel's codes
TIE_CODES = {"lottery": 0, "admit_all": 0, "strict": 1}


def _serial(
    choices: np.ndarray,
    profile: np.ndarray,
    table: np.ndarray,
    school: np.ndarray,
    by_school: bool,
    group: np.ndarray,
    active: np.ndarray,
    cut: np.ndarray,
    left: np.ndarray,
    strict: bool,
) -> np.ndarray:
    """One batch: the candidates in the county's order, their `choices` (programme indices, -1 none),
    `profile` their condition profiles, `group` their tie groups (non-decreasing), `active`
    false for one admitted before. The unit of a choice is table[profile, choice + 1] (negative: not
    open to them in this batch) plus, `by_school`, the candidate's junior school (the quota batch's
    units are programme × junior school). `cut` is the last tie group each unit admits (its line) and
    `left` its places, both updated. The unit of each position in the order, -1 for none.

    A tie group's rows each take the first unit open to them when the group arrives (its cut-off at
    or after the group, a place left); the whole group is admitted, beyond the places when it
    straddles the last one (同分同录; under the lottery every group is one row). Under `strict` a unit
    that the group would overfill refuses the whole group and closes (takes no one after), its
    pointers moving on, until no unit is overfilled."""
    n = choices.shape[0]
    k_max = choices.shape[1]
    a = np.full(n, -1, dtype=np.int64)
    pos = np.zeros(n, dtype=np.int64)  # the next choice each row tries
    count = np.zeros(cut.shape[0], dtype=np.int64)  # the tie group's rows at each unit
    i = 0
    while i < n:
        g = group[i]
        j = i + 1
        while j < n and group[j] == g:
            j += 1
        for r in range(i, j):
            pos[r] = 0 if active[r] else k_max
        moved = True
        while moved:
            moved = False
            for r in range(i, j):  # each row of the group not placed: its next open choice
                if a[r] >= 0:
                    continue
                p = profile[r]
                while pos[r] < k_max:
                    u = table[p, choices[r, pos[r]] + 1]
                    pos[r] += 1
                    if u < 0:
                        continue
                    if by_school:
                        u += school[r]
                    if g <= cut[u] and left[u] > 0:
                        a[r] = u
                        count[u] += 1
                        break
            if not strict or j == i + 1:
                break
            for r in range(i, j):
                u = a[r]
                if u >= 0 and count[u] > left[u] and cut[u] >= g:
                    cut[u] = g - 1  # the tie does not fit: the unit refuses it and closes
            for r in range(i, j):
                u = a[r]
                if u >= 0 and cut[u] < g:
                    count[u] -= 1
                    a[r] = -1
                    moved = True
        for r in range(i, j):  # the group's places taken
            u = a[r]
            if u >= 0:
                count[u] = 0
                left[u] -= 1
        for r in range(i, j):
            u = a[r]
            if u >= 0 and left[u] <= 0 and cut[u] > g:
                cut[u] = g  # full: no one after this group
        i = j
    return a


def kernel() -> Any:
    """The compiled `_serial`, or None when numba cannot be imported."""
    global _KERNEL, CACHED
    if _KERNEL is None:
        from countyedu.compiled import jit, on_disk

        dispatcher = jit(_serial)
        _KERNEL = False if dispatcher is None else dispatcher
        CACHED = dispatcher is not None and on_disk(dispatcher) is not None
    return _KERNEL or None


def cache_dir() -> str | None:
    """Where the kernel is cached on disk, None when it is not."""
    from countyedu.compiled import on_disk

    k = kernel()
    return None if k is None else on_disk(k)

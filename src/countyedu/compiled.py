"""Compiled loops (numba) cached on disk in the user's cache directory: `$NUMBA_CACHE_DIR` when set,
else the platform's user cache dir (e.g. ~/.cache/numba), never beside the source (an installed
package's folder may be read-only, and a cache there would travel with a copy of the tree). Without a
writable cache dir a loop is compiled in memory on its first call; without numba, `jit` gives None and
the caller keeps its numpy path.

The admission allocator's kernel, the admission verifier's loops and the catchments' search each
compile their own functions with this; they share nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

_CACHE: Any = None  # the FunctionCache class that looks only in the user's cache dirs (built once)


def _cache_class() -> Any:
    global _CACHE
    if _CACHE is None:
        from numba.core.caching import (
            CompileResultCacheImpl,
            FunctionCache,
            UserProvidedCacheLocator,
            UserWideCacheLocator,
        )

        class _Where(CompileResultCacheImpl):  # type: ignore[misc]
            # $NUMBA_CACHE_DIR, else the user's cache dir; never the source tree
            _locator_classes = [UserProvidedCacheLocator, UserWideCacheLocator]  # noqa: RUF012

        class _OnDisk(FunctionCache):  # type: ignore[misc]
            _impl_class = _Where

        _CACHE = _OnDisk
    return _CACHE


def jit(fn: Callable[..., Any]) -> Any:
    """`fn` compiled (nopython, releasing the GIL) with its disk cache when one can be written; None
    when numba cannot be imported. `on_disk(dispatcher)` says which."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency; callers keep a numpy path
        return None
    dispatcher = numba.njit(nogil=True)(fn)
    with contextlib.suppress(RuntimeError, OSError):  # no writable cache dir: compiled in memory
        dispatcher._cache = _cache_class()(fn)  # type: ignore[attr-defined]
    return dispatcher


def on_disk(dispatcher: Any) -> str | None:
    """Where a compiled loop is cached on disk, None when it is compiled in memory only."""
    from numba.core.caching import FunctionCache

    cache = getattr(dispatcher, "_cache", None)
    return str(cache._cache_path) if isinstance(cache, FunctionCache) else None

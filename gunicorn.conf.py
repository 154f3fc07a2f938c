"""gunicorn settings read at start-up (``gunicorn wsgi:app`` picks this file up).

Rate limits are counted in ``RATELIMIT_STORAGE_URI``. With ``memory://`` each worker
counts alone, so N workers allow N times every limit (login guesses, failed tokens):
warn loudly when that is the case, and point at the shared store.

Memory (glibc's malloc, which Debian's Python uses for everything larger than 512
bytes): a gthread worker runs hundreds of threads, and malloc gives threads up to
8 arenas per core, each keeping the memory its threads freed for their next
allocations instead of returning it. Measured in ``bench_live.py --probe`` (500
streams, 50 credits/s): Python's live objects flat, malloc's in-use bytes nearly flat,
but the free bytes held in the arenas growing 8 → 31 MiB in 150 s, and RSS with them.
So the workers get 2 arenas (``MALLOC_ARENA_MAX``, unless the environment sets it:
glibc reads it itself) and give their free pages back every
``MARKET40_MALLOC_TRIM_SECONDS`` (30; 0: never) with ``malloc_trim``. malloc's
per-thread caches of freed blocks (most of what was left) can only be turned off before
the process starts: ``make serve`` sets ``GLIBC_TUNABLES=glibc.malloc.tcache_count=0``.
bench/LIVE.md has the figures.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

MALLOC_ARENA_MAX = 2
M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


def _libc() -> ctypes.CDLL | None:
    """glibc, or None elsewhere (musl, macOS): then malloc is left as it is."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # noqa: B018 - glibc has both
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_arenas() -> None:
    """At most MALLOC_ARENA_MAX arenas for every thread the workers start: set in the
    master before it forks them (only its main thread has allocated yet)."""
    libc = _libc()
    if libc is not None and "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENA_MAX)


limit_malloc_arenas()


def trim_seconds() -> float:
    return float(os.environ.get("MARKET40_MALLOC_TRIM_SECONDS") or 30)


def post_fork(server, worker) -> None:  # noqa: ANN001 - gunicorn's Arbiter and worker
    """Each worker returns malloc's free pages to the system every trim_seconds()."""
    seconds, libc = trim_seconds(), _libc()
    if seconds <= 0 or libc is None:
        return
    sleep = time.sleep  # taken before a gevent worker patches it: this is a real thread

    def trim() -> None:
        while True:
            sleep(seconds)
            libc.malloc_trim(0)

    threading.Thread(target=trim, name="market40-malloc-trim", daemon=True).start()


# gunicorn 25.1+ opens a control socket for ``gunicornc`` (worker status, reload,
# shutdown) at one default path per user ($XDG_RUNTIME_DIR or ~/.gunicorn), shared by every
# instance of that user: a second market40 (another province, a benchmark) would take it
# over from the first. market40 does not use it, so it is off unless
# MARKET40_GUNICORN_CONTROL_SOCKET gives a path: gunicorn's own --control-socket flag does
# not turn it back on (this file's control_socket_disable wins).
control_socket = os.environ.get("MARKET40_GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket


def rate_limit_storage() -> str:
    return (os.environ.get("MARKET40_RATELIMIT_STORAGE_URI")
            or os.environ.get("RATELIMIT_STORAGE_URI") or "memory://")


def when_ready(server) -> None:  # noqa: ANN001 - gunicorn's Arbiter
    workers = int(server.cfg.workers or 1)
    storage = rate_limit_storage()
    if workers > 1 and storage.startswith("memory://"):
        server.log.warning(
            "%d workers share no rate-limit store (RATELIMIT_STORAGE_URI=%s): each worker "
            "counts alone, so every limit is %d times looser. Set RATELIMIT_STORAGE_URI="
            "redis://HOST:6379 (or another shared store).", workers, storage, workers)

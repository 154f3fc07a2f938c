"""gunicorn settings for ``bench_live.py --probe``: the project's ``gunicorn.conf.py``
plus a sampler in each worker, so the bench can tell a leak from the allocator.

Every 5 s each worker appends one JSON line to ``$BENCH_PROBE_DIR/<pid>.jsonl``:
its RSS and threads, Python's live object blocks (``sys.getallocatedblocks``: a leak of
objects per event or per stream grows it) and glibc malloc's own figures
(``mallinfo2``: ``arena`` bytes taken from the system by all malloc arenas, ``used``
by live allocations, ``free`` held in them). RSS growing with ``used`` and the blocks
flat is memory kept by the allocator, not by the program.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
import time
from pathlib import Path

exec(compile((Path(__file__).resolve().parent.parent / "gunicorn.conf.py").read_text(),
             "gunicorn.conf.py", "exec"))
_project_post_fork = globals().get("post_fork")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _sample() -> dict[str, float]:
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    status = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines() if ":" in line)
    mib = 1024 * 1024
    return {"t": time.time(), "rss": int(status["VmRSS"].split()[0]) / 1024,
            "threads": int(status["Threads"]), "blocks": sys.getallocatedblocks(),
            "arena": info.arena / mib, "mmapped": info.hblkhd / mib,
            "used": info.uordblks / mib, "free": info.fordblks / mib}


def post_fork(server, worker) -> None:  # noqa: ANN001 - gunicorn's Arbiter and worker
    if _project_post_fork is not None:
        _project_post_fork(server, worker)
    cache_kib = os.environ.get("BENCH_SQLITE_CACHE_KIB")
    if cache_kib:  # each SQLite connection's page cache (SQLite's default: 2,000 KiB)
        import sqlalchemy as sa

        @sa.event.listens_for(sa.Engine, "connect")
        def _cache_size(dbapi_connection, _record) -> None:  # noqa: ANN001
            if type(dbapi_connection).__module__ == "sqlite3":
                dbapi_connection.execute(f"PRAGMA cache_size=-{int(cache_kib)}")

    folder = os.environ.get("BENCH_PROBE_DIR")
    if not folder:
        return
    sleep = time.sleep  # taken before gevent patches it: this is a real thread

    traced = os.environ.get("BENCH_PROBE_TRACEMALLOC") == "1"
    if traced:  # which lines hold the memory Python allocated (not C libraries' own)
        import tracemalloc

        tracemalloc.start(3)

    def run() -> None:
        path = Path(folder) / f"{os.getpid()}.jsonl"
        first, n = None, 0
        while True:
            sample = _sample()
            if traced:
                sample["traced"] = tracemalloc.get_traced_memory()[0] / 1024 / 1024
                n += 1
                if n == 8:
                    first = tracemalloc.take_snapshot()
                elif first is not None and n % 12 == 8:
                    top = tracemalloc.take_snapshot().compare_to(first, "traceback")[:8]
                    with (Path(folder) / f"{os.getpid()}.top.txt").open("a") as out:
                        out.write(f"--- after {n * 5} s\n")
                        for stat in top:
                            out.write(f"{stat.size_diff / 1024:.0f} KiB {stat.count_diff} "
                                      f"blocks\n  " + "\n  ".join(stat.traceback.format())
                                      + "\n")
            with path.open("a") as out:
                out.write(json.dumps(sample) + "\n")
            sleep(5)

    threading.Thread(target=run, name="bench-probe", daemon=True).start()

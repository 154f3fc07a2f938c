"""The memory of gunicorn's gthread workers (``gunicorn.conf.py``): glibc's malloc gives
each new thread an arena of its own, up to 8 per core, and each arena keeps what its
threads freed (bench_live --probe: 4.8 → 45 MiB held free in 3 minutes at 500 streams).
The workers run with 2 arenas, so freed memory is reused across threads.
"""

from __future__ import annotations

import http.client
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults.conftest import (  # noqa: F401 - the scratch fixture
    Scratch,
    free_port,
    kill_group,
    scratch,
    start_gunicorn,
)

HEAP = 64 * 1024 * 1024  # a thread arena's heap: 64 MiB reserved, aligned to 64 MiB


def malloc_heaps(pid: int) -> int:
    """How many thread-arena heaps glibc's malloc mapped in process ``pid`` (the main
    arena lives in the brk heap and is not counted)."""
    regions = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        if len(fields) > 5:  # a file or [stack], [heap]...: not an arena's heap
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        regions.append((start, end))
    heaps, n = 0, 0
    while n < len(regions):
        start, end = regions[n]
        if start % HEAP == 0:  # its read-write part, then its reserved rest, adjacent
            while n + 1 < len(regions) and regions[n + 1][0] == end and end - start < HEAP:
                n += 1
                end = regions[n][1]
            heaps += end - start == HEAP
        n += 1
    return heaps


def workers(master: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("scratch", ["sqlite"], indirect=True)
def test_gthread_workers_keep_two_malloc_arenas(scratch: Scratch) -> None:  # noqa: F811
    port = free_port()
    if "MALLOC_ARENA_MAX" in os.environ:
        pytest.skip("MALLOC_ARENA_MAX is set: gunicorn.conf.py leaves the arenas to it")
    server = start_gunicorn(scratch, port, workers=1,
                            options=("--worker-class", "gthread", "--threads", "40"))
    try:
        def page(_: int) -> int:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/markets/DAI-TU")
            response = connection.getresponse()
            response.read()
            connection.close()
            return response.status

        with ThreadPoolExecutor(40) as clients:  # 40 requests at once: 40 threads
            assert set(clients.map(page, range(200))) == {200}
        (worker,) = workers(server.pid)
        assert len(list(Path(f"/proc/{worker}/task").iterdir())) > 20  # threads started
        heaps = malloc_heaps(worker)
    finally:
        kill_group(server)
    assert heaps <= 2, heaps  # glibc's default here: up to 8 per core, one per new thread

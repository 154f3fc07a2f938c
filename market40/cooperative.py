"""Handing the other requests of a gevent worker a turn during long work.

Under gunicorn's gevent worker (``make serve``) all the requests of a worker process,
its open event streams included, share one OS thread, and one switches to another only
where it waits on I/O. A loop that computes for seconds (an export writing 400,000 rows)
holds every other request of its worker meanwhile, and the worker's own heartbeat to
gunicorn, which kills a worker silent for ``--timeout``. :func:`pause` every so often
lets the others run: under gevent's monkey patching ``time.sleep(0)`` is
``gevent.sleep(0)``; under threads it merely offers the GIL (a microsecond).

Never call it inside an open SQLite write transaction: another request of the same
worker waiting for that lock would hold the whole process in SQLite's busy wait (not
cooperative), while the request holding the lock could not run to release it.
"""

from __future__ import annotations

import time


def pause() -> None:
    """Let the other greenlets (or threads) run, then carry on."""
    time.sleep(0)

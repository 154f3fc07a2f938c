"""gunicorn settings read at start-up (``gunicorn wsgi:app`` picks this file up).

Rate limits are counted in ``RATELIMIT_STORAGE_URI``. With ``memory://`` each worker
counts alone, so N workers allow N times every limit (login guesses, failed tokens):
warn loudly when that is the case, and point at the shared store.
"""

from __future__ import annotations

import os


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

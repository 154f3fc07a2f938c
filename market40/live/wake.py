"""Waking the outbox's readers (stream hubs, the MQTT relay) when an event is committed.

Readers poll the outbox (``LIVE_POLL_SECONDS``, 0.2 s): that is all the embedded SQLite
default needs. Where more is configured, a reader also listens, so events written by
*other* processes reach it at once instead of at its next poll:

- PostgreSQL: ``LISTEN market40_events`` (the outbox writer sends ``NOTIFY`` in the
  payment's transaction, delivered at commit);
- Redis, with ``MARKET40_REDIS_URL=redis://host:6379/0``: writers publish on the channel
  ``market40_events`` after their commit (any backend, SQLite included).

A wake-up is only a hint ("read now"): a lost one costs a poll interval, never an
event, so Redis or the LISTEN connection may come and go without harm.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from market40.live.outbox import CHANNEL  # the PostgreSQL NOTIFY channel, and Redis's

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
TIMEOUT_SECONDS = 0.5  # a Redis that hangs must not hold a request that committed

_publishers: dict[str, Any] = {}
_publishers_lock = threading.Lock()


def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                socket_timeout=TIMEOUT_SECONDS)


def publish(url: str | None) -> None:
    """Tell every listener on Redis that events were committed (nothing without a URL).

    Called after a commit: a failure is logged, never raised (the payment is stored;
    the readers' poll finds its event).
    """
    if not url:
        return
    import redis

    client = _publishers.get(url)
    if client is None:
        with _publishers_lock:
            client = _publishers.setdefault(url, _redis(url))
    try:
        client.publish(CHANNEL, b"")
    except redis.RedisError as error:
        log.warning("live: Redis wake-up not sent (%s); readers will poll",
                    type(error).__name__)


def start_listeners(wake: threading.Event, stopped: Callable[[], bool], *,
                    postgresql_url: str | None = None,
                    redis_url: str | None = None) -> list[threading.Thread]:
    """Daemon threads that set ``wake`` on each PostgreSQL NOTIFY or Redis message."""
    threads = []
    if postgresql_url:
        threads.append(threading.Thread(target=_listen_postgresql, name="market40-listen-pg",
                                        args=(postgresql_url, wake, stopped), daemon=True))
    if redis_url:
        threads.append(threading.Thread(target=_listen_redis, name="market40-listen-redis",
                                        args=(redis_url, wake, stopped), daemon=True))
    for thread in threads:
        thread.start()
    return threads


def postgresql_url(engine: Any) -> str | None:
    """A plain libpq URL of ``engine``'s database when it is PostgreSQL (channels are per
    database, whatever the search_path)."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _listen_postgresql(url: str, wake: threading.Event, stopped: Callable[[], bool]) -> None:
    import psycopg

    while not stopped():
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(f"LISTEN {CHANNEL}")
                wake.set()  # anything committed while not listening
                # a timeout, so a stopped reader's thread ends
                while not stopped():
                    for _ in connection.notifies(timeout=1):
                        wake.set()
        except psycopg.Error as error:
            log.warning("live: LISTEN failed (%s); polling meanwhile", error)
            threading.Event().wait(RETRY_SECONDS)


def _listen_redis(url: str, wake: threading.Event, stopped: Callable[[], bool]) -> None:
    import redis

    while not stopped():
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS,
                                          health_check_interval=30)
            with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                pubsub.subscribe(CHANNEL)
                wake.set()
                while not stopped():
                    if pubsub.get_message(timeout=1) is not None:
                        wake.set()
        except redis.RedisError as error:
            log.warning("live: Redis subscription failed (%s); polling meanwhile",
                        type(error).__name__)
            threading.Event().wait(RETRY_SECONDS)

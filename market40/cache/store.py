"""Cached figures, keyed by the data version they were computed from.

The store is Flask-Caching: Redis when ``CACHE_REDIS_URL`` (or ``REDIS_URL``) is set
(every worker and machine shares the figures), in-process (``SimpleCache``) otherwise; ``CACHE=off``
turns caching off (every request computes, as before). A value is stored with the
version token read *before* it was computed, and it is used only while that is still
the version of what it depends on (:mod:`market40.cache.versions`):

- ``market(id)``: one market's figures. A write at that market changes its version:
  the next request computes again. Its pages show a write at once.
- ``ALL``: figures over many markets (province, commune, district, certification).
  Exact as well, except under a stream of writes: a value computed at most
  ``CACHE_STALE_SECONDS`` (5 s) ago is still served although a write came since, so
  the province's figures are computed at most once per 5 s per question, and a write
  shows on them within 5 s. The bound holds because the value was computed after its
  version was read: every write it misses committed less than 5 s ago.
- ``GENERAL``: reference data (units, banks), which payments never change.

A store that fails (Redis down) is logged and skipped: figures are computed instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_request_context, request

from market40.cache.versions import Version, read_version
from market40.extensions import cache, db

log = logging.getLogger(__name__)
T = TypeVar("T")

ALL = "all"
GENERAL = "general"
Scope = int | str  # a market's id, ALL or GENERAL
_SEEN = "market40.cache.versions"
OFF = ("off", "false", "0", "no", False, 0)


@dataclass(frozen=True, slots=True)
class Seen:
    """A scope's version and when it was read (seconds since the epoch)."""

    version: Version
    read_at: float


@dataclass(frozen=True, slots=True)
class Entry:
    value: Any
    version: Version
    read_at: float


def configure(app: Flask) -> None:
    """Flask-Caching's settings from ours, then bind it."""
    config = app.config
    if config.get("CACHE") in OFF:
        config["CACHE_TYPE"] = "NullCache"
        config["CACHE_NO_NULL_WARNING"] = True
    elif not config.get("CACHE_TYPE"):
        if not config.get("CACHE_REDIS_URL") and config.get("REDIS_URL"):
            config["CACHE_REDIS_URL"] = config["REDIS_URL"]  # the one Redis of the streams
        config["CACHE_TYPE"] = "RedisCache" if config.get("CACHE_REDIS_URL") else "SimpleCache"
    cache.init_app(app)


def enabled() -> bool:
    return current_app.config.get("CACHE") not in OFF


def version_of(scope: Scope) -> Seen:
    """The version of ``scope``, read once per request (one small query)."""
    memo: dict[Scope, Seen] | None = None
    if has_request_context():
        memo = request.environ.setdefault(_SEEN, {})
        if scope in memo:
            return memo[scope]
    read_at = time.time()
    if scope == ALL:
        version = read_version(db.session)
    elif scope == GENERAL:
        version = read_version(db.session, general_only=True)
    else:
        version = read_version(db.session, int(scope))
    seen = Seen(version, read_at)
    if memo is not None:
        memo[scope] = seen
    return seen


def forget_versions() -> None:
    """After this request's own write: read the versions again."""
    if has_request_context():
        request.environ.pop(_SEEN, None)


_PACKAGE = Path(__file__).resolve().parent.parent
_release: str | None = None


def release() -> str:
    """The code, templates, messages and rulesets the values were made with: a deploy
    or an edited ruleset file starts new keys (the workers of one release agree)."""
    global _release
    if _release is None:
        digest = hashlib.sha256()
        for path in sorted(_PACKAGE.rglob("*")):
            if path.suffix in (".py", ".html", ".json", ".toml", ".css", ".svg", ".txt"):
                stat = path.stat()
                digest.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:"
                              f"{stat.st_mtime_ns}\n".encode())
        _release = digest.hexdigest()[:16]
    from market40.reports.rulesets import RULESETS_DIR

    rulesets = sorted((entry.name, entry.stat().st_mtime_ns, entry.stat().st_size)
                      for entry in os.scandir(RULESETS_DIR))
    return f"{_release}:{hashlib.sha256(repr(rulesets).encode()).hexdigest()[:12]}"


def key(kind: str, parts: Any) -> str:
    return f"{kind}:{hashlib.sha256(repr((release(), parts)).encode()).hexdigest()[:40]}"


def usable(entry: Entry | None, seen: Seen, scope: Scope) -> bool:
    if entry is None:
        return False
    if entry.version.token == seen.version.token:
        return True
    stale = float(current_app.config.get("CACHE_STALE_SECONDS", 5))
    return scope == ALL and time.time() - entry.read_at < stale


def get(name: str) -> Entry | None:
    try:
        entry = cache.get(name)
    except Exception:  # noqa: BLE001 - a broken store must not break a page
        log.warning("cache store failed on get; computing instead", exc_info=True)
        return None
    return entry if isinstance(entry, Entry) else None


def put(name: str, entry: Entry) -> None:
    try:
        cache.set(name, entry)
    except Exception:  # noqa: BLE001
        log.warning("cache store failed on set; not cached", exc_info=True)


def lookup(name: str, scope: Scope) -> tuple[Seen, Entry | None]:
    """The scope's version and the stored entry, if it may be used."""
    seen = version_of(scope)
    entry = get(name)
    return seen, entry if usable(entry, seen, scope) else None


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def computing(name: str) -> threading.Lock:
    """One lock per key in this process: when a write makes a busy page's value old, one
    thread computes it again and the others wait for that value instead of all
    computing the same figures at once (each worker process computes at most once)."""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(name)
        if lock is None:
            if len(_LOCKS) > 10_000:
                _LOCKS.clear()  # a bound on memory; a lost lock only costs a computation
            lock = _LOCKS[name] = threading.Lock()
        return lock


def cached(kind: str, parts: Any, scope: Scope, compute: Callable[[], T]) -> T:
    """``compute()``, or its value stored for the same ``kind``/``parts`` and the same
    version of ``scope``. ``parts`` must name everything the value depends on besides
    the data (dates resolved: never "today" as None)."""
    if not enabled():
        return compute()
    name = key(kind, parts)
    seen, entry = lookup(name, scope)
    if entry is not None:
        return entry.value
    with computing(name):
        entry = get(name)  # computed meanwhile by the thread that held the lock?
        if usable(entry, seen, scope):
            assert entry is not None
            return entry.value
        value = compute()
        put(name, Entry(value, seen.version, seen.read_at))
    return value


def changed_at(entry: Entry | None, seen: Seen) -> datetime | None:
    return (entry.version if entry is not None else seen.version).changed_at

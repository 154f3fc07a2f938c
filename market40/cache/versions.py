"""Data versions: every write bumps them in its own transaction; cached figures are keyed by them.

``data_versions`` holds one counter per market and one (row ``GENERAL`` = 0) for the
writes that are not one market's. A market's figures depend on its own row and row 0;
province-wide figures on every row. A version is the sum of the rows a figure depends on
with their latest change time: each committed bump raises the sum, so two different
states of the data never share a version (the time also tells a restored backup from
the state it was taken in).

How a write bumps, without any path having to remember it:

- **Payments** (single POST, batch, bank notification, SePay, the simulator, imports):
  every one adds its rollups with ``rollups.upsert_rollups``, which calls
  :func:`bump_data_version` with the markets of its rows. A bulk path that maintains
  rollups by other means (PostgreSQL COPY) must call :func:`bump_data_version` itself.
- **Everything else** (registry: vendors, markets, listings, indicators, status
  history, units, banks, snapshots, ...): an engine hook sees every INSERT, UPDATE and
  DELETE SQLAlchemy sends and marks row 0 changed, unless the table is in
  :data:`UNTRACKED` (tables no figure reads, and the raw transactions: figures read
  the rollups, which the payment paths write on the driver's cursor after bumping
  their markets).

The marks are kept on the connection and written when its transaction commits (one
statement, rows in ascending order, so two writers never wait on each other in a
cycle); a rollback forgets them. So a bump is in the same transaction as the write it
stands for: committed together, or neither.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.db import driver_errors, uninterrupted
from market40.models.rollup import MarketDailyRollup
from market40.models.version import GENERAL, DataVersion

# Tables that no cached figure reads, and the raw payments (figures read the rollups, and
# every payment path bumps its markets through ``upsert_rollups``, which writes them on
# the driver's cursor, unseen by the hook). A rollup written any other way is seen.
UNTRACKED = frozenset({
    "data_versions", "alembic_version", "transactions", "transaction_references",
    "payment_events", "devices",
    "unmatched_notifications", "export_jobs",
    "audit_entries", "web_sessions", "users", "user_markets", "api_tokens",
    "idempotency_records", "market_join_keys",
})
PENDING = "market40.data_versions"
# Execution option of a statement whose writer bumped its markets itself (set-based
# rollups): the hook leaves it alone instead of marking every figure changed.
BUMPED = "market40_versions_bumped"
_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
                    re.IGNORECASE)
# Engines whose database has the table (checked once; a migration may create or drop it).
_READY: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


@dataclass(frozen=True, slots=True)
class Version:
    """The state of the data a figure depends on: the sum of its rows' counters and the
    time of the latest change (None before any write)."""

    number: int
    changed_at: datetime | None

    @property
    def token(self) -> str:
        micros = 0 if self.changed_at is None else int(self.changed_at.timestamp() * 1e6)
        return f"{self.number}.{micros}"


def bump_data_version(bind: Session | sa.Connection,
                      market_ids: Iterable[int] | None = None) -> None:
    """Mark data of ``market_ids`` changed (None: data that is not one market's, which
    every figure depends on) in the transaction of ``bind``.

    EVERY WRITE PATH MUST CALL THIS (or go through SQLAlchemy statements, which the
    engine hook tracks, or through ``rollups.upsert_rollups``, which calls it): a write
    that bumps nothing stays hidden behind cached figures. Raw driver writes (COPY,
    ``cursor.executemany``) are invisible to the hook and must call it. The counters
    are written when the transaction commits, in the same transaction.
    """
    connection = bind if isinstance(bind, sa.Connection) else bind.connection()
    pending = connection.info.setdefault(PENDING, set())
    if market_ids is None:
        pending.add(GENERAL)
    else:
        pending.update(int(m) for m in market_ids)


def read_version(session: Session, market_id: int | None = None, *,
                 general_only: bool = False) -> Version:
    """The version of one market's figures (its row and row 0), of reference data
    (``general_only``: row 0), or of everything (``market_id`` None)."""
    statement = sa.select(sa.func.coalesce(sa.func.sum(DataVersion.version), 0),
                          sa.func.max(DataVersion.changed_at))
    if general_only:
        statement = statement.where(DataVersion.market_id == GENERAL)
    elif market_id is not None:
        statement = statement.where(DataVersion.market_id.in_((GENERAL, market_id)))
    number, changed_at = session.execute(statement).one()
    return Version(int(number), changed_at)


def read_days_token(session: Session, market_id: int, first: date, last: date) -> str:
    """A token of the market's payments on local days ``first`` to ``last``: it changes
    when a payment lands on one of those days, and not when one lands on another day.

    Why: figures of past days (a market's series up to yesterday) stay as they are
    while the day's payments land, yet a late payment (an import, a bank notification
    for yesterday) must show at once. Every payment path adds 1 to one count of its
    (market, day) row of ``market_daily_rollups`` in its own transaction
    (``rollups.upsert_rollups``, the staged rollups): counts only grow, so the rows'
    number and the sum of their counts change with every payment on those days. The
    one write that may lower them, ``rollups rebuild``, bumps row 0, which every key
    holds as well. One read of at most a window's rows by primary key.
    """
    day = MarketDailyRollup.__table__.c
    counts = day.qr_sales_count + day.cash_sales_count + day.qr_fees_count + day.cash_fees_count
    rows, total = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(counts), 0))
        .where(day.market_id == market_id, day.day >= first, day.day <= last)).one()
    return f"{first.isoformat()}:{last.isoformat()}:{rows}:{total}"


def _sql(dialect: sa.Dialect) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return (f"INSERT INTO data_versions (market_id, version, changed_at) VALUES ({mark}, 1, "
            f"{mark}) ON CONFLICT (market_id) DO UPDATE SET version = data_versions.version "
            "+ 1, changed_at = excluded.changed_at")


def _table_exists(connection: sa.Connection) -> bool:
    if connection.engine in _READY:
        return True
    cursor = connection.connection.driver_connection.cursor()
    try:
        if connection.dialect.name == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = 'data_versions'")
            found = cursor.fetchone() is not None
        else:
            cursor.execute("SELECT to_regclass('data_versions')")
            found = cursor.fetchone()[0] is not None
    finally:
        cursor.close()
    if found:
        _READY.add(connection.engine)
    return found


def _write(connection: sa.Connection) -> None:
    """The transaction commits: add 1 to every marked row (ascending, one executemany)."""
    pending = connection.info.pop(PENDING, None)
    if not pending or not _table_exists(connection):
        return  # before the migration that creates the table: nothing reads versions yet
    uninterrupted(connection)  # gevent: the market rows every payment waits for
    dialect = connection.dialect
    stamp = DataVersion.__table__.c.changed_at.type._cached_bind_processor(dialect)
    now = datetime.now(UTC)
    value = stamp(now) if stamp else now
    statement = _sql(dialect)
    with driver_errors(connection, statement):
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(statement, [(m, value) for m in sorted(pending)])
        finally:
            cursor.close()


def _forget(connection: sa.Connection) -> None:
    connection.info.pop(PENDING, None)


def _watch(connection: sa.Connection, _cursor: Any, statement: str, _parameters: Any,
           context: Any, _executemany: bool) -> None:
    """Mark row 0 for every INSERT/UPDATE/DELETE on a tracked table."""
    head = statement[:12].lstrip()[:1].upper()
    if head not in ("I", "U", "D", "W"):
        return  # SELECT, BEGIN, SAVEPOINT, PRAGMA, CREATE, ...
    if context is not None and context.execution_options.get(BUMPED):
        return
    found = _WRITE.match(statement)
    if found is not None:
        if found.group(1).lower() not in UNTRACKED:
            connection.info.setdefault(PENDING, set()).add(GENERAL)
    elif head == "W" and re.search(r"\b(INSERT|UPDATE|DELETE)\b", statement, re.IGNORECASE):
        connection.info.setdefault(PENDING, set()).add(GENERAL)  # a CTE that writes
    elif head == "D" and "data_versions" in statement:
        _READY.discard(connection.engine)  # DROP TABLE data_versions (a downgrade)


def track_writes(engine: sa.Engine) -> None:
    """Install the hooks on ``engine``: watch statements, write marks at commit."""
    sa.event.listen(engine, "before_cursor_execute", _watch)
    sa.event.listen(engine, "commit", _write)
    sa.event.listen(engine, "rollback", _forget)

    @sa.event.listens_for(engine.pool, "reset")
    def _reset(_dbapi_connection: Any, record: Any, _state: Any = None) -> None:
        record.info.pop(PENDING, None)  # returned to the pool without commit or rollback

"""Database plumbing that is not a model: engine tuning, database rules, the driver's cursor.

Bulk writers (rollup upserts, batch and simulator inserts) run statements on the
driver's own cursor, inside SQLAlchemy's transaction, skipping its per-row parameter
processing; :func:`driver_errors` keeps SQLAlchemy's error handling: driver exceptions
come out as SQLAlchemy's (``IntegrityError``, ``OperationalError``, ...) so callers and
the API's error handlers treat them exactly like errors of ``connection.execute``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

BUSY_TIMEOUT_MS = 30_000
#: Values bound in one ``IN (...)``/``= ANY(...)`` lookup: well under SQLite's 32,766
#: bound parameters, and few enough round trips for a 10,000-item batch.
LOOKUP_CHUNK = 5_000
_WRITE = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def cooperative() -> bool:
    """Whether this process runs under gevent's monkey patching (gunicorn's gevent
    worker): then a wait inside SQLite holds every request of the worker, not one."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("time")


def begin_write(connection: sa.Connection) -> None:
    """Open the connection's SQLite transaction with the write lock, waiting for the lock
    cooperatively (gevent).

    Under threads SQLite's busy handler waits for the write lock (``busy_timeout``) in
    the waiting thread alone. Under gevent that busy wait stops the whole worker, its
    open streams included, while another process holds the lock (measured in
    bench_live: notifications p99 13 s, pages p99 8 s). So under gevent the lock is
    taken with ``BEGIN IMMEDIATE`` without SQLite's wait and retried after a short
    cooperative sleep (the other greenlets run meanwhile), for ``busy_timeout`` at
    most; then "database is locked" is raised as it always was.
    """
    driver = connection.connection.driver_connection
    deadline, pause = time.monotonic() + BUSY_TIMEOUT_MS / 1000, 0.001
    with driver_errors(connection, "BEGIN IMMEDIATE"):
        driver.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    driver.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if (error.sqlite_errorcode != sqlite3.SQLITE_BUSY
                            or time.monotonic() + pause > deadline):
                        raise
                time.sleep(pause)  # gevent.sleep under monkey patching
                pause = min(pause * 2, 0.02)
        finally:
            driver.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def begin_writing(session: Any) -> None:
    """SQLite: open the session's transaction holding the write lock, for a unit of work
    that reads, then writes, in savepoints (a bulk approval).

    A savepoint opens a deferred transaction (``_begin_before_savepoint``), whose first
    read fixes its snapshot; once another connection has written, that snapshot can no
    longer become a write, and SQLite answers "database is locked" at once, without its
    busy wait (two checkers bulk-approving together: the second got a 503). Taking the
    lock first makes the second wait for the first, then read what it committed.
    Nothing on PostgreSQL, or when the connection is already in a transaction.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    if connection.connection.driver_connection.in_transaction:
        return
    if cooperative():
        begin_write(connection)
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# A statement inside an uninterrupted stretch waits this long for a lock at most: a
# safety net (a lock held by a greenlet of the same, stopped, worker), never reached.
UNINTERRUPTED_LOCK_TIMEOUT = "10s"


def uninterrupted(connection: sa.Connection) -> None:
    """Under gevent, on PostgreSQL: from here to the end of the connection's transaction
    (commit or rollback), its statements wait for the database without yielding to the
    worker's other greenlets, as SQLite's statements always do.

    Writers call this just before they take the locks that every payment contends for:
    its market's rollup rows, the outbox's lock, the data versions. Held by a greenlet
    that yields between statements, such a lock stays held until the loop comes back to
    that greenlet, after every other runnable one: in a busy worker, tens of ms per
    statement, while every other payment of the market (and, for the outbox's lock,
    every payment) waits holding a pooled connection. At 50 credits/s that convoy ran
    the pool dry (bench_live: 465-1,294 of 3,000 notifications failed). Uninterrupted,
    the locks are held for the database's own time (a few ms); the worker's other
    greenlets wait that long, once per payment. Only these writers' locks are waited
    for in such a stretch (every writer of those rows enters one first), so a stretch
    never waits for a greenlet it stopped; ``lock_timeout`` is the safety net.

    Threads, SQLite, or a driver without psycopg's C wait: nothing changes.
    """
    if connection.dialect.name != "postgresql" or not cooperative():
        return
    driver = connection.connection.driver_connection
    if "wait" in vars(driver):  # in a stretch already
        return
    from psycopg import waiting

    wait_c = getattr(waiting, "wait_c", None)
    if wait_c is None:  # psycopg without its C extension: stay cooperative
        return
    driver.wait = functools.partial(_wait_blocking, driver, wait_c)
    with driver_errors(connection, "SET LOCAL lock_timeout"):  # also from a commit hook
        driver.execute(f"SET LOCAL lock_timeout = '{UNINTERRUPTED_LOCK_TIMEOUT}'")


def _wait_blocking(driver: Any, wait_c: Any, gen: Any, interval: float = 0.1,
                   timeout: float | None = None) -> Any:
    """psycopg's wait in C (a blocking poll), until the transaction ends; then the
    connection waits cooperatively again."""
    from psycopg.pq import TransactionStatus

    try:
        return wait_c(gen, driver.pgconn.socket, interval, timeout)
    finally:
        if driver.pgconn.transaction_status in (TransactionStatus.IDLE,
                                                TransactionStatus.UNKNOWN):
            vars(driver).pop("wait", None)


def configure_engine_events(engine: sa.Engine) -> None:
    """SQLite: enforce foreign keys, WAL for concurrent readers, and wait on locks
    (cooperatively under gevent: :func:`begin_write`)."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(connection: sa.Connection, _name: str) -> None:
        # Python's sqlite3 (legacy transaction control) opens a transaction only before
        # INSERT/UPDATE/DELETE. A SAVEPOINT sent outside one starts its own, and its
        # RELEASE then COMMITS: whatever follows (rollups, payment events) would no
        # longer share the transaction. Open the transaction first, so the savepoint is
        # nested and only the caller's commit or rollback ends it.
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            if cooperative():
                begin_write(connection)
            else:
                connection.exec_driver_sql("BEGIN")

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _begin_before_write(connection: sa.Connection, _cursor: Any, statement: str,
                            *_args: Any) -> None:
        # Python's sqlite3 would send its own BEGIN here, and SQLite would busy-wait
        # for the lock; under gevent the wait must yield instead (threads: no change).
        if (cooperative() and _WRITE.match(statement)
                and not connection.connection.driver_connection.in_transaction):
            begin_write(connection)


# Snapshots are evidence: on PostgreSQL the database itself refuses to change or delete them.
_PG_RULES = (
    """
    CREATE OR REPLACE FUNCTION market40_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS snapshots_immutable ON snapshots",
    """
    CREATE TRIGGER snapshots_immutable BEFORE UPDATE OR DELETE ON snapshots
    FOR EACH ROW EXECUTE FUNCTION market40_refuse_change()
    """,
    # TRUNCATE fires no row trigger: a statement-level one refuses it (also when it
    # would cascade from a table snapshots refer to).
    "DROP TRIGGER IF EXISTS snapshots_no_truncate ON snapshots",
    """
    CREATE TRIGGER snapshots_no_truncate BEFORE TRUNCATE ON snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION market40_refuse_change()
    """,
    # A vendor's status history is append-only (migration c4d9e1f27a58).
    "DROP TRIGGER IF EXISTS vendor_status_history_no_update ON vendor_status_history",
    """
    CREATE TRIGGER vendor_status_history_no_update BEFORE UPDATE ON vendor_status_history
    FOR EACH ROW EXECUTE FUNCTION market40_refuse_change()
    """,
)
_SQLITE_RULES = (
    """
    CREATE TRIGGER IF NOT EXISTS snapshots_no_update BEFORE UPDATE ON snapshots
    BEGIN SELECT RAISE(ABORT, 'snapshots rows are immutable'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS snapshots_no_delete BEFORE DELETE ON snapshots
    BEGIN SELECT RAISE(ABORT, 'snapshots rows are immutable'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS vendor_status_history_no_update
    BEFORE UPDATE ON vendor_status_history
    BEGIN SELECT RAISE(ABORT, 'vendor_status_history rows are immutable'); END
    """,
)


def database_rules(dialect: str) -> tuple[str, ...]:
    """DDL the models cannot express (the initial migration holds its own copy)."""
    return _PG_RULES if dialect == "postgresql" else _SQLITE_RULES


def install_database_rules(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for statement in database_rules(engine.dialect.name):
            connection.execute(sa.text(statement))



@contextmanager
def driver_errors(connection: sa.Connection, statement: str) -> Iterator[None]:
    dbapi = connection.dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as error:
        raise sa.exc.DBAPIError.instance(
            statement, None, error, dbapi.Error, hide_parameters=True,
            dialect=connection.dialect, ismulti=True,
        ) from error


def lookup_chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    """``values`` in slices of at most ``size``, one lookup statement each."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def executemany(connection: sa.Connection, statement: str, params: list[Any]) -> None:
    """``cursor.executemany`` on the connection's driver connection (same transaction)."""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite" and cooperative() and not driver.in_transaction:
        begin_write(connection)
    with driver_errors(connection, statement):
        cursor = driver.cursor()
        try:
            cursor.executemany(statement, params)
        finally:
            cursor.close()


#: What a bulk load of payments fills (``flask simulate``, month loads).
PAYMENT_TABLES = ("transactions", "transaction_references", "daily_rollups",
                  "market_daily_rollups", "vendor_qr_months")
#: The tables PostgreSQL keeps by month: autovacuum never analyzes their parents.
PARTITIONED_TABLES = ("transactions", "daily_rollups")


def refresh_statistics(engine: sa.Engine, tables: tuple[str, ...]) -> list[str]:
    """PostgreSQL: ``ANALYZE`` the ``tables`` that exist; the names analyzed (SQLite: none).

    After a bulk load the planner still believes the tables' old sizes until autovacuum
    gets to them (a minute, or never where it is off), and it never analyzes a
    partitioned table's parent, whose statistics estimate every join over all months
    (PostgreSQL's manual, "Populating a Database" and "Routine Vacuuming"). Measured on
    a fresh province year: the former district's adoption report took 219 ms before an
    ``ANALYZE`` (the planner expected one market and rescanned 2,290 vendors 22 times)
    and 18 ms after.

    Each table is analyzed outside any transaction block, so PostgreSQL takes each
    partition, then the parent, in a transaction of its own and holds its lock (SHARE
    UPDATE EXCLUSIVE: reads and writes go on; creating, attaching or detaching a month
    waits) for one relation at a time, not for the seconds the whole table takes. SQLite
    is left alone: its planner's defaults serve the queries as they were tuned, and its
    ``ANALYZE`` reads every index in full.
    """
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        present = [name for name in tables
                   if connection.scalar(sa.text("SELECT to_regclass(:name)"), {"name": name})]
        for name in present:
            connection.execute(sa.text(f'ANALYZE "{name}"'))
    return present

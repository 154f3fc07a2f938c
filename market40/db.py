"""Database plumbing that is not a model: engine tuning, database rules, the driver's cursor.

Bulk writers (rollup upserts, batch and simulator inserts) run statements on the
driver's own cursor, inside SQLAlchemy's transaction, skipping its per-row parameter
processing; :func:`driver_errors` keeps SQLAlchemy's error handling: driver exceptions
come out as SQLAlchemy's (``IntegrityError``, ``OperationalError``, ...) so callers and
the API's error handlers treat them exactly like errors of ``connection.execute``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


def configure_engine_events(engine: sa.Engine) -> None:
    """SQLite: enforce foreign keys, WAL for concurrent readers, and wait on locks."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
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
            connection.exec_driver_sql("BEGIN")


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


def executemany(connection: sa.Connection, statement: str, params: list[Any]) -> None:
    """``cursor.executemany`` on the connection's driver connection (same transaction)."""
    with driver_errors(connection, statement):
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(statement, params)
        finally:
            cursor.close()

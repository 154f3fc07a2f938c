"""Database plumbing that is not a model: engine tuning and the commit helper."""

from __future__ import annotations

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
)


def database_rules(dialect: str) -> tuple[str, ...]:
    """DDL the models cannot express (the migration runs the same statements)."""
    return _PG_RULES if dialect == "postgresql" else _SQLITE_RULES


def install_database_rules(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for statement in database_rules(engine.dialect.name):
            connection.execute(sa.text(statement))

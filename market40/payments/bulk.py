"""Many transactions at once, straight to the driver: executemany (SQLite) or COPY (PostgreSQL).

``connection.execute(insert(table), list_of_dicts)`` spends ~15 µs per row in
SQLAlchemy (``construct_params`` and type processing) before the driver sees it:
about as long as SQLite takes to store the row. Bulk writers here (the batch API and
the simulator) build plain tuples instead, with timestamps converted once by a
function chosen per dialect to exactly what the model's ``UTCDateTime`` type would
write (a test pins this), and hand them to the driver inside the caller's
transaction. Single writes keep the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.db import driver_errors, executemany

# The tuple layout of a row for insert_transactions (no payload: bulk rows carry none).
COLUMNS = (
    "vendor_id", "market_id", "occurred_at", "amount", "method", "kind", "source",
    "reference", "created_at",
)
CHUNK_ROWS = 20_000


def sqlite_timestamp(moment: datetime) -> str:
    """What ``UTCDateTime`` stores on SQLite: naive UTC, microseconds always written."""
    moment = moment.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
            f"{moment.microsecond:06d}")


def _aware_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def timestamp_writer(dialect: str) -> Callable[[datetime], Any]:
    """The function that turns an aware datetime into the driver value for ``dialect``."""
    return sqlite_timestamp if dialect == "sqlite" else _aware_utc


def connection_of(bind: Session | sa.Connection) -> sa.Connection:
    """The connection of the caller's transaction (a session's is begun if needed)."""
    return bind if isinstance(bind, sa.Connection) else bind.connection()


def dialect_of(bind: Session | sa.Connection) -> str:
    """The dialect name behind a session (or scoped session) or a connection."""
    if isinstance(bind, sa.Connection):
        return bind.dialect.name
    return bind.get_bind().dialect.name


def placeholders(dialect: sa.Dialect, count: int) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def insert_transactions(
    bind: Session | sa.Connection, rows: Sequence[tuple[Any, ...]], chunk: int = CHUNK_ROWS
) -> int:
    """Insert ``rows`` (tuples in :data:`COLUMNS` order, timestamps already converted by
    :func:`timestamp_writer`) in the caller's transaction; returns how many."""
    if not rows:
        return 0
    connection = connection_of(bind)
    driver = connection.connection.driver_connection
    names = ", ".join(COLUMNS)
    if connection.dialect.name == "postgresql":
        sql = f"COPY transactions ({names}) FROM STDIN"
        with driver_errors(connection, sql), driver.cursor() as cursor, \
                cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows)
    sql = f"INSERT INTO transactions ({names}) VALUES ({placeholders(connection.dialect, 9)})"
    for start in range(0, len(rows), chunk):
        executemany(connection, sql, rows[start:start + chunk])
    return len(rows)

"""Running statements on the driver's own cursor, inside SQLAlchemy's transaction.

Bulk writers (rollup upserts, batch and simulator inserts) skip SQLAlchemy's per-row
parameter processing; this keeps its error handling: driver exceptions come out as
SQLAlchemy's (``IntegrityError``, ``OperationalError``, ...) so callers and the API's
error handlers treat them exactly like errors of ``connection.execute``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


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

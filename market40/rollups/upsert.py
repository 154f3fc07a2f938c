"""``INSERT ... ON CONFLICT (vendor_id, day) DO UPDATE SET x = x + excluded.x``, per dialect.

The statement is built with SQLAlchemy's dialect ``insert`` (SQLite and PostgreSQL both
support ON CONFLICT), compiled once per dialect, and run with the driver's
executemany: rollup rows come by the thousand from batches and the simulator, and
SQLAlchemy's per-row parameter processing would cost more than the upsert itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import DailyRollup
from market40.rollups.deltas import counter_names
from market40.rollups.driver import executemany

ROW_KEYS = ("vendor_id", "day", "market_id", *counter_names())
_COMPILED: dict[str, tuple[str, tuple[str, ...] | None]] = {}


def upsert_statement(dialect: str) -> sa.Insert:
    """The ORM-level statement (also usable with ``session.execute``)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no rollup upsert for {dialect}")
    table = DailyRollup.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.vendor_id, table.c.day],
        # market_id stays as first written: a vendor's day belongs to one market.
        set_={name: table.c[name] + statement.excluded[name] for name in counter_names()},
    )


def _compiled(dialect: sa.Dialect) -> tuple[str, tuple[str, ...] | None]:
    """SQL text and, for positional paramstyles, the parameter order."""
    cached = _COMPILED.get(dialect.name)
    if cached is None:
        compiled = upsert_statement(dialect.name).compile(
            dialect=dialect, column_keys=list(ROW_KEYS))
        order = tuple(compiled.positiontup) if compiled.positional else None
        cached = _COMPILED[dialect.name] = (compiled.string, order)
    return cached


def upsert_rollups(bind: Session | sa.Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Add ``rows`` (from :meth:`RollupDeltas.rows`) to the rollups; returns how many.

    Runs in the caller's transaction: the caller commits the transactions and their
    rollups together, or neither.
    """
    if not rows:
        return 0
    connection = bind if isinstance(bind, sa.Connection) else bind.connection()
    sql, order = _compiled(connection.dialect)
    sqlite = connection.dialect.name == "sqlite"
    params: list[Any]
    if sqlite:  # the driver gets ISO dates, as the Date type would write them
        rows = [{**row, "day": row["day"].isoformat()} for row in rows]
    if order is not None:
        params = [tuple(row[key] for key in order) for row in rows]
    else:
        params = list(rows)
    executemany(connection, sql, params)
    return len(rows)

"""``INSERT ... ON CONFLICT (key) DO UPDATE SET x = x + excluded.x``, per dialect.

One call adds a set of vendor-day deltas to ``daily_rollups``, their per-market sums
to ``market_daily_rollups`` and their QR-sale days to ``vendor_qr_months`` (first and
last day per vendor and month), in the caller's transaction. The statements are
built with SQLAlchemy's dialect ``insert`` (SQLite and PostgreSQL both support ON
CONFLICT), compiled once per dialect, and run with the driver's executemany: rollup
rows come by the thousand from batches and the simulator, and SQLAlchemy's per-row
parameter processing would cost more than the upsert itself.

Lock order on PostgreSQL: vendor rows sorted by (vendor, day), then market rows
sorted by (market, day), then month rows sorted by (month, vendor), so concurrent
writers never wait on each other in a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.cache.versions import bump_data_version
from market40.db import executemany, uninterrupted
from market40.models import DailyRollup, MarketDailyRollup, VendorQrMonth
from market40.rollups.deltas import counter_names

VENDOR_KEYS = ("vendor_id", "day", "market_id", *counter_names())
MARKET_KEYS = ("market_id", "day", *counter_names())
MONTH_KEYS = ("month", "vendor_id", "market_id", "first_day", "last_day")
_COMPILED: dict[tuple[str, str], tuple[str, tuple[str, ...] | None]] = {}


def upsert_statement(table: sa.Table, key: Sequence[str], dialect: str) -> sa.Insert:
    """``table``'s upsert on the unique ``key`` columns: counters are added; first and
    last days keep the earlier and the later."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no rollup upsert for {dialect}")
    statement = insert(table)
    new, old = statement.excluded, table.c
    if "first_day" in old:
        # CASE rather than min()/LEAST(): the same SQL on both dialects.
        update = {
            "first_day": sa.case((new.first_day < old.first_day, new.first_day),
                                 else_=old.first_day),
            "last_day": sa.case((new.last_day > old.last_day, new.last_day),
                                else_=old.last_day),
        }
    else:
        # A vendor row's market_id stays as first written: a vendor's day belongs to one
        # market (vendors never move between markets).
        update = {name: old[name] + new[name] for name in counter_names()}
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key], set_=update)


def _compiled(table: sa.Table, keys: Sequence[str], dialect: sa.Dialect
              ) -> tuple[str, tuple[str, ...] | None]:
    """SQL text and, for positional paramstyles, the parameter order."""
    cached = _COMPILED.get((table.name, dialect.name))
    if cached is None:
        statement = upsert_statement(table, [c.name for c in table.primary_key], dialect.name)
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        order = tuple(compiled.positiontup) if compiled.positional else None
        cached = _COMPILED[(table.name, dialect.name)] = (compiled.string, order)
    return cached


def market_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The vendor-day rows summed per (market, day), sorted by that key."""
    names = counter_names()
    sums: dict[tuple[int, Any], list[int]] = {}
    for row in rows:
        key = (row["market_id"], row["day"])
        counters = sums.get(key)
        if counters is None:
            sums[key] = [row[name] for name in names]
        else:
            for i, name in enumerate(names):
                counters[i] += row[name]
    return [{"market_id": key[0], "day": key[1], **dict(zip(names, counters, strict=True))}
            for key, counters in sorted(sums.items())]


def month_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The days with a QR sale, as first and last day per (month, vendor), sorted."""
    months: dict[tuple[Any, int], dict[str, Any]] = {}
    for row in rows:
        if row["qr_sales_count"] <= 0:
            continue
        day = row["day"]
        key = (day.replace(day=1), row["vendor_id"])
        found = months.get(key)
        if found is None:
            months[key] = {"month": key[0], "vendor_id": key[1], "market_id": row["market_id"],
                           "first_day": day, "last_day": day}
        else:
            found["first_day"] = min(found["first_day"], day)
            found["last_day"] = max(found["last_day"], day)
    return [months[key] for key in sorted(months)]


def _upsert(connection: sa.Connection, table: sa.Table, keys: Sequence[str],
            rows: Sequence[dict[str, Any]]) -> None:
    sql, order = _compiled(table, keys, connection.dialect)
    if connection.dialect.name == "sqlite":  # the driver gets ISO dates, as Date would write
        dates = [name for name in ("day", "month", "first_day", "last_day") if name in keys]
        rows = [{**row, **{name: row[name].isoformat() for name in dates}} for row in rows]
    params = [tuple(row[key] for key in order) for row in rows] if order else list(rows)
    executemany(connection, sql, params)


def upsert_rollups(bind: Session | sa.Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Add ``rows`` (from :meth:`RollupDeltas.rows`) to the vendor and market rollups.

    Returns the number of vendor rows. Runs in the caller's transaction: the caller
    commits the transactions and their rollups together, or neither. The markets'
    data versions are bumped in the same transaction (``cache.bump_data_version``):
    every payment path comes through here, so none can leave a cached figure stale.
    """
    if not rows:
        return 0
    connection = bind if isinstance(bind, sa.Connection) else bind.connection()
    uninterrupted(connection)  # gevent: rows every payment of the market waits for
    bump_data_version(connection, {row["market_id"] for row in rows})
    _upsert(connection, DailyRollup.__table__, VENDOR_KEYS, rows)
    _upsert(connection, MarketDailyRollup.__table__, MARKET_KEYS, market_rows(rows))
    months = month_rows(rows)
    if months:
        _upsert(connection, VendorQrMonth.__table__, MONTH_KEYS, months)
    return len(rows)

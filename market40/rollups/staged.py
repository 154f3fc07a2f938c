"""Rollups from a staging table of just-loaded rows, set-based (the PostgreSQL bulk path).

The COPY path (``payments.bulk.copy_transactions``) loads its rows into a temporary
table first; the three rollup levels are then one ``INSERT ... SELECT ... GROUP BY ...
ON CONFLICT DO UPDATE`` each, from that table, in the writer's transaction: no rollup
row passes through Python. The statements are the same upserts as
:func:`rollups.upsert.upsert_statement` (counters added, first and last QR days kept
earliest and latest), fed by a SELECT instead of parameters, ordered by the key so
that concurrent writers lock rollup rows in the same order as the executemany path:
vendor rows by (vendor, day), market rows by (market, day), months by (month, vendor).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

import sqlalchemy as sa

from market40.cache.versions import BUMPED, bump_data_version
from market40.db import uninterrupted
from market40.localtime import local_day_sql, month_start_sql
from market40.models import DailyRollup, MarketDailyRollup, VendorQrMonth
from market40.rollups.deltas import COUNTERS, counter_names
from market40.rollups.upsert import upsert_statement

DIALECT = "postgresql"


def _counters(staged: sa.TableClause) -> list[sa.ColumnElement]:
    columns: list[sa.ColumnElement] = []
    for (method, kind), (count_name, value_name) in COUNTERS.items():
        match = sa.and_(staged.c.method == method, staged.c.kind == kind)
        columns.append(sa.func.count().filter(match).label(count_name))
        columns.append(sa.func.coalesce(sa.func.sum(staged.c.amount).filter(match), 0)
                       .label(value_name))
    return columns


@cache
def _statements(staged: sa.TableClause, vendor_days_into: str | None = None,
                ) -> tuple[sa.Insert, sa.Insert, sa.Insert]:
    day = local_day_sql(staged.c.occurred_at, DIALECT).label("day")
    vendor_days = (
        sa.select(staged.c.vendor_id, day, sa.func.min(staged.c.market_id).label("market_id"),
                  *_counters(staged))
        .group_by(staged.c.vendor_id, day).order_by(staged.c.vendor_id, day))
    market_days = (
        sa.select(staged.c.market_id, day, *_counters(staged))
        .group_by(staged.c.market_id, day).order_by(staged.c.market_id, day))
    qr_day = local_day_sql(staged.c.occurred_at, DIALECT)
    month = month_start_sql(qr_day, DIALECT).label("month")
    months = (
        sa.select(month, staged.c.vendor_id, sa.func.min(staged.c.market_id).label("market_id"),
                  sa.func.min(qr_day).label("first_day"), sa.func.max(qr_day).label("last_day"))
        .where(staged.c.method == "qr", staged.c.kind == "sale")
        .group_by(month, staged.c.vendor_id).order_by(month, staged.c.vendor_id))
    names = counter_names()

    def upsert(table: sa.Table, columns: list[str], source: sa.Select) -> sa.Insert:
        key = [c.name for c in table.primary_key]
        return upsert_statement(table, key, DIALECT).from_select(columns, source)

    vendor_columns = ["vendor_id", "day", "market_id", *names]
    if vendor_days_into is None:
        vendor_statement = upsert(DailyRollup.__table__, vendor_columns, vendor_days)
    else:  # a new, empty table: no row to meet, no conflict to handle
        into = sa.table(vendor_days_into, *(sa.column(name) for name in vendor_columns))
        vendor_statement = sa.insert(into).from_select(vendor_columns, vendor_days)
    return (
        vendor_statement,
        upsert(MarketDailyRollup.__table__, ["market_id", "day", *names], market_days),
        upsert(VendorQrMonth.__table__,
               ["month", "vendor_id", "market_id", "first_day", "last_day"], months),
    )


def upsert_staged_rollups(connection: sa.Connection, staged: sa.TableClause,
                          markets: Collection[int] | None = None,
                          vendor_days: str | None = None) -> None:
    """Add the rows of ``staged`` (columns as ``transactions``) to the three rollup levels,
    in the caller's transaction, and bump those markets' data versions (market40.cache).

    ``markets``: the staged rows' markets, when the caller knows them (else read here).
    ``vendor_days``: an empty table shaped like ``daily_rollups`` to insert the vendor-day
    rows into instead (a month's future partition, ``payments.month_load``)."""
    if markets is None:
        markets = connection.execute(sa.select(staged.c.market_id).distinct()).scalars().all()
    uninterrupted(connection)  # gevent: rows every payment of these markets waits for
    bump_data_version(connection, markets)
    for statement in _statements(staged, vendor_days):
        connection.execute(statement, execution_options={BUMPED: True})

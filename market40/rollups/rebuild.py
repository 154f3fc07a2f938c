"""Recompute rollups from the raw transactions, in the database (GROUP BY), not in Python."""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import DailyRollup, Transaction
from market40.rollups.days import day_start_utc, local_day_sql
from market40.rollups.deltas import COUNTERS, counter_names

log = logging.getLogger(__name__)


def raw_rollups_query(dialect: str, since: date | None = None) -> sa.Select:
    """Rollup rows as computed from the raw transactions, ordered by (vendor, day)."""
    day = local_day_sql(Transaction.occurred_at, dialect).label("day")
    columns: list[sa.ColumnElement] = []
    for (method, kind), (count_name, value_name) in COUNTERS.items():
        match = sa.and_(Transaction.method == method, Transaction.kind == kind)
        columns.append(sa.func.sum(sa.case((match, 1), else_=0)).label(count_name))
        columns.append(
            sa.func.sum(sa.case((match, Transaction.amount), else_=0)).label(value_name)
        )
    statement = sa.select(
        Transaction.vendor_id,
        day,
        sa.func.min(Transaction.market_id).label("market_id"),
        *columns,
    ).group_by(Transaction.vendor_id, day)
    if since is not None:
        statement = statement.where(Transaction.occurred_at >= day_start_utc(since))
    return statement.order_by(Transaction.vendor_id, day)


def rebuild_rollups(session: Session, since: date | None = None) -> int:
    """Replace the rollups of ``since`` and later (all when None) with recomputed ones.

    One INSERT ... SELECT ... GROUP BY: the database does the work, so ten million rows
    never pass through Python. Returns the number of rollup rows written. The caller
    commits (delete and insert are one transaction: readers never see a gap).
    """
    dialect = session.get_bind().dialect.name
    delete = sa.delete(DailyRollup)
    if since is not None:
        delete = delete.where(DailyRollup.day >= since)
    removed = session.execute(delete).rowcount
    source = raw_rollups_query(dialect, since).order_by(None)
    names = ["vendor_id", "day", "market_id", *counter_names()]
    result = session.execute(
        sa.insert(DailyRollup).from_select(names, source)
    )
    written = result.rowcount
    if written is None or written < 0:  # some drivers do not count INSERT ... SELECT
        count = sa.select(sa.func.count()).select_from(DailyRollup)
        if since is not None:
            count = count.where(DailyRollup.day >= since)
        written = session.scalar(count) or 0
    log.info("rollups rebuilt from %s: %s removed, %s written", since or "the start",
             removed, written)
    return written

"""Recompute rollups from the raw transactions, in the database (GROUP BY), not in Python."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.cache.versions import bump_data_version
from market40.localtime import day_start_utc, local_day_sql, month_start_sql
from market40.models import DailyRollup, MarketDailyRollup, Transaction, VendorQrMonth
from market40.partitions import archived_ranges
from market40.rollups.deltas import COUNTERS, counter_names

log = logging.getLogger(__name__)


#: ``[first, after)`` ranges of local days whose payments are archived (detached months).
Ranges = Sequence[tuple[date, date]]


def outside(column: sa.ColumnElement, archived: Ranges) -> sa.ColumnElement[bool]:
    """``column`` (a local day, or a month's first day) lies in none of ``archived``."""
    return sa.and_(sa.true(), *(sa.or_(column < first, column >= after)
                                for first, after in archived))


def _raw_counters() -> list[sa.ColumnElement]:
    columns: list[sa.ColumnElement] = []
    for (method, kind), (count_name, value_name) in COUNTERS.items():
        match = sa.and_(Transaction.method == method, Transaction.kind == kind)
        columns.append(sa.func.sum(sa.case((match, 1), else_=0)).label(count_name))
        columns.append(
            sa.func.sum(sa.case((match, Transaction.amount), else_=0)).label(value_name)
        )
    return columns


def raw_rollups_query(dialect: str, since: date | None = None) -> sa.Select:
    """Rollup rows as computed from the raw transactions, ordered by (vendor, day)."""
    day = local_day_sql(Transaction.occurred_at, dialect).label("day")
    statement = sa.select(
        Transaction.vendor_id,
        day,
        sa.func.min(Transaction.market_id).label("market_id"),
        *_raw_counters(),
    ).group_by(Transaction.vendor_id, day)
    if since is not None:
        statement = statement.where(Transaction.occurred_at >= day_start_utc(since))
    return statement.order_by(Transaction.vendor_id, day)


def raw_market_rollups_query(dialect: str, since: date | None = None) -> sa.Select:
    """Market rollup rows as computed from the raw transactions, ordered by (market, day)."""
    day = local_day_sql(Transaction.occurred_at, dialect).label("day")
    statement = sa.select(Transaction.market_id, day, *_raw_counters()).group_by(
        Transaction.market_id, day)
    if since is not None:
        statement = statement.where(Transaction.occurred_at >= day_start_utc(since))
    return statement.order_by(Transaction.market_id, day)


def market_rollups_query(since: date | None = None, archived: Ranges = ()) -> sa.Select:
    """Market rollup rows as the sums of the vendor rollups, ordered by (market, day);
    none for the ``archived`` days."""
    statement = sa.select(
        DailyRollup.market_id,
        DailyRollup.day,
        *(sa.func.sum(getattr(DailyRollup, name)).label(name) for name in counter_names()),
    ).where(outside(DailyRollup.day, archived)).group_by(DailyRollup.market_id, DailyRollup.day)
    if since is not None:
        statement = statement.where(DailyRollup.day >= since)
    return statement.order_by(DailyRollup.market_id, DailyRollup.day)


def qr_months_query(dialect: str, since: date | None = None, archived: Ranges = ()) -> sa.Select:
    """QR-month rows from the vendor rollups (from the month of ``since``), ordered by
    (vendor, month); none for the ``archived`` months."""
    month = month_start_sql(DailyRollup.day, dialect).label("month")
    statement = sa.select(
        DailyRollup.vendor_id,
        month,
        sa.func.min(DailyRollup.market_id).label("market_id"),
        sa.func.min(DailyRollup.day).label("first_day"),
        sa.func.max(DailyRollup.day).label("last_day"),
    ).where(DailyRollup.qr_sales_count > 0, outside(DailyRollup.day, archived)).group_by(
        DailyRollup.vendor_id, month)
    if since is not None:
        statement = statement.where(DailyRollup.day >= since.replace(day=1))
    return statement.order_by(DailyRollup.vendor_id, month)


def raw_qr_months_query(dialect: str, since: date | None = None) -> sa.Select:
    """QR-month rows from the raw transactions, ordered by (vendor, month)."""
    day = local_day_sql(Transaction.occurred_at, dialect)
    month = month_start_sql(day, dialect).label("month")
    statement = sa.select(
        Transaction.vendor_id,
        month,
        sa.func.min(Transaction.market_id).label("market_id"),
        sa.func.min(day).label("first_day"),
        sa.func.max(day).label("last_day"),
    ).where(Transaction.method == "qr", Transaction.kind == "sale").group_by(
        Transaction.vendor_id, month)
    if since is not None:
        statement = statement.where(
            Transaction.occurred_at >= day_start_utc(since.replace(day=1)))
    return statement.order_by(Transaction.vendor_id, month)


def rebuild_rollups(session: Session, since: date | None = None) -> int:
    """Replace the rollups of ``since`` and later (all when None) with recomputed ones:
    the vendor rollups from the raw transactions, then the market rollups and the QR
    months (from the month of ``since``) from those.

    The rollups of archived months (their partitions detached, see ``market40.partitions``)
    are kept as they are: their payments are no longer there to recompute them from, and
    reports must keep their figures.

    Each level is one INSERT ... SELECT ... GROUP BY: the database does the work, so ten
    million rows never pass through Python. Returns the number of rollup rows written. The caller
    commits (delete and insert are one transaction: readers never see a gap).
    """
    dialect = session.get_bind().dialect.name
    archived = archived_ranges(session.connection())
    bump_data_version(session)  # any market's figures may change: every cached one goes
    removed, written = _replace(
        session, DailyRollup, DailyRollup.day, since, archived,
        ["vendor_id", "day", "market_id", *counter_names()], raw_rollups_query(dialect, since))
    if written is None or written < 0:  # some drivers do not count INSERT ... SELECT
        count = sa.select(sa.func.count()).select_from(DailyRollup).where(
            outside(DailyRollup.day, archived))
        if since is not None:
            count = count.where(DailyRollup.day >= since)
        written = session.scalar(count) or 0
    _replace(session, MarketDailyRollup, MarketDailyRollup.day, since, archived,
             ["market_id", "day", *counter_names()], market_rollups_query(since, archived))
    _replace(session, VendorQrMonth, VendorQrMonth.month, since and since.replace(day=1),
             archived, ["vendor_id", "month", "market_id", "first_day", "last_day"],
             qr_months_query(dialect, since, archived))
    log.info("rollups rebuilt from %s: %s removed, %s written; archived days kept: %s",
             since or "the start", removed, written, archived or "none")
    return written


def _replace(session: Session, model: type, first: sa.ColumnElement, since: date | None,
             archived: Ranges, names: list[str], source: sa.Select) -> tuple[int, int | None]:
    """Delete ``model``'s rows whose ``first`` column is ``since`` or later (all when None)
    and not ``archived``, and insert ``source``'s rows in their place. Returns the rows
    removed and written (None or -1: the driver did not count)."""
    delete = sa.delete(model).where(outside(first, archived))
    if since is not None:
        delete = delete.where(first >= since)
    removed = session.execute(delete).rowcount
    result = session.execute(sa.insert(model).from_select(names, source.order_by(None)))
    return removed, result.rowcount

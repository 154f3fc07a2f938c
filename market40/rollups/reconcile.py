"""Prove that the rollups equal the raw transactions, by streaming a merge of both."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import DailyRollup, MarketDailyRollup, VendorQrMonth
from market40.partitions import archived_ranges
from market40.rollups.deltas import counter_names
from market40.rollups.rebuild import (
    outside,
    raw_market_rollups_query,
    raw_qr_months_query,
    raw_rollups_query,
)

STREAM_ROWS = 10_000
COUNTER_NAMES = frozenset(counter_names())


@dataclass(frozen=True, slots=True)
class Difference:
    level: str  # "vendor", "market" or "qr-month" (a vendor's first/last QR day of a month)
    id: int
    day: date
    field: str
    rollup: int | date | None
    raw: int | date | None

    def __str__(self) -> str:
        # "-": no row on that side
        rollup, raw = (_text(value) for value in (self.rollup, self.raw))
        return f"{self.level} {self.id} {self.day.isoformat()} {self.field}: " \
               f"rollup {rollup}, raw {raw}"


def _text(value: int | date | None) -> str:
    if value is None:
        return "-"
    return value.isoformat() if isinstance(value, date) else str(value)


def _stream(connection: sa.Connection, statement: sa.Select) -> Iterator[tuple[Any, ...]]:
    # yield_per: a server-side cursor on PostgreSQL, a lazily stepped cursor on SQLite;
    # Core rows as plain tuples (the ORM's row handling would triple the time).
    for row in connection.execute(statement.execution_options(yield_per=STREAM_ROWS)):
        yield tuple(row)


def reconcile(session: Session, since: date | None = None) -> Iterator[Difference]:
    """Yield every difference between the rollups and the raw rows: the vendor rollups
    in (vendor, day) order, the market rollups in (market, day) order, then the QR
    months in (vendor, month) order.

    Each side is read sorted by its key, as tuples (id, day, values...), and merged, so
    memory stays flat for any number of rows. A missing rollup and a rollup of zeros are
    the same thing. The rollups of archived months (detached partitions) are not compared:
    their payments are no longer there.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    archived = archived_ranges(connection)
    vendor_names = ("market_id", *counter_names())
    vendors = sa.select(DailyRollup.vendor_id, DailyRollup.day,
                        *(getattr(DailyRollup, name) for name in vendor_names)).where(
        outside(DailyRollup.day, archived))
    markets = sa.select(MarketDailyRollup.market_id, MarketDailyRollup.day,
                        *(getattr(MarketDailyRollup, name) for name in counter_names())).where(
        outside(MarketDailyRollup.day, archived))
    if since is not None:
        vendors = vendors.where(DailyRollup.day >= since)
        markets = markets.where(MarketDailyRollup.day >= since)
    vendors = vendors.order_by(DailyRollup.vendor_id, DailyRollup.day)
    markets = markets.order_by(MarketDailyRollup.market_id, MarketDailyRollup.day)
    yield from _merge("vendor", vendor_names, _stream(connection, vendors),
                      _stream(connection, raw_rollups_query(dialect, since)))
    yield from _merge("market", counter_names(), _stream(connection, markets),
                      _stream(connection, raw_market_rollups_query(dialect, since)))
    month_names = ("market_id", "first_day", "last_day")
    months = sa.select(VendorQrMonth.vendor_id, VendorQrMonth.month,
                       *(getattr(VendorQrMonth, name) for name in month_names)).where(
        outside(VendorQrMonth.month, archived))
    if since is not None:
        months = months.where(VendorQrMonth.month >= since.replace(day=1))
    months = months.order_by(VendorQrMonth.vendor_id, VendorQrMonth.month)
    yield from _merge("qr-month", month_names, _stream(connection, months),
                      _stream(connection, raw_qr_months_query(dialect, since)))


def _merge(level: str, names: tuple[str, ...], stored: Iterator[tuple[Any, ...]],
           raw: Iterator[tuple[Any, ...]]) -> Iterator[Difference]:
    left, right = next(stored, None), next(raw, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left[:2] < right[:2]):
            yield from _compare(level, names, left, None)
            left = next(stored, None)
        elif left is None or right[:2] < left[:2]:
            yield from _compare(level, names, None, right)
            right = next(raw, None)
        else:
            if left[2:] != right[2:]:
                yield from _compare(level, names, left, right)
            left, right = next(stored, None), next(raw, None)


def _compare(level: str, names: tuple[str, ...], stored: tuple[Any, ...] | None,
             raw: tuple[Any, ...] | None) -> Iterator[Difference]:
    present = stored if stored is not None else raw
    assert present is not None
    key, day = present[0], present[1]
    counters = [value for name, value in zip(names, present[2:], strict=True)
                if name in COUNTER_NAMES]
    if counters and (stored is None or raw is None) and not any(counters):
        return  # an all-zero row on one side equals no row on the other
    for i, name in enumerate(names, start=2):
        a = None if stored is None else _value(name, stored[i])
        b = None if raw is None else _value(name, raw[i])
        if name == "market_id" and (a is None or b is None):
            continue
        if name in COUNTER_NAMES:
            if (a or 0) != (b or 0):
                yield Difference(level, key, day, name, a, b)
        elif a != b:
            yield Difference(level, key, day, name, a, b)


def _value(name: str, value: Any) -> int | date | None:
    if name in COUNTER_NAMES or name == "market_id":
        return int(value or 0)
    return value

"""Rollups, what reports read instead of raw transactions.

``daily_rollups``: per vendor, per local day (Asia/Ho_Chi_Minh), counts and sums by
method and kind. ``market_daily_rollups``: the same counters summed per market and
day. ``vendor_qr_months``: each vendor's first and last QR-sale day of each month. All
are written in the same database transaction as the transactions they count
(``market40.rollups.upsert_rollups``). A province report over a month reads
140 markets x 30 days = 4,200 market rows instead of ~360,000 vendor rows.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base

QR_SALE = sa.text("qr_sales_count > 0")


def vendor_in_market() -> sa.ForeignKeyConstraint:
    """(vendor_id, market_id) -> vendors (id, market_id): a rollup row's market is its
    vendor's (migration e9a4c7b2d5f1); one check per new row where there were two."""
    return sa.ForeignKeyConstraint(["vendor_id", "market_id"], ["vendors.id", "vendors.market_id"])


class RollupCounters:
    """The eight counters, by method (qr, cash) and kind (sale, fee)."""

    qr_sales_count: Mapped[int] = mapped_column(default=0)
    qr_sales_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cash_sales_count: Mapped[int] = mapped_column(default=0)
    cash_sales_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    qr_fees_count: Mapped[int] = mapped_column(default=0)
    qr_fees_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cash_fees_count: Mapped[int] = mapped_column(default=0)
    cash_fees_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class DailyRollup(RollupCounters, Base):
    __tablename__ = "daily_rollups"

    __table_args__ = (
        # "Did this vendor sell by QR between two days?" (the active-vendor count) is one
        # index probe per vendor, without reading the rollup rows themselves.
        sa.Index("ix_daily_rollups_qr_sellers", "vendor_id", "day",
                 sqlite_where=QR_SALE, postgresql_where=QR_SALE),
        # How many vendors sold by QR on each day of a range (day-by-day series).
        sa.Index("ix_daily_rollups_qr_days", "day", "market_id",
                 sqlite_where=QR_SALE, postgresql_where=QR_SALE),
        vendor_in_market(),
    )

    vendor_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    market_id: Mapped[int]  # the vendor's


class MarketDailyRollup(RollupCounters, Base):
    __tablename__ = "market_daily_rollups"

    market_id: Mapped[int] = mapped_column(sa.ForeignKey("markets.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


class VendorQrMonth(Base):
    """Per vendor and calendar month (local days): the first and the last day with a QR
    sale. Whether a vendor sold by QR in a window that touches a month boundary (every
    window of a whole month or longer) is then exact: "the last QR day of November is on
    or after the 16th", "the first of December is on or before the 15th"."""

    __tablename__ = "vendor_qr_months"
    # Clustered by (month, vendor): a month's rows are read in one range, without lookups.
    __table_args__ = (vendor_in_market(), {"sqlite_with_rowid": False})

    month: Mapped[date] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(primary_key=True)
    market_id: Mapped[int]  # the vendor's
    first_day: Mapped[date]
    last_day: Mapped[date]

"""Per vendor, per local day (Asia/Ho_Chi_Minh) counts and sums: what reports read."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base


class DailyRollup(Base):
    __tablename__ = "daily_rollups"
    __table_args__ = (sa.Index("ix_daily_rollups_market_day", "market_id", "day"),)

    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    market_id: Mapped[int] = mapped_column(sa.ForeignKey("markets.id"))
    qr_sales_count: Mapped[int] = mapped_column(default=0)
    qr_sales_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cash_sales_count: Mapped[int] = mapped_column(default=0)
    cash_sales_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    qr_fees_count: Mapped[int] = mapped_column(default=0)
    qr_fees_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    cash_fees_count: Mapped[int] = mapped_column(default=0)
    cash_fees_value: Mapped[int] = mapped_column(sa.BigInteger, default=0)

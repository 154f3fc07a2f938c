"""Payments received by vendors (sales) or by the market board (fees)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base, utcnow

METHODS = ("qr", "cash")
KINDS = ("sale", "fee")
SOURCES = ("api", "bank", "simulator", "declared")

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for millions of rows.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("method IN ('qr', 'cash')", name="method"),
        sa.CheckConstraint("kind IN ('sale', 'fee')", name="kind"),
        sa.Index("ix_transactions_market_occurred", "market_id", "occurred_at"),
        sa.Index("ix_transactions_vendor_occurred", "vendor_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"))
    market_id: Mapped[int] = mapped_column(sa.ForeignKey("markets.id"))  # denormalised
    occurred_at: Mapped[datetime]
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # đồng; VND has no minor unit
    method: Mapped[str] = mapped_column(sa.String(4))
    kind: Mapped[str] = mapped_column(sa.String(4))
    source: Mapped[str] = mapped_column(sa.String(10))
    # Bank reference or idempotency key: the same payment can never be stored twice.
    reference: Mapped[str] = mapped_column(sa.String(80), unique=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnmatchedNotification(Base):
    """A bank notification whose account matched no approved vendor, kept for an admin."""

    __tablename__ = "unmatched_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reference: Mapped[str | None] = mapped_column(sa.String(80))
    reason: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

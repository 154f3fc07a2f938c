"""Payments received by vendors (sales) or by the market board (fees)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, utcnow
from market40.models.market import Market
from market40.models.vendor import Vendor

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
        sa.CheckConstraint(
            "source IN ('api', 'bank', 'simulator', 'declared')", name="source"
        ),
        # The row's market is its vendor's: one composite key instead of one key to
        # vendors and one to markets (the vendor's own key to markets covers the market);
        # half the per-row checks on the bulk paths (migration e9a4c7b2d5f1).
        sa.ForeignKeyConstraint(["vendor_id", "market_id"], ["vendors.id", "vendors.market_id"]),
        sa.Index("ix_transactions_market_occurred", "market_id", "occurred_at"),
        sa.Index("ix_transactions_vendor_occurred", "vendor_id", "occurred_at"),
        # The province-wide listing and CSV export run in time order without a market filter.
        sa.Index("ix_transactions_occurred", "occurred_at"),
        # Board-declared QR payments only (few): rulesets that do not count them.
        sa.Index("ix_transactions_declared_qr", "market_id", "occurred_at",
                 sqlite_where=sa.text("source = 'declared' AND method = 'qr'"),
                 postgresql_where=sa.text("source = 'declared' AND method = 'qr'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    vendor_id: Mapped[int]  # with market_id: the vendor's key (see __table_args__)
    market_id: Mapped[int]  # denormalised: always the vendor's market
    occurred_at: Mapped[datetime]
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # đồng; VND has no minor unit
    method: Mapped[str] = mapped_column(sa.String(4))
    kind: Mapped[str] = mapped_column(sa.String(4))
    source: Mapped[str] = mapped_column(sa.String(10))
    # Bank reference or idempotency key: the same payment can never be stored twice.
    # Namespaced by source: "bank:<bank reference>", "sim-<yyyymmdd>-<vendor>-<n>", else the
    # client's key (which may not start with a reserved prefix).
    reference: Mapped[str] = mapped_column(sa.String(80), unique=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Many-to-one only: a vendor's or a market's transactions are read with queries, never
    # through a collection (there are millions).
    vendor: Mapped[Vendor] = relationship(primaryjoin="Transaction.vendor_id == Vendor.id",
                                          foreign_keys="Transaction.vendor_id")
    market: Mapped[Market] = relationship(primaryjoin="Transaction.market_id == Market.id",
                                          foreign_keys="Transaction.market_id")

    @property
    def market_code(self) -> str:
        return self.market.code


class UnmatchedNotification(Base):
    """A signed bank notification that could not be recorded, kept for an admin.

    Banks retry a notification until they get a 2xx answer: a retry of the same bank
    reference bumps ``attempts`` instead of adding a row, and once a retry is recorded
    (say the vendor was approved meanwhile) ``resolved_at``/``transaction_id`` say so.
    """

    __tablename__ = "unmatched_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_received_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=1)
    reference: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    resolved_at: Mapped[datetime | None]
    transaction_id: Mapped[int | None] = mapped_column(
        BigId, sa.ForeignKey("transactions.id")
    )


@sa.event.listens_for(Transaction, "before_insert")
def _month_exists(_mapper: Any, connection: sa.Connection, target: Transaction) -> None:
    """A row added through the ORM finds its month's partition on a partitioned
    PostgreSQL (``market40.partitions``; a per-connection cache makes it a set lookup):
    no ORM write path can forget to make a late or back-dated month."""
    from market40.partitions import ensure_for

    if target.occurred_at is not None:
        ensure_for(connection, [target.occurred_at])

"""The payment-event outbox and the devices (soundboxes, old phones) paired with a stall."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market40.models.base import Base, utcnow
from market40.models.transaction import BigId
from market40.models.vendor import Vendor


class PaymentEvent(Base):
    """A QR credit to announce, written in the transaction that stored it (outbox).

    Ids increase in commit order: writers take one lock before inserting (see
    ``market40.live.outbox``), so a reader that has seen id N never sees a smaller
    one appear later, and ``id > Last-Event-ID`` resumes exactly.
    """

    __tablename__ = "payment_events"
    __table_args__ = (sa.Index("ix_payment_events_vendor_id_id", "vendor_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"))
    transaction_id: Mapped[int] = mapped_column(
        BigId, sa.ForeignKey("transactions.id"), unique=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    occurred_at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(sa.String(80))
    content: Mapped[str | None] = mapped_column(sa.String(300))
    announcement: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Device(Base):
    """A soundbox or phone paired with one stall; its token (stored hashed) reads only
    that stall's events and live page."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    vendor: Mapped[Vendor] = relationship()

"""A vendor's status history: one row per workflow event, never updated or deleted.

The vendor row keeps its current status only (``revert`` clears ``approved_at`` and
``qr_issued_at``); this table keeps every submit, approval, rejection, revert, QR issue
and withdrawal with its time and actor, so a figure for a past day is computed from what
was in force on that day and stays the same after later moves (``reports.lifecycle``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from market40.models.base import Base

# Workflow events; "qr_issued"/"qr_withdrawn" open and close the QR's time in force.
HISTORY_EVENTS = ("submit", "approve", "reject", "revert", "qr_issued", "qr_withdrawn")
QR_EVENTS = ("qr_issued", "qr_withdrawn")


class VendorStatusEvent(Base):
    __tablename__ = "vendor_status_history"
    __table_args__ = (
        # "The last QR event of vendor V before instant T": one index range per vendor,
        # answered from the index alone (it holds the event too).
        sa.Index("ix_vendor_status_history_vendor", "vendor_id", "at", "id", "event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(sa.ForeignKey("vendors.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(10))  # the vendor's status after the event
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(sa.String(80))  # user name, or "system"/"seed"/"backfill"
    # Set on a row written by a deliberate correction of the past (``vendors correct-history``).
    correction: Mapped[str | None] = mapped_column(sa.String(500))

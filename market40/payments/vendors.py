"""Which vendors may receive a payment, and the user's right to record one for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from market40.db import lookup_chunks
from market40.errors import Conflict
from market40.models import Market, User, Vendor

# What payment_problem reads: a batch loads these columns, not whole Vendor objects.
PAYMENT_COLUMNS = (Vendor.id, Vendor.market_id, Vendor.status, Vendor.approved_at,
                   Vendor.closed_at, Vendor.bank_bin, Vendor.account_number)


def source_for(user: User) -> str:
    """A board records what it was told (``declared``); admins and systems post ``api``."""
    return "declared" if user.role == "board" else "api"


def payment_columns() -> sa.Select:
    return sa.select(*PAYMENT_COLUMNS)


def payment_problem(vendor: Vendor | Any, method: str, occurred_at: datetime) -> str | None:
    """Why ``vendor`` (a Vendor or a row of :data:`PAYMENT_COLUMNS`) cannot receive this
    payment, or None.

    Approved vendors receive payments; a closed vendor only those made before it closed
    (late bookkeeping). A QR payment needs a bank account to land in.
    """
    closed_before = (
        vendor.status == "closed"
        and vendor.approved_at is not None
        and vendor.closed_at is not None
        and occurred_at < vendor.closed_at
    )
    if vendor.status != "approved" and not closed_before:
        return (f"vendor {vendor.id} is {vendor.status}: only approved vendors can receive "
                "payments")
    if method == "qr" and not (vendor.bank_bin and vendor.account_number):
        return f"vendor {vendor.id} has no bank account, so it cannot receive a qr payment"
    return None


def foreign_key_violation(error: IntegrityError) -> bool:
    """Whether ``error`` is a foreign key's refusal (not a duplicate reference): a row's
    vendor with its market is not in ``vendors`` (the composite key of migration
    e9a4c7b2d5f1). PostgreSQL says SQLSTATE 23503, SQLite "FOREIGN KEY constraint failed"."""
    original = error.orig
    return (getattr(original, "sqlstate", None) == "23503"
            or "FOREIGN KEY constraint failed" in str(original))


def vendors_moved(session: Session, markets: dict[int, int]) -> Conflict:
    """The answer when rows were refused because a vendor is no longer in the market it
    was read with (``markets``: vendor id -> market id as read), naming which vendors
    moved. The registry never moves a vendor, so only a change made outside the app (or
    a vendor removed meanwhile) gets here; the client may send the same request again."""
    ids = sorted(markets)
    codes = dict(session.execute(sa.select(Market.id, Market.code)).all())
    moved: list[str] = []
    for chunk in lookup_chunks(ids):
        for vendor_id, market_id in session.execute(
                sa.select(Vendor.id, Vendor.market_id).where(
                    Vendor.id.in_(chunk)).order_by(Vendor.id)):
            if market_id != markets[vendor_id]:
                moved.append(f"vendor {vendor_id} is in {codes[market_id]} now, not in "
                             f"{codes.get(markets[vendor_id], markets[vendor_id])}")
    detail = "; ".join(moved[:10]) if moved else "a vendor was changed or removed"
    return Conflict(f"The registry changed while the payments were stored ({detail}); "
                    "nothing was stored. Send the same request again.")

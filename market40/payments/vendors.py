"""Which vendors may receive a payment, and the user's right to record one for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from market40.models import User, Vendor

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

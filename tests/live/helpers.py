"""Helpers of the live-payment tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from market40.models import PaymentEvent


def events(db: Any, vendor_id: int | None = None) -> list[PaymentEvent]:
    db.session.expire_all()
    statement = sa.select(PaymentEvent).order_by(PaymentEvent.id)
    if vendor_id is not None:
        statement = statement.where(PaymentEvent.vendor_id == vendor_id)
    return list(db.session.scalars(statement))

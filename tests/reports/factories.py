"""Test data for reports: transactions with the rollups derived from them, and listings.

Reports read ``daily_rollups`` only; the rollup package is another team's, so the
tests keep the rollups themselves: every transaction inserted here also adds to
its vendor's rollup of the local (Asia/Ho_Chi_Minh) day it happened.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from market40.models import DailyRollup, Listing, Market, Transaction, Vendor

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware local time on ``day`` (stored as UTC by the models)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL)


def record(
    session,
    vendor: Vendor,
    when: datetime,
    amount: int,
    method: str = "qr",
    kind: str = "sale",
    rollup: bool = True,
) -> Transaction:
    """Insert one transaction and (unless ``rollup=False``) add it to its daily rollup."""
    transaction = Transaction(
        vendor_id=vendor.id,
        market_id=vendor.market_id,
        occurred_at=when,
        amount=amount,
        method=method,
        kind=kind,
        source="api",
        reference=f"test-{uuid.uuid4().hex}",
    )
    session.add(transaction)
    if rollup:
        day = when.astimezone(LOCAL).date()
        row = session.get(DailyRollup, (vendor.id, day))
        if row is None:
            row = DailyRollup(vendor_id=vendor.id, day=day, market_id=vendor.market_id,
                              **{f"{m}_{k}_{x}": 0 for m in ("qr", "cash")
                                 for k in ("sales", "fees") for x in ("count", "value")})
            session.add(row)
        prefix = f"{method}_{'sales' if kind == 'sale' else 'fees'}"
        setattr(row, f"{prefix}_count", getattr(row, f"{prefix}_count") + 1)
        setattr(row, f"{prefix}_value", getattr(row, f"{prefix}_value") + amount)
    session.flush()
    return transaction


def listing(session, market_code: str, started_on: date, ended_on: date | None = None,
            product: str = "Chè Tân Cương") -> Listing:
    market = session.scalar(sa.select(Market).where(Market.code == market_code))
    row = Listing(market_id=market.id, product=product, platform="Shopee",
                  url="https://shopee.vn/che-tan-cuong", started_on=started_on,
                  ended_on=ended_on)
    session.add(row)
    session.flush()
    return row

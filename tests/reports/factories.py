"""Test data for reports: transactions with the rollups derived from them, and listings.

Reports read rollups only; the tests keep the rollups themselves, independently of
``market40.rollups``: every transaction inserted here also adds to its vendor's
and its market's rollup of the local (Asia/Ho_Chi_Minh) day it happened, and a QR sale
its vendor's first/last QR day of the month.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from market40.models import (
    DailyRollup,
    Listing,
    Market,
    MarketDailyRollup,
    Transaction,
    Vendor,
    VendorQrMonth,
)

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware local time on ``day`` (stored as UTC by the models)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL)


ZEROS = {f"{m}_{k}_{x}": 0 for m in ("qr", "cash") for k in ("sales", "fees")
         for x in ("count", "value")}


def add_to_rollup(session, model, key: tuple, counter: str, amount: int, **columns) -> None:
    """Add one transaction to the ``model`` rollup row of primary key ``key``."""
    row = session.get(model, key)
    if row is None:
        names = [column.name for column in model.__table__.primary_key]
        row = model(**dict(zip(names, key, strict=True)), **columns, **ZEROS)
        session.add(row)
    setattr(row, f"{counter}_count", getattr(row, f"{counter}_count") + 1)
    setattr(row, f"{counter}_value", getattr(row, f"{counter}_value") + amount)


def add_qr_day(session, vendor: Vendor, day: date) -> None:
    """Widen the vendor's first/last QR-sale day of that month to include ``day``."""
    month = day.replace(day=1)
    row = session.get(VendorQrMonth, (month, vendor.id))
    if row is None:
        session.add(VendorQrMonth(month=month, vendor_id=vendor.id, market_id=vendor.market_id,
                                  first_day=day, last_day=day))
    else:
        row.first_day, row.last_day = min(row.first_day, day), max(row.last_day, day)


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
        counter = f"{method}_{'sales' if kind == 'sale' else 'fees'}"
        add_to_rollup(session, DailyRollup, (vendor.id, day), counter, amount,
                      market_id=vendor.market_id)
        add_to_rollup(session, MarketDailyRollup, (vendor.market_id, day), counter, amount)
        if counter == "qr_sales":
            add_qr_day(session, vendor, day)
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

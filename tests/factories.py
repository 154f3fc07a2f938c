"""The one place that makes test rows: users with tokens, vendors, transactions, listings.

Plain functions taking a session, so fixtures (``make_user``, ``make_vendor`` and the role
fixtures in ``tests/conftest.py``), scenario builders and live-server tests share them.
Rows are written directly (no workflow, no audit) for tests of what comes after the
registry; tests of the registry itself go through the API or the domain functions.

Transactions made by :func:`record` also add to their rollups, independently of
``market40.rollups``: reports read rollups only, and the tests keep them by hand so a
bug in the rollup code cannot hide itself.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from faker import Faker

from market40.models import (
    DailyRollup,
    Listing,
    Market,
    MarketDailyRollup,
    Transaction,
    Vendor,
    VendorQrMonth,
    utcnow,
)

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MARKET = "DAI-TU"  # the market most tests use (Thái Nguyên city)


def auth(token: str) -> dict[str, str]:
    """The request headers of a bearer ``token``."""
    return {"Authorization": f"Bearer {token}"}


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware local time on ``day`` (stored as UTC by the models)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL)


def earlier_today() -> datetime:
    """A local time of today that has passed: a minute ago, or midnight if that was
    yesterday. (A fixed hour such as 7:00 is in the future for the first hours of a local
    day: the API refuses it, 17:00-24:00 UTC.)"""
    now = datetime.now(LOCAL)
    return max(at(now.date(), 0), now - timedelta(minutes=1))


def market(session, code: str) -> Market:
    found = session.scalar(sa.select(Market).where(Market.code == code))
    assert found is not None, f"no market {code!r}: does the test use the reference fixture?"
    return found


# --- users -------------------------------------------------------------------------------

_user_serial = count(1)


def user(session, role: str, markets: tuple[str, ...] = (), name: str | None = None,
         vendor_id: int | None = None) -> tuple[Any, str]:
    """A committed user with a fresh bearer token: ``(user, token)``."""
    from market40.auth import create_user, issue_token

    made = create_user(session, name or f"{role}-{next(_user_serial)}", role, markets,
                       vendor_id)
    token = issue_token(session, made)
    session.commit()
    return made, token


# --- vendors -----------------------------------------------------------------------------

def vendor(session, fake: Faker, serial: int, market_code: str = MARKET,
           status: str = "approved", **fields: Any) -> Vendor:
    """A committed vendor row with realistic Vietnamese data; ``fields`` override any column.

    Approved vendors with an account get ``approved_at``/``qr_issued_at`` = ``created_at``
    unless given.
    """
    now = fields.pop("created_at", None) or utcnow()
    values: dict[str, Any] = {
        "market": market(session, market_code),
        "stall_code": f"T{serial:04d}",
        "display_name": f"{fake.last_name()} {fake.first_name()}",
        "owner_name": fake.name(),
        "phone": "09" + f"{fake.random_number(digits=8, fix_len=True)}",
        "national_id": f"{fake.random_number(digits=12, fix_len=True)}",
        "goods_category": "rau củ quả",
        "bank_bin": "970436",
        "account_number": f"{1_000_000_000 + serial}",
        "account_holder": "NGUYEN VAN A",
        "status": status,
        "created_at": now,
    }
    values.update(fields)
    if status == "approved" and values.get("account_number"):
        values.setdefault("approved_at", now)
        values.setdefault("qr_issued_at", now)
    row = Vendor(**values)
    session.add(row)
    session.commit()
    return row


# --- transactions and their rollups ------------------------------------------------------

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


# --- listings ----------------------------------------------------------------------------

def listing(session, market_code: str, started_on: date, ended_on: date | None = None,
            product: str = "Chè Tân Cương") -> Listing:
    row = Listing(market_id=market(session, market_code).id, product=product,
                  platform="Shopee", url="https://shopee.vn/che-tan-cuong",
                  started_on=started_on, ended_on=ended_on)
    session.add(row)
    session.flush()
    return row

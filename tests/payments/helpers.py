"""Helpers shared by the transaction, notification, rollup and simulator tests."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from market40.models import DailyRollup, Transaction
from market40.payments.signature import sign

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "test-webhook-secret"  # TestConfig.WEBHOOK_SECRET


def local(*args: int) -> datetime:
    """An aware Asia/Ho_Chi_Minh datetime: local(2025, 3, 1, 8, 30)."""
    return datetime(*args, tzinfo=LOCAL)


def tx(vendor_id: int, reference: str, amount: int = 25_000, method: str = "cash",
       kind: str = "sale", occurred_at: datetime | str | None = None) -> dict[str, Any]:
    """A transaction as a client posts it."""
    when = occurred_at or local(2025, 3, 1, 8, 30)
    return {
        "vendor_id": vendor_id, "amount": amount, "method": method, "kind": kind,
        "occurred_at": when if isinstance(when, str) else when.isoformat(),
        "reference": reference,
    }


def count_transactions(db: Any, **where: Any) -> int:
    statement = sa.select(sa.func.count()).select_from(Transaction)
    for name, value in where.items():
        statement = statement.where(getattr(Transaction, name) == value)
    return db.session.scalar(statement) or 0


def rollup(db: Any, vendor_id: int, day: Any) -> DailyRollup | None:
    db.session.expire_all()
    return db.session.get(DailyRollup, (vendor_id, day))


def post_notification(client: Any, body: dict[str, Any] | bytes, *, secret: str | None = SECRET,
                      signature: str | None = None, headers: dict[str, str] | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if signature is not None:
        all_headers["X-Signature"] = signature
    elif secret is not None:
        all_headers["X-Signature"] = sign(raw, secret)
    return client.post("/api/v1/notifications/bank", data=raw, headers=all_headers)

"""``simulate-live``: realistic credits in real time, through the real recording path.

Each credit is a signed bank notification (``POST /api/v1/notifications/bank``, HMAC
with ``MARKET40_WEBHOOK_SECRET``) to a running server, for an approved vendor with an
account, with amounts people pay at a market (rounded to 1,000 đ, mostly under
200,000 đ). Open a vendor's ``/vendors/ID/live`` page and hear them arrive.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.localtime import LOCAL_TZ
from market40.models import Market, Vendor, utcnow
from market40.payments.signature import sign

MEMOS = ("chuyen tien", "mua rau", "tien thit", "mua ca", "CK mua hang", "thanh toan",
         "gui tien hang", "")


@dataclass(frozen=True)
class Payee:
    vendor_id: int
    bank_bin: str
    account: str


def payees(session: Session, market: str | None = None) -> list[Payee]:
    statement = (sa.select(Vendor.id, Vendor.bank_bin, Vendor.account_number)
                 .where(Vendor.status == "approved", Vendor.account_number.is_not(None),
                        Vendor.bank_bin.is_not(None)).order_by(Vendor.id))
    if market:
        statement = statement.join(Market).where(sa.func.upper(Market.code) == market.upper())
    return [Payee(*row) for row in session.execute(statement)]


def amount(rng: random.Random) -> int:
    """A market purchase: 5,000 to ~500,000 đ, most around 20,000-60,000, in thousands."""
    return max(5, min(500, int(rng.lognormvariate(3.5, 0.7)))) * 1000


def notification(payee: Payee, rng: random.Random) -> dict[str, object]:
    return {"reference": f"LIVE{uuid.uuid4().hex[:16].upper()}",
            "occurred_at": utcnow().astimezone(LOCAL_TZ).isoformat(),
            "amount": amount(rng), "account_number": payee.account,
            "bank_bin": payee.bank_bin, "content": rng.choice(MEMOS) or None}


def send(url: str, secret: str, body: dict[str, object], timeout: float = 10) -> int:
    raw = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/notifications/bank", data=raw, method="POST",
        headers={"Content-Type": "application/json", "X-Signature": sign(raw, secret)})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def run(url: str, secret: str, targets: list[Payee], rate: float, *, count: int | None = None,
        seed: int | None = None, stop: threading.Event | None = None,
        report: Callable[[dict[str, object], int, float], None] | None = None) -> int:
    """Send credits at ``rate`` per second (Poisson arrivals) until ``count`` or ``stop``."""
    rng = random.Random(seed)
    stop = stop or threading.Event()
    sent = 0
    while not stop.is_set() and (count is None or sent < count):
        body = notification(rng.choice(targets), rng)
        started = time.time()
        status = send(url, secret, body)
        sent += 1
        if report is not None:
            report(body, status, started)
        stop.wait(rng.expovariate(rate))
    return sent

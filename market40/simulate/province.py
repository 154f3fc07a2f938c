"""A province-sized vendor set (~12,000 stalls over the 140 markets), written with Core.

For load tests and benchmarks, not for the demo (``simulate.vendors`` registers the
demo vendors through the registry's workflow). Rows are inserted directly: approved,
80% with a bank account, QR issued over the two months after their market's launch.
Stall counts follow the market's hạng (1: >400, 2: 200-400, 3: <200 business points).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from market40.localtime import LOCAL_TZ
from market40.models import Market, Vendor
from market40.registry.history import backfill_from_columns
from market40.simulate.vendor_data import BANKS, CATEGORIES

GRADE_WEIGHT = {1: 450, 2: 250, 3: 61}
REGISTERED_FROM = date(2021, 6, 1)  # before the first launch: everyone trades in cash


def _moment(rng: random.Random, day: date) -> datetime:
    local = datetime.combine(day, time(rng.randint(7, 16), rng.randrange(60)), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC)


def create_province_vendors(connection: sa.Connection, total: int = 12_000,
                            seed: int = 12) -> int:
    """Insert ``total`` approved vendors spread over the markets by hạng; returns how many."""
    rng = random.Random(seed)
    markets = connection.execute(
        sa.select(Market.id, Market.grade, Market.launched_on).order_by(Market.id)).all()
    weights = [GRADE_WEIGHT[m.grade] for m in markets]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    categories = [c[0][0] for c in CATEGORIES]
    category_weights = [c[1] for c in CATEGORIES]
    banks = [b[0] for b in BANKS]
    bank_weights = [b[1] for b in BANKS]
    now = datetime.now(UTC)
    rows = []
    for market, count in zip(markets, counts, strict=True):
        for n in range(1, count + 1):
            approved = _moment(rng, REGISTERED_FROM + timedelta(days=rng.randrange(120)))
            has_bank = rng.random() < 0.8
            qr_issued = None
            if has_bank:
                start = market.launched_on or date(2024, 1, 1)
                qr_issued = max(approved, _moment(rng, start + timedelta(
                    days=int(rng.triangular(0, 60, 5)))))
            rows.append({
                "market_id": market.id, "stall_code": f"P{n:04d}",
                "display_name": f"Quầy {n}", "owner_name": f"Tiểu thương {market.id}-{n}",
                "goods_category": rng.choices(categories, category_weights)[0],
                "bank_bin": rng.choices(banks, bank_weights)[0] if has_bank else None,
                "account_number": f"{market.id:03d}{n:07d}" if has_bank else None,
                "account_holder": "TIEU THUONG" if has_bank else None,
                "status": "approved", "approved_at": approved, "qr_issued_at": qr_issued,
                "created_at": approved, "updated_at": now, "version": 1,
            })
    connection.execute(sa.insert(Vendor.__table__), rows)
    backfill_from_columns(connection, actor="simulate")  # their status history
    return len(rows)

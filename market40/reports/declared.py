"""QR payments a board declared by hand, for rulesets that do not count them.

A board records what a vendor tells it (``source = "declared"``); no bank or API saw
those payments. A ruleset with ``declared_qr_counts = false`` (``tn-2022``) keeps them
in the totals but takes them out of the QR counts, so declaring cannot certify a market.
Declared payments are few, and the partial index ``ix_transactions_declared_qr`` holds
only them, so this reads a handful of rows, not the transaction table.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.localtime import day_end_utc, day_start_utc, window_days
from market40.models import Transaction
from market40.reports.metrics import Figures


def declared_qr_sums(session: Session, as_of: date,
                     window: int) -> dict[int, dict[str, tuple[int, int]]]:
    """market id -> kind ("sale" | "fee") -> (count, value) of declared QR payments."""
    first, last = window_days(as_of, window)
    rows = session.execute(
        sa.select(Transaction.market_id, Transaction.kind, sa.func.count(),
                  sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
        .where(Transaction.source == "declared", Transaction.method == "qr",
               Transaction.occurred_at >= day_start_utc(first),
               Transaction.occurred_at < day_end_utc(last))
        .group_by(Transaction.market_id, Transaction.kind)
    )
    sums: dict[int, dict[str, tuple[int, int]]] = {}
    for market_id, kind, count, value in rows:
        sums.setdefault(market_id, {})[kind] = (int(count), int(value))
    return sums


def without_declared_qr(figures: Figures, sums: dict[str, tuple[int, int]]) -> Figures:
    """``figures`` with the declared QR payments counted as non-QR (totals unchanged)."""
    sales_count, sales_value = sums.get("sale", (0, 0))
    fees_count, fees_value = sums.get("fee", (0, 0))
    return dataclasses.replace(
        figures,
        qr_sales_count=figures.qr_sales_count - sales_count,
        qr_sales_value=figures.qr_sales_value - sales_value,
        qr_fees_count=figures.qr_fees_count - fees_count,
        qr_fees_value=figures.qr_fees_value - fees_value,
    )

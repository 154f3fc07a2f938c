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
from market40.models import DailyRollup, Transaction, Vendor
from market40.reports.lifecycle import with_qr_sql
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


def active_only_by_declaring(session: Session, as_of: date, window: int) -> dict[int, int]:
    """market id -> vendors with a QR whose every QR sale in the window was declared
    (they count as active from the rollups, and must not where declarations do not)."""
    first, last = window_days(as_of, window)
    declared = (
        sa.select(Transaction.vendor_id.label("vendor_id"), sa.func.count().label("n"))
        .where(Transaction.source == "declared", Transaction.method == "qr",
               Transaction.kind == "sale",
               Transaction.occurred_at >= day_start_utc(first),
               Transaction.occurred_at < day_end_utc(last))
        .group_by(Transaction.vendor_id)
        .subquery("declared")
    )
    sold = (
        sa.select(DailyRollup.vendor_id.label("vendor_id"),
                  sa.func.sum(DailyRollup.qr_sales_count).label("qr"))
        .where(DailyRollup.day >= first, DailyRollup.day <= last,
               DailyRollup.vendor_id.in_(sa.select(declared.c.vendor_id)))
        .group_by(DailyRollup.vendor_id)
        .subquery("sold")
    )
    rows = session.execute(
        sa.select(Vendor.market_id, sa.func.count())
        .join(declared, declared.c.vendor_id == Vendor.id)
        .join(sold, sold.c.vendor_id == Vendor.id)
        .where(with_qr_sql(day_end_utc(as_of)), sold.c.qr <= declared.c.n)
        .group_by(Vendor.market_id)
    )
    return {market_id: int(count) for market_id, count in rows}


def without_declared_qr(figures: Figures, sums: dict[str, tuple[int, int]],
                        active_by_declaring: int = 0) -> Figures:
    """``figures`` with the declared QR payments counted as non-QR (totals unchanged), and
    the vendors active only by declaration no longer active."""
    sales_count, sales_value = sums.get("sale", (0, 0))
    fees_count, fees_value = sums.get("fee", (0, 0))
    return dataclasses.replace(
        figures,
        active=figures.active - active_by_declaring,
        qr_sales_count=figures.qr_sales_count - sales_count,
        qr_sales_value=figures.qr_sales_value - sales_value,
        qr_fees_count=figures.qr_fees_count - fees_count,
        qr_fees_value=figures.qr_fees_value - fees_value,
    )

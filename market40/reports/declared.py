"""QR payments a board declared by hand, for rulesets that do not count them.

A board records what a vendor tells it (``source = "declared"``); no bank or API saw
those payments. A ruleset with ``declared_qr_counts = false`` (``tn-2022``) keeps them
in the totals but takes them out of the QR counts, so declaring cannot certify a market.
Declared payments are few, and the partial index ``ix_transactions_declared_qr`` holds
only them, so this reads a handful of rows, not the transaction table. SQLite's planner
does not know how small that index is (an empty index has no ``ANALYZE`` statistics) and
prefers a range scan of ``ix_transactions_occurred``, a month of every payment (0.35 s
at the demo's 430k rows instead of under 1 ms): ``_not_indexed`` keeps the time bounds
off the other indexes there, SQLite's documented unary ``+``; PostgreSQL's planner needs
no help.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from market40.localtime import day_end_utc, day_start_utc, window_days
from market40.models import DailyRollup, Transaction, Vendor
from market40.reports.lifecycle import with_qr_sql
from market40.reports.metrics import Figures


class _not_indexed(ColumnElement[Any]):
    """A column that SQLite must not use an index for (``+column``); itself elsewhere."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_not_indexed)
def _plain(element: _not_indexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(_not_indexed, "sqlite")
def _unary_plus(element: _not_indexed, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def _declared_qr_in(first: date, last: date) -> tuple[ColumnElement[bool], ...]:
    """Declared QR payments between two local days (inclusive), by the partial index."""
    occurred = _not_indexed(Transaction.occurred_at)
    return (Transaction.source == "declared", Transaction.method == "qr",
            occurred >= day_start_utc(first), occurred < day_end_utc(last))


def declared_qr_sums(session: Session, as_of: date,
                     window: int) -> dict[int, dict[str, tuple[int, int]]]:
    """market id -> kind ("sale" | "fee") -> (count, value) of declared QR payments."""
    first, last = window_days(as_of, window)
    rows = session.execute(
        sa.select(Transaction.market_id, Transaction.kind, sa.func.count(),
                  sa.func.coalesce(sa.func.sum(Transaction.amount), 0))
        .where(*_declared_qr_in(first, last))
        .group_by(Transaction.market_id, Transaction.kind)
    )
    sums: dict[int, dict[str, tuple[int, int]]] = {}
    for market_id, kind, count, value in rows:
        sums.setdefault(market_id, {})[kind] = (int(count), int(value))
    return sums


def active_only_by_declaring(session: Session, as_of: date, window: int) -> dict[int, int]:
    """market id -> vendors with a QR whose every QR sale in the window was declared
    (they count as active from the rollups, and must not where declarations do not).

    In three small steps rather than one statement: the declared sales (by the partial
    index; usually none, and then nothing else is read), those vendors' QR sales from
    the rollups, then the ones with a QR on ``as_of`` per market."""
    first, last = window_days(as_of, window)
    declared = Counter(session.scalars(
        sa.select(Transaction.vendor_id).where(*_declared_qr_in(first, last),
                                               Transaction.kind == "sale")))
    if not declared:
        return {}
    sold = session.execute(
        sa.select(DailyRollup.vendor_id, sa.func.sum(DailyRollup.qr_sales_count))
        .where(DailyRollup.day >= first, DailyRollup.day <= last,
               DailyRollup.vendor_id.in_(sorted(declared)))
        .group_by(DailyRollup.vendor_id)
    )
    only_declared = sorted(vendor_id for vendor_id, qr in sold if qr <= declared[vendor_id])
    if not only_declared:
        return {}
    rows = session.execute(
        sa.select(Vendor.market_id, sa.func.count())
        .where(Vendor.id.in_(only_declared), with_qr_sql(day_end_utc(as_of)))
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

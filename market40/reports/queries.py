"""The aggregate queries behind every report: one statement per call, over rollups.

``market_figures`` answers for a set of markets (one market, a district, the
province) in a single SELECT: the markets, left-joined to three grouped
subqueries: vendor counts (conditional aggregates over ``vendors``; "active" from
``vendor_qr_months``, see ``qr_sale_in``), the window's sums over
``market_daily_rollups`` (one row per market and day), and the listings active at
the as-of date. Raw transactions are never read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.localtime import day_end_utc, month_start, next_month, window_days
from market40.models import DailyRollup, Listing, Market, MarketDailyRollup, Vendor, VendorQrMonth
from market40.reports.lifecycle import registered_sql, with_qr_sql
from market40.reports.metrics import Figures
from market40.rollups.deltas import counter_names

ROLLUP_SUMS = {name: getattr(DailyRollup, name) for name in counter_names()}
MARKET_SUMS = {name: getattr(MarketDailyRollup, name) for name in counter_names()}


@dataclass(frozen=True, slots=True)
class MarketFigures:
    market_id: int
    code: str
    name: str
    district_code: str
    grade: int
    figures: Figures


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def had_qr_sale() -> sa.ColumnElement[bool]:
    """The condition of the partial QR-seller indexes, with a literal 0: the planner only
    uses a partial index when it sees its condition in the query (not a bound parameter),
    and then reads the index alone."""
    return DailyRollup.qr_sales_count > sa.literal_column("0")


def qr_sale_in(first: date, last: date) -> sa.ColumnElement[bool]:
    """The current vendor had at least one QR sale between local days first and last.

    A window that touches a month boundary is answered from ``vendor_qr_months``: one
    range of that table for all vendors. A window strictly inside one month (a week,
    say) needs one probe of ``ix_daily_rollups_qr_sellers`` per vendor.
    """
    months = qr_months_in(first, last)
    if months is not None:
        return Vendor.id.in_(months)
    return qr_sale_probe(first, last)


def qr_months_in(first: date, last: date) -> sa.Select | None:
    """The ids of vendors with a QR sale between first and last, from their first and
    last QR day of each month; None when the window is strictly inside one month."""
    segments = []
    month = month_start(first)
    while month <= last:
        end_of_month = next_month(month) - timedelta(days=1)
        lo, hi = max(first, month), min(last, end_of_month)
        this_month = VendorQrMonth.month == month
        if lo == month and hi == end_of_month:
            segments.append(this_month)
        elif lo == month:
            segments.append(sa.and_(this_month, VendorQrMonth.first_day <= hi))
        elif hi == end_of_month:
            segments.append(sa.and_(this_month, VendorQrMonth.last_day >= lo))
        else:
            return None
        month = next_month(month)
    return (
        sa.select(VendorQrMonth.vendor_id)
        .where(VendorQrMonth.month >= month_start(first), VendorQrMonth.month <= last,
               sa.or_(*segments))
    )


def qr_sale_probe(first: date, last: date) -> sa.Exists:
    """One probe of ``ix_daily_rollups_qr_sellers`` (whose condition this repeats)."""
    return (
        sa.select(DailyRollup.vendor_id)
        .where(
            DailyRollup.vendor_id == Vendor.id,
            DailyRollup.day >= first,
            DailyRollup.day <= last,
            had_qr_sale(),
        )
        .exists()
    )


def figures_from(mapping: Mapping[str, Any], online_products: int | None) -> Figures:
    """Build Figures from a row's mapping (or any mapping) holding the ROLLUP_SUMS names and
    (if it has them) the vendor counts ``registered``, ``with_qr`` and ``active``."""
    counts = {name: int(mapping.get(name) or 0) for name in ("registered", "with_qr", "active")}
    sums = {name: int(mapping[name] or 0) for name in ROLLUP_SUMS}
    return Figures(
        **counts,
        sales_count=sums["qr_sales_count"] + sums["cash_sales_count"],
        sales_value=sums["qr_sales_value"] + sums["cash_sales_value"],
        qr_sales_count=sums["qr_sales_count"],
        qr_sales_value=sums["qr_sales_value"],
        fees_count=sums["qr_fees_count"] + sums["cash_fees_count"],
        fees_value=sums["qr_fees_value"] + sums["cash_fees_value"],
        qr_fees_count=sums["qr_fees_count"],
        qr_fees_value=sums["qr_fees_value"],
        online_products=online_products,
    )


def _vendor_counts(scope: sa.Select, as_of: date, window: int) -> sa.Subquery:
    """Per market: vendors registered, with a QR, and active (a QR sale in the window)."""
    end = day_end_utc(as_of)
    first, last = window_days(as_of, window)
    with_qr = with_qr_sql(end)
    return (
        sa.select(
            Vendor.market_id.label("market_id"),
            _count_if(registered_sql(end)).label("registered"),
            _count_if(with_qr).label("with_qr"),
            _count_if(sa.and_(with_qr, qr_sale_in(first, last))).label("active"),
        )
        .where(Vendor.market_id.in_(scope))
        .group_by(Vendor.market_id)
        .subquery("vendor_counts")
    )


def _window_sums(scope: sa.Select, as_of: date, window: int) -> sa.Subquery:
    """Per market: the market rollups summed over the window's days."""
    first, last = window_days(as_of, window)
    return (
        sa.select(
            MarketDailyRollup.market_id.label("market_id"),
            *(sa.func.sum(column).label(name) for name, column in MARKET_SUMS.items()),
        )
        .where(
            MarketDailyRollup.market_id.in_(scope),
            MarketDailyRollup.day >= first,
            MarketDailyRollup.day <= last,
        )
        .group_by(MarketDailyRollup.market_id)
        .subquery("window_sums")
    )


def _online_listings(scope: sa.Select, as_of: date) -> sa.Subquery:
    """Per market: the listings on an online platform on ``as_of``."""
    return (
        sa.select(Listing.market_id.label("market_id"), sa.func.count().label("listings"))
        .where(Listing.market_id.in_(scope), Listing.active_on(as_of))
        .group_by(Listing.market_id)
        .subquery("online_listings")
    )


def market_figures(
    session: Session,
    as_of: date,
    window: int,
    where: sa.ColumnElement[bool] | None = None,
) -> list[MarketFigures]:
    """The figures of every market matching ``where`` (a condition on Market; None: all).

    One statement: each market joined to its vendor counts, window sums and listings.
    Ordered by district, then market code.
    """
    scope = sa.select(Market.id)
    if where is not None:
        scope = scope.where(where)
    vendors = _vendor_counts(scope, as_of, window)
    rollups = _window_sums(scope, as_of, window)
    listings = _online_listings(scope, as_of)
    statement = (
        sa.select(
            Market.id, Market.code, Market.name, Market.district_code, Market.grade,
            vendors.c.registered, vendors.c.with_qr, vendors.c.active,
            *(rollups.c[name] for name in ROLLUP_SUMS),
            listings.c.listings,
        )
        .outerjoin(vendors, vendors.c.market_id == Market.id)
        .outerjoin(rollups, rollups.c.market_id == Market.id)
        .outerjoin(listings, listings.c.market_id == Market.id)
        .order_by(Market.district_code, Market.code)
    )
    if where is not None:
        statement = statement.where(where)
    return [
        MarketFigures(row.id, row.code, row.name, row.district_code, row.grade,
                      figures_from(row._mapping, int(row.listings or 0)))
        for row in session.execute(statement)
    ]


def vendor_figures(session: Session, vendor: Vendor, as_of: date, window: int) -> Figures:
    """One vendor's figures (``online_products`` is None: listings belong to markets)."""
    end = day_end_utc(as_of)
    first, last = window_days(as_of, window)
    with_qr = with_qr_sql(end)
    counts = (
        sa.select(
            _count_if(registered_sql(end)).label("registered"),
            _count_if(with_qr).label("with_qr"),
            # One vendor: a single probe beats reading a month of every vendor.
            _count_if(sa.and_(with_qr, qr_sale_probe(first, last))).label("active"),
        )
        .where(Vendor.id == vendor.id)
        .subquery("vendor_counts")
    )
    sums = (
        sa.select(*(sa.func.sum(column).label(name) for name, column in ROLLUP_SUMS.items()))
        .where(
            DailyRollup.vendor_id == vendor.id,
            DailyRollup.day >= first,
            DailyRollup.day <= last,
        )
        .subquery("window_sums")
    )
    both = sa.select(counts, sums).select_from(counts.join(sums, sa.true()))
    row = session.execute(both).one()
    return figures_from(row._mapping, None)

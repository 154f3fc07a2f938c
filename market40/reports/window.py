"""A window's adoption report as three parts that change at different times.

The report of a scope as of ``as_of`` over a window (``adoption_report``) is, by the
definitions of DESIGN.md §5:

- the end of ``as_of``: vendors registered, the ids of those with a QR in force, the
  products online. Only registry writes change them (row 0 of the data versions);
- the window's sums (counts add up across days) and QR sellers (a union across days),
  split into the days before ``as_of`` and ``as_of`` itself;
- "active": the vendors with a QR at the end that sold by QR in the window, the
  intersection of the first part's ids with the union of the sellers.

A market's page keeps the first part and the days before today while payments land
today, and reads only today's sums and sellers per payment (``window_report``), instead
of the whole report statement. The parts are exact: tests hold ``window_report`` to
``adoption_report``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.localtime import day_end_utc
from market40.models import DailyRollup, Listing, Market, MarketDailyRollup, Vendor
from market40.reports.adoption import AdoptionReport, Scope, check_period
from market40.reports.lifecycle import registered_sql, with_qr_sql
from market40.reports.queries import MARKET_SUMS, figures_from, had_qr_sale
from market40.rollups.deltas import counter_names


@dataclass(frozen=True, slots=True)
class DayEnd:
    """A scope's registry figures at the end of a local day."""

    registered: int
    with_qr: frozenset[int]
    online_products: int


@dataclass(frozen=True, slots=True)
class Days:
    """What some days contribute to a window: the rollup counters summed, by name, and
    the vendors with a QR sale on any of them."""

    sums: tuple[tuple[str, int], ...]
    sellers: frozenset[int]

    def __add__(self, other: Days) -> Days:
        mine, theirs = dict(self.sums), dict(other.sums)
        return Days(tuple((name, mine[name] + theirs[name]) for name in counter_names()),
                    self.sellers | other.sellers)


def _markets_of(scope: Scope) -> sa.Select:
    statement = sa.select(Market.id)
    return statement if scope.where is None else statement.where(scope.where)


def day_end(session: Session, scope: Scope, day: date) -> DayEnd:
    """Registered vendors, the ids of those with a QR and the products online at the end
    of ``day`` (the rules of ``market_figures``)."""
    if scope.vendor is not None:
        raise ValueError("window figures are for markets and areas, not a vendor")
    end = day_end_utc(day)
    in_scope = Vendor.market_id.in_(_markets_of(scope))
    registered = session.scalar(
        sa.select(sa.func.count()).select_from(Vendor).where(in_scope, registered_sql(end)))
    with_qr = session.scalars(sa.select(Vendor.id).where(in_scope, with_qr_sql(end)))
    online = session.scalar(
        sa.select(sa.func.count()).select_from(Listing)
        .where(Listing.market_id.in_(_markets_of(scope)), Listing.active_on(day)))
    return DayEnd(int(registered or 0), frozenset(with_qr), int(online or 0))


def days(session: Session, scope: Scope, first: date, last: date) -> Days:
    """The counters summed over local days ``first`` to ``last`` and their QR sellers."""
    markets = _markets_of(scope)
    row = session.execute(
        sa.select(*(sa.func.coalesce(sa.func.sum(column), 0).label(name)
                    for name, column in MARKET_SUMS.items()))
        .where(MarketDailyRollup.market_id.in_(markets), MarketDailyRollup.day >= first,
               MarketDailyRollup.day <= last)).one()
    sellers = session.scalars(
        sa.select(DailyRollup.vendor_id).distinct()
        .where(had_qr_sale(), DailyRollup.day >= first, DailyRollup.day <= last,
               DailyRollup.market_id.in_(markets)))
    return Days(tuple((name, int(row._mapping[name])) for name in counter_names()),
                frozenset(sellers))


def window_report(scope: Scope, as_of: date, window: int, end: DayEnd, before: Days | None,
                  on_day: Days) -> AdoptionReport:
    """The report of ``scope`` as of ``as_of`` over ``window`` days from its parts: the
    registry at the day's end, the window's days before ``as_of`` (None for a one-day
    window) and ``as_of``'s own."""
    as_of, window = check_period(as_of, window)
    if (window == 1) != (before is None):
        raise ValueError("the days before as_of are needed for a window of two days or more")
    total = on_day if before is None else before + on_day
    figures = figures_from({**dict(total.sums), "registered": end.registered,
                            "with_qr": len(end.with_qr),
                            "active": len(end.with_qr & total.sellers)}, end.online_products)
    return AdoptionReport(scope.level, scope.code, scope.name, as_of, window, figures,
                          scope.historical)


def before_range(as_of: date, window: int) -> tuple[date, date]:
    """The window's days before ``as_of`` (empty when ``window`` is 1: first > last)."""
    return as_of - timedelta(days=window - 1), as_of - timedelta(days=1)


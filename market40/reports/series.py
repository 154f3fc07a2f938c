"""Adoption over time: one point per local day or per calendar month, with the change.

Each point is exactly the adoption report whose as-of date is the period's last
day and whose window is the period: registered/with_qr as of that day, activity
summed over the period, "active" = vendors with a QR at the period's end that had
a QR sale within it. Months are whole calendar months, except that the last one
stops at ``to`` (month to date); ``from`` is moved back to the 1st of its month.

``change`` is each metric's relative change against the previous period (also
for the first point: the period before ``from`` is computed for that), ``None``
when the previous value is 0 or undefined.

Three aggregate statements per call: market (or the vendor's) rollups joined to a
VALUES list of periods (sums per period), the scope's vendors joined to the
periods (active vendors, by index probes), and the scope's vendor lifecycle
columns, swept into registered/with_qr counts per period end.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.errors import InvalidInput
from market40.localtime import day_end_utc, local_today, month_start, next_month, shift_months
from market40.models import (
    DailyRollup,
    Listing,
    Market,
    MarketDailyRollup,
    Vendor,
    VendorQrMonth,
    VendorStatusEvent,
)
from market40.models.base import UTCDateTime
from market40.models.history import QR_EVENTS
from market40.reports.adoption import EARLIEST_AS_OF, Scope
from market40.reports.lifecycle import (
    VendorSpan,
    history_columns,
    span_columns,
    with_qr_sql,
    withdrawn_between_sql,
)
from market40.reports.metrics import METRICS, Figures, MetricValue
from market40.reports.queries import ROLLUP_SUMS, figures_from, had_qr_sale

GRANULARITIES = ("day", "month")
MAX_POINTS = {"day": 366, "month": 60}


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class SeriesPoint:
    period: Period
    figures: Figures
    change: dict[str, float | None]

    def metrics(self) -> dict[str, MetricValue]:
        return self.figures.metrics()


@dataclass(frozen=True)
class AdoptionSeries:
    level: str
    code: str
    name: str
    granularity: str
    start: date
    end: date
    points: tuple[SeriesPoint, ...]
    historical: bool = False


def periods_between(start: date, end: date, granularity: str) -> list[Period]:
    """The periods from ``start`` to ``end``, preceded by the one before them."""
    if granularity == "day":
        days = (end - start).days + 1
        return [Period(d, d) for d in (start + timedelta(days=i) for i in range(-1, days))]
    periods = []
    month = month_start(start)
    previous = month_start(month - timedelta(days=1))
    periods.append(Period(previous, month - timedelta(days=1)))
    while month <= end:
        following = next_month(month)
        periods.append(Period(month, min(following - timedelta(days=1), end)))
        month = following
    return periods


def check_range(start: date | None, end: date | None, granularity: str) -> tuple[date, date]:
    if granularity not in GRANULARITIES:
        raise InvalidInput.field("granularity", f"must be one of {', '.join(GRANULARITIES)}")
    today = local_today()
    end = end or today
    if end > today:
        raise InvalidInput.field("to", f"must not be after today ({today.isoformat()})")
    if start is None:
        start = end - timedelta(days=29) if granularity == "day" else shift_months(end, -11)
    if start > end:
        raise InvalidInput.field("from", "must be on or before 'to'")
    if start < EARLIEST_AS_OF:  # year 1 has no UTC start (a 500); no figure is so old
        raise InvalidInput.field("from", f"must be on or after {EARLIEST_AS_OF.isoformat()}")
    if granularity == "month":
        start = month_start(start)
        count = (end.year - start.year) * 12 + end.month - start.month + 1
    else:
        count = (end - start).days + 1
    if count > MAX_POINTS[granularity]:
        raise InvalidInput.field(
            "to",
            f"the range covers {count} {granularity}s; at most {MAX_POINTS[granularity]} "
            f"for granularity={granularity}",
        )
    return start, end


def _in_scope(column: sa.ColumnElement[int], scope: Scope) -> sa.ColumnElement[bool] | None:
    """``column`` (a market id) restricted to the scope's markets; None for the province."""
    if scope.where is None:
        return None
    return column.in_(sa.select(Market.id).where(scope.where))


def _periods_table(periods: list[Period]) -> sa.CTE:
    """The periods as a CTE (start, last, day_end_utc): one SELECT of bound values per
    period, joined by UNION ALL. Not ``VALUES``: SQLAlchemy cannot cache the compiled
    form of a statement holding a VALUES list, and compiling the active-vendor statement
    anew cost ~20 ms per series, several times its SQL. This form is compiled once per
    number of periods (SQLite allows 500 selects in a compound; a series has at most
    367 periods)."""
    rows = [
        sa.select(sa.literal(p.start, sa.Date).label("start"),
                  sa.literal(p.end, sa.Date).label("last"),
                  sa.literal(day_end_utc(p.end), UTCDateTime()).label("day_end_utc"))
        for p in periods
    ]
    return (rows[0] if len(rows) == 1 else sa.union_all(*rows)).cte("periods")


def _period_sums(session: Session, scope: Scope, periods: list[Period]) -> dict[date, sa.Row]:
    """The counters summed per period: from the market rollups for markets, districts
    and the province, from the vendor's own rollups for a vendor."""
    table = _periods_table(periods)
    rollup = DailyRollup if scope.vendor is not None else MarketDailyRollup
    statement = (
        sa.select(
            table.c.start,
            *(sa.func.sum(getattr(rollup, name)).label(name) for name in ROLLUP_SUMS),
        )
        .select_from(table)
        .join(rollup, sa.and_(rollup.day >= table.c.start, rollup.day <= table.c.last))
        .group_by(table.c.start)
    )
    if scope.vendor is not None:
        statement = statement.where(DailyRollup.vendor_id == scope.vendor.id)
    elif scope.where is not None:
        statement = statement.where(_in_scope(MarketDailyRollup.market_id, scope))
    return {row.start: row for row in session.execute(statement)}


def _period_active(session: Session, scope: Scope, periods: list[Period]) -> dict[date, int]:
    """Per period, the vendors with a QR at its end that sold by QR within it."""
    if all(period.days == 1 for period in periods):
        return _daily_active(session, scope, periods)
    # Months (the last one to date): the vendors with a QR at the period's end whose first
    # QR day of that month is within it, one range of vendor_qr_months per month.
    table = _periods_table(periods)
    statement = (
        sa.select(table.c.start, sa.func.count())
        .select_from(table)
        .join(VendorQrMonth, sa.and_(VendorQrMonth.month == table.c.start,
                                     VendorQrMonth.first_day <= table.c.last))
        .join(Vendor, Vendor.id == VendorQrMonth.vendor_id)
        .where(_vendors_in(scope), with_qr_sql(table.c.day_end_utc))
        .group_by(table.c.start)
    )
    return {start: int(count) for start, count in session.execute(statement)}


def _daily_active(session: Session, scope: Scope, periods: list[Period]) -> dict[date, int]:
    """Day by day: the day's QR sellers (a vendor has one rollup row a day), less those
    without a QR in force at the day's end.

    The first count reads the QR-days index alone. The correction only looks at vendors
    whose QR is not in force over the whole range (with a QR at both ends means with a QR
    throughout: ``lifecycle`` makes it one interval), usually a handful, often none (then
    it costs one small query): they are read first, and their QR-sale days are then
    probed by vendor (``ix_daily_rollups_qr_sellers``). Joined in one statement, SQLite
    started from the QR-days index of every market and tested each seller's history
    before the "unsteady" filter: ~20 ms for a market's month.
    """
    first, last = periods[0], periods[-1]
    qr_sale = sa.and_(had_qr_sale(), DailyRollup.day >= first.start,
                      DailyRollup.day <= last.end)
    if scope.vendor is not None:
        in_scope = DailyRollup.vendor_id == scope.vendor.id
    else:
        in_scope = _in_scope(DailyRollup.market_id, scope)
    sellers = sa.select(DailyRollup.day, sa.func.count()).where(qr_sale).group_by(DailyRollup.day)
    if in_scope is not None:
        sellers = sellers.where(in_scope)
    counts = {day: int(count) for day, count in session.execute(sellers)}
    for day, count in _sellers_without_qr(session, scope, periods, qr_sale):
        counts[day] = counts.get(day, 0) - int(count)
    return counts


@cache
def _steady() -> sa.ColumnElement[bool]:
    """With a QR at both ends of a range and none withdrawn in between: with a QR
    throughout. Bound parameters ``steady_first_end``, ``steady_last_end`` and
    ``steady_before`` (the end of the day before the range); built once, as building
    these clauses cost several times what the database takes to run them."""
    first_end, last_end, before = (sa.bindparam(f"steady_{name}", type_=UTCDateTime())
                                   for name in ("first_end", "last_end", "before"))
    return sa.and_(with_qr_sql(first_end), with_qr_sql(last_end),
                   sa.not_(withdrawn_between_sql(before, last_end)))


def _unsteady(session: Session, scope: Scope, first: Period, last: Period) -> list[int]:
    """The scope's vendors whose QR may not be in force on some day of the range."""
    statement = sa.select(Vendor.id).where(_vendors_in(scope), sa.not_(_steady()))
    return list(session.scalars(statement, {
        "steady_first_end": day_end_utc(first.end), "steady_last_end": day_end_utc(last.end),
        "steady_before": day_end_utc(first.start - timedelta(days=1))}))


UNSTEADY_CHUNK = 5_000  # vendor ids per statement (bound parameters)


def _sellers_without_qr(session: Session, scope: Scope, periods: list[Period],
                        qr_sale: sa.ColumnElement[bool]) -> list[tuple[date, int]]:
    """Per day, the unsteady vendors that sold by QR without a QR in force at its end."""
    unsteady = _unsteady(session, scope, periods[0], periods[-1])
    if not unsteady:
        return []
    table = _periods_table(periods)
    found: list[tuple[date, int]] = []
    for at in range(0, len(unsteady), UNSTEADY_CHUNK):
        statement = (
            sa.select(DailyRollup.day, sa.func.count())
            .join(Vendor, Vendor.id == DailyRollup.vendor_id)
            .join(table, table.c.start == DailyRollup.day)
            .where(DailyRollup.vendor_id.in_(unsteady[at:at + UNSTEADY_CHUNK]), qr_sale,
                   sa.not_(with_qr_sql(table.c.day_end_utc)))
            .group_by(DailyRollup.day)
        )
        found.extend((day, int(count)) for day, count in session.execute(statement))
    return found


def _vendors_in(scope: Scope) -> sa.ColumnElement[bool]:
    if scope.vendor is not None:
        return Vendor.id == scope.vendor.id
    in_scope = _in_scope(Vendor.market_id, scope)
    return sa.true() if in_scope is None else in_scope


def _counter(starts: list[date], stops: list[date]) -> Callable[[date], int]:
    """How many [start, stop) intervals contain a day: two sorted lists and a bisect each."""
    starts.sort()
    stops.sort()

    def count(day: date) -> int:
        return bisect_right(starts, day) - bisect_right(stops, day)

    return count


def _histories(session: Session, scope: Scope) -> dict[int, list[tuple[date, str]]]:
    """The QR events of the scope's vendors: vendor id -> [(local day, event)], in order."""
    statement = (
        sa.select(*history_columns(session.get_bind().dialect.name))
        .where(VendorStatusEvent.event.in_(QR_EVENTS))
        .order_by(VendorStatusEvent.vendor_id, VendorStatusEvent.at, VendorStatusEvent.id)
    )
    if scope.vendor is not None:
        statement = statement.where(VendorStatusEvent.vendor_id == scope.vendor.id)
    elif scope.where is not None:
        statement = statement.join(Vendor, Vendor.id == VendorStatusEvent.vendor_id).where(
            _in_scope(Vendor.market_id, scope))
    histories: dict[int, list[tuple[date, str]]] = {}
    for vendor_id, day, event in session.execute(statement):
        histories.setdefault(vendor_id, []).append((day, event))
    return histories


def _vendor_counts(
    session: Session, scope: Scope, periods: list[Period]
) -> dict[date, tuple[int, int]]:
    statement = sa.select(*span_columns(session.get_bind().dialect.name))
    if scope.vendor is not None:
        statement = statement.where(Vendor.id == scope.vendor.id)
    elif scope.where is not None:
        statement = statement.where(_in_scope(Vendor.market_id, scope))
    histories = _histories(session, scope)
    spans = [VendorSpan.from_row(*row, history=histories.get(row[0]))
             for row in session.execute(statement)]
    far = date.max
    registered = _counter(
        [s.registered_start for s in spans if s.registered_start],
        [max(s.until or far, s.registered_start) for s in spans if s.registered_start],
    )
    qr_bounds = [bounds for s in spans for bounds in s.qr_bounds()]
    with_qr = _counter([start for start, _ in qr_bounds], [stop for _, stop in qr_bounds])
    return {p.start: (registered(p.end), with_qr(p.end)) for p in periods}


def _online_products(
    session: Session, scope: Scope, periods: list[Period]
) -> dict[date, int | None]:
    if scope.vendor is not None:
        return dict.fromkeys((p.start for p in periods), None)
    statement = sa.select(Listing.started_on, Listing.ended_on)
    if scope.where is not None:
        statement = statement.where(_in_scope(Listing.market_id, scope))
    rows = session.execute(statement).all()
    count = _counter(
        [started for started, ended in rows if ended is None or ended > started],
        [ended or date.max for started, ended in rows if ended is None or ended > started],
    )
    return {p.start: count(p.end) for p in periods}


def relative_change(previous: MetricValue, current: MetricValue) -> float | None:
    if previous is None or current is None or previous == 0:
        return None
    return float((current - previous) / previous)


def _figures(session: Session, scope: Scope, periods: list[Period]) -> list[Figures]:
    """Each period's figures, in order."""
    sums = _period_sums(session, scope, periods)
    active = _period_active(session, scope, periods)
    counts = _vendor_counts(session, scope, periods)
    online = _online_products(session, scope, periods)
    figures = []
    for period in periods:
        row = sums.get(period.start)
        base = (
            figures_from(row._mapping, online[period.start])
            if row is not None
            else Figures(online_products=online[period.start])
        )
        registered, with_qr = counts[period.start]
        figures.append(replace(base, registered=registered, with_qr=with_qr,
                               active=active.get(period.start, 0)))
    return figures


def _point(period: Period, previous: Figures, current: Figures) -> SeriesPoint:
    before, now = previous.metrics(), current.metrics()
    change = {name: relative_change(before[name], now[name]) for name in METRICS}
    return SeriesPoint(period, current, change)


def adoption_series(
    session: Session,
    scope: Scope,
    start: date | None = None,
    end: date | None = None,
    granularity: str = "day",
) -> AdoptionSeries:
    """The scope's metrics per day or month from ``start`` to ``end`` (local dates)."""
    start, end = check_range(start, end, granularity)
    periods = periods_between(start, end, granularity)
    figures = _figures(session, scope, periods)
    points = [_point(period, previous, current)
              for previous, current, period in zip(figures, figures[1:], periods[1:],
                                                   strict=False)]
    return AdoptionSeries(
        scope.level, scope.code, scope.name, granularity, start, end, tuple(points),
        scope.historical,
    )


def extend_daily(session: Session, scope: Scope, past: AdoptionSeries, end: date, *,
                 as_of: Figures | None = None) -> AdoptionSeries:
    """``past`` (day by day, up to the day before ``end``) with the point of ``end``
    added: the same series as ``adoption_series(scope, past.start, end, "day")``.

    Why: every day of a series is computed on its own (its sums, its sellers, its
    counts at its end), so the days before today stay as they are while payments land
    today. A market's page keeps them (``market40.web.views.markets``) and computes only
    today's point per payment, instead of the whole month. ``as_of``: figures of the
    scope as of ``end`` (its adoption report, any window), whose registered, with_qr and
    online_products are counted at the day's end as the point's are: then only the
    day's sums and active vendors are read.
    """
    if past.granularity != "day" or not past.points or past.end != end - timedelta(days=1):
        raise ValueError("extend_daily takes a daily series that ends the day before")
    check_range(past.start, end, "day")
    period = Period(end, end)
    if as_of is None:
        (current,) = _figures(session, scope, [period])
    else:
        row = _period_sums(session, scope, [period]).get(period.start)
        base = (figures_from(row._mapping, as_of.online_products) if row is not None
                else Figures(online_products=as_of.online_products))
        current = replace(base, registered=as_of.registered, with_qr=as_of.with_qr,
                          active=_period_active(session, scope, [period]).get(end, 0))
    point = _point(period, past.points[-1].figures, current)
    return replace(past, end=end, points=(*past.points, point))

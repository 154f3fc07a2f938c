"""Local time (``Config.TIMEZONE``, Asia/Ho_Chi_Minh): days, their UTC bounds, in Python and SQL.

Times are stored in UTC; reports, rollups and pages count by local day. A local
date D begins at ``day_start_utc(D)`` and ends at ``day_end_utc(D)`` (the start of
D+1), so "on or before D" is ``< day_end_utc(D)``.

Việt Nam has kept UTC+07:00 without daylight saving since 13 June 1975, and
transactions before 2000 are refused (``payments.rules``), so a fixed +7 hours is
exact for every stored row: SQLite, which has no time zones, uses that
(``LOCAL_OFFSET``); PostgreSQL uses the zone by name. The zone is a property of
the deployment, read once from the ``Config`` class, not per app.

>>> from datetime import datetime, timezone
>>> local_day(datetime(2024, 12, 31, 16, 30, tzinfo=timezone.utc))  # 23:30 local
datetime.date(2024, 12, 31)
>>> local_day(datetime(2024, 12, 31, 17, 30, tzinfo=timezone.utc))  # 00:30 local
datetime.date(2025, 1, 1)
>>> day_start_utc(date(2025, 1, 1)).isoformat()
'2024-12-31T17:00:00+00:00'
>>> shift_months(date(2025, 1, 31), -2)
datetime.date(2024, 11, 1)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from market40.config import Config

LOCAL_TZ = ZoneInfo(Config.TIMEZONE)
LOCAL_OFFSET = timedelta(hours=7)
LOCAL_OFFSET_SECONDS = int(LOCAL_OFFSET.total_seconds())


def local_now() -> datetime:
    return datetime.now(LOCAL_TZ)


def local_today() -> date:
    return local_now().date()


def local_time(moment: datetime) -> datetime:
    """An aware datetime in local time; a naive one is refused (times are UTC-aware here)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times are UTC-aware in market40")
    return moment.astimezone(LOCAL_TZ)


def local_day(moment: datetime) -> date:
    """The local calendar day of an aware datetime."""
    return moment.astimezone(LOCAL_TZ).date()


def local_midnight(day: date) -> datetime:
    """00:00 local time of ``day``, as an aware local datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def day_start_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` begins."""
    return local_midnight(day).astimezone(UTC)


def day_end_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` ends (the start of the next local day)."""
    return day_start_utc(day + timedelta(days=1))


def window_days(as_of: date, window: int) -> tuple[date, date]:
    """The first and last local day of the ``window`` days ending on ``as_of``."""
    return as_of - timedelta(days=window - 1), as_of


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def shift_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_day_sql(column: sa.ColumnElement, dialect: str) -> sa.ColumnElement[date]:
    """SQL for the local day of a stored UTC timestamp, typed as a date."""
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone(str(LOCAL_TZ), column), sa.Date)
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC; date() returns 'YYYY-MM-DD'.
        return sa.type_coerce(sa.func.date(column, f"+{LOCAL_OFFSET_SECONDS // 3600} hours"),
                              sa.Date)
    raise NotImplementedError(f"no local-day expression for {dialect}")


def month_start_sql(day: sa.ColumnElement, dialect: str) -> sa.ColumnElement[date]:
    """SQL for the first day of the month of a date column (or local-day expression)."""
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc("month", day), sa.Date)
    if dialect == "sqlite":
        return sa.type_coerce(sa.func.date(day, "start of month"), sa.Date)
    raise NotImplementedError(f"no month expression for {dialect}")

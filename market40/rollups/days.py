"""Local days (Asia/Ho_Chi_Minh) in Python and in SQL.

Vietnam has kept UTC+07:00 without daylight saving since 13 June 1975, and
transactions before 2000 are refused (``payments.rules``), so a fixed +7 hours is
exact for every stored row. SQLite, which has no time zones, uses that; PostgreSQL
uses the zone by name.

>>> from datetime import datetime, timezone
>>> local_day(datetime(2024, 12, 31, 16, 30, tzinfo=timezone.utc))  # 23:30 local
datetime.date(2024, 12, 31)
>>> local_day(datetime(2024, 12, 31, 17, 30, tzinfo=timezone.utc))  # 00:30 local
datetime.date(2025, 1, 1)
>>> day_start_utc(date(2025, 1, 1)).isoformat()
'2024-12-31T17:00:00+00:00'
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LOCAL_OFFSET = timedelta(hours=7)


def local_day(moment: datetime) -> date:
    """The Asia/Ho_Chi_Minh calendar day of an aware datetime."""
    return moment.astimezone(LOCAL_TZ).date()


def day_start_utc(day: date) -> datetime:
    """00:00 local time of ``day``, as an aware UTC datetime."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TZ).astimezone(UTC)


def local_day_sql(column: sa.ColumnElement, dialect: str) -> sa.ColumnElement[date]:
    """SQL for the local day of a stored UTC timestamp, typed as a date."""
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone(str(LOCAL_TZ), column), sa.Date)
    if dialect == "sqlite":
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC; date() returns 'YYYY-MM-DD'.
        return sa.type_coerce(sa.func.date(column, "+7 hours"), sa.Date)
    raise NotImplementedError(f"no local-day expression for {dialect}")


def month_start_sql(day: sa.ColumnElement, dialect: str) -> sa.ColumnElement[date]:
    """SQL for the first day of the month of a date column (or local-day expression)."""
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc("month", day), sa.Date)
    if dialect == "sqlite":
        return sa.type_coerce(sa.func.date(day, "start of month"), sa.Date)
    raise NotImplementedError(f"no month expression for {dialect}")

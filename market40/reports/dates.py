"""Local days (Asia/Ho_Chi_Minh) and the UTC instants that bound them.

Reports count by local day; timestamps are stored in UTC. A local date D ends
at ``end_utc(D)`` (local midnight of D+1), so "on or before D" is ``< end_utc(D)``.
Việt Nam has kept UTC+7 without daylight saving since 1975, but the conversion
goes through zoneinfo all the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def start_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` begins."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC)


def end_utc(day: date) -> datetime:
    """The UTC instant at which local ``day`` ends (the start of the next local day)."""
    return start_utc(day + timedelta(days=1))


def local_date(moment: datetime) -> date:
    """The local day of an aware timestamp."""
    return moment.astimezone(LOCAL_TZ).date()


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

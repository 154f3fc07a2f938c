"""The market seasons: Tết and weekends, as data and factors on a day's trade.

Tết Nguyên Đán (mùng 1 of the lunar year) per the Vietnamese lunar calendar
(UTC+7). Outside 2022-2027 there is no Tết data: those days get the weekend effect
only, and the simulator says so.

>>> day_factors(date(2024, 2, 5)).count > 1.5   # the week before Tết 2024 (10/2)
True
>>> day_factors(date(2024, 2, 10)).open < 0.2   # mùng 1: most stalls closed
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

TET: dict[int, date] = {
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
}

# (first, last day relative to mùng 1, sales count x, amount x, share of stalls open)
TET_PERIODS: tuple[tuple[int, int, float, float, float], ...] = (
    (-24, -8, 1.3, 1.1, 0.95),  # shopping builds up from ông Công ông Táo (23 tháng Chạp)
    (-7, -1, 1.9, 1.3, 1.0),  # the last week: everyone buys, every stall opens
    (0, 2, 0.5, 1.0, 0.1),  # mùng 1-3: markets nearly closed
    (3, 7, 0.7, 0.9, 0.7),  # reopening slowly
)
WEEKDAY_COUNT = (1.0, 1.0, 1.0, 1.0, 1.0, 1.15, 1.25)  # Monday .. Sunday
WEEKDAY_OPEN = (0.92, 0.92, 0.92, 0.92, 0.93, 0.95, 0.96)


@dataclass(frozen=True, slots=True)
class DayFactors:
    count: float  # multiplies the mean number of sales
    amount: float  # multiplies sale amounts
    open: float  # probability that a stall trades at all


def tet_offset(day: date) -> int | None:
    """Days from the nearest Tết with data (negative before it), or None."""
    offsets = [(day - TET[year]).days for year in (day.year, day.year + 1) if year in TET]
    return min(offsets, key=abs) if offsets else None


def has_tet_data(day: date) -> bool:
    return day.year in TET or day.year + 1 in TET


def day_factors(day: date) -> DayFactors:
    weekday = day.weekday()
    count, amount, open_share = WEEKDAY_COUNT[weekday], 1.0, WEEKDAY_OPEN[weekday]
    offset = tet_offset(day)
    if offset is not None:
        for first, last, count_x, amount_x, opened in TET_PERIODS:
            if first <= offset <= last:
                return DayFactors(count * count_x, amount * amount_x, opened)
    return DayFactors(count, amount, open_share)

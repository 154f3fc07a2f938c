"""Numbers, money, percentages and dates as Vietnamese and English readers write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from market40.web.formatting import (
    MISSING,
    NBSP,
    format_date,
    format_datetime,
    format_month,
    format_number,
    format_percent,
    format_short_date,
    format_vnd,
)


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (1000, "1.000", "1,000"),
        (1234567, "1.234.567", "1,234,567"),
        (-45000, "-45.000", "-45,000"),
        (12_000_000_000, "12.000.000.000", "12,000,000,000"),
    ],
)
def test_whole_numbers_group_thousands(value, vi, en):
    assert format_number(value, "vi") == vi
    assert format_number(value, "en") == en


def test_decimals_use_the_comma_in_vietnamese():
    assert format_number(1234.5, "vi", 1) == "1.234,5"
    assert format_number(1234.5, "en", 1) == "1,234.5"


def test_money_is_dong_in_vietnamese_and_vnd_in_english():
    assert format_vnd(1234567, "vi") == f"1.234.567{NBSP}đ"
    assert format_vnd(1234567, "en") == f"1,234,567{NBSP}VND"
    assert format_vnd(0, "vi") == f"0{NBSP}đ"


@pytest.mark.parametrize(
    ("ratio", "vi", "en"),
    [
        (0.725, f"72,5{NBSP}%", "72.5%"),
        (1, f"100,0{NBSP}%", "100.0%"),
        (0, f"0,0{NBSP}%", "0.0%"),
        (2 / 3, f"66,7{NBSP}%", "66.7%"),
        (12.5, f"1.250,0{NBSP}%", "1,250.0%"),
    ],
)
def test_percentages(ratio, vi, en):
    assert format_percent(ratio, "vi") == vi
    assert format_percent(ratio, "en") == en


def test_percentage_digits():
    assert format_percent(0.5, "vi", 0) == f"50{NBSP}%"
    assert format_percent(0.12345, "en", 2) == "12.35%"


@pytest.mark.parametrize("formatter", [format_number, format_vnd, format_percent, format_date,
                                       format_datetime])
def test_undefined_values_are_a_dash_never_zero(formatter):
    assert formatter(None, "vi") == MISSING
    assert formatter(None, "en") == MISSING


def test_dates_are_day_first_in_both_languages():
    assert format_date(date(2024, 3, 7), "vi") == "07/03/2024"
    assert format_date(date(2024, 3, 7), "en") == "07/03/2024"
    assert format_short_date(date(2024, 3, 7)) == "07/03"
    assert format_month(date(2024, 3, 7)) == "03/2024"


def test_times_are_shown_in_vietnam_time():
    # 17:30 UTC on 31/12 is 00:30 on 1/1 in Hà Nội (UTC+7): the date changes too.
    moment = datetime(2023, 12, 31, 17, 30, tzinfo=UTC)
    assert format_datetime(moment, "vi") == "01/01/2024 00:30"
    assert format_date(moment, "en") == "01/01/2024"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2024, 1, 1, 12, 0), "vi")


def test_unknown_language_falls_back_to_vietnamese_separators():
    assert format_number(1234567, "fr") == "1.234.567"

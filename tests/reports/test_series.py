"""Series points are exactly the adoption reports of their periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from market40.errors import InvalidInput
from market40.localtime import local_today
from market40.reports import adoption_report, adoption_series, resolve_scope
from market40.reports.series import extend_daily
from tests.factories import at, record
from tests.reports.oracle import expected
from tests.reports.test_adoption import district_markets

SCOPES = [("market", "DAI-TU"), ("district", "171"), ("province", None), ("market", "DONG-QUANG")]


def markets_of(db, level, code):
    if level == "market":
        return [code]
    if level == "district":
        return district_markets(db, code)
    return None


@pytest.mark.parametrize(("level", "code"), SCOPES)
def test_daily_points_equal_one_day_reports_and_the_oracle(db, scenario, level, code):
    scope = resolve_scope(db.session, level, code)
    series = adoption_series(db.session, scope, date(2024, 6, 1), date(2024, 7, 3), "day")
    assert [p.period.start for p in series.points] == [
        date(2024, 6, 1) + timedelta(days=i) for i in range(33)
    ]
    for point in series.points:
        day = point.period.end
        assert point.period.days == 1
        assert point.metrics() == adoption_report(db.session, scope, day, 1).metrics(), day
        assert point.metrics() == expected(db.session, day, 1, markets_of(db, level, code)), day


@pytest.mark.parametrize(("level", "code"), SCOPES)
def test_monthly_points_are_calendar_months(db, scenario, level, code):
    scope = resolve_scope(db.session, level, code)
    series = adoption_series(db.session, scope, date(2024, 4, 15), date(2024, 7, 10), "month")
    periods = [(p.period.start, p.period.end) for p in series.points]
    assert periods == [
        (date(2024, 4, 1), date(2024, 4, 30)),
        (date(2024, 5, 1), date(2024, 5, 31)),
        (date(2024, 6, 1), date(2024, 6, 30)),
        (date(2024, 7, 1), date(2024, 7, 10)),  # month to date
    ]
    for point in series.points:
        want = expected(db.session, point.period.end, point.period.days,
                        markets_of(db, level, code))
        assert point.metrics() == want, point.period


def test_change_against_the_previous_period(db, scenario):
    scope = resolve_scope(db.session, "market", "DAI-TU")
    series = adoption_series(db.session, scope, date(2024, 6, 1), date(2024, 6, 30), "day")
    first = series.points[0]
    # 1 June: one QR sale of 25,000; 31 May (the period before from): one of 40,000.
    assert first.figures.qr_sales_value == 25_000
    assert first.change["qr_sales_value"] == pytest.approx(25_000 / 40_000 - 1)
    # 2 June had no sale: from a 0 the change is undefined, not infinite.
    second, third = series.points[1], series.points[2]
    assert second.change["qr_sales_value"] == pytest.approx(-1.0)
    assert third.change["qr_sales_value"] is None
    assert third.change["registered"] == 0.0
    monthly = adoption_series(db.session, scope, date(2024, 6, 1), date(2024, 6, 30), "month")
    june = monthly.points[0]
    assert june.change["qr_sales_value"] == pytest.approx(
        june.figures.qr_sales_value / 40_000 - 1
    )


def test_vendor_series(db, scenario):
    vendor = scenario["b"]
    scope = resolve_scope(db.session, "vendor", str(vendor.id))
    series = adoption_series(db.session, scope, date(2024, 6, 14), date(2024, 6, 21), "day")
    for point in series.points:
        day = point.period.end
        assert point.metrics() == expected(db.session, day, 1, vendor_id=vendor.id)
    assert [p.figures.with_qr for p in series.points] == [0, 1, 1, 1, 1, 1, 1, 1]


@pytest.mark.parametrize(
    ("start", "end", "granularity", "field"),
    [
        (date(2023, 1, 1), date(2024, 1, 2), "day", "to"),  # 367 days
        (date(2019, 1, 1), date(2024, 1, 1), "month", "to"),  # 61 months
        (date(2024, 2, 1), date(2024, 1, 1), "day", "from"),
        (date(2024, 1, 1), date(2999, 1, 1), "day", "to"),
        (date(2024, 1, 1), date(2024, 2, 1), "week", "granularity"),
    ],
)
def test_bad_ranges(db, reference, start, end, granularity, field):
    scope = resolve_scope(db.session, "province", None)
    with pytest.raises(InvalidInput) as raised:
        adoption_series(db.session, scope, start, end, granularity)
    assert field in raised.value.errors


def test_longest_ranges_and_defaults(db, reference):
    scope = resolve_scope(db.session, "province", None)
    assert len(adoption_series(db.session, scope, date(2023, 1, 1), date(2024, 1, 1)).points) == 366
    months = adoption_series(db.session, scope, date(2019, 2, 1), date(2024, 1, 31), "month")
    assert len(months.points) == 60
    default = adoption_series(db.session, scope)
    assert default.end == local_today() and len(default.points) == 30
    monthly = adoption_series(db.session, scope, granularity="month")
    assert len(monthly.points) == 12 and monthly.points[-1].period.end == local_today()


@pytest.mark.parametrize("granularity", ["day", "month"])
def test_qr_sales_outside_a_vendors_qr_period_never_make_it_active(db, scenario, granularity):
    """QR sales recorded for a closed vendor after its closing, for a draft without a QR, and
    for a vendor before its approval count in the sums, never in "active"."""
    record(db.session, scenario["d"], at(date(2024, 6, 21)), 11_000)  # closed on 20 June
    record(db.session, scenario["e"], at(date(2024, 6, 29)), 12_000)  # a draft
    record(db.session, scenario["h"], at(date(2024, 6, 30)), 13_000)  # approved 1 July
    scope = resolve_scope(db.session, "market", "DAI-TU")
    series = adoption_series(db.session, scope, date(2024, 6, 1), date(2024, 7, 3), granularity)
    for point in series.points:
        window = point.period.days
        want = expected(db.session, point.period.end, window, ["DAI-TU"])
        assert point.metrics() == want, point.period
    by_day = {p.period.start: p.figures for p in series.points}
    if granularity == "day":
        assert by_day[date(2024, 6, 21)].active == 0
        assert by_day[date(2024, 6, 21)].qr_sales_count == 1


@pytest.mark.parametrize(("level", "code"), SCOPES)
def test_a_series_extended_by_its_last_day_is_the_whole_series(db, scenario, level, code):
    """What a market's page does while payments land today: the days before kept, the
    last day's point added (``extend_daily``); the same points, changes included."""
    record(db.session, scenario["d"], at(date(2024, 6, 21)), 11_000)  # after its closing
    scope = resolve_scope(db.session, level, code)
    for end in (date(2024, 6, 21), date(2024, 7, 1), date(2024, 7, 3)):
        whole = adoption_series(db.session, scope, date(2024, 6, 1), end, "day")
        past = adoption_series(db.session, scope, date(2024, 6, 1), end - timedelta(days=1))
        assert extend_daily(db.session, scope, past, end) == whole, end
        for window in (1, 30):  # the day's counts taken from its report instead
            report = adoption_report(db.session, scope, end, window)
            assert extend_daily(db.session, scope, past, end, as_of=report.figures) == whole


def test_only_a_daily_series_that_ends_the_day_before_is_extended(db, scenario):
    scope = resolve_scope(db.session, "market", "DAI-TU")
    past = adoption_series(db.session, scope, date(2024, 6, 1), date(2024, 6, 30), "day")
    months = adoption_series(db.session, scope, date(2024, 4, 1), date(2024, 6, 30), "month")
    for series, end in ((past, date(2024, 7, 2)), (past, date(2024, 6, 30)),
                        (months, date(2024, 7, 1))):
        with pytest.raises(ValueError, match="the day before"):
            extend_daily(db.session, scope, series, end)

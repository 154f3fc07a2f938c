"""Report figures against the independent raw-transaction oracle, on both backends."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from market40.errors import InvalidInput, NotFound
from market40.localtime import local_today
from market40.reports import adoption_report, resolve_scope
from market40.reports.metrics import METRICS
from tests.reports.oracle import expected
from tests.reports.scenario import AS_OF

DATES = [date(2024, 6, 1), date(2024, 6, 19), AS_OF, date(2024, 7, 1), date(2024, 7, 10)]
SCOPES = [
    ("market", "DAI-TU", ["DAI-TU"]),
    ("market", "LA-BANG", ["LA-BANG"]),
    ("market", "QUAN-CHU", ["QUAN-CHU"]),
    ("market", "THAI", ["THAI"]),
    ("market", "DONG-QUANG", ["DONG-QUANG"]),
    ("district", "171", None),
    ("district", "164", None),
    ("province", None, None),
]


def district_markets(db, code):
    from market40.models import Market

    return [m.code for m in db.session.query(Market).filter_by(district_code=code)]


@pytest.mark.parametrize("window", [1, 7, 30])
def test_every_scope_and_date_equals_the_raw_computation(db, scenario, window):
    for level, code, markets in SCOPES:
        if level == "district":
            markets = district_markets(db, code)
        scope = resolve_scope(db.session, level, code)
        for as_of in DATES:
            report = adoption_report(db.session, scope, as_of, window)
            want = expected(db.session, as_of, window, markets)
            assert report.metrics() == want, (level, code, as_of, window)


def test_vendor_level_equals_the_raw_computation(db, scenario):
    for name in "abcdefgh":
        vendor = scenario[name]
        scope = resolve_scope(db.session, "vendor", str(vendor.id))
        for as_of in DATES:
            report = adoption_report(db.session, scope, as_of, 30)
            assert report.metrics() == expected(db.session, as_of, 30, vendor_id=vendor.id)
            assert report.figures.online_products is None


def test_the_edge_cases_by_hand(db, scenario):
    """The figures of DAI-TU on 30 June, worked out by hand from scenario.py."""
    m = adoption_report(db.session, resolve_scope(db.session, "market", "DAI-TU"), AS_OF).metrics()
    # registered a b c e f g h (d closed on 20 June); with QR a b f g (h only on 1 July).
    assert (m["registered"], m["with_qr"], m["coverage"]) == (7, 4, Fraction(4, 7))
    # active: a and b sold by QR in the window; d did too but is closed.
    assert (m["active"], m["active_rate"]) == (2, Fraction(1, 2))
    # QR sales: a x3 (not the 31 May one), b x1, d x2; cash: a x2, b, c.
    assert (m["qr_sales_count"], m["sales_count"]) == (6, 10)
    assert m["qr_sales_value"] == 25_000 + 150_000 + 12_000 + 35_000 + 60_000 + 70_000
    assert m["sales_value"] == m["qr_sales_value"] + 30_000 + 8_000 + 20_000 + 5_000
    assert (m["qr_fees_count"], m["fees_count"], m["fees_cashless_share"]) == (2, 3,
                                                                              Fraction(2, 3))
    assert m["online_products"] == 1
    on_19 = adoption_report(db.session, resolve_scope(db.session, "market", "DAI-TU"),
                            date(2024, 6, 19)).metrics()
    assert on_19["online_products"] == 2  # the ended listing still counted then
    # registered a b c d f; with QR a b d f; active a and d (b sold by QR on 20 June).
    assert (on_19["registered"], on_19["with_qr"], on_19["active"]) == (5, 4, 2)


def test_district_sums_counts_before_dividing(db, scenario):
    district = adoption_report(db.session, resolve_scope(db.session, "district", "171"), AS_OF)
    assert district.figures.coverage == Fraction(4 + 2 + 3, 7 + 10 + 3)
    assert district.name == "Đại Từ"


def test_zero_denominators_are_none(db, scenario):
    empty = adoption_report(db.session, resolve_scope(db.session, "market", "DONG-QUANG"), AS_OF)
    metrics = empty.metrics()
    for name in ("coverage", "active_rate", "cashless_share_count", "cashless_share_value",
                 "fees_cashless_share"):
        assert metrics[name] is None
    assert metrics["registered"] == 0 and metrics["online_products"] == 0
    thai = adoption_report(db.session, resolve_scope(db.session, "market", "THAI"), AS_OF)
    assert thai.figures.fees_cashless_share is None
    assert thai.figures.cashless_share_count == 0


def test_no_transactions_at_all(db, make_vendor):
    make_vendor("DAI-TU")
    report = adoption_report(db.session, resolve_scope(db.session, "province", None), None)
    assert (report.as_of, report.window) == (local_today(), 30)
    assert report.figures.registered == 1 and report.figures.with_qr == 1
    assert report.figures.active == 0 and report.figures.active_rate == 0
    assert report.figures.cashless_share_count is None
    assert list(report.metrics()) == list(METRICS)


@pytest.mark.parametrize(
    ("level", "code", "error", "field"),
    [
        ("county", None, InvalidInput, "level"),
        ("market", None, InvalidInput, "code"),
        ("vendor", "abc", InvalidInput, "code"),
        ("market", "NOPE", NotFound, None),
        ("district", "999", NotFound, None),
        ("vendor", "999999", NotFound, None),
        ("province", "20", NotFound, None),
    ],
)
def test_bad_scopes(db, reference, level, code, error, field):
    with pytest.raises(error) as raised:
        resolve_scope(db.session, level, code)
    if field:
        assert field in raised.value.errors


def test_bad_periods(db, reference):
    scope = resolve_scope(db.session, "province", None)
    with pytest.raises(InvalidInput) as raised:
        adoption_report(db.session, scope, date(2999, 1, 1))
    assert "as_of" in raised.value.errors
    for window in (0, 367, -3):
        with pytest.raises(InvalidInput) as raised:
            adoption_report(db.session, scope, AS_OF, window)
        assert "window" in raised.value.errors

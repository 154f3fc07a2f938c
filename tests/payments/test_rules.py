"""The acceptance rules of a transaction, without an app (the API tests cover the wiring)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from market40.payments.memo import kind_from_memo
from market40.payments.rules import MAX_AMOUNT, parse_item
from tests.payments.helpers import local, tx

NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def test_a_good_item_parses_to_a_typed_transaction():
    item, errors = parse_item(tx(7, "  ref-1 ", amount=12_000, method="qr"), NOW)
    assert errors == {}
    assert (item.vendor_id, item.amount, item.method, item.kind, item.reference) == (
        7, 12_000, "qr", "sale", "ref-1")
    assert item.occurred_at == local(2025, 3, 1, 8, 30)


def test_kind_defaults_to_sale():
    raw = tx(7, "r")
    del raw["kind"]
    assert parse_item(raw, NOW)[0].kind == "sale"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (1.5, "Not a valid integer."),
        (1000.0, "Not a valid integer."),
        ("1000", "Not a valid integer."),
        (True, "Not a valid integer."),
        (None, "Not a valid integer."),
        (0, "Must be a whole number of đồng greater than 0."),
        (-5_000, "Must be a whole number of đồng greater than 0."),
        (MAX_AMOUNT + 1, f"Must be at most {MAX_AMOUNT:,} đồng."),
    ],
)
def test_amount_must_be_a_positive_integer_of_dong(amount, message):
    item, errors = parse_item(tx(7, "r", amount=amount), NOW)
    assert item is None and errors == {"amount": message}


@pytest.mark.parametrize(
    ("occurred_at", "fragment"),
    [
        ("2025-03-01T08:30:00", "aware"),  # no offset
        ("2025-03-01", "aware"),
        ("yesterday", "Not a valid datetime"),
        ((NOW + timedelta(minutes=6)).isoformat(), "future"),
        ("1999-12-31T23:59:00+07:00", "before 2000"),
    ],
)
def test_occurred_at_needs_an_offset_and_a_plausible_time(occurred_at, fragment):
    item, errors = parse_item(tx(7, "r", occurred_at=occurred_at), NOW)
    assert item is None and fragment in errors["occurred_at"]


def test_a_little_clock_skew_is_tolerated():
    item, errors = parse_item(tx(7, "r", occurred_at=NOW + timedelta(minutes=4)), NOW)
    assert errors == {} and item is not None


@pytest.mark.parametrize(
    ("reference", "fragment"),
    [("", "empty"), ("   ", "empty"), ("x" * 81, "80"), ("bank:FT123", "reserved"),
     ("sim-20250101-000001-001", "reserved"), ("a\nb", "control"), (12, "string")],
)
def test_reference_rules(reference, fragment):
    item, errors = parse_item(tx(7, reference), NOW)
    assert item is None and fragment in errors["reference"]


def test_every_problem_of_an_item_is_reported_at_once():
    raw = {"vendor_id": "7", "amount": -1, "method": "card", "extra": 1}
    item, errors = parse_item(raw, NOW)
    assert item is None
    assert errors == {
        "vendor_id": "Not a valid integer.",
        "amount": "Must be a whole number of đồng greater than 0.",
        "method": "Must be one of: qr, cash.",
        "occurred_at": "Missing data for required field.",
        "reference": "Missing data for required field.",
        "extra": "Unknown field.",
    }


def test_an_item_must_be_an_object():
    assert parse_item([1, 2], NOW) == (None, {"_item": "Must be an object."})


@pytest.mark.parametrize(
    ("memo", "kind"),
    [
        ("PHI VE SINH T5", "fee"),
        ("Phí chợ tháng 5 ki ốt A-12", "fee"),
        ("  tiền điện T05/2024 quầy B3", "fee"),
        ("TIEN NUOC", "fee"),
        ("Thuê kiốt tháng 6", "fee"),
        ("ve sinh thang 5", "fee"),
        ("mua rau phi ship", "sale"),
        ("PHIN CA PHE", "sale"),
        ("NGUYEN VAN A chuyen tien", "sale"),
        ("", "sale"),
        (None, "sale"),
    ],
)
def test_memo_decides_fee_or_sale(memo, kind):
    assert kind_from_memo(memo) == kind

"""Board-declared QR payments: source kept, amount capped, and tn-2022 does not count them."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from market40.payments.rules import MAX_DECLARED_AMOUNT
from market40.reports.certification import certify
from market40.reports.rulesets import load_ruleset
from tests.factories import auth
from tests.payments.helpers import local, tx

URL = "/api/v1/transactions"


@pytest.fixture
def vendor(make_vendor):
    return make_vendor("DAI-TU")


def fees_share(db, ruleset: str) -> Fraction | None:
    result = certify(db.session, load_ruleset(ruleset), date(2025, 3, 10))
    market = next(m for m in result.markets if m.code == "DAI-TU")
    return market.figures.fees_cashless_share


def test_tn_2022_does_not_count_declared_qr_fees(client, db, admin, board, vendor):
    seen = client.post(URL, json=tx(vendor.id, "api-1", 300_000, "qr", "fee"),
                       headers=auth(admin))
    told = client.post(URL, json=tx(vendor.id, "board-1", 300_000, "qr", "fee"),
                       headers=auth(board))
    assert (seen.json["source"], told.json["source"]) == ("api", "declared")
    assert load_ruleset("tn-2022").declared_qr_counts is False
    assert load_ruleset("tn-pilot-example").declared_qr_counts is True
    assert fees_share(db, "tn-pilot-example") == 1
    assert fees_share(db, "tn-2022") == Fraction(1, 2)  # the declared fee stays in the total


def test_a_declared_amount_is_capped(client, db, admin, board, vendor):
    too_much = tx(vendor.id, "board-big", MAX_DECLARED_AMOUNT + 1)
    response = client.post(URL, json=too_much, headers=auth(board))
    assert response.status_code == 422 and "amount" in response.json["errors"]
    batch = client.post(f"{URL}/batch", json={"transactions": [too_much]}, headers=auth(board))
    assert batch.status_code == 422 and batch.json["errors"][0]["field"] == "amount"
    assert client.post(URL, json=tx(vendor.id, "board-ok", MAX_DECLARED_AMOUNT),
                       headers=auth(board)).status_code == 201
    # The bank and the API are bounded by the general maximum only.
    assert client.post(URL, json=too_much, headers=auth(admin)).status_code == 201


def test_a_vendor_active_only_by_declaration_is_not_active_in_tn_2022(
        client, db, admin, board, make_vendor):
    told, seen, both = (make_vendor("DAI-TU", created_at=local(2025, 1, 2, 8))
                        for _ in range(3))
    client.post(URL, json=tx(told.id, "d-1", 20_000, "qr"), headers=auth(board))
    client.post(URL, json=tx(seen.id, "a-1", 20_000, "qr"), headers=auth(admin))
    client.post(URL, json=tx(both.id, "d-2", 20_000, "qr"), headers=auth(board))
    client.post(URL, json=tx(both.id, "a-2", 20_000, "qr"), headers=auth(admin))

    def active(ruleset: str) -> int:
        result = certify(db.session, load_ruleset(ruleset), date(2025, 3, 10))
        return next(m for m in result.markets if m.code == "DAI-TU").figures.active

    assert active("tn-pilot-example") == 3
    assert active("tn-2022") == 2

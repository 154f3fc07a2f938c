"""POST /api/v1/transactions (one at a time) and GET (lists, filters, scope)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from market40.models import Transaction
from tests.factories import auth
from tests.payments.helpers import count_transactions, local, rollup, tx

URL = "/api/v1/transactions"


@pytest.fixture
def vendor(make_vendor):
    return make_vendor("DAI-TU")


def test_admin_records_a_sale_with_source_api(client, db, admin, vendor):
    response = client.post(URL, json=tx(vendor.id, "pos-1", amount=35_000, method="qr"),
                           headers=auth(admin))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] > 0
    assert (body["vendor_id"], body["market_code"], body["amount"], body["method"],
            body["kind"], body["source"], body["reference"]) == (
        vendor.id, "DAI-TU", 35_000, "qr", "sale", "api", "pos-1")
    assert body["occurred_at"] == "2025-03-01T08:30:00+07:00"
    day = rollup(db, vendor.id, date(2025, 3, 1))
    assert (day.qr_sales_count, day.qr_sales_value, day.cash_sales_count) == (1, 35_000, 0)


def test_a_board_declares_cash_sales_and_fees_of_its_markets(client, db, make_user, vendor):
    _, token = make_user("board", markets=("DAI-TU",))
    sale = client.post(URL, json=tx(vendor.id, "b-1"), headers=auth(token))
    fee = client.post(URL, json=tx(vendor.id, "b-2", amount=300_000, kind="fee"),
                      headers=auth(token))
    assert (sale.status_code, fee.status_code) == (201, 201)
    assert sale.json["source"] == fee.json["source"] == "declared"
    day = rollup(db, vendor.id, date(2025, 3, 1))
    assert (day.cash_sales_count, day.cash_fees_count, day.cash_fees_value) == (1, 1, 300_000)


def test_same_reference_same_content_returns_the_stored_one(client, db, admin, vendor):
    first = client.post(URL, json=tx(vendor.id, "idem-1"), headers=auth(admin))
    again = client.post(URL, json=tx(vendor.id, "idem-1"), headers=auth(admin))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert count_transactions(db, reference="idem-1") == 1
    assert rollup(db, vendor.id, date(2025, 3, 1)).cash_sales_count == 1


def test_same_offset_instant_written_differently_is_the_same_content(client, admin, vendor):
    client.post(URL, json=tx(vendor.id, "idem-2"), headers=auth(admin))
    utc = tx(vendor.id, "idem-2", occurred_at="2025-03-01T01:30:00Z")
    assert client.post(URL, json=utc, headers=auth(admin)).status_code == 200


def test_same_reference_different_content_is_a_conflict(client, db, admin, vendor):
    client.post(URL, json=tx(vendor.id, "idem-3"), headers=auth(admin))
    response = client.post(URL, json=tx(vendor.id, "idem-3", amount=99_000),
                           headers=auth(admin))
    assert response.status_code == 409
    assert "amount" in response.json["message"]
    assert count_transactions(db, reference="idem-3") == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", 1.5), ("amount", "25000"), ("amount", True), ("amount", 0), ("amount", -1),
     ("amount", 10**12 + 1), ("method", "card"), ("kind", "tip"),
     ("occurred_at", "2025-03-01T08:30:00"), ("occurred_at", "2099-01-01T00:00:00+07:00"),
     ("occurred_at", "1990-01-01T00:00:00+07:00"), ("reference", "bank:FT1"),
     ("reference", ""), ("vendor_id", "abc")],
)
def test_bad_input_is_a_422_naming_the_field(client, db, admin, vendor, field, value):
    body = tx(vendor.id, "bad-1")
    body[field] = value
    response = client.post(URL, json=body, headers=auth(admin))
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert field in errors.get("json", errors)
    assert count_transactions(db) == 0


def test_unknown_fields_are_refused(client, admin, vendor):
    body = {**tx(vendor.id, "u-1"), "currency": "VND"}
    response = client.post(URL, json=body, headers=auth(admin))
    assert response.status_code == 422
    assert "currency" in response.json["errors"]["json"]


def test_unknown_vendor_is_a_422(client, admin, reference):
    response = client.post(URL, json=tx(99_999, "nv-1"), headers=auth(admin))
    assert response.status_code == 422
    assert response.json["errors"] == {"vendor_id": ["No vendor has id 99999."]}


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "reverted"])
def test_vendors_that_are_not_approved_cannot_receive_payments(client, db, admin, make_vendor,
                                                               status):
    vendor = make_vendor("DAI-TU", status=status)
    response = client.post(URL, json=tx(vendor.id, f"st-{status}"), headers=auth(admin))
    assert response.status_code == 409
    assert f"is {status}" in response.json["message"]
    assert count_transactions(db) == 0


def test_a_qr_payment_needs_a_bank_account(client, admin, make_vendor):
    vendor = make_vendor("DAI-TU", bank_bin=None, account_number=None, account_holder=None)
    qr = client.post(URL, json=tx(vendor.id, "qr-1", method="qr"), headers=auth(admin))
    cash = client.post(URL, json=tx(vendor.id, "qr-2", method="cash"), headers=auth(admin))
    assert (qr.status_code, cash.status_code) == (409, 201)
    assert "no bank account" in qr.json["message"]


def test_a_closed_vendor_accepts_only_payments_from_before_it_closed(client, admin,
                                                                     make_vendor):
    vendor = make_vendor("DAI-TU", status="closed", created_at=local(2024, 1, 2, 8),
                         approved_at=local(2024, 1, 2, 9), closed_at=local(2025, 2, 1, 8))
    before = tx(vendor.id, "cl-1", occurred_at=local(2025, 1, 15, 9))
    after = tx(vendor.id, "cl-2", occurred_at=local(2025, 3, 1, 9))
    assert client.post(URL, json=before, headers=auth(admin)).status_code == 201
    assert client.post(URL, json=after, headers=auth(admin)).status_code == 409


def test_writing_needs_a_token_and_the_right_role_and_scope(client, db, make_user, vendor,
                                                            make_vendor):
    assert client.post(URL, json=tx(vendor.id, "a-1")).status_code == 401
    for role in ("department", "auditor"):
        _, token = make_user(role)
        assert client.post(URL, json=tx(vendor.id, "a-2"), headers=auth(token)).status_code == 403
    _, own = make_user("vendor", vendor_id=vendor.id)
    assert client.post(URL, json=tx(vendor.id, "a-3"), headers=auth(own)).status_code == 403
    _, other_board = make_user("board", markets=("THAI",))
    response = client.post(URL, json=tx(vendor.id, "a-4"), headers=auth(other_board))
    assert response.status_code == 403
    # The board may write transactions, just not for this stall: the answer says which
    # (it said "Role 'board' may not transactions write").
    assert response.json["message"] == (
        f"Vendor {vendor.id} (market DAI-TU) is outside your scope (board: transactions.write).")
    assert count_transactions(db) == 0


@pytest.fixture
def ledger(client, db, make_user, make_vendor):
    """Three vendors in two markets with a few transactions each."""
    _, admin = make_user("admin")
    dai_tu, dai_tu_2 = make_vendor("DAI-TU"), make_vendor("DAI-TU")
    thai = make_vendor("THAI")
    rows = [
        tx(dai_tu.id, "l-1", 10_000, "qr", occurred_at=local(2025, 3, 1, 6)),
        tx(dai_tu.id, "l-2", 20_000, "cash", occurred_at=local(2025, 3, 2, 7)),
        tx(dai_tu.id, "l-3", 300_000, "cash", "fee", occurred_at=local(2025, 3, 3, 8)),
        tx(dai_tu_2.id, "l-4", 40_000, "qr", occurred_at=local(2025, 3, 2, 23, 30)),
        tx(thai.id, "l-5", 50_000, "cash", occurred_at=local(2025, 3, 3, 0, 30)),
    ]
    for row in rows:
        assert client.post(URL, json=row, headers=auth(admin)).status_code == 201
    return {"admin": admin, "dai_tu": dai_tu, "dai_tu_2": dai_tu_2, "thai": thai}


def refs(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [t["reference"] for t in response.json]


def test_list_is_newest_first_and_paginated(client, ledger):
    response = client.get(f"{URL}?page_size=2", headers=auth(ledger["admin"]))
    assert refs(response) == ["l-3", "l-5"]
    pagination = json.loads(response.headers["X-Pagination"])
    assert (pagination["total"], pagination["total_pages"]) == (5, 3)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("market=THAI", ["l-5"]),
        ("method=qr", ["l-4", "l-1"]),
        ("kind=fee", ["l-3"]),
        ("source=api", ["l-3", "l-5", "l-4", "l-2", "l-1"]),
        ("source=declared", []),
        # local days: 23:30 on 2/3 belongs to 2/3, 00:30 on 3/3 to 3/3
        ("from=2025-03-02&to=2025-03-02", ["l-4", "l-2"]),
        ("from=2025-03-03", ["l-3", "l-5"]),
        ("from=2025-03-02T07:00:00%2B07:00&to=2025-03-02T23:30:00%2B07:00", ["l-2"]),
    ],
)
def test_filters(client, ledger, query, expected):
    assert refs(client.get(f"{URL}?{query}", headers=auth(ledger["admin"]))) == expected


def test_vendor_filter(client, ledger):
    vendor = ledger["dai_tu_2"].id
    assert refs(client.get(f"{URL}?vendor={vendor}", headers=auth(ledger["admin"]))) == ["l-4"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("method=card", "method"), ("from=03/02/2025", "from"), ("to=2025-03-02T07:00", "to"),
     ("vendor=x", "vendor"),
     # dates at the ends of the calendar: local midnight of 0001-01-01 is before year 1
     # in UTC, the day after 9999-12-31 does not exist (both were 500s)
     ("from=0001-01-01", "from"), ("to=9999-12-31", "to"),
     ("to=9999-12-31T23:59:59-14:00", "to"), ("from=0001-01-01T00:00:00%2B14:00", "from")],
)
def test_bad_filters_are_422(client, ledger, query, field):
    response = client.get(f"{URL}?{query}", headers=auth(ledger["admin"]))
    assert response.status_code == 422
    assert field in response.json["errors"]["query"]


def test_from_after_to_and_unknown_market_are_422(client, ledger):
    admin = auth(ledger["admin"])
    assert client.get(f"{URL}?from=2025-03-03&to=2025-03-01", headers=admin).status_code == 422
    response = client.get(f"{URL}?market=NOPE", headers=admin)
    assert response.status_code == 422 and "NOPE" in response.json["errors"]["market"][0]


def test_a_board_reads_only_its_markets(client, make_user, ledger):
    _, board = make_user("board", markets=("THAI",))
    assert refs(client.get(URL, headers=auth(board))) == ["l-5"]
    assert client.get(f"{URL}?market=DAI-TU", headers=auth(board)).status_code == 403
    vendor = ledger["dai_tu"].id
    assert client.get(f"{URL}?vendor={vendor}", headers=auth(board)).status_code == 403


def test_a_vendor_reads_only_its_own(client, make_user, ledger):
    _, own = make_user("vendor", vendor_id=ledger["dai_tu"].id)
    assert refs(client.get(URL, headers=auth(own))) == ["l-3", "l-2", "l-1"]
    other = ledger["dai_tu_2"].id
    assert client.get(f"{URL}?vendor={other}", headers=auth(own)).status_code == 403


def test_province_roles_read_everything_and_anonymous_nothing(client, make_user, ledger):
    for role in ("department", "auditor"):
        _, token = make_user(role)
        assert len(refs(client.get(URL, headers=auth(token)))) == 5
    assert client.get(URL).status_code == 401


def test_the_stored_row_is_what_the_response_says(client, db, admin, vendor):
    body = client.post(URL, json=tx(vendor.id, "row-1", 12_500), headers=auth(admin)).json
    row = db.session.get(Transaction, body["id"])
    assert (row.amount, row.occurred_at, row.market_id) == (
        12_500, local(2025, 3, 1, 8, 30), vendor.market_id)


def test_the_endpoints_are_documented(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    assert paths["/api/v1/transactions"]["post"]["summary"].startswith("Record one")
    assert {"201", "200", "409", "422"} <= set(paths["/api/v1/transactions"]["post"]["responses"])
    parameters = {p["name"] for p in paths["/api/v1/transactions"]["get"]["parameters"]}
    assert {"market", "vendor", "method", "kind", "source", "from", "to", "format", "page",
            "page_size"} <= parameters
    batch = paths["/api/v1/transactions/batch"]["post"]
    schema = batch["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    items = spec["components"]["schemas"][name]["properties"]["transactions"]
    assert items["maxItems"] == 10_000 and "$ref" in items["items"]
    assert "/api/v1/notifications/bank" in paths
    assert "/api/v1/notifications/unmatched" in paths

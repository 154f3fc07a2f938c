"""POST /api/v1/transactions/batch: all or nothing, idempotent, per-item errors."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from market40.models import DailyRollup, Transaction
from tests.factories import auth
from tests.payments.helpers import count_transactions, local, rollup, tx

URL = "/api/v1/transactions/batch"


@pytest.fixture
def vendors(make_vendor):
    return [make_vendor("DAI-TU"), make_vendor("DAI-TU")]


def test_a_batch_is_stored_with_its_rollups(client, db, admin, vendors):
    a, b = vendors
    items = [
        tx(a.id, "b-1", 10_000, "qr"),
        tx(a.id, "b-2", 20_000, "cash"),
        tx(b.id, "b-3", 300_000, "qr", "fee"),
        tx(b.id, "b-4", 5_000, "cash", occurred_at=local(2025, 3, 1, 23, 59)),
        tx(b.id, "b-5", 7_000, "cash", occurred_at=local(2025, 3, 2, 0, 1)),
    ]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 201, response.json
    assert response.json == {"received": 5, "stored": 5, "already_known": 0, "repeated": 0,
                             "known": []}
    assert count_transactions(db, source="api") == 5
    day_a = rollup(db, a.id, date(2025, 3, 1))
    assert (day_a.qr_sales_count, day_a.qr_sales_value, day_a.cash_sales_value) == (
        1, 10_000, 20_000)
    day_b = rollup(db, b.id, date(2025, 3, 1))
    assert (day_b.qr_fees_value, day_b.cash_sales_count, day_b.cash_sales_value) == (
        300_000, 1, 5_000)
    assert rollup(db, b.id, date(2025, 3, 2)).cash_sales_value == 7_000
    listed = client.get("/api/v1/transactions?page_size=10", headers=auth(admin)).json
    stored = {t["reference"]: t for t in listed}
    assert stored["b-3"]["kind"] == "fee" and stored["b-3"]["market_code"] == "DAI-TU"
    assert stored["b-5"]["occurred_at"] == "2025-03-02T00:01:00+07:00"


def test_one_bad_item_stores_nothing_and_names_every_problem(client, db, admin, vendors):
    a, _ = vendors
    items = [tx(a.id, f"ok-{i}") for i in range(5)]
    items.insert(2, tx(a.id, "bad-amount", amount=12.5))
    items.append({**tx(a.id, "bad-2", method="card"), "extra": True})
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"index": 2, "field": "amount", "message": "Not a valid integer."},
        {"index": 6, "field": "extra", "message": "Unknown field."},
        {"index": 6, "field": "method", "message": "Must be one of: qr, cash."},
    ]
    assert "nothing was stored" in response.json["message"]
    assert count_transactions(db) == 0
    assert rollup(db, a.id, date(2025, 3, 1)) is None


def test_registry_problems_are_item_errors(client, db, admin, make_vendor, vendors):
    draft = make_vendor("DAI-TU", status="draft")
    no_account = make_vendor("DAI-TU", bank_bin=None, account_number=None, account_holder=None)
    items = [tx(vendors[0].id, "r-1"), tx(99_999, "r-2"), tx(draft.id, "r-3"),
             tx(no_account.id, "r-4", method="qr")]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 422
    errors = {e["index"]: e for e in response.json["errors"]}
    assert set(errors) == {1, 2, 3}
    assert errors[1]["field"] == "vendor_id" and "No vendor" in errors[1]["message"]
    assert "is draft" in errors[2]["message"]
    assert "no bank account" in errors[3]["message"]
    assert count_transactions(db) == 0


def test_stored_references_are_reported_never_stored_twice(client, db, admin, vendors):
    a, _ = vendors
    first = [tx(a.id, "k-1"), tx(a.id, "k-2")]
    assert client.post(URL, json={"transactions": first}, headers=auth(admin)).status_code == 201
    again = [tx(a.id, "k-0"), tx(a.id, "k-2"), tx(a.id, "k-1"), tx(a.id, "k-3")]
    response = client.post(URL, json={"transactions": again}, headers=auth(admin))
    assert response.status_code == 201
    body = response.json
    assert (body["received"], body["stored"], body["already_known"]) == (4, 2, 2)
    assert [(k["index"], k["reference"]) for k in body["known"]] == [(1, "k-2"), (2, "k-1")]
    assert all(k["id"] > 0 for k in body["known"])
    assert count_transactions(db) == 4
    assert rollup(db, a.id, date(2025, 3, 1)).cash_sales_count == 4


def test_a_stored_reference_with_other_content_is_an_error(client, db, admin, vendors):
    a, _ = vendors
    client.post(URL, json={"transactions": [tx(a.id, "x-1")]}, headers=auth(admin))
    items = [tx(a.id, "x-2"), tx(a.id, "x-1", amount=1)]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 422
    [error] = response.json["errors"]
    assert (error["index"], error["field"]) == (1, "reference")
    assert "Already stored" in error["message"] and "amount" in error["message"]
    assert count_transactions(db) == 1


def test_duplicates_inside_a_batch(client, db, admin, vendors):
    a, _ = vendors
    same = [tx(a.id, "d-1"), tx(a.id, "d-1"), tx(a.id, "d-2")]
    response = client.post(URL, json={"transactions": same}, headers=auth(admin))
    assert response.status_code == 201
    assert (response.json["stored"], response.json["repeated"]) == (2, 1)
    clash = [tx(a.id, "d-3"), tx(a.id, "d-3", method="qr")]
    response = client.post(URL, json={"transactions": clash}, headers=auth(admin))
    assert response.status_code == 422
    assert response.json["errors"] == [{
        "index": 1, "field": "reference",
        "message": "Repeats item 0's reference with a different method.",
    }]
    assert count_transactions(db) == 2


@pytest.mark.parametrize(
    "body", [{"transactions": []}, {"transactions": "x"}, {}, {"items": []}, [1, 2]])
def test_malformed_batches_are_422(client, admin, body):
    assert client.post(URL, json=body, headers=auth(admin)).status_code == 422


def test_at_most_ten_thousand_items(client, db, admin, vendors):
    items = [tx(vendors[0].id, f"m-{i}") for i in range(10_001)]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 422
    assert "transactions" in response.json["errors"]["json"]
    assert count_transactions(db) == 0


def test_ten_thousand_items_in_one_request(client, db, admin, vendors):
    items = [tx(vendors[i % 2].id, f"big-{i}", amount=1_000 + i,
                occurred_at=local(2025, 3, 1 + i % 28, 5 + i % 12, i % 60))
             for i in range(10_000)]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 201
    assert response.json["stored"] == 10_000
    assert count_transactions(db) == 10_000


def test_board_scope_and_source(client, db, make_user, make_vendor, vendors):
    thai = make_vendor("THAI")
    _, board = make_user("board", markets=("DAI-TU",))
    response = client.post(URL, json={"transactions": [tx(vendors[0].id, "s-1"),
                                                       tx(thai.id, "s-2")]},
                           headers=auth(board))
    assert response.status_code == 403
    assert "Item 1" in response.json["message"] and "THAI" in response.json["message"]
    assert count_transactions(db) == 0
    ok = client.post(URL, json={"transactions": [tx(vendors[0].id, "s-1")]},
                     headers=auth(board))
    assert ok.status_code == 201
    assert count_transactions(db, source="declared") == 1


def test_batch_needs_a_writer(client, make_user, vendors):
    body = {"transactions": [tx(vendors[0].id, "w-1")]}
    assert client.post(URL, json=body).status_code == 401
    _, auditor = make_user("auditor")
    assert client.post(URL, json=body, headers=auth(auditor)).status_code == 403


def test_vendor_ids_outside_the_database_range_are_item_errors(client, db, admin, vendors):
    items = [tx(vendors[0].id, "ok"), tx(0, "zero"), tx(2**31, "big"), tx(2**63, "huge")]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 422
    errors = {e["index"]: e for e in response.json["errors"]}
    assert set(errors) == {1, 2, 3}
    assert all(e["field"] == "vendor_id" and "between 1 and 2147483647" in e["message"]
               for e in errors.values())
    assert count_transactions(db) == 0


def test_bodies_beyond_plain_ascii_are_stored_as_ever(client, db, admin, vendors):
    """Escapes, non-ASCII text and spaces around a reference leave the one-pass decoder
    (payments.rules.decode_batch) for the item-by-item path: same values as always."""
    a, b = vendors
    items = [tx(a.id, "  spaced  "), tx(a.id, "Cho\u0302\u0323-1", 40_000, "qr"),
             tx(b.id, 'quote"d\\slash'), tx(b.id, "plain")]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 201, response.json
    assert response.json["stored"] == 4
    stored = set(db.session.scalars(sa.select(Transaction.reference)))
    assert stored == {"spaced", "Chộ-1", 'quote"d\\slash', "plain"}
    again = client.post(URL, json={"transactions": items}, headers=auth(admin)).json
    assert (again["stored"], again["already_known"]) == (0, 4)


def test_the_input_policy_holds_for_batch_bodies(client, db, admin, vendors):
    items = [tx(vendors[0].id, "ok"), tx(vendors[0].id, "r\u202eev")]
    response = client.post(URL, json={"transactions": items}, headers=auth(admin))
    assert response.status_code == 422
    assert response.json["errors"] == {
        "json": {"transactions.1.reference": ["must not contain the bidi control U+202E"]}}
    nested = "[" * 40 + "]" * 40
    response = client.post(URL, data=f'{{"transactions": {nested}}}',
                           headers={**auth(admin), "Content-Type": "application/json"})
    assert response.status_code == 400 and "nested deeper" in response.json["message"]
    assert count_transactions(db) == 0


@pytest.mark.parametrize("raw", [
    '{"transactions": [ITEM, ITEM]}',  # the same reference twice: stored once
    '{"transactions": [ITEM], "transactions": [ITEM]}',  # a repeated key: the last one
    '{"transactions": [{"vendor_id": 1.0, "rest": 1}]}',  # wrong types: named per item
    '{"transactions": [ITEM]} x',  # not JSON
])
def test_every_body_gets_the_answer_of_the_item_by_item_path(client, db, admin, vendors, raw):
    item = json.dumps(tx(vendors[0].id, "same"))
    raw = raw.replace("ITEM", item)
    headers = {**auth(admin), "Content-Type": "application/json"}
    fast = client.post(URL, data=raw, headers=headers)
    db.session.execute(sa.delete(DailyRollup))
    db.session.execute(sa.delete(Transaction))
    db.session.commit()
    # the same body with one escaped character the decoder leaves to the item-by-item path
    slow = client.post(URL, data=raw.replace('"same"', '"s\\u0061me"'), headers=headers)
    assert (fast.status_code, fast.json) == (slow.status_code, slow.json)

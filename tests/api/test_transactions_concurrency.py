"""The same reference posted at the same moment by several clients is stored once.

Runs on both backends: PostgreSQL makes the losers' INSERTs wait on the unique index
and fail after the winner commits; SQLite serialises the writers. Either way the
losers roll back, re-read, and answer 200 (same content) or 409 (different), never 500.
"""

from __future__ import annotations

import threading
from datetime import date

from tests.factories import auth
from tests.payments.helpers import count_transactions, local, post_notification, rollup, tx

THREADS = 8


def race(app, send) -> list[int]:
    """Call ``send(client, i)`` from THREADS threads released together; their statuses."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = [0] * THREADS
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            client = app.test_client()
            barrier.wait()
            statuses[i] = send(client, i).status_code
        except BaseException as error:  # reported by the test, not lost in a thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return statuses


def test_same_reference_same_content_from_many_clients(app, db, admin, make_vendor):
    vendor = make_vendor("DAI-TU")
    body = tx(vendor.id, "race-1", amount=42_000, method="qr")
    statuses = race(app, lambda c, i: c.post("/api/v1/transactions", json=body,
                                             headers=auth(admin)))
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert count_transactions(db, reference="race-1") == 1
    day = rollup(db, vendor.id, date(2025, 3, 1))
    assert (day.qr_sales_count, day.qr_sales_value) == (1, 42_000)


def test_same_reference_different_content_from_many_clients(app, db, admin, make_vendor):
    vendor = make_vendor("DAI-TU")
    vendor_id = vendor.id  # ORM attributes are not for other threads
    statuses = race(app, lambda c, i: c.post(
        "/api/v1/transactions", json=tx(vendor_id, "race-2", amount=1_000 * (i + 1)),
        headers=auth(admin)))
    assert sorted(statuses) == [201] + [409] * (THREADS - 1)
    assert count_transactions(db, reference="race-2") == 1
    assert rollup(db, vendor.id, date(2025, 3, 1)).cash_sales_count == 1


def test_overlapping_batches_store_each_reference_once(app, db, admin, make_vendor):
    vendor = make_vendor("DAI-TU")
    vendor_id = vendor.id

    def send(client, i):
        # every batch shares race-b-0..19 and adds 5 of its own
        items = [tx(vendor_id, f"race-b-{n}") for n in range(20)]
        items += [tx(vendor_id, f"race-own-{i}-{n}") for n in range(5)]
        return client.post("/api/v1/transactions/batch", json={"transactions": items},
                           headers=auth(admin))

    statuses = race(app, send)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses.count(201) >= 1
    stored = count_transactions(db)
    assert stored == 20 + 5 * statuses.count(201)
    assert rollup(db, vendor.id, date(2025, 3, 1)).cash_sales_count == stored


def test_replayed_bank_notification_from_many_clients(app, db, make_vendor):
    vendor = make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")
    body = {"account_number": "0011223344", "bank_bin": "970436", "amount": 15_000,
            "content": "mua rau", "reference": "FT-RACE",
            "occurred_at": local(2025, 3, 1, 7).isoformat()}
    statuses = race(app, lambda c, i: post_notification(c, body))
    assert sorted(statuses) == [200] * (THREADS - 1) + [201]
    assert count_transactions(db, reference="bank:FT-RACE") == 1
    assert rollup(db, vendor.id, date(2025, 3, 1)).qr_sales_count == 1

"""Bank notifications: no foreign currency, no replay to another account, exact attempts."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from market40.models import UnmatchedNotification
from market40.payments.signature import sign
from tests.payments.helpers import SECRET, count_transactions, local, post_notification


def credit(reference: str = "FT25060199999", **fields) -> dict:
    body = {"account_number": "0011223344", "bank_bin": "970436", "amount": 45_000,
            "content": "chuyen tien", "reference": reference,
            "occurred_at": local(2025, 3, 1, 7, 15).isoformat()}
    body.update(fields)
    return body


@pytest.fixture
def vendor(make_vendor):
    return make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")


@pytest.mark.parametrize("currency", ["USD", "840", "vnd", ""])
def test_a_currency_other_than_vnd_is_422(client, db, vendor, currency):
    response = post_notification(client, credit(currency=currency))
    assert response.status_code == 422
    assert "currency" in response.json["errors"]["json"]
    assert count_transactions(db) == 0


@pytest.mark.parametrize("currency", ["VND", "704"])
def test_vnd_is_recorded(client, vendor, currency):
    assert post_notification(client, credit(currency=currency)).status_code == 201


def test_a_replay_naming_another_account_is_409(client, db, vendor, make_vendor):
    make_vendor("DAI-TU", bank_bin="970436", account_number="5566778899")
    assert post_notification(client, credit()).status_code == 201
    response = post_notification(client, credit(account_number="5566778899"))
    assert response.status_code == 409
    assert "account_number" in response.json["message"]
    assert post_notification(client, credit()).status_code == 200  # the true replay
    assert count_transactions(db) == 1


def test_attempts_are_exact_under_20_concurrent_posts(app, db, reference):
    raw = json.dumps(credit(reference="FT-UNKNOWN-1", account_number="999999999")).encode()
    headers = {"Content-Type": "application/json", "X-Signature": sign(raw, SECRET)}
    first = app.test_client().post("/api/v1/notifications/bank", data=raw, headers=headers)
    assert first.status_code == 422
    barrier = threading.Barrier(20, timeout=30)
    statuses: list[int] = []

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post("/api/v1/notifications/bank", data=raw,
                                    headers=headers).status_code)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses.count(422) == 20, statuses
    db.session.expire_all()
    entry = db.session.scalar(sa.select(UnmatchedNotification))
    assert entry.attempts == 21

"""POST /api/v1/notifications/sepay: SePay's webhook as SePay sends it."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from market40.models import UnmatchedNotification
from tests.live.helpers import events
from tests.payments.helpers import count_transactions, local, rollup

URL = "/api/v1/notifications/sepay"
KEY = {"Authorization": "Apikey test-sepay-key"}  # TestConfig.SEPAY_API_KEY


def webhook(id_: int = 92704, **fields) -> dict:
    """A body as SePay's documentation shows it."""
    body = {"id": id_, "gateway": "Vietcombank", "transactionDate": "2025-03-01 14:02:37",
            "accountNumber": "0011223344", "subAccount": None, "code": None,
            "content": "chuyen tien mua rau", "transferType": "in", "transferAmount": 25_000,
            "accumulated": 19_077_000, "referenceCode": "MBVCB.3278907687",
            "description": ""}
    body.update(fields)
    return body


@pytest.fixture
def vendor(make_vendor):
    return make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344")


def test_a_credit_is_recorded_and_announced(client, db, vendor):
    response = client.post(URL, json=webhook(), headers=KEY)
    assert response.status_code == 201, response.json
    assert response.json["success"] is True and response.json["status"] == "recorded"
    assert count_transactions(db, reference="bank:sepay-92704", source="bank",
                              vendor_id=vendor.id, amount=25_000, method="qr") == 1
    day = rollup(db, vendor.id, date(2025, 3, 1))
    assert (day.qr_sales_count, day.qr_sales_value) == (1, 25_000)
    (event,) = events(db)
    # transactionDate is local time: 14:02:37 in Hanoi.
    assert event.occurred_at == local(2025, 3, 1, 14, 2, 37)
    assert (event.content, event.announcement) == (
        "chuyen tien mua rau", "Đã nhận hai mươi lăm nghìn đồng")


def test_a_retry_is_acknowledged_and_records_nothing(client, db, vendor):
    first = client.post(URL, json=webhook(), headers=KEY)
    again = client.post(URL, json=webhook(), headers=KEY)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == {"success": True, "status": "replayed",
                          "transaction_id": first.json["transaction_id"], "message": None}
    assert count_transactions(db) == 1 and len(events(db)) == 1


def test_money_out_is_acknowledged_not_recorded(client, db, vendor):
    response = client.post(URL, json=webhook(transferType="out"), headers=KEY)
    assert response.status_code == 200
    assert (response.json["success"], response.json["status"]) == (True, "ignored")
    assert count_transactions(db) == 0 and events(db) == []


def test_an_unknown_account_is_logged_for_an_admin_and_acknowledged(client, db, vendor):
    for _ in range(2):
        response = client.post(URL, json=webhook(accountNumber="999888777"), headers=KEY)
        assert response.status_code == 200
        assert (response.json["success"], response.json["status"]) == (True, "unmatched")
    entry = db.session.scalar(sa.select(UnmatchedNotification))
    assert (entry.reference, entry.attempts) == ("sepay-92704", 2)
    assert count_transactions(db) == 0


def test_a_virtual_sub_account_picks_its_vendor(client, db, vendor, make_vendor):
    virtual = make_vendor("DAI-TU", bank_bin="970436", account_number="VQRQ0001")
    response = client.post(URL, json=webhook(subAccount="VQRQ0001"), headers=KEY)
    assert response.status_code == 201
    assert count_transactions(db, vendor_id=virtual.id) == 1


def test_a_fee_memo_is_recorded_as_a_fee_and_not_announced(client, db, vendor):
    response = client.post(URL, json=webhook(content="Phi ve sinh thang 3"), headers=KEY)
    assert response.status_code == 201
    assert count_transactions(db, kind="fee") == 1 and events(db) == []


@pytest.mark.parametrize("header", [None, "Bearer test-sepay-key", "Apikey wrong", "Apikey "])
def test_a_bad_key_is_401(client, db, vendor, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.post(URL, json=webhook(), headers=headers)
    assert response.status_code == 401
    assert count_transactions(db) == 0


def test_no_key_configured_is_503(app, client, vendor):
    app.config["SEPAY_API_KEY"] = None
    assert client.post(URL, json=webhook(), headers=KEY).status_code == 503


@pytest.mark.parametrize(("change", "field"), [
    ({"transactionDate": "01/03/2025 14:02"}, "transactionDate"),
    ({"transferType": "sideways"}, "transferType"),
    ({"transferAmount": "25000"}, "transferAmount"),
    ({"id": None}, "id"),
    ({"accountNumber": None}, "accountNumber"),
])
def test_a_body_that_is_not_a_sepay_notification_is_422_naming_the_field(
        client, vendor, change, field):
    response = client.post(URL, json=webhook(**change), headers=KEY)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_the_signed_endpoint_is_unchanged(client, db, vendor):
    from tests.payments.helpers import post_notification

    body = {"account_number": "0011223344", "amount": 5_000, "reference": "FT9",
            "occurred_at": local(2025, 3, 1, 7).isoformat()}
    assert post_notification(client, body).status_code == 201
    assert client.post("/api/v1/notifications/bank", json=body, headers=KEY).status_code == 401

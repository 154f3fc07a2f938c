"""GET /api/v1/vendors/{id}/statement: the day's QR sales, count and total (json/csv/pdf)."""

from __future__ import annotations

import pytest

from tests.factories import auth
from tests.payments.helpers import local, tx


@pytest.fixture
def vendor_id(make_vendor):
    return make_vendor("DAI-TU", bank_bin="970436", account_number="0011223344").id


def post(client, token, body):
    response = client.post("/api/v1/transactions", headers=auth(token), json=body)
    assert response.status_code == 201, response.json


@pytest.fixture
def day(client, admin, vendor_id):
    # 23:30 on 28/2 local is 16:30 UTC: the day is the local one, not UTC's.
    post(client, admin, tx(vendor_id, "s-0", 7_000, "qr", occurred_at=local(2025, 2, 28, 23, 30)))
    post(client, admin, tx(vendor_id, "s-1", 25_000, "qr", occurred_at=local(2025, 3, 1, 0, 10)))
    post(client, admin, tx(vendor_id, "s-2", 120_000, "qr", occurred_at=local(2025, 3, 1, 23, 59)))
    post(client, admin, tx(vendor_id, "s-3", 9_000, "cash", occurred_at=local(2025, 3, 1, 9)))
    post(client, admin, tx(vendor_id, "s-4", 50_000, "qr", "fee",
                           occurred_at=local(2025, 3, 1, 9)))
    return "2025-03-01"


def test_the_days_qr_sales_count_and_total(client, admin, vendor_id, day):
    response = client.get(f"/api/v1/vendors/{vendor_id}/statement?date={day}",
                          headers=auth(admin))
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["date"], body["vendor_id"], body["count"], body["total"]) == (
        day, vendor_id, 2, 145_000)
    assert [t["reference"] for t in body["transactions"]] == ["s-1", "s-2"]
    assert body["transactions"][0]["occurred_at"] == "2025-03-01T00:10:00+07:00"


def test_csv_and_pdf(client, admin, vendor_id, day):
    csv = client.get(f"/api/v1/vendors/{vendor_id}/statement?date={day}&format=csv",
                     headers=auth(admin))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "time,amount,reference,content"
    assert lines[1].startswith("2025-03-01T00:10:00+07:00,25000,s-1")
    assert lines[-1].startswith("total,145000,2 giao dịch")
    pdf = client.get(f"/api/v1/vendors/{vendor_id}/statement?date={day}&format=pdf",
                     headers=auth(admin))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_bank_credits_memo_is_on_the_statement(client, admin, vendor_id):
    from tests.payments.helpers import post_notification

    body = {"account_number": "0011223344", "amount": 30_000, "reference": "FT7",
            "content": "mua rau muong", "occurred_at": local(2025, 3, 2, 7).isoformat()}
    assert post_notification(client, body).status_code == 201
    got = client.get(f"/api/v1/vendors/{vendor_id}/statement?date=2025-03-02",
                     headers=auth(admin)).json
    assert got["transactions"][0]["content"] == "mua rau muong"


@pytest.mark.parametrize("query", ["date=2025-13-01", "format=xls", "day=2025-03-01",
                                   "date=0001-01-01", "date=9999-12-31"])  # were 500s
def test_bad_arguments_are_422(client, admin, vendor_id, query):
    response = client.get(f"/api/v1/vendors/{vendor_id}/statement?{query}",
                          headers=auth(admin))
    assert response.status_code == 422


def test_other_markets_boards_may_not(client, make_user, vendor_id):
    _, board_b = make_user("board", ("THAI",))
    response = client.get(f"/api/v1/vendors/{vendor_id}/statement", headers=auth(board_b))
    assert response.status_code == 403

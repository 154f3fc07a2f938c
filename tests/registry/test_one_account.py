"""One bank account pays one live vendor in the whole province, checked and enforced."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from market40.models import Market, Vendor
from tests.factories import auth
from tests.registry.helpers import HEADER, act, csv_file, post_vendor, vendor_payload

ACCOUNT = {"bank_bin": "970436", "account_number": "0123456789"}


@pytest.fixture
def thai(reference, make_user):
    """A board user of another market, who may not see DAI-TU's vendors."""
    return make_user("board", markets=("THAI",), name="bq-thai")[1]


def refusal_is_safe(body: dict, first: dict) -> None:
    text = str(body)
    assert "stall " + first["stall_code"] in text and "DAI-TU" in text
    for personal in (first["owner_name"], "0912345678", "019180001234"):
        assert personal not in text


def test_a_second_vendor_cannot_take_a_live_account(client, maker, thai):
    first = post_vendor(client, maker, **ACCOUNT)
    response = client.post("/api/v1/markets/THAI/vendors", json=vendor_payload(**ACCOUNT),
                           headers=auth(thai))
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert "account_number" in body["errors"]
    refusal_is_safe(body, first)
    # Another account at another bank with the same number is someone else's.
    other_bank = vendor_payload(bank_bin="970415", account_number=ACCOUNT["account_number"])
    assert client.post("/api/v1/markets/THAI/vendors", json=other_bank,
                       headers=auth(thai)).status_code == 201


def test_an_edit_cannot_take_a_live_account(client, maker, thai):
    first = post_vendor(client, maker, **ACCOUNT)
    second = post_vendor(client, thai, "THAI")
    response = client.patch(f"/api/v1/vendors/{second['id']}", json=ACCOUNT, headers=auth(thai))
    assert response.status_code == 409
    refusal_is_safe(response.get_json(), first)
    # Its own account, sent again with another change, is fine.
    same = client.patch(f"/api/v1/vendors/{first['id']}", headers=auth(maker),
                        json={**ACCOUNT, "display_name": "Rau mới"})
    assert same.status_code == 200, same.get_json()


def test_an_import_names_the_rows(client, maker, thai):
    post_vendor(client, maker, **ACCOUNT)
    row = ["B-001", "Thịt lợn", "Trần Văn Nam", "0987654321", "019180001111", "thịt",
           ACCOUNT["bank_bin"], ACCOUNT["account_number"], "TRAN VAN NAM"]
    again = ["B-002", *row[1:]]
    response = client.post("/api/v1/markets/THAI/vendors/import", headers=auth(thai),
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv_file([HEADER, row, again])), "v.csv")})
    assert response.status_code == 422
    problems = [p for p in response.get_json()["errors"] if p["field"] == "account_number"]
    assert [p["row"] for p in problems] == [2, 3]
    assert "DAI-TU" in problems[0]["message"] and "row 2" in problems[1]["message"]


def test_a_rejected_vendor_frees_its_account(client, maker, checker, thai):
    first = post_vendor(client, maker, **ACCOUNT)
    act(client, maker, first["id"], "submit")
    assert act(client, checker, first["id"], "reject", reason="Sai").status_code == 200
    assert client.post("/api/v1/markets/THAI/vendors", json=vendor_payload(**ACCOUNT),
                       headers=auth(thai)).status_code == 201


def test_the_database_refuses_a_second_live_holder(reference):
    db = reference
    ids = db.session.scalars(sa.select(Market.id).where(Market.code.in_(("DAI-TU", "THAI"))))
    common = {"display_name": "x", "owner_name": "x", "goods_category": "thịt",
              "account_holder": "X", **ACCOUNT}
    one, two = (Vendor(market_id=i, stall_code="Z-1", status="approved", **common) for i in ids)
    db.session.add(one)
    db.session.commit()
    db.session.add(two)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    two = Vendor(market_id=one.market_id, stall_code="Z-2", status="rejected", **common)
    db.session.add(two)
    db.session.commit()  # a rejected vendor holds nothing

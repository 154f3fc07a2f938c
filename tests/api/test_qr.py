"""Vendors' VietQR codes over the API: payload, images, decoding, stall verification."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from market40 import vietqr
from tests.factories import auth

VECTOR_3 = ("00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
            "5303704540410005802VN62150811Chuyen tien6304BBB8")


def test_static_code_for_an_approved_vendor(client, make_vendor, board):
    vendor = make_vendor(bank_bin="970436", account_number="1017595600")
    response = client.get(f"/api/v1/vendors/{vendor.id}/qr", headers=auth(board))
    assert response.status_code == 200
    body = response.get_json()
    assert body["initiation"] == "static" and body["amount"] is None
    assert body["bank"] == "Vietcombank"
    decoded = vietqr.decode(body["payload"])
    assert (decoded.bank_bin, decoded.account, decoded.amount) == ("970436", "1017595600", None)


def test_dynamic_code_folds_the_memo_and_says_so(client, make_vendor, board):
    vendor = make_vendor()
    response = client.get(f"/api/v1/vendors/{vendor.id}/qr?amount=25000&purpose=Mua rau Đại Từ",
                          headers=auth(board))
    body = response.get_json()
    decoded = vietqr.decode(body["payload"])
    assert decoded.amount == 25000 and decoded.purpose == "Mua rau Dai Tu"
    assert body["initiation"] == "dynamic" and "folded" in body["warnings"][0]


@pytest.mark.parametrize("query, field", [
    ("amount=0", "amount"), ("amount=1.5", "amount"), ("amount=abc", "amount"),
    ("format=gif", "format"), ("purpose=" + "x" * 30, "purpose"), ("size=0", "size"),
])
def test_bad_arguments_are_422_naming_the_field(client, make_vendor, board, query, field):
    vendor = make_vendor()
    response = client.get(f"/api/v1/vendors/{vendor.id}/qr?{query}", headers=auth(board))
    assert response.status_code == 422
    assert field in response.get_data(as_text=True)


@pytest.mark.parametrize("fields, why", [
    ({"status": "submitted"}, "not approved"),
    ({"bank_bin": None, "account_number": None, "account_holder": None}, "no bank account"),
])
def test_no_code_without_approval_or_account(client, make_vendor, board, fields, why):
    vendor = make_vendor(**fields)
    response = client.get(f"/api/v1/vendors/{vendor.id}/qr", headers=auth(board))
    assert response.status_code == 409
    assert why in response.get_json()["message"]


def test_access_needs_a_token_in_scope(client, make_vendor, make_user):
    vendor = make_vendor(market_code="DAI-TU")
    assert client.get(f"/api/v1/vendors/{vendor.id}/qr").status_code == 401
    other_board = make_user("board", markets=("THAI",))[1]
    assert client.get(f"/api/v1/vendors/{vendor.id}/qr",
                      headers=auth(other_board)).status_code == 403
    assert client.get("/api/v1/vendors/999999/qr", headers=auth(other_board)).status_code == 404


def test_png_and_svg_are_cached_by_content(client, make_vendor, board):
    vendor = make_vendor()
    url = f"/api/v1/vendors/{vendor.id}/qr?format=png&size=6"
    first = client.get(url, headers=auth(board))
    assert first.status_code == 200 and first.mimetype == "image/png"
    assert Image.open(io.BytesIO(first.data)).format == "PNG"
    second = client.get(url, headers={**auth(board), "If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304
    assert client.get(url, headers=auth(board)).data == first.data
    svg = client.get(f"/api/v1/vendors/{vendor.id}/qr?format=svg", headers=auth(board))
    assert svg.mimetype == "image/svg+xml" and svg.data.lstrip().startswith(b"<")


def test_decode_known_vector(client, reference):
    response = client.post("/api/v1/qr/decode", json={"payload": VECTOR_3})
    assert response.status_code == 200
    body = response.get_json()
    assert body["bank"] == "ACB" and body["amount"] == 1000 and body["purpose"] == "Chuyen tien"
    assert set(body) >= {"bank_bin", "account", "service", "initiation", "bill", "reference",
                         "terminal", "merchant_name", "merchant_city", "crc", "warnings"}


@pytest.mark.parametrize("payload, problem", [
    (VECTOR_3[:-1] + "9", "InvalidChecksum"),
    (VECTOR_3[:40], "InvalidLength"),
])
def test_decode_names_the_problem(client, reference, payload, problem):
    response = client.post("/api/v1/qr/decode", json={"payload": payload})
    assert response.status_code == 422
    body = response.get_json()
    assert problem in body["message"] and body["errors"]["payload"]


def test_decode_rejects_missing_payload(client):
    response = client.post("/api/v1/qr/decode", json={})
    assert response.status_code == 422 and "payload" in response.get_data(as_text=True)


def test_verify_photo_of_the_vendors_own_code(client, make_vendor, board):
    vendor = make_vendor()
    png = client.get(f"/api/v1/vendors/{vendor.id}/qr?format=png", headers=auth(board)).data
    response = client.post("/api/v1/qr/verify", headers=auth(board), data={
        "vendor_id": str(vendor.id), "image": (io.BytesIO(png), "card.png")})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["match"] is True


def test_verify_catches_a_pasted_over_code(client, make_vendor, board):
    vendor = make_vendor(bank_bin="970436", account_number="1017595600")
    fraud = vietqr.encode(bank_bin="970422", account="0123456789")
    body = client.post("/api/v1/qr/verify", headers=auth(board),
                       json={"vendor_id": vendor.id, "payload": fraud}).get_json()
    assert body["match"] is False
    assert body["found"]["account"] == "0123456789" and body["expected"]["account"] == "1017595600"
    same_account_other_bank = vietqr.encode(bank_bin="970422", account="1017595600")
    body = client.post("/api/v1/qr/verify", headers=auth(board),
                       json={"vendor_id": vendor.id, "payload": same_account_other_bank}
                       ).get_json()
    assert body["match"] is False and "another bank" in body["reason"]


def test_verify_image_without_a_code(client, make_vendor, board):
    vendor = make_vendor()
    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, "PNG")
    body = client.post("/api/v1/qr/verify", headers=auth(board), data={
        "vendor_id": str(vendor.id), "image": (io.BytesIO(blank.getvalue()), "x.png")}).get_json()
    assert body == {**body, "match": False, "reason": "no QR code found in the image"}


def test_verify_refuses_a_file_that_is_not_an_image(client, make_vendor, board):
    vendor = make_vendor()
    response = client.post("/api/v1/qr/verify", headers=auth(board), data={
        "vendor_id": str(vendor.id), "image": (io.BytesIO(b"%PDF-1.4 nope"), "card.png")})
    assert response.status_code == 422 and "image" in response.get_json()["errors"]

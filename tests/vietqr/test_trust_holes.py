"""Codec holes from the trust review: 38.02 values, and errors that name the broken object."""

from __future__ import annotations

import pytest

from market40.vietqr import InvalidComponent, InvalidLength, decode
from market40.vietqr.crc import sign

# The ACB vector's objects up to 58 (reference/vietqr.md), to be completed and signed.
HEAD = "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
BASE = HEAD + "5303704540410005802VN"


def napas_with_service(code: str) -> str:
    inner = "0010A000000727" + "01230006970416010925767885902" + f"{len(code):02d}{code}"
    return "000201010212" + f"38{len(inner):02d}{inner}" + "5303704540410005802VN"


@pytest.mark.parametrize("code", ["QRIBFTTX", "WALLET", "qribftta", "0"])
def test_an_unknown_service_code_is_refused_naming_38_02(code):
    with pytest.raises(InvalidComponent) as refused:
        decode(sign(napas_with_service(code)))
    assert refused.value.field == "38.02" and "QRPUSH" in str(refused.value)


@pytest.mark.parametrize("code", ["QRIBFTTA", "QRIBFTTC", "QRPUSH", "QRCASH"])
def test_napas_service_codes_decode(code):
    assert decode(sign(napas_with_service(code))).service == code


@pytest.mark.parametrize(("tail", "field", "says"), [
    ("62150811Chuyen", "62", "only line up if it has 10"),  # 62 cut off, length kept
    ("620408", "62", "only line up if it has 2"),  # was "04: length must be 2 digits"
    ("5909Chợ Lan", "59", "counted in UTF-8 bytes"),  # was "04: ..." too
])
def test_a_wrong_length_names_its_own_object(tail, field, says):
    with pytest.raises(InvalidLength) as refused:
        decode(sign(BASE + tail))
    assert refused.value.field == field and says in str(refused.value)


def test_an_api_decode_works_without_a_bank_list(client, db):
    """``db upgrade`` without ``seed``: no bank names, but codes still decode (as the CLI)."""
    payload = sign(BASE + "62150811Chuyen tien")
    response = client.post("/api/v1/qr/decode", json={"payload": payload})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["bank_bin"] == "970416" and body["bank"] is None

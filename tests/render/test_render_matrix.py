"""market40.render._matrix must give exactly the matrix qrcode itself makes.

The fast encoder re-implements qrcode's hot loops (mask scoring, Reed-Solomon, bit
packing); these tests pin it to ``qrcode.QRCode.make()`` across every ECC level, every
segment mode, and versions where the layout changes (version information from 7, longer
length fields from 10 and 27), so a qrcode upgrade that changes anything fails here.
"""

from __future__ import annotations

import random

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

from market40.render._matrix import encode_rows

ECCS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


def reference_rows(payload: str, ecc: int) -> tuple[int, ...]:
    code = qrcode.QRCode(error_correction=ecc, border=0)
    code.add_data(payload)
    code.make()
    return tuple(int("".join("1" if m else "0" for m in row), 2) for row in code.modules)


def _payloads() -> list[str]:
    rng = random.Random(40)  # fixed: the same cases every run
    texts = [
        "a",
        "HELLO WORLD",  # alphanumeric mode
        "0123456789" * 4,  # numeric mode
        "Nguyễn Thị Đào",  # UTF-8 bytes
        "https://market40.example/vendors/A-12?x=1",
        # Mixed segments: long digit runs inside text switch qrcode to numeric chunks.
        "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045802VN6304AE9F",
    ]
    alphabet = "abcXYZ 0123456789:/.-éđ\x00"
    texts += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(20, 260))) for _ in range(16)
    ]
    texts += ["x" * 300, "7" * 700, "Q" * 1000]  # versions around 10, 17, 27
    return texts


PAYLOADS = _payloads()


@pytest.mark.parametrize("ecc", sorted(ECCS))
def test_matches_qrcode(ecc: str) -> None:
    for payload in PAYLOADS:
        assert encode_rows(payload, ECCS[ecc]) == reference_rows(payload, ECCS[ecc]), payload


def test_matches_qrcode_on_vietqr_payloads(make_payload) -> None:
    rng = random.Random(4)
    for i in range(40):
        payload = make_payload(
            rng.choice(["970416", "970436", "970422", "970405"]),
            str(rng.randrange(10**6, 10**19)),
            amount=rng.choice([None, rng.randrange(1000, 10**9)]),
            purpose=rng.choice([None, f"Thanh toan sap A-{i} cho Hung Son"]),
        )
        for ecc in ("M", "Q"):
            assert encode_rows(payload, ECCS[ecc]) == reference_rows(payload, ECCS[ecc])


def test_largest_version() -> None:
    payload = "".join(random.Random(7).choice("abcdefgh") for _ in range(2900))
    rows = encode_rows(payload, ERROR_CORRECT_L)
    assert len(rows) == 177  # version 40
    assert rows == reference_rows(payload, ERROR_CORRECT_L)


def test_too_long_overflows() -> None:
    with pytest.raises(OverflowError):
        encode_rows("x" * 3000, ERROR_CORRECT_H)

"""CRC-16/CCITT-FALSE (tag 63)."""

from __future__ import annotations

import pytest

from market40.vietqr import crc16
from market40.vietqr.crc import sign

from . import vectors


def test_catalogue_check_value() -> None:
    # CRC-16/CCITT-FALSE check value (reveng catalogue; reference/vietqr.md §2).
    assert crc16("123456789") == "29B1"


def test_empty_input_is_the_initial_value() -> None:
    assert crc16("") == "FFFF"


@pytest.mark.parametrize(
    "payload",
    [
        vectors.ACB_STATIC,
        vectors.ACB_DYNAMIC,
        vectors.SACOMBANK_CARD,
        vectors.VCB_DYNAMIC,
        vectors.SACOMBANK_CARD_DYNAMIC,
        vectors.TECHCOMBANK_0283,
        vectors.MOMO_WALLET,
        vectors.NAPAS_QRCASH,
        vectors.NAPAS_6_1_1_ERRATUM,
    ],
)
def test_published_crcs_cover_the_6304_header(payload: str) -> None:
    assert crc16(payload[:-4]) == payload[-4:]
    assert sign(payload[:-8]) == payload


def test_zero_padded_and_upper_case() -> None:
    assert crc16(vectors.TECHCOMBANK_0283[:-4]) == "0283"
    assert crc16(vectors.MB_LOWERCASE_CRC[:-4]) == "79DB"


def test_hashes_utf8_bytes() -> None:
    # Real codes with diacritics carry CRCs over UTF-8 bytes (reference/vietqr.md §1).
    import binascii

    text = "0809Lê Anh Tú6304"
    assert crc16(text) == f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"
    assert crc16(text) != f"{binascii.crc_hqx(text.encode('latin-1'), 0xFFFF):04X}"

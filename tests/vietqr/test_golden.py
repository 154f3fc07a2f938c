"""Published payloads: our encoder reproduces them, our decoder reads them (or rejects the
broken one). Sources and CRC checks: vectors.py and reference/vietqr.md §2."""

from __future__ import annotations

import pytest

from market40.vietqr import (
    InvalidLength,
    decode,
    encode,
    is_valid,
    validate,
)
from market40.vietqr.crc import sign
from market40.vietqr.tlv import item

from . import vectors
from .vectors import BANKS


def _by_the_rules(bank_bin: str, account: str, service: str, amount: str | None,
                  additional: str = "") -> str:  # fmt: skip
    """Build a payload straight from the spec tables, independent of encoder.py."""
    napas = item("00", "A000000727") + item("01", item("00", bank_bin) + item("01", account))
    napas += item("02", service)
    body = item("00", "01") + item("01", "12" if amount else "11") + item("38", napas)
    body += item("53", "704") + (item("54", amount) if amount else "") + item("58", "VN")
    body += item("62", additional) if additional else ""
    return sign(body)


@pytest.mark.parametrize(
    ("payload", "kwargs", "spec_args"),
    [
        (  # 1: static ACB
            vectors.ACB_STATIC,
            {"bank_bin": "970416", "account": "257678859"},
            ("970416", "257678859", "QRIBFTTA", None),
        ),
        (  # 3: dynamic ACB
            vectors.ACB_DYNAMIC,
            {"bank_bin": "970416", "account": "257678859", "amount": 1000,
             "purpose": "Chuyen tien"},
            ("970416", "257678859", "QRIBFTTA", "1000", item("08", "Chuyen tien")),
        ),
        (  # 6: static Sacombank card
            vectors.SACOMBANK_CARD,
            {"bank_bin": "970403", "account": "9704031101234567", "service": "card"},
            ("970403", "9704031101234567", "QRIBFTTC", None),
        ),
        (  # 10: dynamic Vietcombank
            vectors.VCB_DYNAMIC,
            {"bank_bin": "970436", "account": "1017595600", "amount": 180000,
             "purpose": "thanh toan don hang"},
            ("970436", "1017595600", "QRIBFTTA", "180000", item("08", "thanh toan don hang")),
        ),
        (  # NAPAS §6 dynamic card with bill + purpose
            vectors.SACOMBANK_CARD_DYNAMIC,
            {"bank_bin": "970403", "account": "9704031101234567", "service": "card",
             "amount": 180000, "bill": "NPS6869", "purpose": "thanh toan don hang"},
            ("970403", "9704031101234567", "QRIBFTTC", "180000",
             item("01", "NPS6869") + item("08", "thanh toan don hang")),
        ),
        (  # Techcombank, CRC 0283
            vectors.TECHCOMBANK_0283,
            {"bank_bin": "970407", "account": "19030413601018"},
            ("970407", "19030413601018", "QRIBFTTA", None),
        ),
    ],
)  # fmt: skip
def test_encoder_and_spec_rules_reproduce_published_payloads(
    payload: str, kwargs: dict, spec_args: tuple
) -> None:
    assert _by_the_rules(*spec_args) == payload
    assert encode(**kwargs) == payload
    assert encode(**kwargs, banks=BANKS) == payload


def test_decode_dynamic_acb() -> None:
    qr = decode(vectors.ACB_DYNAMIC, banks=BANKS)
    assert (qr.bank_bin, qr.bank, qr.account, qr.service) == (
        "970416", "ACB", "257678859", "QRIBFTTA",
    )  # fmt: skip
    assert (qr.initiation, qr.amount, qr.purpose) == ("dynamic", 1000, "Chuyen tien")
    assert qr.crc == "BBB8"
    assert qr.warnings == () and qr.extra == {} and qr.mcc is None
    assert (qr.bill, qr.reference, qr.terminal, qr.merchant_name, qr.merchant_city) == (None,) * 5


def test_decode_static_card() -> None:
    qr = decode(vectors.SACOMBANK_CARD, banks=BANKS)
    assert (qr.bank, qr.account, qr.service, qr.initiation, qr.amount) == (
        "Sacombank", "9704031101234567", "QRIBFTTC", "static", None,
    )  # fmt: skip


def test_decode_without_banks_has_no_bank_name() -> None:
    assert decode(vectors.VCB_DYNAMIC).bank is None
    assert decode(vectors.VCB_DYNAMIC, banks=BANKS).bank == "Vietcombank"


def test_napas_6_1_1_erratum_is_rejected() -> None:
    # Length 12 but a 13-digit account: the peers silently read "001101234567".
    with pytest.raises(InvalidLength) as caught:
        decode(vectors.NAPAS_6_1_1_ERRATUM)
    assert caught.value.field == "38.01"
    assert "'8'" in str(caught.value) and "after 38.01.01" in str(caught.value)
    assert not is_valid(vectors.NAPAS_6_1_1_ERRATUM)
    # With the length corrected (and the CRC recomputed) it is a fine static code.
    fixed = sign(
        "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN"
    )
    assert decode(fixed).account == "0011012345678"


def test_mb_bank_lower_case_crc_decodes_with_a_warning() -> None:
    qr = decode(vectors.MB_LOWERCASE_CRC, banks=BANKS)
    assert (qr.bank, qr.account, qr.crc) == ("MB Bank", "0352350917", "79DB")
    assert qr.warnings == ("63: CRC '79db' is not in upper case",)
    assert validate(vectors.MB_LOWERCASE_CRC) == vectors.MB_LOWERCASE_CRC[:-4] + "79DB"


def test_momo_wallet_keeps_reference_and_unreserved_tag() -> None:
    qr = decode(vectors.MOMO_WALLET, banks=BANKS)
    assert (qr.bank, qr.account) == ("BVBank", "99MM24011M34875080")
    assert qr.reference == "MOMOW2W34875080"
    assert qr.extra == {"80": "046"}
    assert encode(bank_bin="970454", account="99MM24011M34875080",
                  reference="MOMOW2W34875080")[:-8] in vectors.MOMO_WALLET  # fmt: skip


def test_napas_qrcash_example() -> None:
    qr = decode(vectors.NAPAS_QRCASH)
    assert (qr.service, qr.mcc, qr.merchant_name, qr.merchant_city) == (
        "QRCASH", "6011", "NGUYEN HUU HUAN", "HANOI",
    )  # fmt: skip
    assert (qr.reference, qr.terminal, qr.initiation, qr.amount) == (
        "201901091557142283847", "00001111", "dynamic", None,
    )  # fmt: skip
    assert qr.warnings == ()


def test_validate_normalises_whitespace_and_crc_case() -> None:
    assert validate(f"  {vectors.ACB_STATIC}\r\n") == vectors.ACB_STATIC
    assert validate(vectors.ACB_STATIC, banks=BANKS) == vectors.ACB_STATIC

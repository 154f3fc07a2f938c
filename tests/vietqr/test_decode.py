"""decode(): every failure class names its first problem; tolerated deviations warn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from market40.vietqr import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    VietQRError,
    decode,
    is_valid,
    validate,
)
from market40.vietqr.crc import crc16, sign
from market40.vietqr.tlv import item, serialize

from . import vectors
from .vectors import BANKS

ACB_ACCOUNT = item("00", "970416") + item("01", "257678859")  # 38.01: BIN + account
NAPAS_OK = item("00", "A000000727") + item("01", ACB_ACCOUNT) + item("02", "QRIBFTTA")


def objects(**changes: str | None) -> list[tuple[str, str]]:
    """The ACB dynamic vector's objects (no CRC); ``_54=None`` drops 54, ``_54="x"`` sets it."""
    base = {
        "00": "01", "01": "12", "38": NAPAS_OK, "53": "704", "54": "1000", "58": "VN",
        "62": "0811Chuyen tien",
    }  # fmt: skip
    for key, value in changes.items():
        tag = key.lstrip("_")
        if value is None:
            base.pop(tag)
        else:
            base[tag] = value
    return list(base.items())


def signed(pairs: list[tuple[str, str]] | str) -> str:
    return sign(pairs if isinstance(pairs, str) else serialize(pairs))


def test_objects_helper_rebuilds_the_vector() -> None:
    assert signed(objects()) == vectors.ACB_DYNAMIC


def napas(
    guid: str | None = "A000000727",
    inner: str | None = ACB_ACCOUNT,
    service: str | None = "QRIBFTTA",
) -> str:
    """A tag-38 value; None leaves that sub-object out."""
    text = item("00", guid) if guid else ""
    text += item("01", inner) if inner else ""
    return text + (item("02", service) if service else "")


BAD_AMOUNT = InvalidFormat
# One row per failure: (test id, payload, exception class, field). Payloads are re-signed,
# so the CRC passes and the intended problem is the first one.
# fmt: off
CASES: list[tuple[str, object, type[VietQRError], str]] = [
    # -- the payload as a whole, and the CRC (checked before anything else is trusted)
    ("empty", "", InvalidLength, "payload"),
    ("whitespace only", "  \n", InvalidLength, "payload"),
    ("not a str", b"000201", InvalidFormat, "payload"),
    ("bad CRC", vectors.ACB_DYNAMIC[:-1] + "9", InvalidChecksum, "63"),
    ("edited amount, old CRC", vectors.ACB_DYNAMIC.replace("54041000", "54049000"),
     InvalidChecksum, "63"),
    ("CRC not hex", vectors.ACB_STATIC[:-4] + "AE9G", InvalidFormat, "63"),
    ("no CRC object", vectors.ACB_STATIC[:-8], InvalidFormat, "63"),
    ("cut off mid-object", vectors.ACB_DYNAMIC[:60], InvalidLength, "38"),
    ("cut off in a header", vectors.ACB_DYNAMIC[:110], InvalidLength, "payload"),
    ("junk after the CRC", vectors.ACB_STATIC + "0", InvalidLength, "payload"),
    ("63 not last", signed(objects(_58=None)) + "5802VN", InvalidFormat, "63"),
    ("value swallows the CRC text", (lambda b: b + crc16(b))(
        serialize(objects()) + "9910ab6304"), InvalidFormat, "63"),
    # -- root TLV
    ("non-digit length", signed("000201" "011x12" + serialize(objects(_00=None, _01=None))),
     InvalidFormat, "01"),
    ("length 00", signed("000201" "0100" + serialize(objects(_00=None, _01=None))),
     InvalidLength, "01"),
    ("non-digit ID", signed("000201" "X10212" + serialize(objects(_00=None, _01=None))),
     InvalidFormat, "payload"),
    ("duplicate tag", signed(objects() + [("54", "2000")]), InvalidFormat, "54"),
    ("00 not first", signed([("01", "12"), ("00", "01")] + objects(_00=None, _01=None)),
     InvalidFormat, "00"),
    ("00 missing", signed(objects(_00=None)), InvalidFormat, "00"),
    ("00 not 01", signed(objects(_00="02")), InvalidComponent, "00"),
    # -- 01 point of initiation
    ("01 missing", signed(objects(_01=None)), InvalidFormat, "01"),
    ("01 not 11/12", signed(objects(_01="13")), InvalidComponent, "01"),
    # -- 38 NAPAS template
    ("38 missing", signed(objects(_38=None)), InvalidFormat, "38"),
    ("VNPAY-QR (26), not VietQR", signed(objects(_38=None) + [("26", "0010A000000775")]),
     InvalidFormat, "38"),
    ("38 not TLV", signed(objects(_38="A000000727")), InvalidFormat, "38"),
    ("38 truncated inside", signed(objects(_38="0010A0000007270130" "0006970416")),
     InvalidLength, "38.01"),
    ("GUID missing", signed(objects(_38=napas(guid=None))), InvalidFormat, "38.00"),
    ("wrong GUID", signed(objects(_38=napas(guid="A000000775"))), InvalidComponent, "38.00"),
    ("38.01 missing", signed(objects(_38=napas(inner=None))), InvalidFormat, "38.01"),
    ("38.01 not TLV", signed(objects(_38=napas(inner="970416257678859"))),
     InvalidLength, "38.01.76"),
    ("BIN missing", signed(objects(_38=napas(inner="0109257678859"))), InvalidFormat,
     "38.01.00"),
    ("BIN 5 digits", signed(objects(_38=napas(inner="000597041" "0109257678859"))),
     InvalidLength, "38.01.00"),
    ("BIN not digits", signed(objects(_38=napas(inner="000697041A" "0109257678859"))),
     InvalidFormat, "38.01.00"),
    ("account missing", signed(objects(_38=napas(inner="0006970416"))), InvalidFormat,
     "38.01.01"),
    ("account 20 chars", signed(objects(_38=napas(inner="0006970416" + item("01", "1" * 20)))),
     InvalidLength, "38.01.01"),
    ("account not ASCII", signed(objects(_38=napas(inner="0006970416" + item("01", "12345٣")))),
     InvalidFormat, "38.01.01"),
    ("service over 10", signed(objects(_38=napas(service="QRIBFTTA-XYZ"))), InvalidLength,
     "38.02"),
    # -- 52, 53, 54, 58, 62
    ("MCC not 4 digits", signed(objects() + [("52", "60A1")]), InvalidFormat, "52"),
    ("currency missing", signed(objects(_53=None)), InvalidFormat, "53"),
    ("currency USD", signed(objects(_53="840")), InvalidComponent, "53"),
    ("amount '10.000'", signed(objects(_54="10.000")), BAD_AMOUNT, "54"),
    ("amount '1,000'", signed(objects(_54="1,000")), BAD_AMOUNT, "54"),
    ("amount '1000.50'", signed(objects(_54="1000.50")), BAD_AMOUNT, "54"),
    ("amount '10 000'", signed(objects(_54="10 000")), BAD_AMOUNT, "54"),
    ("amount '-1000'", signed(objects(_54="-1000")), BAD_AMOUNT, "54"),
    ("amount '0'", signed(objects(_54="0")), BAD_AMOUNT, "54"),
    ("amount '0.'", signed(objects(_54="0.")), BAD_AMOUNT, "54"),
    ("amount '.'", signed(objects(_54=".")), BAD_AMOUNT, "54"),
    ("amount 14 digits", signed(objects(_54="1" * 14)), InvalidLength, "54"),
    ("amount full-width digits", signed(objects(_54="１０００")), BAD_AMOUNT, "54"),
    ("country missing", signed(objects(_58=None)), InvalidFormat, "58"),
    ("country 'vn'", signed(objects(_58="vn")), InvalidComponent, "58"),
    ("62 not TLV", signed(objects(_62="Chuyen tien")), InvalidFormat, "62"),
    ("62 truncated inside", signed(objects(_62="0820Chuyen tien")), InvalidLength, "62.08"),
    ("62 duplicate purpose", signed(objects(_62="0801a0801b")), InvalidFormat, "62.08"),
]
# fmt: on


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [pytest.param(p, e, f, id=name) for name, p, e, f in CASES],
)
def test_rejects_and_names_the_first_problem(
    payload: str, error: type[VietQRError], field: str
) -> None:
    with pytest.raises(error) as caught:
        decode(payload)
    assert type(caught.value) is error  # the exact class, not just a parent
    assert caught.value.field == field
    assert str(caught.value).startswith(field)
    assert not is_valid(payload)
    with pytest.raises(error):
        validate(payload)


def test_unknown_bin_only_with_a_bank_list() -> None:
    payload = signed(objects(_38=napas(inner="00061234560109257678859")))
    assert decode(payload).bank_bin == "123456"
    with pytest.raises(InvalidComponent) as caught:
        decode(payload, banks=BANKS)
    assert caught.value.field == "38.01.00" and "'123456'" in str(caught.value)
    assert not is_valid(payload, banks=BANKS)


def test_first_problem_wins() -> None:
    # currency (53) is checked before country (58); a bad CRC before everything.
    both = objects(_53="840", _58="US")
    with pytest.raises(InvalidComponent, match="^53"):
        decode(signed(both))
    with pytest.raises(InvalidChecksum):
        decode(signed(both)[:-4] + "0000")


def test_errors_are_value_errors_with_field_and_value() -> None:
    with pytest.raises(ValueError) as caught:
        decode(signed(objects(_54="10.000")))
    assert isinstance(caught.value, InvalidFormat)
    assert caught.value.value == "10.000"
    assert "'10.000'" in str(caught.value)


# -- tolerated: decodes, with a warning -------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "extra_objects", "field", "value", "warning"),
    [
        ({"_54": "50000."}, [], "amount", 50000, "54: amount '50000.' ends with '.'"),
        ({"_54": "01000"}, [], "amount", 1000, "54: amount '01000' has leading zeros"),
        ({}, [("59", "A" * 26)], "merchant_name", "A" * 26, "59: 26 characters, over the limit"),
        ({}, [("60", "Thanh pho Thai Nguyen")], "merchant_city", "Thanh pho Thai Nguyen",
         "60: 21 characters, over the limit of 15"),
        ({}, [("59", "Lê Anh Tú")], "merchant_name", "Lê Anh Tú", "59: not printable ASCII"),
        ({"_62": item("08", "x" * 30)}, [], "purpose", "x" * 30, "62.08: 30 characters"),
        ({"_62": "0809Lê Anh Tú"}, [], "purpose", "Lê Anh Tú", "62.08: not printable ASCII"),
        ({"_62": item("01", "tab\there")}, [], "bill", "tab\there", "62.01: not printable"),
    ],
)  # fmt: skip
def test_tolerated_deviations_warn(
    changes: dict, extra_objects: list, field: str, value: object, warning: str
) -> None:
    pairs = objects(**changes)
    pairs[-1:-1] = extra_objects  # before 62
    qr = decode(signed(pairs))
    assert getattr(qr, field) == value
    assert len(qr.warnings) == 1 and qr.warnings[0].startswith(warning)


def test_order_is_free_except_00_first_and_63_last() -> None:
    shuffled = [("00", "01"), ("62", "0811Chuyen tien"), ("58", "VN"), ("54", "1000"),
                ("38", "0208QRIBFTTA" "01230006970416" "0109257678859" "0010A000000727"),
                ("53", "704"), ("01", "12")]  # fmt: skip
    payload = signed(shuffled)
    assert decode(payload) == replace(decode(vectors.ACB_DYNAMIC), crc=payload[-4:])


def test_unknown_objects_are_kept() -> None:
    napas_extra = napas(inner=ACB_ACCOUNT + "0201x") + "0303xyz"
    pairs = objects(_38=napas_extra, _62="0811Chuyen tien0903AME0702T1")
    pairs += [("64", "0002vi0109Lê Anh Tú"), ("26", "0010A000000775"), ("80", "046")]
    qr = decode(signed(pairs))
    assert qr.extra == {
        "38.03": "xyz", "38.01.02": "x", "62.09": "AME", "64": "0002vi0109Lê Anh Tú",
        "26": "0010A000000775", "80": "046",
    }  # fmt: skip
    assert (qr.account, qr.service, qr.terminal, qr.purpose) == (
        "257678859", "QRIBFTTA", "T1", "Chuyen tien",
    )  # fmt: skip
    assert qr.warnings == ()


def test_static_code_may_carry_an_amount() -> None:
    qr = decode(signed(objects(_01="11")))
    assert (qr.initiation, qr.amount, qr.is_dynamic) == ("static", 1000, False)


def test_payload_is_frozen_and_hashable() -> None:
    qr = decode(vectors.ACB_DYNAMIC)
    with pytest.raises(AttributeError):
        qr.amount = 5  # type: ignore[misc]
    assert hash(qr) == hash(decode(vectors.ACB_DYNAMIC))
    assert qr == decode(f" {vectors.ACB_DYNAMIC} ")

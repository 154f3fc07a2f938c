"""encode() and encode_with_warnings(): argument checks, strict and non-strict text."""

from __future__ import annotations

import warnings

import pytest

from market40.vietqr import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    VietQRError,
    VietQRWarning,
    decode,
    encode,
    encode_with_warnings,
)
from market40.vietqr.tlv import parse

from .vectors import BANKS

VCB = {"bank_bin": "970436", "account": "1017595600"}


def test_static_without_amount_dynamic_with() -> None:
    assert encode(**VCB)[:12] == "000201010211"
    assert encode(**VCB, amount=1)[:12] == "000201010212"
    assert "5401" + "1" in encode(**VCB, amount=1)


def test_ascending_tag_order_and_no_empty_objects() -> None:
    payload = encode(
        **VCB, amount=25000, purpose="rau", bill="HD1", reference="R1", terminal="T1",
        merchant_name="Co Lan", merchant_city="Thai Nguyen",
    )  # fmt: skip
    root = parse(payload)
    assert list(root) == ["00", "01", "38", "53", "54", "58", "59", "60", "62", "63"]
    assert list(parse(root["62"])) == ["01", "05", "07", "08"]
    for empty in ("", None):
        bare = encode(**VCB, purpose=empty, bill=empty, merchant_name=empty, merchant_city=empty)
        assert bare == encode(**VCB)
        assert "62" not in parse(bare) and "59" not in parse(bare)


def test_max_sizes_fit() -> None:
    payload = encode(bank_bin="970436", account="9" * 19, amount=10**13 - 1, purpose="p" * 25,
                     bill="b" * 25, reference="r" * 20, merchant_name="n" * 25,
                     merchant_city="c" * 15)  # fmt: skip
    qr = decode(payload)
    assert (qr.account, qr.amount, qr.warnings) == ("9" * 19, 10**13 - 1, ())


def test_wallet_ids_are_alphanumeric() -> None:
    # pitfall 13: MoMo/ZaloPay IDs at BVBank are letters and digits
    assert decode(encode(bank_bin="970454", account="99ZP24009M07248267")).account == (
        "99ZP24009M07248267"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"bank_bin": "97043"}, InvalidLength, "38.01.00"),
        ({"bank_bin": "9704366"}, InvalidLength, "38.01.00"),
        ({"bank_bin": "97043A"}, InvalidFormat, "38.01.00"),
        ({"bank_bin": "٩٧٠٤٣٦"}, InvalidFormat, "38.01.00"),  # Arabic-Indic digits
        ({"bank_bin": 970436}, InvalidFormat, "38.01.00"),
        ({"account": ""}, InvalidLength, "38.01.01"),
        ({"account": "1" * 20}, InvalidLength, "38.01.01"),
        ({"account": "1017 5956"}, InvalidFormat, "38.01.01"),
        ({"account": "1017-5956"}, InvalidFormat, "38.01.01"),
        ({"account": "10175956đ"}, InvalidFormat, "38.01.01"),
        ({"account": 1017595600}, InvalidFormat, "38.01.01"),
        ({"account": "99MM24011M", "service": "card"}, InvalidFormat, "38.01.01"),
        ({"service": "wallet"}, InvalidComponent, "38.02"),
        ({"service": "QRIBFTTA"}, InvalidComponent, "38.02"),
        ({"amount": 0}, InvalidFormat, "54"),
        ({"amount": -1000}, InvalidFormat, "54"),
        ({"amount": 10**13}, InvalidLength, "54"),
        ({"amount": True}, InvalidFormat, "54"),
        ({"amount": 1000.0}, InvalidFormat, "54"),
        ({"amount": 1000.5}, InvalidFormat, "54"),
        ({"amount": "1000"}, InvalidFormat, "54"),
        ({"purpose": 42}, InvalidFormat, "62.08"),
        ({"merchant_name": b"Co Lan"}, InvalidFormat, "59"),
    ],
)
def test_rejects_bad_arguments(kwargs: dict, error: type[VietQRError], field: str) -> None:
    args = {**VCB, **kwargs}
    for call in (encode, encode_with_warnings):
        with pytest.raises(error) as caught:
            call(**args)
        assert type(caught.value) is error
        assert caught.value.field == field
        assert str(caught.value).startswith(field)
        assert repr(kwargs[next(iter(kwargs))]) in str(caught.value)


def test_unknown_bin_with_a_bank_list() -> None:
    assert encode(bank_bin="123456", account="1")
    with pytest.raises(InvalidComponent, match="38.01.00"):
        encode(bank_bin="123456", account="1", banks=BANKS)
    assert encode(**VCB, banks=BANKS) == encode(**VCB)


# -- free text: strict raises, non-strict folds/cuts and says so --------------------------

TEXT_FIELDS = [
    ("purpose", "62.08", 25), ("bill", "62.01", 25), ("reference", "62.05", 25),
    ("terminal", "62.07", 25), ("merchant_name", "59", 25), ("merchant_city", "60", 15),
]  # fmt: skip


@pytest.mark.parametrize(("name", "tag", "limit"), TEXT_FIELDS)
def test_strict_refuses_diacritics(name: str, tag: str, limit: int) -> None:
    with pytest.raises(InvalidFormat) as caught:
        encode(**VCB, **{name: "Đào"})
    assert type(caught.value) is InvalidFormat
    assert caught.value.field == tag and f"{tag} ({name})" in str(caught.value)
    assert "'Đào'" in str(caught.value)


@pytest.mark.parametrize(("name", "tag", "limit"), TEXT_FIELDS)
def test_strict_refuses_text_over_the_limit(name: str, tag: str, limit: int) -> None:
    encode(**VCB, **{name: "x" * limit})
    with pytest.raises(InvalidLength) as caught:
        encode(**VCB, **{name: "x" * (limit + 1)})
    assert caught.value.field == tag
    assert f"at most {limit} characters, got {limit + 1}" in str(caught.value)


def test_strict_refuses_control_characters() -> None:
    with pytest.raises(InvalidFormat, match="62.08"):
        encode(**VCB, purpose="line\nbreak")


@pytest.mark.parametrize(("name", "tag", "limit"), TEXT_FIELDS)
def test_non_strict_folds_and_cuts_and_says_so(name: str, tag: str, limit: int) -> None:
    text = "Đặng Thị Thu Hương bán rau"
    payload, notes = encode_with_warnings(**VCB, **{name: text})
    folded = "Dang Thi Thu Huong ban rau"[:limit].rstrip()
    assert getattr(decode(payload), name) == folded
    assert notes == (
        f"{tag} ({name}): folded to ASCII and cut to {limit} characters: {text!r} -> {folded!r}",
    )
    assert decode(payload).warnings == ()


def test_non_strict_reports_nothing_when_nothing_changed() -> None:
    payload, notes = encode_with_warnings(**VCB, amount=5000, purpose="thanh toan")
    assert notes == ()
    assert payload == encode(**VCB, amount=5000, purpose="thanh toan")


def test_non_strict_drops_text_that_folds_to_nothing() -> None:
    payload, notes = encode_with_warnings(**VCB, purpose="☕☕")
    assert "62" not in parse(payload)
    assert notes == (
        "62.08 (purpose): folded to ASCII: '☕☕' -> ''",
        "62.08 (purpose): nothing is left of '☕☕'; the object is left out",
    )


def test_encode_non_strict_issues_warnings() -> None:
    with pytest.warns(VietQRWarning, match=r"59 \(merchant_name\): folded to ASCII"):
        payload = encode(**VCB, merchant_name="Cô Lan", strict=False)
    assert decode(payload).merchant_name == "Co Lan"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encode(**VCB, merchant_name="Co Lan", strict=False)  # nothing changed: no warning


def test_additional_data_over_99_is_refused_in_both_modes() -> None:
    args = {**VCB, "purpose": "p" * 25, "bill": "b" * 25, "reference": "r" * 25,
            "terminal": "t" * 25}  # fmt: skip
    for call in (encode, encode_with_warnings):
        with pytest.raises(InvalidLength) as caught:
            call(**args)
        assert caught.value.field == "62" and "116 characters" in str(caught.value)

"""EMVCo TLV parsing and serialising: strict lengths at every level."""

from __future__ import annotations

import pytest

from market40.vietqr import InvalidFormat, InvalidLength
from market40.vietqr.tlv import LENGTH_TEXT, item, parse, serialize


def test_item_and_serialize() -> None:
    assert item("08", "Chuyen tien") == "0811Chuyen tien"
    assert serialize({"00": "970416", "01": "257678859"}) == "00069704160109257678859"
    assert serialize([("53", "704"), ("58", "VN")]) == "53037045802VN"
    assert LENGTH_TEXT[7] == "07" and len(LENGTH_TEXT) == 100


@pytest.mark.parametrize(
    ("tag", "value", "error"),
    [("8", "x", InvalidFormat), ("AB", "x", InvalidFormat), ("08", "", InvalidLength),
     ("08", "x" * 100, InvalidLength)],
)  # fmt: skip
def test_item_rejects(tag: str, value: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        item(tag, value)


def test_parse_keeps_payload_order_and_nested_values() -> None:
    assert parse("5802VN5303704") == {"58": "VN", "53": "704"}
    assert list(parse("5802VN5303704")) == ["58", "53"]
    assert parse("") == {}


@pytest.mark.parametrize(
    ("data", "error", "field", "says"),
    [
        ("0006970416010", InvalidLength, "38.01", "3 character(s) '010' left"),
        ("00069704160109257", InvalidLength, "38.01.01", "declares 9 characters but only 3"),
        ("0006970416X109257678859", InvalidFormat, "38.01", "must be 2 digits, got 'X1'"),
        ("00069704160A09257678859", InvalidFormat, "38.01", "object ID at offset 10"),
        ("0006970416010x257678859", InvalidFormat, "38.01.01", "length must be 2 digits"),
        ("00069704160100", InvalidLength, "38.01.01", "length 00"),
        ("00069704160006970422", InvalidFormat, "38.01.00", "duplicate"),
    ],
)
def test_parse_names_the_first_problem(
    data: str, error: type[Exception], field: str, says: str
) -> None:
    with pytest.raises(error) as caught:
        parse(data, "38.01")
    assert caught.value.field == field  # type: ignore[attr-defined]
    assert says in str(caught.value)
    assert str(caught.value).startswith(field)


def test_root_errors_name_the_payload_and_offset() -> None:
    with pytest.raises(InvalidLength) as caught:
        parse("000201010211380")
    assert caught.value.field == "payload"
    assert "at offset 12" in str(caught.value)
    assert "after 01" in str(caught.value)


def test_length_counts_characters_not_bytes() -> None:
    # A VNPay wallet code holds "0809Lê Anh Tú": 9 characters, 11 UTF-8 bytes (§1).
    assert parse("0809Lê Anh Tú") == {"08": "Lê Anh Tú"}

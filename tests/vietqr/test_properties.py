"""Properties: decode(encode(x)) == x, fuzzed input only raises VietQRError, and every
single-character change to a valid payload is rejected."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from market40.vietqr import (
    InvalidChecksum,
    InvalidLength,
    VietQRError,
    decode,
    encode,
    encode_with_warnings,
    is_valid,
)
from market40.vietqr.crc import sign
from tests.heavy import scaled

from . import vectors
from .vectors import BANKS

ANS = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=25)
ALNUM = st.text(st.sampled_from(string.ascii_letters + string.digits), min_size=1, max_size=19)
DIGITS = st.text(st.sampled_from(string.digits), min_size=1, max_size=19)
BINS = st.one_of(st.sampled_from(sorted(BANKS)), st.from_regex(r"\A[0-9]{6}\Z"))


@st.composite
def arguments(draw: st.DrawFn) -> dict:
    service = draw(st.sampled_from(["account", "card"]))
    return {
        "bank_bin": draw(BINS),
        "account": draw(DIGITS if service == "card" else ALNUM),
        "service": service,
        "amount": draw(st.none() | st.integers(1, 10**13 - 1)),
        "purpose": draw(st.none() | ANS),
        "bill": draw(st.none() | ANS),
        "reference": draw(st.none() | ANS),
        "terminal": draw(st.none() | ANS),
        "merchant_name": draw(st.none() | ANS),
        "merchant_city": draw(st.none() | ANS.map(lambda s: s[:15])),
    }


@pytest.mark.slow
@settings(max_examples=scaled(500, 100))
@given(arguments())
def test_decode_inverts_encode(args: dict) -> None:
    try:
        payload = encode(**args)
    except InvalidLength as error:  # 4 sub-objects of 25 can pass 62's 99-character limit
        assume(error.field != "62")
        raise
    qr = decode(payload)
    assert qr.bank_bin == args["bank_bin"] and qr.account == args["account"]
    assert qr.service == {"account": "QRIBFTTA", "card": "QRIBFTTC"}[args["service"]]
    assert qr.amount == args["amount"]
    assert qr.initiation == ("static" if args["amount"] is None else "dynamic")
    for name in ("purpose", "bill", "reference", "terminal", "merchant_name", "merchant_city"):
        assert getattr(qr, name) == args[name]
    assert qr.warnings == () and qr.extra == {} and qr.crc == payload[-4:]
    assert encode_with_warnings(**args) == (payload, ())


@pytest.mark.slow
@settings(max_examples=scaled(300, 60))
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_non_strict_always_yields_a_clean_payload(purpose: str, name: str, city: str) -> None:
    try:
        payload, notes = encode_with_warnings(
            bank_bin="970436", account="1017595600", purpose=purpose, merchant_name=name,
            merchant_city=city,
        )  # fmt: skip
    except InvalidLength:  # pragma: no cover - 3 fields cannot overflow 62
        raise
    qr = decode(payload)
    assert qr.warnings == ()
    clean = all(not t or (t.isascii() and t.isprintable() and len(t) <= limit)
                for t, limit in ((purpose, 25), (name, 25), (city, 15)))  # fmt: skip
    assert (notes == ()) == clean


@pytest.mark.slow
@settings(max_examples=scaled(1000, 150))
@given(st.text(max_size=200))
@example("6304")
@example("63040000")
@example("\ud800" + vectors.ACB_STATIC)
def test_fuzzed_text_raises_only_vietqr_errors(text: str) -> None:
    try:
        decode(text, banks=BANKS)
    except VietQRError:
        pass


@pytest.mark.slow
@settings(max_examples=scaled(500, 100))
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=150))
def test_fuzzed_signed_bodies_raise_only_vietqr_errors(body: str) -> None:
    # Signed, so the CRC passes and the structural checks behind it get exercised.
    try:
        decode(sign(body))
    except VietQRError:
        pass


PRINTABLE = [chr(c) for c in range(0x20, 0x7F)] + ["đ", "\n"]


@pytest.mark.parametrize(
    "payload",
    [vectors.ACB_DYNAMIC, vectors.SACOMBANK_CARD, vectors.MOMO_WALLET, vectors.NAPAS_QRCASH],
)
def test_every_single_character_substitution_is_rejected(payload: str) -> None:
    """Exhaustive: each position, each other printable character (about 11,000 per payload).

    CRC-16 detects every error burst up to 16 bits, so every substitution before the CRC
    object is an InvalidChecksum. In the last 8 characters (``6304`` + CRC) a change is a
    wrong CRC or a broken CRC object; the one accepted change is a CRC hex letter turned
    lower case, which bank apps accept too (it decodes, with a warning).
    """
    assert is_valid(payload)
    crc_object = len(payload) - 8
    for i, old in enumerate(payload):
        for new in PRINTABLE:
            if new == old:
                continue
            changed = payload[:i] + new + payload[i + 1 :]
            if i >= crc_object + 4 and new == old.lower() and old.isalpha():
                warning = f"63: CRC {changed[-4:]!r} is not in upper case"
                assert decode(changed).warnings == (warning,)
                continue
            try:
                decode(changed)
            except InvalidChecksum:
                pass
            except VietQRError as error:
                assert i >= crc_object, f"position {i}: {old!r} -> {new!r}: {error}"
            else:  # pragma: no cover
                pytest.fail(f"accepted {changed!r} (position {i}: {old!r} -> {new!r})")

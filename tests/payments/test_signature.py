from __future__ import annotations

import hashlib
import hmac

import pytest

from market40.errors import Unauthorized, Unavailable
from market40.payments.signature import sign, verify

BODY = b'{"reference": "FT1", "amount": 50000}'


def test_sign_is_hmac_sha256_hex_of_the_raw_body():
    expected = hmac.new(b"k", BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, "k") == f"sha256={expected}"


def test_verify_accepts_the_right_signature_in_any_case():
    verify(BODY, sign(BODY, "k"), "k")
    verify(BODY, sign(BODY, "k").upper().replace("SHA256", "sha256"), "k")


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "md5=abc", "abc", "sha256=" + "0" * 64, sign(BODY, "other")],
)
def test_verify_refuses_missing_malformed_and_wrong_signatures(header):
    with pytest.raises(Unauthorized):
        verify(BODY, header, "k")


def test_a_body_changed_after_signing_fails():
    with pytest.raises(Unauthorized, match="does not match"):
        verify(BODY.replace(b"50000", b"90000"), sign(BODY, "k"), "k")


@pytest.mark.parametrize("secret", [None, ""])
def test_no_secret_means_the_endpoint_is_unavailable(secret):
    with pytest.raises(Unavailable, match="MARKET40_WEBHOOK_SECRET"):
        verify(BODY, sign(BODY, "k"), secret)

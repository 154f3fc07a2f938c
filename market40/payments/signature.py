"""HMAC-SHA256 signatures of bank notifications, over the raw request body.

The sender computes ``hex(HMAC-SHA256(secret, body))`` and sends it as
``X-Signature: sha256=<hex>``; the body is checked byte for byte as received, before
it is parsed, so any change after signing (even whitespace) fails.

>>> header = sign(b'{"amount": 1000}', "s3cret")
>>> header[:7], len(header)
('sha256=', 71)
>>> verify(b'{"amount": 1000}', header, "s3cret")
>>> verify(b'{"amount": 9000}', header, "s3cret")
Traceback (most recent call last):
...
market40.errors.Unauthorized: X-Signature does not match the body.
"""

from __future__ import annotations

import hashlib
import hmac

from market40.errors import Unauthorized, Unavailable

HEADER = "X-Signature"
SCHEME = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The ``X-Signature`` header value for ``body``."""
    return SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, secret: str | None) -> None:
    """Return if ``header`` signs ``body`` with ``secret``; raise otherwise.

    :raises Unavailable: no secret is configured (the endpoint is switched off).
    :raises Unauthorized: the header is missing, malformed or wrong.
    """
    if not secret:
        raise Unavailable("Bank notifications are not configured on this server "
                          "(MARKET40_WEBHOOK_SECRET is not set).")
    if not header:
        raise Unauthorized(f"{HEADER} header is missing: sign the raw body with "
                           "HMAC-SHA256 and send 'sha256=<hex>'.")
    scheme, _, received = header.strip().partition("=")
    if scheme.lower() != SCHEME[:-1] or not received:
        raise Unauthorized(f"{HEADER} must look like 'sha256=<hex>'.")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    # Constant time: the comparison must not tell an attacker how much of a guess was right.
    if not hmac.compare_digest(expected.encode(), received.strip().lower().encode()):
        raise Unauthorized(f"{HEADER} does not match the body.")

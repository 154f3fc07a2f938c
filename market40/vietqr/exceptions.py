"""Errors and warnings of the VietQR codec.

One base class, so callers can catch every codec failure at once (it is also a
``ValueError``); the subclasses say what kind of fix the payload needs::

    ValueError
     └── VietQRError               any invalid payload or encode() argument
          ├── InvalidFormat        wrong structure or characters, a missing or misplaced object
          │    └── InvalidLength   a length that is wrong, truncated or over a limit
          ├── InvalidChecksum      the CRC (tag 63) does not match the payload
          └── InvalidComponent     well formed but not allowed: wrong GUID, unknown BIN,
                                   currency other than 704, country other than VN, ...

    UserWarning
     └── VietQRWarning             encode(strict=False) changed the caller's text

Every error has a ``field``: the EMVCo tag path of the FIRST problem (``"63"``,
``"38.01.00"``, ``"54"``; ``"payload"`` for the payload as a whole, or an argument
name such as ``"service"`` when no tag applies), and ``value``: what was received.
Messages start with that field and quote the value.

>>> from market40.vietqr import decode
>>> try:
...     decode("00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA")
... except InvalidFormat as exc:
...     print(type(exc).__name__, exc.field)
InvalidFormat 63
>>> issubclass(InvalidLength, ValueError), InvalidChecksum.message
(True, 'the CRC (tag 63) does not match the payload')
"""

from __future__ import annotations

__all__ = [
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "VietQRError",
    "VietQRWarning",
]


class VietQRError(ValueError):
    """Base class: the payload (or an encode argument) is not a valid VietQR."""

    message: str = "invalid VietQR payload"

    def __init__(
        self, message: str | None = None, *, field: str | None = None, value: object = None
    ) -> None:
        if message is not None:
            self.message = message
        self.field = field
        self.value = value
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidFormat(VietQRError):
    """Wrong structure or characters, or a mandatory object is missing or misplaced."""

    message = "the payload is not well formed"


class InvalidLength(InvalidFormat):
    """A declared length does not fit, or a value is longer or shorter than allowed."""

    message = "a length is wrong or over its limit"


class InvalidChecksum(VietQRError):
    """The CRC-16/CCITT-FALSE in tag 63 does not match the rest of the payload."""

    message = "the CRC (tag 63) does not match the payload"


class InvalidComponent(VietQRError):
    """A well-formed value that is not allowed here (GUID, BIN, currency, country, ...)."""

    message = "a component has a value that is not allowed"


class VietQRWarning(UserWarning):
    """``encode(strict=False)`` folded or cut text the caller passed in."""

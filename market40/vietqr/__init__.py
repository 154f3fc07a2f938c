"""market40.vietqr: a pure VietQR (NAPAS247, EMVCo merchant-presented QR) codec.

Standard library only: no Flask, SQLAlchemy, Pillow or qrcode, so it works anywhere and
can be published on its own. Strings and ints in, strings and a frozen dataclass out.
The QR picture is ``market40.render``'s job; the bank list is ``market40.codes.banks``'.

>>> from market40 import vietqr
>>> payload = vietqr.encode(bank_bin="970416", account="257678859", amount=1000,
...                         purpose="Chuyen tien")
>>> payload[-4:], vietqr.decode(payload).amount, vietqr.is_valid(payload[:-1] + "9")
('BBB8', 1000, False)
>>> vietqr.decode(payload, banks={"970416": "ACB"}).bank
'ACB'
"""

from __future__ import annotations

from .crc import crc16
from .decoder import decode, is_valid, validate
from .encoder import encode, encode_with_warnings
from .exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    VietQRError,
    VietQRWarning,
)
from .payload import API_FIELDS, VietQRPayload
from .text import fit, fold

__all__ = [
    "API_FIELDS",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "VietQRError",
    "VietQRPayload",
    "VietQRWarning",
    "crc16",
    "decode",
    "encode",
    "encode_with_warnings",
    "fit",
    "fold",
    "is_valid",
    "validate",
]

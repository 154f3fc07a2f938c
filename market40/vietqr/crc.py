"""CRC-16/CCITT-FALSE, the checksum in VietQR tag 63 [NAPAS §5.2.15].

Polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR; computed over
the UTF-8 bytes of every object before the CRC value, *including* the CRC object's own
``6304`` header. Written as 4 upper-case, zero-padded hex digits. The stdlib's
``binascii.crc_hqx`` is exactly this algorithm, in C. (``"%04X" %`` formats it about
twice as fast as an f-string on CPython 3.11, hence the ``noqa: UP031``.)

>>> crc16("123456789")  # the catalogue check value of CRC-16/CCITT-FALSE
'29B1'
>>> crc16("00020101021138580010A000000727012800069704070114190304136010180208QRIBFTTA"
...       "53037045802VN6304")  # Techcombank code: the CRC must keep its leading zero
'0283'
>>> sign("00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN")[-8:]
'6304AE9F'
"""

from __future__ import annotations

from binascii import crc_hqx

__all__ = ["CRC_HEADER", "crc16", "sign"]

#: ID "63" and length "04" of the CRC object; part of the checksummed data.
CRC_HEADER = "6304"


def crc16(data: str) -> str:
    """Return the CRC-16/CCITT-FALSE of ``data`` (UTF-8) as 4 upper-case hex digits."""
    return "%04X" % crc_hqx(data.encode("utf-8"), 0xFFFF)  # noqa: UP031


def sign(body: str) -> str:
    """Append the CRC object to ``body`` (every object except 63): ``body + "6304" + crc``."""
    body += CRC_HEADER
    return body + "%04X" % crc_hqx(body.encode("utf-8"), 0xFFFF)  # noqa: UP031

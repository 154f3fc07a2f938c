"""VietQR facts from the spec: fixed values and length limits.

Source: NAPAS, *Tài liệu quy định định dạng mã VietQR trong Dịch vụ Chuyển nhanh NAPAS247*
v1.0 (09/2021), cited as [NAPAS §x]; it profiles EMVCo MPM (merchant-presented QR).
Summary with vectors: ``reference/vietqr.md`` in the shared docs.

Objects market40 reads and writes (ID: name, format, limit)::

    00  payload format indicator  N 2    "01", first object
    01  point of initiation       N 2    "11" static (reusable) / "12" dynamic (one payment)
    38  NAPAS template             S ≤99  00 GUID A000000727; 01 {00 BIN N 6, 01 account ≤19};
                                         02 service QRIBFTTA (account) / QRIBFTTC (card) ≤10
    52  merchant category code    N 4    optional
    53  currency                  N 3    "704" (VND)
    54  amount                    ≤13    integer dong, digits only [§5.2.6]
    58  country                   2      "VN"
    59  merchant name             ANS ≤25
    60  merchant city             ANS ≤15
    62  additional data           ≤99    01 bill, 05 reference, 07 terminal, 08 purpose:
                                         ANS ≤25 each [§5.2.14]; never empty
    63  CRC                       4 hex  CRC-16/CCITT-FALSE, last object [§5.2.15]

The encoder's hot path writes the fixed parts as literals (``"0010A000000727"``,
``"5303704"``, ``"5802VN"``); the values below are the same facts, by name.

>>> SERVICE_CODES["card"], INITIATION["12"]
('QRIBFTTC', 'dynamic')
>>> ACCOUNT_MAX_LEN, AMOUNT_MAX_LEN, sorted(ADDITIONAL_LIMITED)[-1]
(19, 13, '08')
"""

from __future__ import annotations

from typing import Final

FORMAT_VERSION: Final = "01"  # 00
#: 01 value -> the ``initiation`` of a decoded payload [NAPAS §5.2.2].
INITIATION: Final = {"11": "static", "12": "dynamic"}
NAPAS_GUID: Final = "A000000727"  # 38.00, the NAPAS application identifier
ACCOUNT_MAX_LEN: Final = 19  # 38.01.01, account / card number / wallet ID
SERVICE_MAX_LEN: Final = 10  # 38.02
#: encode()'s ``service`` argument -> 38.02 service code [NAPAS §5.2.3.2 Table 4].
SERVICE_CODES: Final = {"account": "QRIBFTTA", "card": "QRIBFTTC"}
#: Every 38.02 value NAPAS defines: transfers to an account or a card, a merchant payment
#: (QRPUSH, also the meaning of no 38.02) and an ATM withdrawal (QRCASH) [NAPAS QR
#: switching spec v1.5.2; liopayvn/vietqr-php ServiceCodes.php].
NAPAS_SERVICE_CODES: Final = frozenset({"QRIBFTTA", "QRIBFTTC", "QRPUSH", "QRCASH"})
CURRENCY_VND: Final = "704"  # 53, ISO 4217 numeric
AMOUNT_MAX_LEN: Final = 13  # 54
COUNTRY_VN: Final = "VN"  # 58, ISO 3166-1 alpha-2
MERCHANT_NAME_MAX_LEN: Final = 25  # 59
MERCHANT_CITY_MAX_LEN: Final = 15  # 60
ADDITIONAL_SUB_MAX_LEN: Final = 25  # 62.01-62.08
#: 62 sub-objects limited to ADDITIONAL_SUB_MAX_LEN (01 bill ... 08 purpose).
ADDITIONAL_LIMITED: Final = frozenset(f"{i:02d}" for i in range(1, 9))

"""A vendor's payment codes: the bank list, its VietQR payload, stall card data, and
reading printed or photographed codes back (``verify``, the inverse of ``render``).

The glue between the registry (who is paid) and the pure parts: ``market40.vietqr``
(the payload, a codec with no Flask or database) and ``market40.render`` (the picture).
"""

from market40.codes.cards import (
    holder_as_banks_show_it,
    market_sheet,
    printable_vendors,
    stall_card,
)
from market40.codes.payment import PaymentCode, payment_code
from market40.codes.verify import VerifyResult, verify_stall

__all__ = [
    "PaymentCode",
    "VerifyResult",
    "holder_as_banks_show_it",
    "market_sheet",
    "payment_code",
    "printable_vendors",
    "stall_card",
    "verify_stall",
]

"""A vendor's payment codes: its VietQR payload, stall card data, and checks of printed codes.

The glue between the registry (who is paid) and the pure parts: ``market40.vietqr``
(the payload) and ``market40.render`` (the picture).
"""

from market40.codes.cards import market_sheet, printable_vendors, stall_card
from market40.codes.payment import PaymentCode, payment_code
from market40.codes.verify import VerifyResult, verify_stall

__all__ = [
    "PaymentCode",
    "VerifyResult",
    "market_sheet",
    "payment_code",
    "printable_vendors",
    "stall_card",
    "verify_stall",
]

"""Is a bank credit a sale or a board fee? Decided from the transfer memo.

Rule (documented in the API): after folding diacritics, upper-casing and squeezing
spaces, a memo that STARTS with one of the words below is a fee (a vendor paying the
board: stall rent, electricity, water, sanitation); everything else is a sale. Only
the start counts, because buyers write free text ("mua rau, phi ship 5k" is a sale).
"Thuê" (rent) and "thuế" (tax) both fold to THUE, and both are fees here.

>>> kind_from_memo("Phí vệ sinh tháng 5 ki-ốt A12"), kind_from_memo("TIEN DIEN T05/2024")
('fee', 'fee')
>>> kind_from_memo("Thuê ki ốt"), kind_from_memo("mua rau phi ship"), kind_from_memo(None)
('fee', 'sale', 'sale')
>>> kind_from_memo("Phin cà phê")  # a whole word only
'sale'
"""

from __future__ import annotations

import re

from market40.vietqr import fold

FEE_MEMO = re.compile(
    r"^(PHI|THUE|LE PHI|VE SINH|TIEN (DIEN|NUOC|THUE|VE SINH|RAC|CHO|KIOT|KI OT|SAP))\b"
)
_PUNCTUATION = re.compile(r"[^A-Z0-9]+")


def kind_from_memo(memo: str | None) -> str:
    """``"fee"`` when the memo starts with a fee word, else ``"sale"``."""
    if not memo:
        return "sale"
    text = _PUNCTUATION.sub(" ", fold(memo).upper()).strip()
    return "fee" if FEE_MEMO.match(text) else "sale"

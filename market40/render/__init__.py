"""Pictures of payloads: QR codes (PNG, SVG, module matrix) and printable stall cards.

This package turns strings and plain dataclasses into bytes. It knows nothing about
banks, Flask or the database: the VietQR payload is built and validated by
``market40.vietqr``, the bank's short name looked up by ``market40.codes.banks``, and the
web layer decides what to serve (see STYLE.md rule 5).

>>> from market40.render import qr_png, qr_svg
>>> qr_png("market40")[:8]
b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

from market40.render.cards import market_sheet_pdf, stall_card_pdf
from market40.render.qr import ECC_LEVELS, qr_matrix, qr_png, qr_runs, qr_svg
from market40.render.stall_card import StallCard

__all__ = [
    "ECC_LEVELS",
    "StallCard",
    "market_sheet_pdf",
    "qr_matrix",
    "qr_png",
    "qr_runs",
    "qr_svg",
    "stall_card_pdf",
]

"""Fonts for the PDF cards: DejaVu Sans, vendored under ``fonts/`` (provenance and
licence in ``fonts/README.md``).

Vendored rather than looked up on the system because a fresh CI or server image may
have no fonts at all, and a substituted font without Vietnamese glyphs would print
"Nguy?n Th? ?ào" on a stall card. DejaVu Sans covers every Vietnamese letter
precomposed (Latin Extended Additional), so NFC text needs no shaping engine.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["BOLD", "FONT_DIR", "REGULAR", "font_path", "register_pdf_fonts"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# Names as the PDF library knows them; prefixed so they never clash with a caller's.
REGULAR = "M40DejaVuSans"
BOLD = "M40DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def font_path(name: str) -> Path:
    """The TTF file behind `name` (``REGULAR`` or ``BOLD``)."""
    try:
        return FONT_DIR / _FILES[name]
    except KeyError:
        raise ValueError(f"font must be one of {sorted(_FILES)}, got {name!r}") from None


@cache
def register_pdf_fonts() -> tuple[str, str]:
    """Register both faces with reportlab (parsed once per process, ~70 ms) and return
    ``(REGULAR, BOLD)``. reportlab embeds only the glyphs a document uses."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
    return REGULAR, BOLD

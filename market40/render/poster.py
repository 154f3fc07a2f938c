"""The market's enrollment poster: A4, the market's name, a short instruction and a big QR.

Plain data in, PDF bytes out, like the stall cards: the caller builds the absolute join
address (``/join/CODE?k=KEY``) and the words; this module only lays them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from market40.render.card_layout import draw_qr, fit_text
from market40.render.document import binary_streams, new_canvas
from market40.render.fonts import register_pdf_fonts

__all__ = ["enrollment_poster_pdf"]

QR_BOX = 130 * mm  # scannable from a couple of metres on a notice board


def _centred(canvas: Canvas, text: str, font: str, size: float, y: float) -> None:
    canvas.setFont(font, size)
    canvas.drawCentredString(A4[0] / 2, y, text)


def enrollment_poster_pdf(*, market_name: str, title: str, steps: Sequence[str], url: str,
                          footer: str) -> bytes:
    """One A4 portrait page: ``title``, the market, numbered ``steps``, the QR of ``url``."""
    if not url.startswith(("http://", "https://")):
        raise ValueError("the poster's url must be absolute")
    out = io.BytesIO()
    with binary_streams():
        canvas = new_canvas(out, A4, f"{title} · {market_name}", subject=title)
        regular, bold = register_pdf_fonts()
        width, height = A4
        usable = width - 30 * mm
        y = height - 28 * mm
        size, lines = fit_text(title, bold, usable, largest=30, smallest=18, max_lines=2)
        for line in lines:
            _centred(canvas, line, bold, size, y)
            y -= size * 1.25
        size, lines = fit_text(market_name, bold, usable, largest=24, smallest=14, max_lines=2)
        for line in lines:
            _centred(canvas, line, bold, size, y)
            y -= size * 1.3
        y -= 4 * mm
        draw_qr(canvas, url, (width - QR_BOX) / 2, y, QR_BOX)
        y -= QR_BOX + 8 * mm
        for number, step in enumerate(steps, start=1):
            size, lines = fit_text(f"{number}. {step}", regular, usable, largest=15,
                                   smallest=11, max_lines=2)
            canvas.setFont(regular, size)
            for line in lines:
                canvas.drawString(15 * mm, y, line)
                y -= size * 1.4
        y -= 2 * mm
        _centred(canvas, url, regular, 9, max(y, 22 * mm))
        _centred(canvas, footer, regular, 10, 14 * mm)
        canvas.showPage()
        canvas.save()
    return out.getvalue()

"""Drawing one stall card on a reportlab canvas, at any width.

The card is designed on A6 portrait (105 x 148 mm) and scaled: a market sheet draws the
same layout slightly smaller. Top to bottom, as a buyer reads a stall board (the
Bến Thành and Thượng Thanh boards: QR, shop name, holder, account, bank):

    VietQR                          NAPAS 247      header band
    [            QR code, 4-module quiet zone  ]
    Quét mã để thanh toán · Scan to pay
    Nguyễn Thị Đào                                 vendor, large; wraps, then shrinks
    Sạp A-12 · Rau củ quả
    ACB · 2576 7885 9                              account grouped by 4
    Chủ tài khoản: NGUYEN THI DAO
    [ Chỉ chuyển khoản khi tên chủ tài khoản là: NGUYEN THI DAO ... ]   anti-fraud hint
    Chợ Hùng Sơn                                   market, at the foot

Text never leaves the card: each block has a width, a largest and a smallest size and a
line budget; past that it is cut with "…". The QR is vector rectangles, one per dark run.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from market40.render.fonts import register_pdf_fonts
from market40.render.qr import qr_runs
from market40.render.stall_card import StallCard

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

DESIGN_WIDTH = 105.0  # mm, A6 portrait
DESIGN_HEIGHT = 148.0
QR_ECC = "M"  # print default: see qr.ECC_LEVELS
QR_BOX = 64.0  # mm, QR plus quiet zone: the symbol is 51-56 mm on A6, 45-49 on a sheet
MARGIN = 5.0
LEADING = 1.2  # line height / font size

BRAND = HexColor("#0B3C78")  # header band: dark enough to print legibly in greyscale
HINT_FILL = HexColor("#EDEDED")
MUTED = HexColor("#444444")
BLACK = Color(0, 0, 0)
PT_TO_MM = 25.4 / 72
ELLIPSIS = "\u2026"


def clean(text: str) -> str:
    """NFC (the font has every Vietnamese letter precomposed, but no shaping engine
    places combining marks), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def group_account(number: str) -> str:
    """Account number in groups of four, as people read it aloud.

    >>> group_account("257678859")
    '2576 7885 9'
    >>> group_account(" 0011 0012345678 ")
    '0011 0012 3456 78'
    """
    compact = "".join(number.split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


@lru_cache(maxsize=8192)
def _unit_width(word: str, font: str) -> float:
    """Width at 1 pt. Cached: a market's cards repeat most words ("Sạp", the market)."""
    return stringWidth(word, font, 1)


def _wrap(
    words: list[str], widths: list[float], space: float, font: str, size: float, width: float
) -> list[str]:
    """Greedy word wrap; a word wider than the line is cut between characters.

    `widths` and `space` are at 1 pt: without kerning a width is linear in the size, so
    each word is measured once per block, not once per size tried and line position.
    """
    lines: list[str] = []
    line, line_width = "", 0.0
    for word, unit in zip(words, widths, strict=True):
        word_width = unit * size
        if line and line_width + space * size + word_width <= width:
            line, line_width = f"{line} {word}", line_width + space * size + word_width
            continue
        if not line and word_width <= width:
            line, line_width = word, word_width
            continue
        if line:
            lines.append(line)
        while word_width > width and len(word) > 1:
            cut = 1
            while cut < len(word) and _width(word[: cut + 1], font, size) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
            word_width = _width(word, font, size)
        line, line_width = word, word_width
    if line:
        lines.append(line)
    return lines


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    if _width(text, font, size) <= width:
        return text
    while text and _width(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def fit_text(
    text: str, font: str, width: float, *, largest: float, smallest: float, max_lines: int
) -> tuple[float, list[str]]:
    """The largest size (0.5 pt steps) at which `text` wraps into `max_lines` lines of
    `width` points; at `smallest`, the last line is cut with an ellipsis."""
    words = text.split()
    widths = [_unit_width(word, font) for word in words]
    space = _unit_width(" ", font)
    size = largest
    while True:
        lines = _wrap(words, widths, space, font, size, width)
        if len(lines) <= max_lines or size <= smallest:
            break
        size = max(smallest, size - 0.5)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [" ".join(lines[max_lines - 1 :])]
        lines[-1] = _ellipsize(lines[-1], font, size, width)
    return size, lines


@lru_cache(maxsize=1024)
def _qr_path(payload: str) -> tuple[int, str]:
    """PDF path operators for the dark runs in module units (y down), one ``re`` per
    run and a single fill: one path means no hairline seams between abutting rows
    where a rasteriser anti-aliases each fill separately."""
    size, runs = qr_runs(payload, ecc=QR_ECC)
    body = "\n".join([f"{x} {y} {w} 1 re" for y, x, w in runs])
    return size, body + "\nf"


def draw_qr(canvas: Canvas, payload: str, left: float, top: float, box: float) -> None:
    """The symbol with its 4-module quiet zone in a `box`-point square at (left, top)."""
    size, path = _qr_path(payload)
    module = box / (size + 8)
    x0, y0 = left + 4 * module, top - 4 * module
    # Scale to modules and flip y so rows count downwards like the matrix.
    canvas.addLiteral(f"q 0 g {module:.5f} 0 0 {-module:.5f} {x0:.3f} {y0:.3f} cm\n{path}\nQ")


class _Pen:
    """Writes centred text blocks downwards from a cursor, in design millimetres."""

    def __init__(self, canvas: Canvas, left: float, top: float, scale: float) -> None:
        self.canvas, self.left, self.top, self.scale = canvas, left, top, scale
        self.cursor = 0.0  # design mm below the card's top edge

    def x(self, design_mm: float) -> float:
        return self.left + design_mm * mm * self.scale

    def y(self, design_mm: float) -> float:
        return self.top - design_mm * mm * self.scale

    def block(
        self,
        text: str,
        font: str,
        *,
        largest: float,
        smallest: float | None = None,
        max_lines: int = 1,
        width: float = DESIGN_WIDTH - 2 * MARGIN,
        color: Color = BLACK,
        gap: float = 1.0,
    ) -> None:
        """Fit `text` (sizes in design points) and draw it centred below the cursor."""
        if not text:
            return
        scaled = self.scale
        size, lines = fit_text(
            text,
            font,
            width * mm * scaled,
            largest=largest * scaled,
            smallest=(smallest or largest) * scaled,
            max_lines=max_lines,
        )
        design_size = size / scaled * PT_TO_MM  # back to design mm for the cursor
        self.canvas.setFillColor(color)
        self.canvas.setFont(font, size)
        for line in lines:
            # Baseline at ~80% of the line box: DejaVu's ascent is 0.76 em.
            self.cursor += design_size * LEADING
            baseline = self.cursor - design_size * (LEADING - 0.95)
            self.canvas.drawCentredString(self.x(DESIGN_WIDTH / 2), self.y(baseline), line)
        self.cursor += gap


def draw_card(canvas: Canvas, card: StallCard, left: float, bottom: float, width: float) -> None:
    """Draw `card` with its bottom-left corner at (left, bottom), `width` points wide
    (height follows the A6 proportions)."""
    regular, bold = register_pdf_fonts()
    scale = width / (DESIGN_WIDTH * mm)
    top = bottom + width * DESIGN_HEIGHT / DESIGN_WIDTH
    pen = _Pen(canvas, left, top, scale)
    inner = DESIGN_WIDTH - 2 * MARGIN

    # Header band: the words a buyer looks for before getting the phone out.
    canvas.setFillColor(BRAND)
    canvas.roundRect(
        pen.x(MARGIN),
        pen.y(MARGIN + 12),
        inner * mm * scale,
        12 * mm * scale,
        2 * mm * scale,
        stroke=0,
        fill=1,
    )
    canvas.setFillColor(white)
    canvas.setFont(bold, 17 * scale)
    canvas.drawString(pen.x(MARGIN + 4), pen.y(MARGIN + 8.3), "VietQR")
    canvas.setFont(bold, 11 * scale)
    canvas.drawRightString(pen.x(DESIGN_WIDTH - MARGIN - 4), pen.y(MARGIN + 7.8), "NAPAS 247")

    qr_top = MARGIN + 12 + 1.5
    draw_qr(
        canvas,
        card.payload,
        pen.x((DESIGN_WIDTH - QR_BOX) / 2),
        pen.y(qr_top),
        QR_BOX * mm * scale,
    )
    pen.cursor = qr_top + QR_BOX

    holder = clean(card.account_holder)
    pen.block("Quét mã để thanh toán · Scan to pay", regular, largest=9.5, gap=1.2)
    pen.block(clean(card.vendor_name), bold, largest=18, smallest=11, max_lines=2, gap=1.0)
    stall_code = clean(card.stall_code)
    stall = " · ".join(filter(None, (stall_code and f"Sạp {stall_code}", clean(card.goods))))
    pen.block(stall, regular, largest=11, smallest=8, gap=1.0)
    account = " · ".join(
        filter(None, (clean(card.bank_short_name), group_account(card.account_number)))
    )
    pen.block(account, bold, largest=13, smallest=9, gap=0.8)
    if holder:
        pen.block(f"Chủ tài khoản: {holder}", regular, largest=10, smallest=7.5, gap=1.2)
        _draw_hint(canvas, pen, holder, regular)

    # The market sits at the foot whatever the blocks above took.
    pen.cursor = DESIGN_HEIGHT - MARGIN - 5
    pen.block(clean(card.market_name), bold, largest=9.5, smallest=7, color=MUTED)


def _draw_hint(canvas: Canvas, pen: _Pen, holder: str, font: str) -> None:
    """Bank apps show the holder's name from their own lookup before the buyer
    confirms: tell the buyer which name to expect, so a sticker pasted over the
    vendor's QR by someone else is caught."""
    scale = pen.scale
    width = (DESIGN_WIDTH - 2 * MARGIN - 6) * mm * scale
    paragraphs = (
        (f"Chỉ chuyển khoản khi tên chủ tài khoản là: {holder}", 2),
        ("Pay only if your bank app shows this name.", 1),
    )
    lines: list[tuple[float, str]] = []
    for text, max_lines in paragraphs:
        size, wrapped = fit_text(
            text, font, width, largest=7.5 * scale, smallest=6 * scale, max_lines=max_lines
        )
        lines += [(size, line) for line in wrapped]
    line_mm = [size / scale * PT_TO_MM * LEADING for size, _ in lines]
    height = sum(line_mm) + 2.4
    canvas.setFillColor(HINT_FILL)
    canvas.roundRect(
        pen.x(MARGIN),
        pen.y(pen.cursor + height),
        (DESIGN_WIDTH - 2 * MARGIN) * mm * scale,
        height * mm * scale,
        1.5 * mm * scale,
        stroke=0,
        fill=1,
    )
    canvas.setFillColor(BLACK)
    baseline = pen.cursor + 1.2
    for (size, line), step in zip(lines, line_mm, strict=True):
        baseline += step
        canvas.setFont(font, size)
        canvas.drawCentredString(pen.x(DESIGN_WIDTH / 2), pen.y(baseline - step * 0.22), line)
    pen.cursor += height + 1.0

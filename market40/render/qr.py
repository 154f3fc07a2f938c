"""QR codes as a module matrix, PNG bytes or SVG bytes.

Takes any payload string (a VietQR payload in practice: 90-200 ASCII characters,
version 4-10 at ECC M) and knows nothing about banks. Output is deterministic: the same
arguments give the same bytes (no timestamps, no random IDs), so callers can use a hash
of them as an ETag.

>>> matrix = qr_matrix("market40")
>>> len(matrix), matrix[0][:8]
(21, (True, True, True, True, True, True, True, False))
>>> qr_svg("market40", border=1)[:40]
b'<svg xmlns="http://www.w3.org/2000/svg" '
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

import zxingcpp
from PIL import Image

__all__ = ["ECC_LEVELS", "qr_matrix", "qr_png", "qr_runs", "qr_svg"]

# ECC letter -> share of the symbol that can be lost and still read. M (15%) is the print
# default: enough for a creased, splashed stall card without growing the symbol; Q (25%)
# for outdoor boards.
ECC_LEVELS = {"L": 0.07, "M": 0.15, "Q": 0.25, "H": 0.30}
# zxing-cpp's module image: one byte per module, 0 = dark. As text: "1" = dark.
_AS_BITS = bytes.maketrans(bytes([0, 255]), b"10")
BOX_SIZE_RANGE = range(1, 51)
BORDER_RANGE = range(0, 21)  # ISO/IEC 18004 asks for 4; 0 is for callers that pad
_DARK_RUN = re.compile("1+")


def _check_int(name: str, value: object, allowed: range) -> int:
    # bool is an int subclass; qr_png(box_size=True) is a bug, not a size of 1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise ValueError(
            f"{name} must be an integer from {allowed.start} to {allowed.stop - 1}, got {value!r}"
        )
    return value


def _check_ecc(ecc: object) -> str:
    if not isinstance(ecc, str) or ecc not in ECC_LEVELS:
        raise ValueError(f"ecc must be one of 'L', 'M', 'Q', 'H', got {ecc!r}")
    return ecc


@lru_cache(maxsize=4096)
def _rows(payload: str, ecc: str) -> tuple[int, ...]:
    """The symbol zxing-cpp's encoder makes (ISO/IEC 18004; it picks segments, version
    and mask), one ``int`` per row."""
    try:
        barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=ecc)
    except ValueError as error:
        if "too long" in str(error).lower():
            raise OverflowError(str(error)) from None
        raise
    image = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))
    n = image.shape[1]
    bits = image.tobytes().translate(_AS_BITS)
    return tuple(int(bits[i:i + n], 2) for i in range(0, len(bits), n))


def _symbol(payload: object, ecc: object) -> tuple[int, ...]:
    """Validated, cached rows (bit n - 1 - c of row r = module (r, c), 1 = dark)."""
    if not isinstance(payload, str) or not payload:
        raise ValueError(f"payload must be a non-empty string, got {payload!r}")
    ecc = _check_ecc(ecc)
    try:
        return _rows(payload, ecc)
    except OverflowError:
        raise ValueError(
            f"payload is too long for a QR code at ecc={ecc!r} ({len(payload)} characters)"
        ) from None


def qr_matrix(payload: str, *, ecc: str = "M") -> tuple[tuple[bool, ...], ...]:
    """The QR symbol as rows of modules, ``True`` = dark, without the quiet zone.

    Tuples rather than lists because the result is cached: nobody can edit the copy
    the next caller gets.

    :raises ValueError: empty or too long payload, or `ecc` not one of ``"LMQH"``.
    """
    rows = _symbol(payload, ecc)
    n = len(rows)
    return tuple(tuple(ch == "1" for ch in format(row, f"0{n}b")) for row in rows)


def qr_runs(payload: str, *, ecc: str = "M") -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """``(size, runs)``: the symbol's width in modules (no quiet zone) and its dark
    modules merged into horizontal runs ``(row, column, length)``, for vector renderers
    (one rectangle per run instead of one per module: about half as many).

    :raises ValueError: as :func:`qr_matrix`.
    """
    rows = _symbol(payload, ecc)
    return len(rows), _runs(rows)


@lru_cache(maxsize=1024)
def _runs(rows: tuple[int, ...]) -> tuple[tuple[int, int, int], ...]:
    n = len(rows)
    line = n + 1  # rows joined by a newline, so no run crosses a row boundary
    text = "\n".join([format(row, f"0{n}b") for row in rows])
    runs = []
    for match in _DARK_RUN.finditer(text):
        start, end = match.span()
        runs.append((start // line, start % line, end - start))
    return tuple(runs)


def qr_png(payload: str, *, box_size: int = 10, border: int = 4, ecc: str = "M") -> bytes:
    """A 1-bit PNG: `box_size` pixels per module, `border` modules of quiet zone.

    Drawn straight from the matrix: one 1-bit image at one pixel per module, scaled up
    with nearest-neighbour, instead of qrcode's per-module rectangle drawing.

    :raises ValueError: bad payload, `box_size` outside 1-50, `border` outside 0-20,
        `ecc` not one of ``"LMQH"``.
    """
    box_size = _check_int("box_size", box_size, BOX_SIZE_RANGE)
    border = _check_int("border", border, BORDER_RANGE)
    rows = _symbol(payload, ecc)
    width = len(rows) + 2 * border
    # Mode "1" packs 8 pixels per byte, most significant bit first, 1 = white: so
    # invert (dark module = 0 bit) and pad each row to whole bytes on the right.
    pad = -width % 8
    full = (1 << width) - 1
    row_bytes = (width + pad) // 8
    blank = (full << pad).to_bytes(row_bytes, "big")
    lines = [blank] * border
    lines += [((full ^ (row << border)) << pad).to_bytes(row_bytes, "big") for row in rows]
    lines += [blank] * border
    image = Image.frombytes("1", (width, width), b"".join(lines))
    if box_size > 1:
        image = image.resize((width * box_size,) * 2, Image.Resampling.NEAREST)
    out = io.BytesIO()
    # No pnginfo, so Pillow writes no time or text chunks: output is deterministic.
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def qr_svg(payload: str, *, border: int = 4, ecc: str = "M") -> bytes:
    """A compact SVG: the viewBox is in modules (quiet zone included), a white
    background rectangle, and one ``<path>`` with a rectangle per dark run.

    No width/height: the page sizes it (CSS); ``shape-rendering="crispEdges"`` keeps
    module edges sharp when it does. The white background keeps the quiet zone light
    on a dark page, which a transparent SVG would not.

    :raises ValueError: bad payload, `border` outside 0-20, `ecc` not one of ``"LMQH"``.
    """
    border = _check_int("border", border, BORDER_RANGE)
    rows = _symbol(payload, ecc)
    width = len(rows) + 2 * border
    # An open subpath is filled as if closed, so "M x y h w v 1 h -w" is a rectangle.
    path = "".join(f"M{x + border} {y + border}h{w}v1h-{w}" for y, x, w in _runs(rows))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{width}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>\n'
    ).encode("ascii")

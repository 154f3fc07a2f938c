"""QR module matrix: the ``qrcode`` encoder with its three hot loops replaced.

qrcode 8.2 needs about 9 ms for one VietQR-sized symbol (version 4-7, ECC M): it lays
the symbol out nine times and scores each of the eight masks cell by cell in Python,
its Reed-Solomon step divides list-based polynomials, and its bit buffer appends one
bit at a time. For a market sheet of 400 stall cards that alone is close to 4 s.

Here the symbol is laid out once, as one big integer with one bit per module; a mask is
one XOR; the ISO/IEC 18004 penalty rules are counted with shifts and ``int.bit_count``;
Reed-Solomon runs as a table-driven shift register. That is about 1 ms per symbol.

qrcode still decides everything that is the standard: how the text is split into
numeric / alphanumeric / byte segments, the version table, the RS block table, the
function patterns, format and version information, the mask functions. The result is
bit for bit the matrix ``qrcode.QRCode.make()`` produces, including qrcode's way of
scoring masks (with the format modules still light). ``tests/render/test_render_matrix.py``
checks this on payloads of every mode and ECC level, so a qrcode upgrade that changes
any of it fails there rather than in print.

Rows are ``int``s: bit ``n - 1 - c`` of row ``r`` is module ``(r, c)``, 1 = dark.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from qrcode import base, util
from qrcode.main import QRCode

__all__ = ["encode_rows"]

# ISO/IEC 18004 §7.4.10: filler codewords after the terminator, alternating.
_PAD_CODEWORDS = (util.PAD0, util.PAD1)

# The 1:1:3:1:1 finder-like run with 4 light modules on one side (penalty rule N3),
# read in both directions, as dark (1) / light (0) over an 11-module window.
_FINDER_LIKE = ("10111010000", "00001011101")


class _Bits:
    """Just enough of ``qrcode.util.BitBuffer`` (``put``) to let ``QRData.write`` fill
    one integer instead of a list of bytes, bit by bit."""

    __slots__ = ("value", "length")

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def put(self, num: int, length: int) -> None:
        # qrcode keeps only the low `length` bits, so do we.
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length


@dataclass(frozen=True, slots=True)
class _Layout:
    """Everything about one QR version that does not depend on the payload."""

    n: int
    data_modules: int
    gather_rows: object  # operator.itemgetter: source index for each module, row-major
    gather_cols: object  # the same, column-major (the transposed symbol)
    masks: tuple[int, ...]  # per mask pattern: data modules it flips, row-major
    masks_t: tuple[int, ...]  # the same, column-major
    within: tuple[int, ...]  # within[k]: modules with column <= n - 1 - k
    square: int  # modules that are the top-left of a 2x2 block


def _segment_bits(segment: util.QRData) -> int:
    length = len(segment)
    if segment.mode == util.MODE_NUMBER:
        rest = length % 3
        return length // 3 * 10 + (util.NUMBER_LENGTH[rest] if rest else 0)
    if segment.mode == util.MODE_ALPHA_NUM:
        return length // 2 * 11 + length % 2 * 6
    return length * 8


def _fit_version(segments: list[util.QRData], ecc: int) -> int:
    """Smallest version that holds the segments: qrcode's ``QRCode.best_fit``, counted
    rather than written out bit by bit."""
    start = 1
    while True:
        sizes = util.mode_sizes_for_version(start)
        needed = sum(4 + sizes[s.mode] + _segment_bits(s) for s in segments)
        version = bisect_left(util.BIT_LIMIT_TABLE[ecc], needed, start)
        if version == 41:
            raise OverflowError(f"{needed} data bits do not fit in any QR version")
        # The length fields grow at versions 10 and 27: retry from there if we crossed.
        if util.mode_sizes_for_version(version) is sizes:
            return version
        start = version


@cache
def _ec_table(ec_count: int) -> tuple[int, ...]:
    """For each byte f: f times the generator polynomial (minus its leading 1), packed
    big-endian into one int, so one RS step is a shift, a lookup and an XOR."""
    generator = base.Polynomial([1], 0)
    for i in range(ec_count):
        generator = generator * base.Polynomial([1, base.gexp(i)], 0)
    coefficients = list(generator)[1:]
    table = [0]
    for factor in range(1, 256):
        log_f = base.glog(factor)
        products = bytes(base.gexp(base.glog(g) + log_f) if g else 0 for g in coefficients)
        table.append(int.from_bytes(products, "big"))
    return tuple(table)


def _reed_solomon(block: bytes, ec_count: int) -> bytes:
    table = _ec_table(ec_count)
    top = 8 * (ec_count - 1)
    keep = (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & keep) ^ table[byte ^ (remainder >> top)]
    return remainder.to_bytes(ec_count, "big")


def _codewords(segments: list[util.QRData], version: int, ecc: int) -> bytes:
    """Data and error-correction codewords, interleaved (``qrcode.util.create_data``)."""
    bits = _Bits()
    sizes = util.mode_sizes_for_version(version)
    for segment in segments:
        bits.put(segment.mode, 4)
        bits.put(len(segment), sizes[segment.mode])
        segment.write(bits)

    blocks = base.rs_blocks(version, ecc)
    limit = 8 * sum(block.data_count for block in blocks)
    value, length = bits.value, bits.length
    # Terminator (up to four 0 bits), then 0 bits up to a byte boundary.
    terminator = min(limit - length, 4)
    length += terminator
    filler = -length % 8
    value <<= terminator + filler
    length += filler
    data = bytearray(value.to_bytes(length // 8, "big"))
    for i in range(limit // 8 - len(data)):
        data.append(_PAD_CODEWORDS[i % 2])

    data_blocks: list[bytes] = []
    ec_blocks: list[bytes] = []
    offset = 0
    for block in blocks:
        chunk = bytes(data[offset : offset + block.data_count])
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_reed_solomon(chunk, block.total_count - block.data_count))

    out = bytearray()
    for group in (data_blocks, ec_blocks):
        for i in range(max(map(len, group))):
            out.extend(chunk[i] for chunk in group if i < len(chunk))
    return bytes(out)


def _bits_to_int(cells: list[bool] | list[int]) -> int:
    return int("".join("1" if cell else "0" for cell in cells), 2)


@cache
def _layout(version: int) -> _Layout:
    from operator import itemgetter

    n = version * 4 + 17
    # qrcode's own function patterns (makeImpl without map_data); None = data module.
    # Format and version modules are light here: qrcode scores masks that way.
    qr = QRCode(version=version)
    qr.modules_count = n
    qr.modules = [[None] * n for _ in range(n)]
    qr.setup_position_probe_pattern(0, 0)
    qr.setup_position_probe_pattern(n - 7, 0)
    qr.setup_position_probe_pattern(0, n - 7)
    qr.setup_position_adjust_pattern()
    qr.setup_timing_pattern()
    qr.setup_type_info(True, 0)
    if version >= 7:
        qr.setup_type_number(True)
    grid = qr.modules

    # Data modules in placement order: two-column zigzag from the bottom right,
    # skipping the vertical timing column (qrcode's map_data).
    order: dict[tuple[int, int], int] = {}
    row, step = n - 1, -1
    for col in range(n - 1, 0, -2):
        if col <= 6:
            col -= 1
        while 0 <= row < n:
            for c in (col, col - 1):
                if grid[row][c] is None:
                    order[row, c] = len(order)
            row += step
        row -= step
        step = -step

    # A module's source in the string "<data bits>01": its data bit, or a constant.
    light, dark = len(order), len(order) + 1

    def source(r: int, c: int) -> int:
        index = order.get((r, c))
        if index is not None:
            return index
        return dark if grid[r][c] else light

    cells = [(r, c) for r in range(n) for c in range(n)]
    cells_t = [(r, c) for c in range(n) for r in range(n)]
    masks, masks_t = [], []
    for pattern in range(8):
        flips = util.mask_func(pattern)
        masks.append(_bits_to_int([(rc in order) and flips(*rc) for rc in cells]))
        masks_t.append(_bits_to_int([(rc in order) and flips(*rc) for rc in cells_t]))
    return _Layout(
        n=n,
        data_modules=len(order),
        gather_rows=itemgetter(*(source(r, c) for r, c in cells)),
        gather_cols=itemgetter(*(source(r, c) for r, c in cells_t)),
        masks=tuple(masks),
        masks_t=tuple(masks_t),
        within=tuple(_bits_to_int([c <= n - 1 - k for _, c in cells]) for k in range(11)),
        square=_bits_to_int([r < n - 1 and c < n - 1 for r, c in cells]),
    )


@cache
def _format_modules(version: int, ecc: int, pattern: int) -> int:
    """The format (and version) information for the chosen mask, the dark module."""
    n = version * 4 + 17
    qr = QRCode(version=version, error_correction=ecc)
    qr.modules_count = n
    qr.modules = [[False] * n for _ in range(n)]
    qr.setup_type_info(False, pattern)
    if version >= 7:
        qr.setup_type_number(False)
    return _bits_to_int([cell for line in qr.modules for cell in line])


def _line_penalty(symbol: int, layout: _Layout) -> int:
    """Rules N1 and N3 along the rows of `symbol` (pass the transpose for columns).

    Shifting left by k brings module (r, c + k) to (r, c); `within[k]` drops the
    positions where that would wrap into the next row.
    """
    within = layout.within
    # N1: a run of L >= 5 same-colour modules costs L - 2 (qrcode's weights). A run
    # holds L - 4 uniform 5-windows, so the cost is windows + 2 per run.
    same = ~(symbol ^ (symbol << 1)) & within[1]
    windows = same & (same << 1) & (same << 2) & (same << 3) & within[4]
    penalty = windows.bit_count() + 2 * (windows & ~(windows >> 1)).bit_count()
    # N3: 40 per 1:1:3:1:1 finder-like pattern with 4 light modules beside it.
    light = ~symbol
    for pattern in _FINDER_LIKE:
        hits = within[10]
        for k, bit in enumerate(pattern):
            hits &= (symbol if bit == "1" else light) << k
        penalty += 40 * hits.bit_count()
    return penalty


def _penalty(symbol: int, transposed: int, layout: _Layout) -> int:
    n = layout.n
    penalty = _line_penalty(symbol, layout) + _line_penalty(transposed, layout)
    # N2: 3 per 2x2 block of one colour (overlapping blocks all count).
    down = symbol ^ (symbol << n)  # module vs the one below
    right = symbol ^ (symbol << 1)  # module vs the one to its right
    mixed = (down | (down << 1) | right) & layout.square
    penalty += 3 * (layout.square.bit_count() - mixed.bit_count())
    # N4: 10 per full 5% that the dark share strays from 50% (qrcode's float formula).
    percent = float(symbol.bit_count()) / (n * n)
    return penalty + int(abs(percent * 100 - 50) / 5) * 10


def encode_rows(payload: str, ecc: int) -> tuple[int, ...]:
    """The QR symbol for `payload` at qrcode's ECC constant `ecc`, as one int per row.

    :raises OverflowError: the payload does not fit in version 40 at this ECC level.
    """
    segments = list(util.optimal_data_chunks(payload, minimum=20))  # add_data's default
    version = _fit_version(segments, ecc)
    layout = _layout(version)
    codewords = _codewords(segments, version, ecc)

    stream = format(int.from_bytes(codewords, "big"), "b").zfill(8 * len(codewords))
    # Remainder modules beyond the codewords start light (and are masked like data).
    source = stream.ljust(layout.data_modules, "0")[: layout.data_modules] + "01"
    unmasked = int("".join(layout.gather_rows(source)), 2)
    unmasked_t = int("".join(layout.gather_cols(source)), 2)

    best_pattern, best_penalty = 0, -1
    for pattern in range(8):
        penalty = _penalty(
            unmasked ^ layout.masks[pattern], unmasked_t ^ layout.masks_t[pattern], layout
        )
        if best_penalty < 0 or penalty < best_penalty:  # first minimum wins, as in qrcode
            best_pattern, best_penalty = pattern, penalty

    symbol = unmasked ^ layout.masks[best_pattern] ^ _format_modules(version, ecc, best_pattern)
    n = layout.n
    bits = format(symbol, "b").zfill(n * n)
    return tuple(int(bits[i : i + n], 2) for i in range(0, n * n, n))

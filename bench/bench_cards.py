"""Benchmark market40.render: a market of 400 stall cards as one PDF, and single QR images.

Cards: 400 distinct vendors (own name, stall, bank, account, so 400 distinct static
VietQR payloads) rendered by ``market_sheet_pdf`` as one A4 PDF, 4 cards per page.
Each run starts from cold caches, so every QR is encoded and drawn anew. Side by side in
the same run, alternating so machine noise hits both, the naive path: the same layout but
each QR made by ``qrcode.make()`` as a PNG and embedded as an image.

Single images: ``qr_png`` and ``qr_svg`` per call, cold (a new payload each call) and
warm (the cached matrix), against qrcode's own PNG and SVG path images.

Target: 400 cards in <= 4 s on a 2-core machine.

Usage: ``python bench/bench_cards.py [--cards 400] [--repeat 5] [--out bench/out]``
"""

from __future__ import annotations

import argparse
import binascii
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402
import qrcode.image.svg  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402

from market40.render import (  # noqa: E402
    StallCard,
    card_layout,
    market_sheet_pdf,
    qr,
    qr_png,
    qr_svg,
)

TARGET_SECONDS = 4.0
MARKET = "Chợ Hùng Sơn"
BANKS = [
    ("970416", "ACB"),
    ("970436", "Vietcombank"),
    ("970415", "VietinBank"),
    ("970418", "BIDV"),
    ("970405", "Agribank"),
    ("970422", "MB Bank"),
    ("970407", "Techcombank"),
    ("970432", "VPBank"),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Đức", "Thị Ngọc", "Minh", "Thị Thu", "Quang", "Thị Hồng"]
GIVEN = ["Đào", "Hường", "Lộc", "Ánh", "Thắng", "Yến", "Khuê", "Nhung", "Hải", "Tâm", "Lụa"]
GOODS = ["Rau củ quả", "Thịt lợn", "Cá tươi", "Hàng khô", "Tạp hóa", "Quần áo", "Ăn uống"]


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def static_payload(bank_bin: str, account: str) -> str:
    """A static VietQR payload (what a printed card carries): TLV plus CRC-16."""
    merchant = _tlv("00", "A000000727")
    merchant += _tlv("01", _tlv("00", bank_bin) + _tlv("01", account)) + _tlv("02", "QRIBFTTA")
    body = _tlv("00", "01") + _tlv("01", "11") + _tlv("38", merchant)
    body += _tlv("53", "704") + _tlv("58", "VN") + "6304"
    return body + f"{binascii.crc_hqx(body.encode(), 0xFFFF):04X}"


def _fold(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).upper()


def make_market(count: int) -> list[StallCard]:
    cards = []
    for i in range(count):
        name = f"{FAMILY[i % 10]} {MIDDLE[i // 10 % 8]} {GIVEN[i // 80 % 11]}"
        bank_bin, bank = BANKS[i % len(BANKS)]
        account = str(1_000_000_000 + 7_919 * i)
        cards.append(
            StallCard(
                payload=static_payload(bank_bin, account),
                vendor_name=name,
                stall_code=f"{'ABCDEFGH'[i // 50]}-{i % 50 + 1:02d}",
                goods=GOODS[i % len(GOODS)],
                bank_short_name=bank,
                account_number=account,
                account_holder=_fold(name),
                market_name=MARKET,
            )
        )
    return cards


def clear_caches() -> None:
    qr._rows.cache_clear()
    qr._runs.cache_clear()
    card_layout._qr_path.cache_clear()


def naive_draw_qr(canvas, payload: str, left: float, top: float, box: float) -> None:
    """What most code does: qrcode's own PNG per card, placed as an image."""
    buffer = io.BytesIO()
    qrcode.make(payload, box_size=10, border=4).save(buffer)
    buffer.seek(0)
    canvas.drawImage(ImageReader(buffer), left, top - box, box, box)


def naive_sheet(cards: list[StallCard]) -> bytes:
    vector = card_layout.draw_qr
    card_layout.draw_qr = naive_draw_qr  # same layout, same text: only the QR differs
    try:
        return market_sheet_pdf(cards, title=MARKET)
    finally:
        card_layout.draw_qr = vector


def ours_sheet(cards: list[StallCard]) -> bytes:
    return market_sheet_pdf(cards, title=MARKET)


def time_once(fn: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of one cold run (CPU time is what to compare when the
    machine is shared: it does not count time spent waiting for a core)."""
    clear_caches()
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def per_call(fn: Callable[[str], object], payloads: list[str], *, cold: bool) -> float:
    """Median seconds per call over `payloads` (cold: caches cleared before each;
    warm: every payload rendered once before timing)."""
    if not cold:
        for payload in payloads:
            fn(payload)
    times = []
    for payload in payloads:
        if cold:
            clear_caches()
        start = time.perf_counter()
        fn(payload)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def qrcode_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(payload, box_size=10, border=4).save(buffer)
    return buffer.getvalue()


def qrcode_svg(payload: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(payload, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write both PDFs here for a look")
    args = parser.parse_args()

    cards = make_market(args.cards)
    assert len({card.payload for card in cards}) == len(cards), "payloads must be distinct"
    ours_sheet(cards[:4])  # font parsing and layout tables: once per process, not per run
    naive_sheet(cards[:4])

    times: dict[str, list[tuple[float, float]]] = {"ours": [], "naive": []}
    pdfs: dict[str, bytes] = {}
    for _ in range(args.repeat):
        for name, render in (("ours", ours_sheet), ("naive", naive_sheet)):
            wall, cpu, pdfs[name] = time_once(lambda render=render: render(cards))
            times[name].append((wall, cpu))
    median = {
        name: tuple(statistics.median(run[i] for run in runs) for i in (0, 1))
        for name, runs in times.items()
    }
    ours, naive = median["ours"][0], median["naive"][0]

    try:
        import _rl_accel  # noqa: F401

        accel = "with rl-accel"
    except ImportError:
        accel = "without rl-accel"
    print(
        f"market40.render bench: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, reportlab {accel}"
    )
    print(
        f"{args.cards} cards on {-(-args.cards // 4)} A4 pages, median of {args.repeat} cold runs"
    )
    print(f"{'path':<30}{'wall s':>9}{'CPU s':>9}{'ms/card':>9}{'PDF KB':>9}")
    for name, label in (("ours", "ours: vector QR runs"), ("naive", "naive: qrcode PNG per card")):
        wall, cpu = median[name]
        print(
            f"{label:<30}{wall:>9.3f}{cpu:>9.3f}{wall / args.cards * 1000:>9.2f}"
            f"{len(pdfs[name]) / 1024:>9.0f}"
        )
    verdict = "OK" if ours <= TARGET_SECONDS else "OVER TARGET"
    print(f"speed-up {naive / ours:.1f}x; target {TARGET_SECONDS:.0f} s: {verdict}")

    payloads = [card.payload for card in cards[:200]]
    print(f"\nper call, median over {len(payloads)} payloads (ms)")
    print(f"{'call':<44}{'ms':>8}")
    rows = [
        ("qr_png(box_size=10), cold", per_call(qr_png, payloads, cold=True)),
        ("qr_png(box_size=10), warm (cached matrix)", per_call(qr_png, payloads, cold=False)),
        ("qrcode.make(...).save(PNG)", per_call(qrcode_png, payloads, cold=False)),
        ("qr_svg(), cold", per_call(qr_svg, payloads, cold=True)),
        ("qr_svg(), warm (cached matrix)", per_call(qr_svg, payloads, cold=False)),
        ("qrcode SvgPathImage", per_call(qrcode_svg, payloads, cold=False)),
    ]
    for label, seconds in rows:
        print(f"{label:<44}{seconds * 1000:>8.2f}")

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, pdf in pdfs.items():
            (args.out / f"cards_{name}.pdf").write_bytes(pdf)
        print(f"\nwrote {args.out}/cards_ours.pdf and cards_naive.pdf")


if __name__ == "__main__":
    main()

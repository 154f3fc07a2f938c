"""Stall cards and market sheets: the QR on the printed page decodes to exactly its
payload (rasterised by poppler, decoded by zxing-cpp), the text is real Vietnamese text,
nothing leaves the card, and the same cards give the same bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

import market40.render
from market40.render import StallCard, card_layout, market_sheet_pdf, qr, stall_card_pdf
from market40.render.fonts import register_pdf_fonts
from tests.heavy import scaled

MM_PER_INCH = 25.4
REPO = Path(market40.render.__file__).resolve().parents[2]


def _symbol_width_mm(image, dpi: int) -> float:
    (result,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    position = result.position
    return (position.top_right.x - position.top_left.x) / dpi * MM_PER_INCH


def _quadrants(image):
    """The four card slots of a sheet page (2 x 2), in reading order."""
    width, height = image.size
    half_w, half_h = width // 2, height // 2
    return [image.crop((x, y, x + half_w, y + half_h)) for y in (0, half_h) for x in (0, half_w)]


def _words(bbox_html: str) -> list[tuple[float, float, float, float, str]]:
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    )
    return [
        (float(a), float(b), float(c), float(d), w) for a, b, c, d, w in pattern.findall(bbox_html)
    ]


# --- one card, A6 -----------------------------------------------------------------


@pytest.mark.parametrize("dpi", [150, 300])
def test_card_qr_decodes_to_payload(cards, pdf_to_image, decode, dpi):
    for card in cards[:3]:
        page = pdf_to_image(stall_card_pdf(card), dpi=dpi)
        expected = (105 / MM_PER_INCH * dpi, 148 / MM_PER_INCH * dpi)
        assert all(abs(got - want) <= 1 for got, want in zip(page.size, expected, strict=True))
        assert decode(page) == [card.payload.encode()]


def test_card_qr_is_big_enough_to_scan_at_arms_length(cards, pdf_to_image):
    page = pdf_to_image(stall_card_pdf(cards[0]), dpi=150)
    assert _symbol_width_mm(page, 150) >= 45


def test_card_text_is_real_vietnamese_text(cards, pdf_text):
    for card in cards[:2]:
        text = unicodedata.normalize("NFC", pdf_text(stall_card_pdf(card)))
        flat = " ".join(text.split())
        for expected in (
            card.vendor_name,  # "Nguyễn Thị Đào", "Bà Đặng Thị Hường"
            "Chợ Hùng Sơn",
            f"Sạp {card.stall_code}",
            card.goods,
            card.bank_short_name,
            "VietQR",
            "NAPAS 247",
            "Quét mã để thanh toán",
            "Scan to pay",
            f"Chỉ chuyển khoản khi tên chủ tài khoản là: {card.account_holder}",
        ):
            assert expected in flat, expected
    assert "2576 7885 9" in pdf_text(stall_card_pdf(cards[0]))  # grouped account number


def test_decomposed_input_prints_as_composed_text(cards, pdf_text):
    nfd = dataclasses.replace(cards[1], vendor_name=unicodedata.normalize("NFD", "Bà Hường"))
    assert "Bà Hường" in pdf_text(stall_card_pdf(nfd))


def test_fonts_are_embedded_subsets(cards, pdf_fonts):
    listing = pdf_fonts(stall_card_pdf(cards[0]))
    fonts = [line.split() for line in listing.splitlines()[2:]]
    assert fonts, listing
    for row in fonts:
        name, emb, sub = row[0], row[-5], row[-4]
        assert "DejaVuSans" in name and emb == "yes" and sub == "yes", listing


def test_long_text_stays_on_the_card(cards, pdf_text, pdf_to_image, decode):
    card = dataclasses.replace(
        cards[4],
        vendor_name="Cửa hàng thực phẩm tươi sống Bà Đặng Thị Hường và các con cháu chắt chút "
        "chít ở tổ dân phố số mười bảy",
        stall_code="KIOT-B-1234-XYZ-TANG-HAI",
        goods="Thịt lợn, thịt bò, gà ta, vịt, ngan, ngỗng, trứng các loại và đồ khô " * 2,
        account_number="1017595600123456789",
        account_holder="DANG THI HUONG VA NGUYEN VAN THANH LONG TEN RAT DAI " * 2,
        market_name="Chợ trung tâm thành phố Thái Nguyên (chợ Đồng Quang) - khu B - " * 2,
    )
    pdf = stall_card_pdf(card)
    words = _words(pdf_text(pdf, "-bbox"))
    width, height = 105 / MM_PER_INCH * 72, 148 / MM_PER_INCH * 72
    margin = 4 / MM_PER_INCH * 72  # the design keeps 5 mm
    assert words
    for x_min, y_min, x_max, y_max, word in words:
        assert margin <= x_min and x_max <= width - margin, word
        assert margin <= y_min and y_max <= height - margin, word
    # Nothing is drawn over anything else: no two word boxes intersect.
    for i, (ax0, ay0, ax1, ay1, a) in enumerate(words):
        for bx0, by0, bx1, by1, b in words[i + 1 :]:
            overlap_x = min(ax1, bx1) - max(ax0, bx0)
            overlap_y = min(ay1, by1) - max(ay0, by0)
            assert overlap_x <= 0.1 or overlap_y <= 0.1, (a, b)
    assert decode(pdf_to_image(pdf, dpi=150)) == [card.payload.encode()]


# --- market sheets, A4 ------------------------------------------------------------


@pytest.mark.parametrize("dpi", [150, 100])
def test_sheet_every_card_decodes_at_print_resolution(cards, pdf_to_image, decode, dpi):
    pdf = market_sheet_pdf(cards, title="Chợ Hùng Sơn")
    pages = -(-len(cards) // 4)
    found = []
    for page in range(1, pages + 1):
        image = pdf_to_image(pdf, dpi=dpi, page=page)
        for slot in _quadrants(image):
            found += decode(slot)
    assert found == [card.payload.encode() for card in cards]


def test_sheet_qr_size_and_layout(cards, pdf_to_image, pdf_text):
    pdf = market_sheet_pdf(cards, title="Chợ Hùng Sơn — thẻ sạp")
    first = pdf_to_image(pdf, dpi=150)
    assert abs(first.size[0] - 1240) <= 1 and abs(first.size[1] - 1754) <= 1  # A4, 150 dpi
    assert _symbol_width_mm(_quadrants(first)[0], 150) >= 44
    text = unicodedata.normalize("NFC", pdf_text(pdf))
    assert text.count("\f") == 3  # 9 cards -> 3 pages
    assert "Trang 1/3" in text and "Trang 3/3" in text
    assert text.count("Chợ Hùng Sơn — thẻ sạp") == 3
    for card in cards:
        assert card.vendor_name in " ".join(text.split())


def test_sheet_text_stays_in_its_slot(cards, pdf_text):
    words = _words(pdf_text(market_sheet_pdf(cards[:4]), "-bbox"))
    # Slots from the layout: 92 mm wide cards, 8 mm gap, centred on A4 (in points).
    pt = 72 / MM_PER_INCH
    card_w, card_h, gap = 92 * pt, 92 * 148 / 105 * pt, 8 * pt
    left = (210 * pt - 2 * card_w - gap) / 2
    top = (297 * pt - 2 * card_h - gap) / 2
    slots = [(left + c * (card_w + gap), top + r * (card_h + gap)) for r in (0, 1) for c in (0, 1)]
    for x_min, y_min, x_max, y_max, word in words:
        in_margin = y_max <= top or y_min >= top + 2 * card_h + gap  # header / footer
        in_slot = any(
            x <= x_min and x_max <= x + card_w and y <= y_min and y_max <= y + card_h
            for x, y in slots
        )
        assert in_margin or in_slot, word


# --- determinism and validation ---------------------------------------------------


def _clear_caches() -> None:
    qr._rows.cache_clear()
    qr._runs.cache_clear()
    card_layout._qr_path.cache_clear()


def test_same_cards_same_bytes(cards):
    card_pdf, sheet_pdf = stall_card_pdf(cards[0]), market_sheet_pdf(cards, title="Chợ")
    _clear_caches()
    assert stall_card_pdf(cards[0]) == card_pdf
    assert market_sheet_pdf(cards, title="Chợ") == sheet_pdf
    assert market_sheet_pdf(cards[::-1], title="Chợ") != sheet_pdf
    assert b"ASCII85Decode" not in sheet_pdf  # plain Flate streams (see cards._binary_streams)


def test_same_bytes_in_another_process(cards):
    script = (
        "import hashlib, json, sys\n"
        "from market40.render import StallCard, market_sheet_pdf, stall_card_pdf\n"
        "cards = [StallCard(*fields) for fields in json.loads(sys.argv[1])]\n"
        "pdf = stall_card_pdf(cards[0]) + market_sheet_pdf(cards, title='Chợ')\n"
        "print(hashlib.sha256(pdf).hexdigest())\n"
    )
    arguments = json.dumps([dataclasses.astuple(card) for card in cards])
    expected = hashlib.sha256(
        stall_card_pdf(cards[0]) + market_sheet_pdf(cards, title="Chợ")
    ).hexdigest()
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    for seed in ("0", "12345"):
        done = subprocess.run(
            [sys.executable, "-c", script, arguments],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": seed},
        )
        assert done.stdout.strip() == expected


def test_files_stay_small(cards):
    assert len(stall_card_pdf(cards[0])) < 60_000  # subset fonts (~20 KB each), vector QR
    assert len(market_sheet_pdf(cards * 4)) < 120_000  # 36 cards, 9 pages


@pytest.mark.parametrize(
    "change, field",
    [
        ({"payload": ""}, "payload"),
        ({"vendor_name": "   "}, "vendor_name"),
        ({"account_number": 257678859}, "account_number"),
        ({"market_name": None}, "market_name"),
    ],
)
def test_stall_card_rejects_bad_fields(cards, change, field):
    with pytest.raises(ValueError, match=field):
        dataclasses.replace(cards[0], **change)


def test_pdf_functions_reject_bad_arguments(cards):
    with pytest.raises(ValueError, match="at least one"):
        market_sheet_pdf([])
    with pytest.raises(ValueError, match=r"cards\[1\]"):
        market_sheet_pdf([cards[0], "not a card"])
    with pytest.raises(ValueError, match="title"):
        market_sheet_pdf(cards, title=42)
    with pytest.raises(ValueError, match="card"):
        stall_card_pdf({"payload": "x"})
    too_long = dataclasses.replace(cards[0], payload="0" * 8000)
    with pytest.raises(ValueError, match="payload"):
        stall_card_pdf(too_long)


def test_stall_card_is_a_frozen_value(cards):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cards[0].vendor_name = "x"
    assert cards[0] == StallCard(*dataclasses.astuple(cards[0]))


@pytest.mark.slow
@settings(max_examples=scaled(150, 40), deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(
            codec="utf-8", categories=("L", "M", "N", "P", "Zs"), exclude_characters="\u2026"
        ),
        max_size=300,
    ),
    max_lines=st.integers(1, 3),
)
def test_fit_text_never_overflows(text, max_lines):
    _, bold = register_pdf_fonts()
    text = card_layout.clean(text)
    width = 120.0
    size, lines = card_layout.fit_text(
        text, bold, width, largest=18, smallest=9, max_lines=max_lines
    )
    assert 9 <= size <= 18
    assert len(lines) <= max_lines
    for line in lines:
        assert stringWidth(line, bold, size) <= width + 1e-6
    cut = [line for line in lines if line.endswith(card_layout.ELLIPSIS)]
    if cut:  # only ever the last line, and only at the smallest size
        assert cut == lines[-1:] and len(lines) == max_lines and size == 9
    else:  # nothing lost: the same characters in the same order
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")

"""Fixtures for market40.render tests: realistic VietQR payloads, an independent QR
decoder (zxing-cpp) and poppler's command-line tools.

No Flask app and no database: render takes strings and dataclasses.
"""

from __future__ import annotations

import binascii
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from market40.render import StallCard

# The shared reference (reference/vietqr.md §2, vector 1; DESIGN.md §4 for the dynamic
# one): ACB 970416, account 257678859. Their CRCs are checked in test_payload_helper.
ACB_STATIC = (
    "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
)
ACB_DYNAMIC = (
    "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
    "5303704540410005802VN62150811Chuyen tien6304BBB8"
)


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def vietqr(
    bank_bin: str, account: str, *, amount: int | None = None, purpose: str | None = None
) -> str:
    """A VietQR payload, just enough for tests (the real codec is market40.vietqr; it
    is not imported here so render's tests stand on their own)."""
    merchant = (
        _tlv("00", "A000000727")
        + _tlv("01", _tlv("00", bank_bin) + _tlv("01", account))
        + _tlv("02", "QRIBFTTA")
    )
    body = _tlv("00", "01") + _tlv("01", "11" if amount is None else "12")
    body += _tlv("38", merchant) + _tlv("53", "704")
    if amount is not None:
        body += _tlv("54", str(amount))
    body += _tlv("58", "VN")
    if purpose:
        body += _tlv("62", _tlv("08", purpose))
    body += "6304"
    return body + f"{binascii.crc_hqx(body.encode(), 0xFFFF):04X}"


@pytest.fixture
def make_payload() -> Callable[..., str]:
    return vietqr


@pytest.fixture
def acb_static() -> str:
    return ACB_STATIC


@pytest.fixture
def acb_dynamic() -> str:
    return ACB_DYNAMIC


# Vendors as a market board would register them: diacritics everywhere, one long name.
VENDORS = [
    ("970416", "257678859", "Nguyễn Thị Đào", "A-01", "Rau củ quả", "ACB", "NGUYEN THI DAO"),
    (
        "970436",
        "1017595600",
        "Bà Đặng Thị Hường",
        "A-02",
        "Thịt lợn",
        "Vietcombank",
        "DANG THI HUONG",
    ),
    ("970415", "108004563129", "Trần Văn Lộc", "B-11", "Cá tươi", "VietinBank", "TRAN VAN LOC"),
    ("970422", "0961234567", "Lê Thị Ngọc Ánh", "B-12", "Hàng khô", "MB Bank", "LE THI NGOC ANH"),
    (
        "970405",
        "1500205123456",
        "Cửa hàng tạp hóa Phạm Quỳnh Hương và các con",
        "C-07",
        "Tạp hóa, đồ khô, gia vị, bánh kẹo các loại",
        "Agribank",
        "PHAM QUYNH HUONG",
    ),
    ("970418", "12510000987654", "Hoàng Đức Thắng", "C-08", "Quần áo", "BIDV", "HOANG DUC THANG"),
    ("970407", "19036789012345", "Vũ Thị Yến", "D-01", "Ăn uống", "Techcombank", "VU THI YEN"),
    ("970432", "227000112233", "Đỗ Minh Khuê", "D-02", "Trái cây", "VPBank", "DO MINH KHUE"),
    (
        "970403",
        "060123456789",
        "Ngô Thị Hồng Nhung",
        "D-03",
        "Hoa tươi",
        "Sacombank",
        "NGO THI HONG NHUNG",
    ),
]
MARKET = "Chợ Hùng Sơn"


def make_cards() -> list[StallCard]:
    return [
        StallCard(
            payload=vietqr(bank_bin, account),
            vendor_name=name,
            stall_code=stall,
            goods=goods,
            bank_short_name=bank,
            account_number=account,
            account_holder=holder,
            market_name=MARKET,
        )
        for bank_bin, account, name, stall, goods, bank, holder in VENDORS
    ]


@pytest.fixture
def cards() -> list[StallCard]:
    return make_cards()


def read_qr(image: Image.Image) -> list[bytes]:
    """Every QR code zxing-cpp finds in `image`, as the exact bytes it carries."""
    return [
        result.bytes
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        if result.valid
    ]


@pytest.fixture
def decode() -> Callable[[Image.Image], list[bytes]]:
    return read_qr


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not found: install Debian poppler-utils (CI does)")
    return path


@pytest.fixture
def pdf_to_image(tmp_path: Path) -> Callable[..., Image.Image]:
    """Rasterise one page of a PDF with poppler's pdftoppm, in greyscale."""
    pdftoppm = _tool("pdftoppm")

    def render(pdf: bytes, *, dpi: int, page: int = 1) -> Image.Image:
        source = tmp_path / "in.pdf"
        source.write_bytes(pdf)
        prefix = tmp_path / f"page{page}-{dpi}"
        subprocess.run(
            [
                pdftoppm,
                "-r",
                str(dpi),
                "-gray",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(prefix),
            ],
            check=True,
        )
        with Image.open(f"{prefix}.pgm") as image:
            return image.copy()

    return render


@pytest.fixture
def pdf_text(tmp_path: Path) -> Callable[..., str]:
    """Text of a PDF as poppler's pdftotext reads it (``-bbox`` gives word boxes)."""
    pdftotext = _tool("pdftotext")

    def extract(pdf: bytes, *options: str) -> str:
        source = tmp_path / "text.pdf"
        source.write_bytes(pdf)
        done = subprocess.run(
            [pdftotext, "-enc", "UTF-8", *options, str(source), "-"],
            check=True,
            capture_output=True,
        )
        return done.stdout.decode("utf-8")

    return extract


@pytest.fixture
def pdf_fonts(tmp_path: Path) -> Callable[[bytes], str]:
    pdffonts = _tool("pdffonts")

    def listing(pdf: bytes) -> str:
        source = tmp_path / "fonts.pdf"
        source.write_bytes(pdf)
        return subprocess.run(
            [pdffonts, str(source)], check=True, capture_output=True, text=True
        ).stdout

    return listing

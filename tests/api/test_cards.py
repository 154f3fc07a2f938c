"""Stall cards over the API and the CLI: the PDF's QR scans and its text is real text."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import zxingcpp
from PIL import Image

from market40 import vietqr
from tests.factories import auth

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils (pdftoppm, pdftotext) is not installed; .ci/run installs it",
)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_qr_texts(pdf: bytes, tmp_path, dpi: int = 150) -> list[str]:
    path = tmp_path / "cards.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path),
                    str(tmp_path / "page")], check=True)
    texts = []
    for page in sorted(tmp_path.glob("page*.png")):
        texts += [r.text for r in zxingcpp.read_barcodes(Image.open(page))]
    return texts


@needs_poppler
def test_vendor_card_scans_and_keeps_diacritics(client, make_vendor, board, tmp_path):
    vendor = make_vendor(display_name="Bà Đặng Thị Hường", account_number="1017595600")
    response = client.get(f"/api/v1/vendors/{vendor.id}/card.pdf", headers=auth(board))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Bà Đặng Thị Hường" in text and "Chợ Hùng Sơn" in text
    [payload] = pdf_qr_texts(response.data, tmp_path)
    decoded = vietqr.decode(payload)
    assert (decoded.bank_bin, decoded.account, decoded.initiation) == (
        "970436", "1017595600", "static")
    again = client.get(f"/api/v1/vendors/{vendor.id}/card.pdf",
                       headers={**auth(board), "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@needs_poppler
def test_the_card_names_the_holder_as_the_buyers_bank_app_shows_it(
        client, make_vendor, board, tmp_path):
    # The card says "pay only if your bank app shows this name"; bank apps show the
    # account name in capitals without accents. A holder typed with accents (the join
    # form allows it) was printed as typed, a name no buyer's app would show.
    vendor = make_vendor(account_holder="Nguyễn Thị Hương", account_number="1017595601")
    response = client.get(f"/api/v1/vendors/{vendor.id}/card.pdf", headers=auth(board))
    text = " ".join(pdf_text(response.data, tmp_path).split())
    assert "tên chủ tài khoản là: NGUYEN THI HUONG" in text
    assert "Nguyễn Thị Hương" not in text


@needs_poppler
def test_market_sheet_has_every_printable_vendor(client, make_vendor, board, tmp_path):
    printable = [make_vendor(account_number=f"55500011{i:02d}") for i in range(7)]
    make_vendor(status="submitted")
    make_vendor(bank_bin=None, account_number=None, account_holder=None)
    make_vendor(market_code="THAI")
    response = client.get("/api/v1/markets/DAI-TU/cards.pdf", headers=auth(board))
    assert response.status_code == 200
    accounts = sorted(vietqr.decode(p).account for p in pdf_qr_texts(response.data, tmp_path))
    assert accounts == sorted(v.account_number for v in printable)


def test_market_sheet_scope_and_empty_market(client, make_vendor, make_user, board):
    make_vendor(market_code="THAI")
    assert client.get("/api/v1/markets/THAI/cards.pdf", headers=auth(board)).status_code == 403
    assert client.get("/api/v1/markets/THAI/cards.pdf").status_code == 401
    response = client.get("/api/v1/markets/DAI-TU/cards.pdf", headers=auth(board))
    assert response.status_code == 404 and "no approved vendor" in response.get_json()["message"]
    assert client.get("/api/v1/markets/NOPE/cards.pdf", headers=auth(board)).status_code == 404


def test_card_of_unapproved_vendor_is_409(client, make_vendor, board):
    vendor = make_vendor(status="draft")
    response = client.get(f"/api/v1/vendors/{vendor.id}/card.pdf", headers=auth(board))
    assert response.status_code == 409


@needs_poppler
def test_cards_cli_writes_the_market_pdf(runner, make_vendor, tmp_path):
    for i in range(3):
        make_vendor(account_number=f"77700011{i:02d}")
    out = tmp_path / "dai-tu.pdf"
    result = runner.invoke(args=["cards", "--market", "DAI-TU", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 cards" in result.output
    assert len(pdf_qr_texts(out.read_bytes(), tmp_path)) == 3
    bad = runner.invoke(args=["cards", "--market", "NOPE", "--out", str(out)])
    assert bad.exit_code == 1 and "does not exist" in bad.output

"""Printing cards at the desk: the whole market, since a date, or chosen stalls."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from market40.localtime import local_today
from market40.models import Market, Vendor

BASE = "/desk/markets/DAI-TU/cards"


def printable(db) -> list[Vendor]:
    market = db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
    return list(db.session.scalars(sa.select(Vendor).where(
        Vendor.market_id == market.id, Vendor.status == "approved",
        Vendor.qr_issued_at.is_not(None)).order_by(Vendor.stall_code)))


def pdf_text(data: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


def test_all_since_and_chosen(as_user, db):
    board = as_user("board")
    vendors = printable(db)
    assert len(vendors) >= 2
    page = board.get(BASE).get_data(as_text=True)
    assert f"({len(vendors)} thẻ" in page
    everything = board.get(BASE + ".pdf")
    assert everything.status_code == 200 and everything.mimetype == "application/pdf"
    text = pdf_text(everything.data)
    assert all(v.stall_code in text for v in vendors)

    chosen = vendors[0].stall_code
    preview = board.get(f"{BASE}?stall_codes={chosen.lower()}, NOPE-1").get_data(as_text=True)
    assert "1 thẻ được chọn" in preview and "NOPE-1" in preview
    one = board.get(f"{BASE}.pdf?stall_codes={chosen}")
    text = pdf_text(one.data)
    assert chosen in text and vendors[1].stall_code not in text

    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert board.get(f"{BASE}.pdf?since={tomorrow}").status_code == 404
    long_ago = (local_today() - timedelta(days=3650)).isoformat()
    assert board.get(f"{BASE}.pdf?since={long_ago}").status_code == 200
    assert board.get(f"{BASE}?since=yesterday").status_code == 422
    for path in (BASE, f"{BASE}.pdf"):  # year 1 has no UTC start: was a 500
        assert board.get(f"{path}?since=0001-01-01").status_code == 422, path
    assert as_user("other_board").get(BASE).status_code == 403

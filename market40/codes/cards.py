"""Stall cards: what is printed for a vendor, and a whole market's sheet."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from market40 import render, vietqr
from market40.codes.payment import payment_code
from market40.errors import NotFound
from market40.models import Market, Vendor


def holder_as_banks_show_it(vendor: Vendor) -> str:
    """The account holder as a buyer's bank app shows it: capitals without accents
    ("Nguyễn Thị Hương" -> "NGUYEN THI HUONG"), whatever way it was typed; the card asks
    the buyer to compare the two."""
    return vietqr.fold(vendor.account_holder or vendor.owner_name).upper()


def stall_card(vendor: Vendor) -> render.StallCard:
    """The card of one approved vendor with a bank account (Conflict otherwise)."""
    code = payment_code(vendor)
    return render.StallCard(
        payload=code.payload,
        vendor_name=vendor.display_name,
        stall_code=vendor.stall_code,
        goods=vendor.goods_category,
        bank_short_name=code.bank or vendor.bank_bin or "",
        account_number=vendor.account_number or "",
        account_holder=holder_as_banks_show_it(vendor),
        market_name=vendor.market.name,
    )


def printable_vendors_query(market: Market) -> sa.Select:
    """Approved vendors of ``market`` whose QR is issued, in stall order (a statement that
    callers may narrow further, e.g. the desk's cards since a date)."""
    return (
        sa.select(Vendor)
        .options(joinedload(Vendor.market))
        .where(Vendor.market_id == market.id, Vendor.status == "approved",
               Vendor.qr_issued_at.is_not(None), Vendor.account_number.is_not(None))
        .order_by(Vendor.stall_code)
    )


def printable_vendors(session: Session, market: Market) -> list[Vendor]:
    """Approved vendors of ``market`` whose QR is issued, in stall order."""
    return list(session.scalars(printable_vendors_query(market)))


def market_sheet(session: Session, market: Market) -> bytes:
    """Every printable card of the market on A4 sheets with cut marks."""
    vendors = printable_vendors(session, market)
    if not vendors:
        raise NotFound(f"market {market.code} has no approved vendor with a QR code to print")
    cards = [stall_card(v) for v in vendors]
    return render.market_sheet_pdf(cards, title=f"{market.name} · {len(cards)} thẻ QR")

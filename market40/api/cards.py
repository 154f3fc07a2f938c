"""Printable stall cards: one vendor (A6) or a whole market (A4 sheets with cut marks)."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from market40 import render
from market40.api.schemas.base import BINARY
from market40.auth import caller
from market40.codes import market_sheet, stall_card
from market40.downloads import PDF, download
from market40.extensions import db
from market40.registry.markets import get_market
from market40.registry.vendors import get_vendor

blp = Blueprint("cards", __name__, url_prefix="/api/v1", description="Printable stall cards")


@blp.route("/vendors/<id:vendor_id>/card.pdf")
@blp.response(200, BINARY, content_type="application/pdf", description="An A6 stall card")
def vendor_card(vendor_id: int) -> Response:
    """The vendor's stall card (A6 PDF) with its static VietQR code."""
    vendor = get_vendor(db.session, vendor_id)
    caller(vendor=vendor)
    name = f"the-qr-{vendor.market.code}-{vendor.stall_code}.pdf"
    return download(render.stall_card_pdf(stall_card(vendor)), PDF, name, inline=True, cached=True)


@blp.route("/markets/<code>/cards.pdf")
@blp.response(200, BINARY, content_type="application/pdf",
              description="A4 sheets of stall cards")
def market_cards(code: str) -> Response:
    """Every approved vendor's card of a market on A4 sheets with cut marks."""
    market = get_market(db.session, code)
    caller(market=market)
    return download(market_sheet(db.session, market), PDF, f"the-qr-{market.code}.pdf",
                    inline=True, cached=True)

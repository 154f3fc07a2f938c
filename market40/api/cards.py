"""Printable stall cards: one vendor (A6) or a whole market (A4 sheets with cut marks)."""

from __future__ import annotations

import hashlib

from flask import Response, request
from flask_smorest import Blueprint

from market40 import render
from market40.api.qr import scoped_vendor
from market40.api.schemas.base import BINARY
from market40.auth import authorize, current_user
from market40.codes import market_sheet, stall_card
from market40.extensions import db
from market40.registry.markets import get_market

blp = Blueprint("cards", __name__, url_prefix="/api/v1", description="Printable stall cards")


def pdf_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, max-age=300"
    return response.make_conditional(request)


@blp.route("/vendors/<id:vendor_id>/card.pdf")
@blp.response(200, BINARY, content_type="application/pdf", description="An A6 stall card")
def vendor_card(vendor_id: int) -> Response:
    """The vendor's stall card (A6 PDF) with its static VietQR code."""
    vendor = scoped_vendor(vendor_id, "vendors.qr")
    return pdf_response(render.stall_card_pdf(stall_card(vendor)),
                        f"the-qr-{vendor.market.code}-{vendor.stall_code}.pdf")


@blp.route("/markets/<code>/cards.pdf")
@blp.response(200, BINARY, content_type="application/pdf",
              description="A4 sheets of stall cards")
def market_cards(code: str) -> Response:
    """Every approved vendor's card of a market on A4 sheets with cut marks."""
    market = get_market(db.session, code)
    authorize(current_user(), "vendors.write", market=market)
    return pdf_response(market_sheet(db.session, market), f"the-qr-{market.code}.pdf")

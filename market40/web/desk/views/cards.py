"""``/desk/markets/CODE/cards``: print the market's stall cards, all, recent, or chosen."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date

import marshmallow as ma
import sqlalchemy as sa
from flask import render_template, send_file
from werkzeug.wrappers import Response

from market40 import render
from market40.codes import stall_card
from market40.codes.cards import printable_vendors_query
from market40.errors import InvalidInput, NotFound
from market40.extensions import db
from market40.localtime import day_start_utc
from market40.models import Market, Vendor
from market40.reports.adoption import EARLIEST_AS_OF
from market40.web.args import PageArgsSchema, parse
from market40.web.desk.blueprint import bp, market_for

STALL_SEPARATORS = re.compile(r"[\s,;]+")


class CardsArgsSchema(PageArgsSchema):
    # Year 1 has no UTC start (day_start_utc overflowed: a 500); no card is so old.
    since = ma.fields.Date(load_default=None, validate=ma.validate.Range(min=EARLIEST_AS_OF))
    stall_codes = ma.fields.String(load_default="", validate=ma.validate.Length(max=4000))


def chosen_vendors(market: Market, since: date | None, stalls: Sequence[str]) -> list[Vendor]:
    """The printable vendors (approved, QR issued) narrowed to a date or to stall codes."""
    statement = printable_vendors_query(market)
    if since is not None:
        start = day_start_utc(since)
        statement = statement.where(sa.or_(Vendor.qr_issued_at >= start,
                                           Vendor.updated_at >= start))
    if stalls:
        statement = statement.where(Vendor.stall_code.in_({s.upper() for s in stalls}))
    return list(db.session.scalars(statement))


def printable_count(market: Market) -> int:
    statement = printable_vendors_query(market).order_by(None).options()
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        statement.with_only_columns(Vendor.id).subquery())) or 0


def _stalls(text: str) -> list[str]:
    return [s for s in STALL_SEPARATORS.split(text.strip()) if s]


@bp.get("/desk/markets/<code>/cards")
def cards_page(code: str) -> tuple[str, int]:
    """Choose what to print; shows how many cards each choice gives."""
    market = market_for(code, "vendors.write")
    args = parse(CardsArgsSchema())
    stalls = _stalls(args["stall_codes"])
    vendors = chosen_vendors(market, args["since"], stalls)
    missing = sorted({s.upper() for s in stalls} - {v.stall_code for v in vendors})
    return render_template("desk/cards.html", market=market, since=args["since"],
                           stall_codes=args["stall_codes"], vendors=vendors, missing=missing,
                           total=printable_count(market), arg_errors=args.errors), args.status


@bp.get("/desk/markets/<code>/cards.pdf")
def cards_pdf(code: str) -> Response:
    """The chosen cards on A4 sheets with cut marks."""
    market = market_for(code, "vendors.write")
    args = parse(CardsArgsSchema())
    if args.errors:
        raise InvalidInput(dict(args.errors))
    vendors = chosen_vendors(market, args["since"], _stalls(args["stall_codes"]))
    if not vendors:
        raise NotFound(f"market {market.code} has no card to print for this choice")
    cards = [stall_card(v) for v in vendors]
    pdf = render.market_sheet_pdf(cards, title=f"{market.name} · {len(cards)} thẻ QR")
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", max_age=0,
                     download_name=f"cards-{market.code}.pdf")
